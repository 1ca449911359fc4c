from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Notice, ReviewerScope, User, VolunteerProfile


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["email", "username", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "username"]

    def get_readonly_fields(self, request, obj=None):
        """Staff manage accounts and roles; only a superuser makes superusers or grants single permissions."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "primary_country", "organisation", "public_listing", "completed_at"]
    list_filter = ["public_listing"]
    search_fields = ["user__email", "display_name", "organisation"]
    autocomplete_fields = ["primary_country", "other_countries"]


@admin.register(ReviewerScope)
class ReviewerScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "all_countries"]
    autocomplete_fields = ["countries"]


# Second factors: staff see who has one and delete a lost one (the person then sets up a new one);
# the secret and recovery codes are never shown, and nobody adds or edits one here.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    fields = readonly_fields = ("user", "type", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who has an API token, and deleting one; the key is never stored (only its SHA-256), so never shown."""

    list_display = ["user", "created_at"]
    search_fields = ["user__email"]
    fields = readonly_fields = ("user", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "text", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "text"]
    raw_id_fields = ["user"]
