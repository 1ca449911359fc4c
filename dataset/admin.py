from django.contrib import admin

from .models import ConflictExplanation, Erratum, Observation, ObservationHistory, Release, ReleaseFile


class ReleaseFileInline(admin.TabularInline):
    model = ReleaseFile
    extra = 0
    readonly_fields = ["format", "name", "path", "size", "sha256"]


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["number", "created_at", "description", "values_added", "values_changed", "values_unchanged"]
    readonly_fields = ["number", "created_at", "values_added", "values_changed", "values_unchanged", "submissions"]
    inlines = [ReleaseFileInline]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    """Read-only: canonical values change only through reviewed merges."""

    list_display = ["location", "metric", "date", "value", "source", "release"]
    list_filter = ["metric"]
    search_fields = ["location__key"]
    raw_id_fields = ["location", "submission", "release"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ObservationHistory)
class ObservationHistoryAdmin(ObservationAdmin):
    list_display = ["location", "metric", "date", "old_value", "new_value", "release", "changed_at"]
    raw_id_fields = ["location", "submission", "release", "old_release"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Erratum)
class ErratumAdmin(admin.ModelAdmin):
    list_display = ["location", "metric", "kind", "start", "end", "author", "created_at"]
    list_filter = ["kind", "metric"]
    search_fields = ["location__key", "what_is_wrong"]
    raw_id_fields = ["location", "author"]


@admin.register(ConflictExplanation)
class ConflictExplanationAdmin(admin.ModelAdmin):
    list_display = ["location", "metric", "date", "losing_source", "winning_source", "author", "created_at"]
    raw_id_fields = ["location", "losing_source", "winning_source", "author"]
