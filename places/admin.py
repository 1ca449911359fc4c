from django.contrib import admin

from .models import Location, LocationAlias, Metric


class LocationAliasInline(admin.TabularInline):
    model = LocationAlias
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "level", "country_code", "parent"]
    list_filter = ["level"]
    search_fields = ["key", "name", "aliases__text"]
    raw_id_fields = ["parent"]
    inlines = [LocationAliasInline]


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "display_order"]
