"""The values bench/scale.py loads: the real key structure (countries, then their ISO 3166-2
subdivisions, by key; confirmed, deaths and recovered over JHU's 1,143 days), each series following
the world total of its metric in JHU's final global series, scaled per series."""

from _support import FINAL

DAYS = 1143
START = "2020-01-22"
METRICS = ("confirmed", "deaths", "recovered")


def series_keys(size: int) -> list[tuple[int, int]]:
    """(location id, metric id) of the series that make `size` values: countries first, then subdivisions."""
    from places.models import Location, Metric

    countries = Location.objects.filter(level=Location.Level.COUNTRY, parent__isnull=True).order_by("key")
    subdivisions = Location.objects.exclude(iso_3166_2="").filter(parent__isnull=False).order_by("key")
    metrics = [Metric.objects.get(code=code).pk for code in METRICS]
    places = [*countries.values_list("pk", flat=True), *subdivisions.values_list("pk", flat=True)]
    wanted = -(-size // DAYS)
    keys = [(place, metric) for place in places for metric in metrics][:wanted]
    if len(keys) < wanted:
        raise SystemExit(f"the places table gives {len(keys) * DAYS:,} values at most, not {size:,}")
    return keys


def shapes():
    """Each metric's world total per day in JHU's final series, scaled to 0..1."""
    import pandas as pd

    curves = {}
    for metric in METRICS:
        wide = pd.read_csv(FINAL / f"time_series_covid19_{metric}_global.csv")
        total = wide.iloc[:, 4:].sum().to_numpy(dtype="float64")[:DAYS]
        curves[metric] = total / total.max()
    return curves


def dataset_frame(size: int):
    import numpy as np
    import pandas as pd

    from places.models import Metric

    keys = series_keys(size)
    codes = dict(Metric.objects.filter(code__in=METRICS).values_list("pk", "code"))
    curves = shapes()
    location_ids = np.array([k[0] for k in keys], dtype="int64")
    metric_ids = np.array([k[1] for k in keys], dtype="int64")
    scale = 10.0 ** (2 + (np.arange(len(keys)) * 7919 % 5))  # 100 .. 1M at the peak, by series
    values = np.stack([curves[codes[m]] for m in metric_ids]) * scale[:, None]
    return pd.DataFrame(
        {
            "location_id": np.repeat(location_ids, DAYS),
            "metric_id": np.repeat(metric_ids, DAYS),
            "date": np.tile(pd.date_range(START, periods=DAYS).to_numpy(), len(keys)),
            "value": np.round(values).ravel(),
        }
    )
