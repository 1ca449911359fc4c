from django.contrib import admin

from .models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "source", "submitter", "country", "status", "row_count", "error_count", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["original_filename", "submitter__email", "source__name"]
    raw_id_fields = ["submitter", "source", "country", "claimed_by", "duplicate_of", "merged_release"]
    readonly_fields = ["sha256", "report", "diff", "normalised_path", "merge_error"]
