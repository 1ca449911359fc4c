"""The v1 API router: each app registers its viewsets in its api.py (`register(router)`)."""

from rest_framework.routers import DefaultRouter

from contributions.api import SubmissionViewSet
from contributions.proposals_api import SourceViewSet
from dataset.api import views as dataset_api
from review import api as review_api

router = DefaultRouter()
router.register("sources", SourceViewSet, basename="source")
router.register("submissions", SubmissionViewSet, basename="submission")
dataset_api.register(router)
urlpatterns = review_api.urlpatterns + dataset_api.urlpatterns + router.urls
