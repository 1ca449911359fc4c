from django.urls import path

from . import views

app_name = "contributions"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/status.json", views.status, name="status"),
    path("<int:pk>/problems.csv", views.error_report, name="problems_csv"),
    path("<int:pk>/file/", views.download, name="download"),
    path("<int:pk>/replace/", views.replace, name="replace"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
