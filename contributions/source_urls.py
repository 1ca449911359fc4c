"""URLs of the sources registry (/sources/, namespace "sources"): the list is sources.views; a
source's page and proposing one show submissions, so they are contributions.views."""

from django.urls import path

from sources import views as source_views

from . import views

app_name = "sources"
urlpatterns = [
    path("", source_views.source_list, name="list"),
    path("propose/", views.propose, name="propose"),
    path("<int:pk>/", views.source_detail, name="detail"),
]
