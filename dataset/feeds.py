"""Atom feeds of changes: every release (its changelog and counts per country), and a place's changes.

Built on django.contrib.syndication; each entry links to the release's changelog page.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from places.models import Location

from . import changelog
from .models import Release

ITEMS = 30


def _counts(added: int, changed: int, removed: int) -> str:
    values = {"added": added, "changed": changed, "removed": removed}
    if removed:
        return _("%(added)s added, %(changed)s changed, %(removed)s removed") % values
    return _("%(added)s added, %(changed)s changed") % values


class ReleasesFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Coronavirus Open Data: releases")
    subtitle = gettext_lazy("Every release of the dataset: what changed, and how many values per country.")

    def link(self):
        return reverse("dataset:downloads")

    def feed_url(self):
        return reverse("dataset:releases_feed")

    def items(self):
        return Release.objects.order_by("-number")[:ITEMS]

    def item_title(self, item: Release) -> str:
        return _("Release %(number)s: %(description)s") % {"number": item.number, "description": item.description}

    def item_description(self, item: Release) -> str:
        lines = [item.changelog or item.description]
        countries = changelog.per_country(changelog.summary(item))
        if countries:
            per_country = "; ".join(f"{c}: {_counts(a, ch, r)}" for c, a, ch, r in countries)
            lines.append(_("Per country: %(counts)s.") % {"counts": per_country})
        return "\n".join(lines)

    def item_link(self, item: Release) -> str:
        return reverse("dataset:release_changes", args=[item.number])

    def item_guid(self, item: Release) -> str:
        return f"release-{item.number}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Release):
        return item.created_at

    def item_updateddate(self, item: Release):
        return item.created_at


class PlaceChangesFeed(Feed):
    """The releases that changed a place's values, with what changed there per metric."""

    feed_type = Atom1Feed

    def get_object(self, request, key: str) -> Location:
        place = None if "\x00" in key else Location.objects.filter(key=key).first()
        if place is None:
            raise Http404("No such place")
        return place

    def title(self, obj: Location) -> str:
        return _("Coronavirus Open Data: changes in %(place)s") % {"place": obj.name}

    def link(self, obj: Location) -> str:
        return reverse("dataset:location", args=[obj.key])

    def feed_url(self, obj: Location) -> str:
        return reverse("dataset:place_feed", args=[obj.key])

    def items(self, obj: Location):
        return [(obj, release) for release in changelog.releases_changing(obj, limit=ITEMS)]

    def item_title(self, item) -> str:
        place, release = item
        return _("Release %(number)s: %(description)s") % {"number": release.number, "description": place.name}

    def item_description(self, item) -> str:
        place, release = item
        changes = changelog.for_place(changelog.summary(release), place)
        lines = [
            _("%(metric)s: %(counts)s (%(first)s to %(last)s)")
            % {
                "metric": c.metric,
                "counts": _counts(c.added, c.changed, c.removed),
                "first": c.first_date,
                "last": c.last_date,
            }
            for c in changes
        ]
        return "\n".join(lines or [_("No value of this place changed in this release.")]) + f"\n{release.description}"

    def item_link(self, item) -> str:
        place, release = item
        return reverse("dataset:release_changes", args=[release.number]) + f"#place-{place.key}"

    def item_guid(self, item) -> str:
        place, release = item
        return f"release-{release.number}-{place.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item[1].created_at

    def item_updateddate(self, item):
        return item[1].created_at
