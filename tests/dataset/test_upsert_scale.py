"""The upsert stays linear: every lookup of a staged value is an index search, never a scan per value.

Without an index on the plan, SQLite looked for each new value in the whole plan (NOT EXISTS over an
unindexed temporary table): merging 180k values held the database for 31 minutes. No timing here:
the query plans say how each statement runs, and a merge of 50k values has to finish.
"""

import re

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from dataset.models import Observation, ObservationHistory
from dataset.upsert import upsert_observations
from places.models import Location, Metric
from tests.sources.factories import SourceFactory

pytestmark = pytest.mark.django_db


def grid(locations: int, days: int, *, start="2020-03-01", value=0.0) -> pd.DataFrame:
    """`locations` reference places × `days` consecutive dates of the `confirmed` metric."""
    ids = list(Location.objects.order_by("pk").values_list("pk", flat=True)[:locations])
    dates = pd.date_range(start, periods=days)
    return pd.DataFrame(
        {
            "location_id": np.repeat(ids, days),
            "metric_id": Metric.objects.get(code="confirmed").pk,
            "date": np.tile(dates.to_numpy(), len(ids)),
            "value": value + np.arange(len(ids) * days, dtype="float64"),
        }
    )


def query_plan(sql: str, params) -> list[str] | None:
    """SQLite's EXPLAIN QUERY PLAN of a statement that reads tables; None for the others."""
    query = re.sub(r"^CREATE TEMPORARY TABLE \w+ AS ", "", sql)
    if not query.startswith(("SELECT", "INSERT INTO", "UPDATE")):
        return None
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + query, params)
        return [row[-1] for row in cursor.fetchall()]


def test_on_sqlite_every_lookup_of_a_staged_value_is_an_index_search(reference_data):
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans NOT EXISTS as a hash anti-join")
    source = SourceFactory()
    upsert_observations(grid(5, 20), source=source, description="first")
    mixed = pd.concat([grid(5, 20, value=0.5), grid(5, 20, start="2020-04-01")], ignore_index=True)
    plans = {}

    def explain_first(execute, sql, params, many, context):
        if not many and "_upsert_" in sql and not sql.startswith("EXPLAIN"):
            plan = query_plan(sql, params)  # before it runs, while the tables it reads exist
            if plan is not None:
                plans[sql] = plan
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain_first):
        result = upsert_observations(mixed, source=source, description="mixed")
    assert (result.added, result.changed) == (100, 100)
    assert Observation.objects.count() == 200
    assert ObservationHistory.objects.count() == 100

    new_values = next(plan for sql, plan in plans.items() if sql.startswith("INSERT INTO dataset_observation "))
    assert any("USING COVERING INDEX _upsert_plan_key" in line for line in new_values), new_values
    for sql, plan in plans.items():
        scans = [line for line in plan if line.startswith("SCAN")]
        assert len(scans) <= 1, (sql, plan)  # one pass over one table; any other table is searched by key


def test_a_merge_of_50k_values_half_of_them_new_finishes(reference_data):
    source = SourceFactory()
    upsert_observations(grid(50, 500), source=source, description="25k values")
    changed = grid(50, 500, value=0.5)
    new = grid(50, 500, start="2021-07-14")  # the day after the last
    result = upsert_observations(pd.concat([changed, new], ignore_index=True), source=source, description="50k")
    assert (result.added, result.changed, result.unchanged) == (25_000, 25_000, 0)
    assert Observation.objects.count() == 50_000
