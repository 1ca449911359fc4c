from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("welcome/", views.onboarding, name="onboarding"),
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.rotate_token, name="rotate_token"),
]
