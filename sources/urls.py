"""URLs of the sources registry (/sources/)."""
from django.urls import path

from . import views

app_name = "sources"
urlpatterns = [
    path("", views.source_list, name="list"),
    path("propose/", views.propose, name="propose"),
    path("<int:pk>/", views.source_detail, name="detail"),
]
