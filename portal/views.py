"""The public pages about the project: home, how to help, data requirements, about, errors."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_page

from accounts.models import Skill
from dataset import overview
from dataset.models import Observation
from places.models import Location, Metric
from sources.models import Source

SKILL_DESCRIPTIONS = {
    Skill.OFFICIAL_CONTACT: _(
        "Find the ministry, public health institute or hospital network that publishes "
        "your country's figures, ask them for machine-readable files and a clear licence, and keep in touch."
    ),
    Skill.MEDICAL: _(
        "Tell us what the numbers mean in practice: how cases, tests and hospital admissions are "
        "counted where you work, and when a definition changed."
    ),
    Skill.SOFTWARE: _("Improve this portal: parsers for new file formats, the review tools, the API."),
    Skill.DATA_ENGINEERING: _(
        "Turn a source's files into a recipe that maps itself every day; keep long "
        "time series consistent when publishers change their layout."
    ),
    Skill.MACHINE_LEARNING: _("Spot anomalies and reporting artefacts, and help build models on clean data."),
    Skill.DATA_ANALYSIS: _(
        "Check uploads against what the source publishes, review submissions for your "
        "country, and write up what the data show."
    ),
    Skill.STORYTELLING: _("Explain the data to the public: charts, articles and newsletters that cite releases."),
}


def live_counts() -> dict:
    approved = Source.objects.filter(status=Source.Status.APPROVED)
    return {
        "volunteers": get_user_model().objects.filter(profile__completed_at__isnull=False).count(),
        "sources": approved.count(),
        "countries_covered": Location.objects.filter(
            level=Location.Level.COUNTRY, sources__status=Source.Status.APPROVED
        )
        .distinct()
        .count(),
        # One index probe per country (the unique location-metric-date index), not a scan of every value.
        "countries_with_data": Location.objects.filter(
            Exists(Observation.objects.filter(location_id=OuterRef("pk"))), level=Location.Level.COUNTRY
        ).count(),
    }


def home(request):
    world = overview.world_overview()
    context = {
        "counts": live_counts(),
        "world": world,
        "map_data": {"metrics": world.metrics, "countries": world.countries},
    }
    return render(request, "pages/home.html", context)


def how_to_help(request):
    roles = [(skill, skill.label, SKILL_DESCRIPTIONS[skill]) for skill in Skill]
    return render(request, "pages/how_to_help.html", {"roles": roles})


@cache_page(300)
def data_requirements(request):
    return render(request, "pages/data_requirements.html", {"metrics": Metric.objects.all()})


def about(request):
    return render(request, "pages/about.html")


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
