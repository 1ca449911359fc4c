"""Values every template may use."""
from django.conf import settings


def site(request):
    return {"SITE_NAME": "COVID-19 Open Data", "SITE_URL": settings.SITE_URL, "DATA_LICENCE": "CC BY 4.0"}
