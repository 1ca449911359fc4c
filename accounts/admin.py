from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ReviewerScope, User, VolunteerProfile


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
