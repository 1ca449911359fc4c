"""URLs of the moderation pages (reviewers; the audit log is for staff)."""

from django.urls import path

from . import revert_views, todo_views, views

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
    path("<int:pk>/revert/", revert_views.revert_page, name="revert"),
    path("<int:pk>/revert/propose/", revert_views.propose_revert, name="propose_revert"),
    path("<int:pk>/revert/<int:revert_id>/confirm/", revert_views.confirm_revert, name="confirm_revert"),
    path("<int:pk>/revert/<int:revert_id>/cancel/", revert_views.cancel_revert, name="cancel_revert"),
]
