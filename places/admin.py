from typing import TYPE_CHECKING

from django.contrib import admin

from .models import Location, LocationAlias, Metric

if TYPE_CHECKING:  # the admin classes are generic for the type checker only
    _AliasInline = admin.TabularInline[LocationAlias, Location]
    _LocationAdmin = admin.ModelAdmin[Location]
    _MetricAdmin = admin.ModelAdmin[Metric]
else:
    _AliasInline = admin.TabularInline
    _LocationAdmin = _MetricAdmin = admin.ModelAdmin


class LocationAliasInline(_AliasInline):
    model = LocationAlias
    extra = 0


@admin.register(Location)
class LocationAdmin(_LocationAdmin):
    list_display = ["key", "name", "level", "country_code", "parent"]
    list_filter = ["level"]
    search_fields = ["key", "name", "aliases__text"]
    raw_id_fields = ["parent"]
    inlines = [LocationAliasInline]


@admin.register(Metric)
class MetricAdmin(_MetricAdmin):
    list_display = ["code", "name", "kind", "unit", "display_order"]
