"""URLs of the sources registry (/sources/, namespace "sources"): the list is sources.views; a
source's page and proposing one show submissions, so they are contributions.views."""

from django.urls import path

from sources import views as source_views

from . import feed_views, views

app_name = "sources"
urlpatterns = [
    path("", source_views.source_list, name="list"),
    path("propose/", views.propose, name="propose"),
    path("<int:pk>/", views.source_detail, name="detail"),
    path("<int:source_pk>/feeds/new/", feed_views.feed_edit, name="feed_new"),
    path("feeds/<int:pk>/", feed_views.feed_detail, name="feed"),
    path("feeds/<int:pk>/edit/", feed_views.feed_edit, name="feed_edit"),
    path("feeds/<int:pk>/trust/", feed_views.feed_trust, name="feed_trust"),
    path("feeds/<int:pk>/revoke/", feed_views.feed_revoke, name="feed_revoke"),
    path("feeds/<int:pk>/resume/", feed_views.feed_resume, name="feed_resume"),
    path("feeds/<int:pk>/activate/", feed_views.feed_activate, name="feed_activate"),
    path("feeds/<int:pk>/follow/", feed_views.feed_follow, name="feed_follow"),
    path("feeds/<int:pk>/fetch/", feed_views.feed_fetch, name="feed_fetch"),
    path("feeds/<int:pk>/backfill/", feed_views.feed_backfill, name="feed_backfill"),
]
