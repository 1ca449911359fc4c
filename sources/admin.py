"""Admin for sources: moderators can approve or reject proposals in bulk and edit priorities."""
from django.contrib import admin, messages

from . import services
from .models import Source, SourceRecipe


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "institution_type", "country", "status", "priority", "cadence", "last_check_status"]
    list_filter = ["status", "institution_type", "cadence"]
    search_fields = ["name", "institution", "url", "url_normalised"]
    autocomplete_fields = ["country", "subregion"]
    raw_id_fields = ["proposed_by", "approved_by"]
    filter_horizontal = ["metrics"]
    readonly_fields = ["url_normalised", "created_at", "last_checked_at", "last_check_status", "last_check_error",
                       "consecutive_check_failures"]
    actions = ["approve_selected", "reject_selected"]

    @admin.action(description="Approve selected proposed sources")
    def approve_selected(self, request, queryset):
        sources = queryset.filter(status=Source.Status.PROPOSED)
        count = sum(1 for source in sources if services.approve_source(source=source, reviewer=request.user))
        self.message_user(request, f"{count} source(s) approved.", messages.SUCCESS)

    @admin.action(description="Reject selected proposed sources")
    def reject_selected(self, request, queryset):
        sources = queryset.filter(status=Source.Status.PROPOSED)
        count = sum(1 for source in sources if services.reject_source(source=source, reviewer=request.user))
        self.message_user(request, f"{count} source(s) rejected.", messages.SUCCESS)


@admin.register(SourceRecipe)
class SourceRecipeAdmin(admin.ModelAdmin):
    list_display = ["source", "layout", "updated_at"]
    raw_id_fields = ["source", "updated_from"]
