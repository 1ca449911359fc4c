"""The v1 API router: each app registers its viewsets in its api.py (`register(router)`)."""
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
urlpatterns = router.urls
