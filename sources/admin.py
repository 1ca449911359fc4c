from django.contrib import admin

from .models import Source, SourceRecipe


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "institution_type", "country", "status", "priority", "last_check_status"]
    list_filter = ["status", "institution_type"]
    search_fields = ["name", "institution", "url"]
    autocomplete_fields = ["country", "subregion"]
    raw_id_fields = ["proposed_by", "approved_by"]


@admin.register(SourceRecipe)
class SourceRecipeAdmin(admin.ModelAdmin):
    list_display = ["source", "layout", "updated_at"]
