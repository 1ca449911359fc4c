"""Register the sources the first public COVID-19 dashboards drew on, as approved sources (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from places.models import Location, Metric
from sources.models import Source, normalise_url
from sources.services import default_priority

T = Source.InstitutionType
C = Source.Cadence

# The data sources JHU CSSE's dashboard named in January 2020, and JHU CSSE itself.
SEED_SOURCES: list[dict[str, Any]] = [
    {
        "name": "WHO COVID-19 situation reports",
        "institution": "World Health Organization",
        "institution_type": T.INTERNATIONAL,
        "country": None,
        "url": "https://www.who.int/emergencies/diseases/novel-coronavirus-2019/situation-reports",
        "data_format": "PDF",
        "cadence": C.FINAL,
        "licence": "CC BY-NC-SA 3.0 IGO",
        "attribution": "World Health Organization. Coronavirus disease (COVID-19) situation reports.",
        "metrics": ["confirmed", "deaths"],
        "notes": "Daily reports from 21 January to 16 August 2020, then replaced by the weekly epidemiological "
        "updates. Figures by country as reported to WHO under the International Health Regulations.",
    },
    {
        "name": "US CDC COVID-19",
        "institution": "Centers for Disease Control and Prevention",
        "institution_type": T.PUBLIC_HEALTH,
        "country": "US",
        "url": "https://www.cdc.gov/coronavirus/2019-ncov/index.html",
        "data_format": "HTML, CSV",
        "cadence": C.WEEKLY,
        "licence": "Public domain (US federal government work)",
        "attribution": "Source: Centers for Disease Control and Prevention (CDC).",
        "metrics": ["confirmed", "deaths", "tests", "hospitalized", "vaccine_doses"],
        "notes": "Daily case counts in 2020; weekly reporting since 2022. Data files are published on data.cdc.gov.",
    },
    {
        "name": "ECDC geographic distribution of COVID-19 cases",
        "institution": "European Centre for Disease Prevention and Control",
        "institution_type": T.INTERNATIONAL,
        "country": None,
        "url": "https://www.ecdc.europa.eu/en/geographical-distribution-2019-ncov-cases",
        "data_format": "CSV, XLSX, JSON",
        "cadence": C.WEEKLY,
        "licence": "Reproduction authorised provided the source is acknowledged (ECDC copyright notice)",
        "attribution": "© European Centre for Disease Prevention and Control (ECDC).",
        "metrics": ["confirmed", "deaths"],
        "notes": "Worldwide counts by country, daily until 14 December 2020 and weekly afterwards.",
    },
    {
        "name": "National Health Commission of China: daily outbreak reports",
        "institution": "National Health Commission of the People's Republic of China",
        "institution_type": T.MINISTRY,
        "country": "CN",
        "url": "http://www.nhc.gov.cn/xcs/yqtb/list_gzbd.shtml",
        "data_format": "HTML",
        "cadence": C.FINAL,
        "licence": "Not stated (official government notices)",
        "attribution": "National Health Commission of the People's Republic of China.",
        "metrics": ["confirmed", "deaths", "recovered"],
        "notes": "Daily bulletins (疫情通报) with national and provincial figures for mainland China.",
    },
    {
        "name": "DXY COVID-19 tracker",
        "institution": "DXY (Dingxiangyuan)",
        "institution_type": T.AGGREGATOR,
        "country": "CN",
        "url": "https://ncov.dxy.cn/ncovh5/view/pneumonia",
        "data_format": "HTML",
        "cadence": C.FINAL,
        "licence": "Not stated",
        "attribution": "DXY.cn. Pneumonia. 2020.",
        "metrics": ["confirmed", "deaths", "recovered"],
        "notes": "Medical community site that collected the Chinese national and provincial health commissions' "
        "reports in near real time; JHU CSSE's dashboard used it from January 2020.",
    },
    {
        "name": "JHU CSSE COVID-19 Data",
        "institution": "Center for Systems Science and Engineering, Johns Hopkins University",
        "institution_type": T.AGGREGATOR,
        "country": None,
        "url": "https://github.com/CSSEGISandData/COVID-19",
        "data_format": "CSV",
        "cadence": C.FINAL,
        "licence": "CC BY 4.0",
        "attribution": "COVID-19 Data Repository by the Center for Systems Science and Engineering (CSSE) "
        "at Johns Hopkins University.",
        "metrics": ["confirmed", "deaths", "recovered"],
        "notes": "Global time series and daily reports compiled from official sources; updates stopped on "
        "10 March 2023.",
    },
]

# Fields filled in on an existing source only when they are still empty (edits by moderators win).
FILL_IF_EMPTY = ["institution", "data_format", "licence", "attribution", "notes"]


class Command(BaseCommand):
    help = "Register the approved seed sources (WHO, US CDC, ECDC, China NHC, DXY, JHU CSSE); safe to run again."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        created = 0
        for entry in SEED_SOURCES:
            created += seed_source(entry)
        self.stdout.write(f"Seed sources: {created} created, {len(SEED_SOURCES) - created} already registered.")


def seed_source(entry: dict[str, Any]) -> bool:
    """Create the source if its normalised URL is new; otherwise only fill what is missing."""
    country = Location.objects.filter(key=entry["country"]).first() if entry["country"] else None
    metrics = list(Metric.objects.filter(code__in=entry["metrics"]))
    source = Source.objects.filter(url_normalised=normalise_url(entry["url"])).first()
    if source is None:
        source = Source.objects.create(
            name=entry["name"],
            institution=entry["institution"],
            institution_type=entry["institution_type"],
            country=country,
            url=entry["url"],
            data_format=entry["data_format"],
            cadence=entry["cadence"],
            licence=entry["licence"],
            attribution=entry["attribution"],
            notes=entry["notes"],
            priority=default_priority(entry["institution_type"]),
            status=Source.Status.APPROVED,
        )
        source.metrics.set(metrics)
        return True
    changed = [field for field in FILL_IF_EMPTY if not getattr(source, field)]
    for field in changed:
        setattr(source, field, entry[field])
    if source.status == Source.Status.PROPOSED:
        # Created elsewhere (an import) before the seed ran: the seed sources are approved by definition.
        source.status = Source.Status.APPROVED
        changed.append("status")
    if source.country_id is None and country is not None:
        source.country = country
        changed.append("country")
    if changed:
        source.save()
    if not source.metrics.exists():
        source.metrics.set(metrics)
    return False
