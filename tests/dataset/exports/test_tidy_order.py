"""The tidy CSV's order (date, location key, metric code) comes out of the release's fast sort exactly as
from a plain lexsort, whether the rows arrive grouped by series (a snapshot) or in any order."""

import numpy as np
import pandas as pd
import pytest

from dataset.exports.table import Lookups, tidy_order


def lookups(locations: int, metrics: int, rng) -> Lookups:
    keys = [f"K{n:05d}" for n in rng.permutation(locations)]  # ids and key order differ
    codes = [f"m{n}" for n in rng.permutation(metrics)]
    empty = pd.Series(dtype=object)
    return Lookups(
        pd.Series(keys, index=np.arange(1, locations + 1)),
        empty,
        pd.Series(codes, index=np.arange(1, metrics + 1)),
        empty,
        "",
    )


@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize("days_span", [40, 70_000])  # the second takes the general path
def test_the_tidy_order_is_lexsorts(shuffled, days_span):
    rng = np.random.default_rng(7)
    names = lookups(50, 4, rng)
    location_ids = np.repeat(np.arange(1, 51), 4 * 30)
    metric_ids = np.tile(np.repeat(np.arange(1, 5), 30), 50)
    days = np.tile(np.sort(rng.choice(days_span, 30, replace=False)), 200) + 18_000
    rows = np.arange(len(days))
    if shuffled:
        rows = rng.permutation(rows)
    columns = (days[rows], location_ids[rows], metric_ids[rows], rows.astype("float64"), rows)
    table = tidy_order(columns, names)
    location_rank = names.location_key.rank(method="dense").reindex(columns[1]).to_numpy()
    metric_rank = names.metric_code.rank(method="dense").reindex(columns[2]).to_numpy()
    expected = np.lexsort((metric_rank, location_rank, columns[0]))
    assert np.array_equal(table.source_ids, columns[4][expected])
