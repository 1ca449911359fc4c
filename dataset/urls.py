"""URLs of the public data pages, under /data/."""

from django.urls import path

from . import changelog_views, conflicts_views, errata_views, feeds, views

app_name = "dataset"
urlpatterns = [
    path("", views.countries, name="countries"),
    path("downloads/", views.downloads, name="downloads"),
    path("downloads/<int:number>/<str:name>", views.download_file, name="download_file"),
    path("dictionary/", views.dictionary, name="dictionary"),
    path("releases/feed/", feeds.ReleasesFeed(), name="releases_feed"),
    path("releases/<int:number>/", changelog_views.release_changes, name="release_changes"),
    path("conflicts/", conflicts_views.conflict_index, name="conflict_index"),
    path("conflicts/<str:country>/", conflicts_views.conflict_report, name="conflicts"),
    path("conflicts/<str:country>/<int:pk>/explain/", conflicts_views.explain_conflict, name="explain_conflict"),
    path("priorities/", conflicts_views.priorities, name="priorities"),
    path("errata/", errata_views.errata_list, name="errata"),
    path("errata/new/", errata_views.erratum_new, name="erratum_new"),
    path("errata/<int:pk>/edit/", errata_views.erratum_edit, name="erratum_edit"),
    path("errata/<int:pk>/delete/", errata_views.erratum_delete, name="erratum_delete"),
    path("explorer/", views.explorer, name="explorer"),
    path("embed/", views.embed, name="embed"),
    path("<str:key>/", views.location, name="location"),
    path("<str:key>/feed/", feeds.PlaceChangesFeed(), name="place_feed"),
    path("<str:key>/<slug:metric>/provenance/", views.provenance, name="provenance"),
]
