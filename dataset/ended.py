"""Series that ended: "no longer reported from date D" errata, and what every data path does with them.

A series marked no longer reported (an `Erratum` of that kind, `start` = the first date without
data) ends the day before `start`: its values from `start` on (JHU's zeros, written when JHU
stopped counting recoveries) are not data. Pages, charts and the API drop them through the
helpers here, so there is one definition of "after the end" for all of them.

The JHU import finds where JHU zeroed its recovered series (`zeroed_tails`) and marks them
(`mark_ended`); a reviewer can mark any other series in the admin or the errata pages.
"""

import time
from datetime import date

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from .models import Erratum

NO_LONGER_REPORTED = Erratum.Kind.NO_LONGER_REPORTED
# A series counts as zeroed only when it stays at zero this many days (a single 0 on the last
# date may be a late file, not the end of a series).
MIN_ZERO_DAYS = 7
JHU_ZEROED_NOTE = (
    "JHU CSSE stopped reporting recoveries and set the series to 0 from this date; "
    "the zeros are not data, so the series ends the day before."
)
JHU_ZEROED_METRICS = {"recovered"}
JHU_LINK = "https://github.com/CSSEGISandData/COVID-19"


VERSION_KEY = "dataset:ended-version"


def version() -> int:
    """A number that changes whenever an end mark is added, edited or removed: the pages and the API's
    answers cached per release name it too, so a new mark shows without waiting for the next release.

    It starts from the clock, so a counter lost from the cache never comes back as a number already
    used (entries cached under an old number would be found again)."""
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, time.time_ns() // 1000, None)
        current = cache.get(VERSION_KEY) or 0
    return int(current)


def marks_changed(**kwargs) -> None:
    """Signal receiver (post_save / post_delete of Erratum, connected in DatasetConfig.ready): a new
    version now, and again once committed (a read between the two could have kept the marks before)."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        version()


def ended_rows(location_ref: str = "location_id", metric_ref: str = "metric_id", date_ref: str = "date") -> Exists:
    """True for an observation dated on or after its series' end (to use in `.exclude()` or `~`)."""
    return Exists(
        Erratum.objects.filter(
            kind=NO_LONGER_REPORTED,
            location_id=OuterRef(location_ref),
            metric_id=OuterRef(metric_ref),
            start__lte=OuterRef(date_ref),
        )
    )


def any_ended() -> bool:
    """Whether any series is marked ended (one indexed probe): without any, nothing needs filtering."""
    return Erratum.objects.filter(kind=NO_LONGER_REPORTED).exists()


def without_ended(queryset: QuerySet) -> QuerySet:
    """Observations (or history) without the values dated after their series' end."""
    if not any_ended():
        return queryset
    return queryset.exclude(ended_rows())


def end_dates(location_ids=None) -> dict[tuple[int, int], date]:
    """{(location id, metric id): first date without data} of the ended series (of those places)."""
    marks = Erratum.objects.filter(kind=NO_LONGER_REPORTED)
    if location_ids is not None:
        marks = marks.filter(location_id__in=list(location_ids))
    return {(loc, metric): start for loc, metric, start in marks.values_list("location_id", "metric_id", "start")}


def zeroed_tails(frame: pd.DataFrame, *, min_days: int = MIN_ZERO_DAYS) -> dict[int, date]:
    """{location id: first date of the zeros} for each series of a long frame (location_id, date,
    value; one metric) that had positive values and then stays at 0 to its last date, for at least
    `min_days` dates."""
    if frame.empty:
        return {}
    ordered = frame.sort_values(["location_id", "date"])
    positive = ordered[ordered["value"] > 0]
    last_positive = positive.groupby("location_id")["date"].max()
    after = ordered.merge(last_positive.rename("last_positive"), left_on="location_id", right_index=True)
    tail = after[after["date"] > after["last_positive"]]
    if tail.empty:
        return {}
    summary = tail.groupby("location_id").agg(
        first=("date", "min"), count=("date", "size"), all_zero=("value", lambda v: bool(np.all(v == 0)))
    )
    summary = summary[summary["all_zero"] & (summary["count"] >= min_days)]
    return {int(loc): pd.Timestamp(first).date() for loc, first in summary["first"].items()}


def mark_ended(*, metric_id: int, starts: dict[int, date], what_is_wrong: str = JHU_ZEROED_NOTE, link: str = "") -> int:
    """Mark each location's series of the metric as no longer reported from its date; a series
    already marked keeps its mark (a reviewer's edit wins). Returns how many marks were added."""
    if not starts:
        return 0
    marked = set(
        Erratum.objects.filter(kind=NO_LONGER_REPORTED, metric_id=metric_id, location_id__in=list(starts)).values_list(
            "location_id", flat=True
        )
    )
    new = [
        Erratum(
            kind=NO_LONGER_REPORTED,
            location_id=loc,
            metric_id=metric_id,
            start=start,
            what_is_wrong=what_is_wrong,
            link=link,
        )
        for loc, start in sorted(starts.items())
        if loc not in marked
    ]
    Erratum.objects.bulk_create(new, batch_size=1000)
    if new:
        marks_changed()  # bulk_create sends no post_save
    return len(new)
