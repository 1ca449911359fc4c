"""Compare a normalised upload with the canonical dataset: what is new, what changes, what wins.

Contract (used by the upload task, the review pages and the API):

    compute_diff(frame, *, source, keys=None) -> DiffSummary   (contracts.py; JSON-serialisable)

`frame` is `ValidationResult.frame` (location_id, location_key, metric_id, metric, date, value,
...), `keys` optionally `ValidationResult.keys` (else computed); `source` is the
`sources.models.Source` the upload is for (its `priority` is compared with the priority of each
value's current source). The canonical values come from the latest release's snapshot
(dataset/snapshots.py: sorted keys, values and sources, memory-mapped, and what the merges changed
since). Each series' values are found by their offset from its first day (one binary search per
series), and any value not where that puts it by a binary search over the whole array.

    {"counts": {"total", "new", "changed", "unchanged"},
     "series": [{"location", "metric", "new", "changed", "unchanged", "first_date", "last_date"}...],
     "series_truncated": bool,
     "largest_changes": {"absolute": [change...], "relative": [change...]},
     "higher_priority": {"count": n (changed values whose current source outranks `source`),
                         "sources": [{"id", "name", "priority", "count"}], "examples": [change...]},
     "warnings": [{"severity": "warning", "code": "identical_to_canonical", "message", "count"}],
     "source": {"id", "name", "priority"},
     "release": number of the release compared with (None when the dataset is empty)}

    change = {"location", "metric", "date", "old", "new", "delta", "relative", "old_source_id"}

Review reads `higher_priority.count` through higher_priority_count, which also reads the shapes
of diffs stored before it was the one key.
"""

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from dataset import snapshots
from dataset.keys import observation_keys, series_starts
from sources.models import Source

from .contracts import Change, DiffSummary, DiffWarning, SeriesDiff
from .texts import Text, stored
from .validation.encoding import texts_at

TOP = 20
MAX_SERIES = 2000


def _change_records(frame: pd.DataFrame) -> list[Change]:
    return [
        {
            "location": r.location_key,
            "metric": r.metric,
            "date": r.date.strftime("%Y-%m-%d"),
            "old": float(r.old),
            "new": float(r.value),
            "delta": float(r.delta),
            "relative": None if not np.isfinite(r.relative) else round(float(r.relative), 6),
            "old_source_id": int(r.old_source_id),
        }
        for r in frame.itertuples(index=False)
    ]


def compute_diff(frame: pd.DataFrame, *, source: Source | None, keys: np.ndarray | None = None) -> DiffSummary:
    """The diff of a normalised upload against the canonical dataset (see the module docstring).

    `keys`: the frame's observation keys when the caller has them (ValidationResult.keys)."""
    priority = int(getattr(source, "priority", 0) or 0)
    result: DiffSummary = {
        "counts": {"total": len(frame), "new": 0, "changed": 0, "unchanged": 0},
        "series": [],
        "series_truncated": False,
        "largest_changes": {"absolute": [], "relative": []},
        "higher_priority": {"count": 0, "sources": [], "examples": []},
        "warnings": [],
        "source": {
            "id": getattr(source, "pk", None),
            "name": str(source) if source is not None else "",
            "priority": priority,
        },
    }
    if frame.empty:
        return result
    keys = observation_keys(frame) if keys is None or len(keys) != len(frame) else keys
    starts = series_starts(keys) if (keys[1:] >= keys[:-1]).all() else None  # validation sorts
    canonical = snapshots.current()
    result["release"] = canonical.release
    known, old, old_sources = canonical.find(keys, starts)
    value = frame["value"].to_numpy()
    with np.errstate(invalid="ignore"):
        gap = value - old  # NaN where the value is new
        same = np.abs(gap, out=gap) <= 1e-9
    changed = known & ~same
    result["counts"].update({"new": int((~known).sum()), "changed": int(changed.sum()), "unchanged": int(same.sum())})

    series = _series(frame, keys, starts, ~known, changed)
    result["series_truncated"] = len(series) > MAX_SERIES
    result["series"] = series[:MAX_SERIES]

    if changed.any():
        source_ids = old_sources[changed]
        changes = frame.loc[changed, ["location_key", "metric", "date", "value"]].assign(
            old=old[changed], old_source_id=source_ids
        )
        changes["delta"] = changes["value"] - changes["old"]
        with np.errstate(divide="ignore", invalid="ignore"):
            changes["relative"] = np.where(changes["old"] != 0, changes["delta"] / changes["old"].abs(), np.inf)
        result["largest_changes"]["absolute"] = _change_records(changes.iloc[_largest(changes["delta"].to_numpy())])
        finite = changes[np.isfinite(changes["relative"])]
        result["largest_changes"]["relative"] = _change_records(finite.iloc[_largest(finite["relative"].to_numpy())])
        sources = dict(
            Source.objects.filter(pk__in=[int(i) for i in np.unique(source_ids)]).values_list("pk", "priority")
        )
        outranked = changes[changes["old_source_id"].map(sources).fillna(0).to_numpy() > priority]
        if not outranked.empty:
            counts = outranked.groupby("old_source_id").size()
            names = dict(Source.objects.filter(pk__in=[int(i) for i in counts.index]).values_list("pk", "name"))
            result["higher_priority"] = {
                "count": len(outranked),
                "sources": [
                    {"id": int(pk), "name": names.get(int(pk), ""), "priority": int(sources[int(pk)]), "count": int(n)}
                    for pk, n in counts.sort_values(ascending=False).items()
                ],
                "examples": _change_records(outranked.head(TOP)),
            }
    if result["counts"]["unchanged"]:
        n = result["counts"]["unchanged"]
        everything = n == len(frame)
        message = (
            Text(
                gettext_noop("Every value is already in the dataset with the same figure: this upload changes nothing.")
            )
            if everything
            else Text.ngettext(
                "%(count)s of %(total)s values is identical to the canonical one.",
                "%(count)s of %(total)s values are identical to the canonical ones.",
                n,
                count=f"{n:,}",
                total=f"{len(frame):,}",
            )
        )
        warning: DiffWarning = {"severity": "warning", "code": "identical_to_canonical", "count": n, "message": message}
        warning.update(stored(message))  # type: ignore[typeddict-item]
        result["warnings"].append(warning)
    return result


