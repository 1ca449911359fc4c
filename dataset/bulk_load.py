"""PostgreSQL, large loads into the observations table: indexes built once, after the INSERT."""

from contextlib import contextmanager


@contextmanager
def bulk_load(cursor, table: str, *, enabled: bool):
    """PostgreSQL, large loads: build indexes once, by sorting, instead of entry by entry.

    The non-unique indexes are dropped for the INSERT and built again after it. When the table is
    empty (a first import), so are the primary key and the unique constraint: adding them back
    checks them over the whole table at once, and a duplicate fails the INSERT's savepoint as an
    IntegrityError, as it would have row by row. This is what PostgreSQL's manual advises when
    populating a table ("Remove Indexes"). It all happens inside the transaction, so a failure
    restores the table as it was; the table is locked meanwhile.
    """
    if not enabled:
        yield
        return
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
    empty = cursor.fetchone()[0]
    keys = []
    if empty:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY contype",
            [table],
        )
        keys = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = %s::regclass AND NOT indisunique AND NOT indisprimary",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _ in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    for name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for _, definition in indexes:
        cursor.execute(definition)
