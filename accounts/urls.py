from django.urls import path

from . import notice_views, views

app_name = "accounts"
urlpatterns = [
    path("welcome/", views.onboarding, name="onboarding"),
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.rotate_token, name="rotate_token"),
    path("notices/", notice_views.notice_list, name="notices"),
    path("notices/read/", notice_views.mark_read, name="notices_read"),
    path("notices/email/", notice_views.email_preferences, name="notices_email"),
]