def _largest(changes: np.ndarray) -> np.ndarray:
    """Positions of the TOP largest changes in size, largest first; equal sizes in the frame's (key) order,
    so every machine shows the same ones (a million values changed by 1 have a million equal sizes)."""
    size = np.abs(changes)
    if len(size) > TOP:
        size_at_top = np.partition(size, len(size) - TOP)[len(size) - TOP]
        candidates = np.flatnonzero(size >= size_at_top)
    else:
        candidates = np.arange(len(size))
    largest: np.ndarray = candidates[np.argsort(-size[candidates], kind="stable")[:TOP]]
    return largest


def _series(
    frame: pd.DataFrame, keys: np.ndarray, starts: np.ndarray | None, new: np.ndarray, changed: np.ndarray
) -> list[SeriesDiff]:
    """Counts of new / changed / unchanged values and the date range per location and metric, sorted
    by location and metric.

    One pass over the rows in key order (validation hands them over sorted, with `starts`, where each
    series begins): a series' counts are sums over its run and its dates the run's ends.
    """
    order = None if starts is not None else np.argsort(keys, kind="stable")

    def ordered(array: np.ndarray) -> np.ndarray:
        array = np.asarray(array)
        return array if order is None else array[order]

    if order is not None:
        starts = series_starts(keys[order])
    assert starts is not None  # given, or found just above
    ends = np.append(starts[1:], len(keys)) - 1
    if order is not None:  # back to positions in the frame
        starts_at, ends_at = order[starts], order[ends]
    else:
        starts_at, ends_at = starts, ends
    new_counts, changed_counts = (
        np.add.reduceat(ordered(flags), starts, dtype="int64")  # no int64 copies
        for flags in (new, changed)
    )
    unchanged_counts = ends - starts + 1 - new_counts - changed_counts
    dates = frame["date"].to_numpy()
    series: list[SeriesDiff] = [
        {
            "location": location,
            "metric": metric,
            "new": new_count,
            "changed": changed_count,
            "unchanged": unchanged_count,
            "first_date": first,
            "last_date": last,
        }
        for location, metric, new_count, changed_count, unchanged_count, first, last in zip(
            texts_at(frame["location_key"], starts_at),
            texts_at(frame["metric"], starts_at),
            new_counts.tolist(),
            changed_counts.tolist(),
            unchanged_counts.tolist(),
            np.datetime_as_string(dates[starts_at], unit="D").tolist(),
            np.datetime_as_string(dates[ends_at], unit="D").tolist(),
            strict=True,
        )
    ]
    series.sort(key=lambda entry: (entry["location"], entry["metric"]))
    return series


def higher_priority_count(diff: Mapping[str, Any] | None) -> int:
    """How many values of an upload would replace values of a higher-priority source, from its stored
    diff: `higher_priority.count` (every diff compute_diff makes has it; {} before the diff is made:
    0). Diffs stored in earlier shapes are read too (a count or list under `higher_priority`,
    `higher_priority_values` or `protected`, or `counts.higher_priority`)."""
    diff = diff or {}
    current = diff.get("higher_priority")
    if isinstance(current, dict) and isinstance(count := current.get("count"), int):
        return count
    return _earlier_higher_priority_count(diff)


def _earlier_higher_priority_count(diff: Mapping[str, Any]) -> int:
    for key in ("higher_priority", "higher_priority_values", "protected"):
        value = diff.get(key)
        if isinstance(value, int):
            return value
        if isinstance(value, dict):
            count = value.get("count", value.get("total"))
            if isinstance(count, int):
                return count
        if isinstance(value, list):
            return len(value)
    counts = diff.get("counts") or diff.get("summary") or {}
    value = counts.get("higher_priority") if isinstance(counts, dict) else None
    return value if isinstance(value, int) else 0
