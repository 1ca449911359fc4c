"""The v1 API router: each app registers its viewsets in its api.py (`register(router)`), and its root
is the API's front door (a page for people, the endpoints' URLs as JSON for programs)."""

from typing import Any

from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import APIRootView, DefaultRouter

from contributions.api import SubmissionViewSet
from contributions.proposals_api import SourceViewSet
from dataset.api import views as dataset_api
from review import api as review_api

from .api_schema import RESOURCES


class FrontDoor(APIRootView):
    """GET /api/v1/: in a browser, a page with the docs, the endpoints and examples; otherwise (curl,
    scripts: JSON comes first) the endpoints' URLs as before."""

    renderer_classes = [JSONRenderer, TemplateHTMLRenderer]

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        if request.accepted_renderer.format == "html":
            endpoints = [
                (RESOURCES.get(name, (name.title(), "", ""))[0], url, RESOURCES.get(name, ("", "", ""))[2])
                for name, url in response.data.items()
            ]
            base = request.build_absolute_uri("/api/v1/")
            response = Response({"endpoints": endpoints, "base": base}, template_name="api/front_door.html")
        return response


class Router(DefaultRouter):
    APIRootView = FrontDoor


router = Router()
router.register("sources", SourceViewSet, basename="source")
router.register("submissions", SubmissionViewSet, basename="submission")
dataset_api.register(router)
urlpatterns = review_api.urlpatterns + dataset_api.urlpatterns + router.urls
