"""URLs of the moderation pages (reviewers; the audit log is for staff)."""

from django.urls import path

from . import todo_views, views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("digest/", views.digest, name="digest"),
    path("audit/", views.audit_log, name="audit"),
    path("todo/<str:key>/", todo_views.country_todo, name="todo"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/retry-merge/", views.retry_merge, name="retry_merge"),
]
