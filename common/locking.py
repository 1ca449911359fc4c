"""Locks that serialise work across processes and machines."""

from django.db import connection

# Writers of the canonical dataset (merges, imports): one at a time.
DATASET_WRITERS = 7_319_001


def hold_until_commit(lock_id: int) -> None:
    """Take a PostgreSQL advisory lock held until the current transaction ends (re-entrant).

    SQLite needs none: it has a single writer, and a second one waits for the first.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
