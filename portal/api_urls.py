"""API URLs: /api/v1/ routes from each app's api.py, the OpenAPI schema and its docs.

The docs pages are third-party bundles (Swagger UI, Redoc) that style themselves inline: their
Content-Security-Policy allows inline styles (and Redoc its web worker), nothing else: both load only
local files (drf-spectacular-sidecar), Redoc through our template without Google Fonts. Swagger UI's
start-up script is served as a file (the split view), not inline.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_STYLES = {"style-src": [UNSAFE_INLINE]}
REDOC = {"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}

urlpatterns = [
    path("v1/", include("portal.api_v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", csp_update(DOCS_STYLES)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path(
        "redoc/",
        csp_update(REDOC)(SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")),
        name="api-redoc",
    ),
]
