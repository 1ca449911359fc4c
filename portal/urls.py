"""Top-level URLs: the public pages, each app under its own prefix, the API and the admin."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from accounts.views import set_language

from . import views
from .observability.health import health_view
from .observability.metrics import metrics_view

# The admin login goes through allauth's login, which is rate limited.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented patch
admin.site.site_header = "COVID-19 Open Data administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.how_to_help, name="how_to_help"),
    path("data-requirements/", views.data_requirements, name="data_requirements"),
    path("about/", views.about, name="about"),
    # Languages (docs/translations.md): the switcher on every page, and the JavaScript catalogue.
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["portal"]), name="javascript-catalog"),  # + locale/
    path("accounts/", include("allauth.urls")),
    path("volunteers/", include("accounts.urls")),
    path("data/", include("dataset.urls")),
    path("sources/", include("contributions.source_urls")),
    path("submissions/", include("contributions.urls")),
    path("review/", include("review.urls")),
    path("", include("outreach.urls")),
    path("api/", include("portal.api_urls")),
    path("admin/", admin.site.urls),
    path("health/", health_view, name="health"),  # load balancers: no login, ok/failing per check
    path("metrics", metrics_view, name="metrics"),  # Prometheus: METRICS_ALLOWED_IPS or METRICS_TOKEN
]

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
