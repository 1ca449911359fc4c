"""URLs of the public data pages, under /data/."""

from django.urls import path

from . import views

app_name = "dataset"
urlpatterns = [
    path("", views.countries, name="countries"),
    path("downloads/", views.downloads, name="downloads"),
    path("downloads/<int:number>/<str:name>", views.download_file, name="download_file"),
    path("dictionary/", views.dictionary, name="dictionary"),
    path("explorer/", views.explorer, name="explorer"),
    path("embed/", views.embed, name="embed"),
    path("<str:key>/", views.location, name="location"),
    path("<str:key>/<slug:metric>/provenance/", views.provenance, name="provenance"),
]
