from django.contrib import admin

from .models import Revert, ReviewAction, ReviewerPreference


@admin.register(ReviewAction)
class ReviewActionAdmin(admin.ModelAdmin):
    """The audit log is append-only: the admin can read it, never change or delete it."""

    list_display = ["created_at", "submission", "actor", "action", "override_priority"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewerPreference)
class ReviewerPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_digest", "last_digest_at"]
    list_filter = ["daily_digest"]
    search_fields = ["user__email"]


@admin.register(Revert)
class RevertAdmin(admin.ModelAdmin):
    """Reverts are proposed and confirmed on the review pages (four eyes); the admin only reads them."""

    list_display = ["submission", "status", "proposed_by", "confirmed_by", "release", "proposed_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
