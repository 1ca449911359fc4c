"""What a volunteer can do next for each of their countries, from the same statuses as the coverage page."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from accounts.models import VolunteerProfile
from contributions.models import Submission
from places.models import Location
from sources.models import Source

from .coverage import STATUS_HELP, CountryCoverage, Status, compute

# The one thing that would move a country on, by its coverage status.
ADVICE = {
    Status.NO_VOLUNTEER: _("You are its first volunteer: start by finding its official data."),
    Status.NO_SOURCE: _(
        "No official source is approved yet. Find where the ministry of health or the public "
        "health institute publishes its figures and propose that source."
    ),
    Status.NO_DATA: _(
        "An official source is approved, but none of its data is in the dataset yet. Upload its latest file."
    ),
    Status.STALE: _(
        "Updates are overdue. Upload the source's latest file, or tell us in a source proposal "
        "if the source has moved or stopped."
    ),
    Status.FLOWING: _(
        "Data is flowing. Check the latest values on the country's page, and propose more sources "
        "(regions, hospitals, tests, vaccinations) if you know them."
    ),
    Status.COMPLETE: _(
        "Its official series has ended. If the country still publishes figures elsewhere, propose that source."
    ),
}


@dataclass
class CountrySteps:
    country: Location
    coverage: CountryCoverage
    approved_sources: list[Source] = field(default_factory=list)
    proposed_sources: list[Source] = field(default_factory=list)
    open_submissions: list[Submission] = field(default_factory=list)

    @property
    def advice(self) -> str:
        return str(ADVICE[self.coverage.status])

    @property
    def status_help(self) -> str:
        return str(STATUS_HELP[self.coverage.status])

    @property
    def can_upload(self) -> bool:
        return bool(self.approved_sources or self.proposed_sources)


def for_volunteer(profile: VolunteerProfile) -> list[CountrySteps]:
    """One entry per country of the profile (primary first), with its status, sources and open work."""
    countries = [c for c in [profile.primary_country, *profile.other_countries.order_by("name")] if c is not None]
    coverage = {row.key: row for row in compute() if row.key in {c.key for c in countries}}
    steps = {c.pk: CountrySteps(country=c, coverage=coverage[c.key]) for c in countries}
    for source in Source.objects.filter(
        country__in=countries, status__in=[Source.Status.APPROVED, Source.Status.PROPOSED]
    ).order_by("-priority", "name"):
        assert source.country_id is not None  # filtered by country
        entry = steps[source.country_id]
        (entry.approved_sources if source.status == Source.Status.APPROVED else entry.proposed_sources).append(source)
    for submission in (
        Submission.objects.filter(submitter=profile.user, country__in=countries)
        .exclude(status__in=Submission.FINAL)
        .select_related("source")
        .order_by("-pk")
    ):
        steps[submission.country_id].open_submissions.append(submission)
    return list(steps.values())
