"""Data for the review page's chart: submitted and canonical series for the most-changed pairs."""

import pandas as pd

from dataset.models import Observation
from places.models import Location, Metric

from .merge import read_normalised

MAX_PAIRS = 4
MAX_POINTS = 1500
TABLE_ROWS = 10  # the submitted dates shown next to the canonical values under each chart
FEW_POINTS = 3  # fewer dates than this: a table says more than a chart


def most_changed_pairs(submission, limit=MAX_PAIRS) -> list[tuple[str, str]]:
    """(location key, metric code) pairs with the most changed values, from the stored diff."""
    series = (submission.diff or {}).get("series") or []
    ranked = sorted(
        (s for s in series if s.get("changed")), key=lambda s: (-int(s.get("changed") or 0), s.get("location", ""))
    )
    pairs = [(s["location"], s["metric"]) for s in ranked[:limit] if s.get("location") and s.get("metric")]
    if not pairs:  # nothing changes: show the largest new series instead
        ranked = sorted(series, key=lambda s: -int(s.get("new") or 0))
        pairs = [(s["location"], s["metric"]) for s in ranked[:limit] if s.get("location") and s.get("metric")]
    return pairs


def chart_data(submission) -> dict:
    """{"pairs": [{"label", "key", "metric", "dates", "submitted", "canonical", "rows", "chart"}]}: per
    pair, the place's and metric's names, both series, the latest submitted dates next to their
    canonical values (`rows`: date, canonical, submitted, change), and whether a chart is worth drawing
    (`chart`: false for a handful of dates, which the table shows better)."""
    pairs = most_changed_pairs(submission)
    if not pairs or not submission.normalised_path:
        return {"pairs": []}
    try:
        frame = read_normalised(submission)
    except (OSError, ValueError):
        return {"pairs": []}
    places = {loc.key: loc for loc in Location.objects.filter(key__in=[p[0] for p in pairs])}
    kinds = {m.code: m for m in Metric.objects.filter(code__in=[p[1] for p in pairs])}
    locations = {key: loc.pk for key, loc in places.items()}
    metrics = {code: m.pk for code, m in kinds.items()}
    out = []
    for key, code in pairs:
        location_id, metric_id = locations.get(key), metrics.get(code)
        if location_id is None or metric_id is None:
            continue
        mine = frame[(frame["location_id"] == location_id) & (frame["metric_id"] == metric_id)]
        mine = mine.assign(date=pd.to_datetime(mine["date"]).dt.strftime("%Y-%m-%d"))[["date", "value"]]
        canonical = pd.DataFrame(
            list(Observation.objects.filter(location_id=location_id, metric_id=metric_id).values_list("date", "value")),
            columns=["date", "canonical"],
        )
        canonical["date"] = canonical["date"].astype(str)
        joined = mine.rename(columns={"value": "submitted"}).merge(canonical, on="date", how="outer")
        joined = joined.sort_values("date").tail(MAX_POINTS)
        joined = joined.astype(object).where(joined.notna(), None)
        submitted_dates = [d for d, v in zip(joined["date"], joined["submitted"], strict=True) if v is not None]
        out.append(
            {
                "label": f"{places[key].name} · {kinds[code].name}",
                "key": key,
                "metric": code,
                "dates": joined["date"].tolist(),
                "submitted": joined["submitted"].tolist(),
                "canonical": joined["canonical"].tolist(),
                "rows": _rows(joined, submitted_dates[-TABLE_ROWS:]),
                "chart": len(joined) >= FEW_POINTS,
            }
        )
    return {"pairs": out}


def _rows(joined: pd.DataFrame, dates: list) -> list:
    """(date, canonical, submitted, change) for the given dates, newest first."""
    wanted = joined[joined["date"].isin(dates)].iloc[::-1]
    rows = []
    for day, canonical, submitted in zip(wanted["date"], wanted["canonical"], wanted["submitted"], strict=True):
        change = submitted - canonical if submitted is not None and canonical is not None else None
        rows.append((day, canonical, submitted, change))
    return rows
