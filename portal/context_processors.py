"""Values every template may use."""

from django.conf import settings


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, "DATA_LICENCE": "CC BY 4.0"}
