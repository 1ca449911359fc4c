"""The registry's rules for a source: one per normalised URL, an http(s) URL we can store, the
country and region its institution type needs, and default priorities.

Proposing a source (a Submission waiting for review, with a daily limit) is
contributions.proposals, which applies these rules.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from places.models import Location

from .models import Source, normalise_url

# Institutions that speak for one country: their sources must say which.
NATIONAL_TYPES = {
    Source.InstitutionType.MINISTRY,
    Source.InstitutionType.PUBLIC_HEALTH,
    Source.InstitutionType.STATISTICS,
    Source.InstitutionType.HOSPITAL,
    Source.InstitutionType.SUBNATIONAL,
}


class SourceProposalError(Exception):
    """A proposal we refuse; the message is shown to the volunteer as it is."""


class DuplicateSource(SourceProposalError):
    def __init__(self, existing: Source) -> None:
        self.existing = existing
        super().__init__(
            _("This URL is already registered as “%(name)s” (%(status)s).")
            % {"name": existing.name, "status": existing.get_status_display().lower()}
        )


def default_priority(institution_type: str) -> int:
    """Official national > subnational official > international organisation > aggregator."""
    return Source.DEFAULT_PRIORITY.get(institution_type, Source.DEFAULT_PRIORITY[Source.InstitutionType.OTHER])


def priority_table() -> list[tuple[str, int]]:
    """(institution type label, default priority), highest first, for pages that explain the order."""
    rows = [(str(label), default_priority(value)) for value, label in Source.InstitutionType.choices]
    return sorted(rows, key=lambda row: -row[1])


def find_duplicate(url: str) -> Source | None:
    """The source already registered under this URL after normalisation, if any."""
    return Source.objects.filter(url_normalised=normalise_url(url)).first()


def check_location(*, institution_type: str, country: Location | None, subregion: Location | None) -> None:
    """Raise ValidationError (by field) when country and subregion do not fit the institution type."""
    errors = {}
    if country is not None and country.level != Location.Level.COUNTRY:
        errors["country"] = _("%(place)s is not a country.") % {"place": country.name}
    if country is None and institution_type in NATIONAL_TYPES:
        errors["country"] = _("An official national or subnational institution needs its country.")
    if institution_type == Source.InstitutionType.SUBNATIONAL and subregion is None:
        errors["subregion"] = _("A subnational body needs the region it covers (an ISO 3166-2 code such as IT-25).")
    if subregion is not None:
        if subregion.level not in (Location.Level.REGION, Location.Level.SUBREGION):
            errors["subregion"] = _("%(place)s is not a region of a country.") % {"place": subregion.name}
        elif country is None:
            errors["subregion"] = _("%(place)s is not in the chosen country.") % {"place": subregion.name}
        elif subregion.country_code != country.country_code:
            errors["subregion"] = _("%(place)s is not in %(country)s.") % {
                "place": subregion.name,
                "country": country.name,
            }
    if errors:
        raise ValidationError(errors)


URL_MAX_LENGTH = 500


def check_url(url: str) -> None:
    """Raise ValidationError unless the URL is a web address we can store and compare."""
    scheme = url.strip().split(":", 1)[0].lower() if "://" in url else ""
    if scheme not in ("http", "https"):
        raise ValidationError({"url": _("Give the address of a web page or file (http:// or https://).")})
    if len(url.strip()) > URL_MAX_LENGTH or len(normalise_url(url)) > URL_MAX_LENGTH:
        raise ValidationError(
            {"url": _("This address is longer than %(count)s characters.") % {"count": URL_MAX_LENGTH}}
        )
