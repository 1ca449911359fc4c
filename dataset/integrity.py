"""Foreign keys of the two largest tables, checked by the database once per statement, not per row.

`Observation` and `ObservationHistory` receive tens of thousands of rows per merge and a million
per import. A declared foreign key makes PostgreSQL run one lookup per key per written row (about
eight per history row): measured, that was the larger half of a merge's time. Their foreign keys
are therefore declared `db_constraint=False`, and these triggers keep the promise instead: the
database still refuses a row that points at a missing location, metric, source, submission or
release, whoever writes it.

- PostgreSQL: statement-level triggers with transition tables. After an INSERT or UPDATE of a
  child table, one query collects the distinct ids the statement wrote (a few hundred at most)
  and looks them up. After a DELETE from a parent table, one join refuses the statement when a
  child row still points at a deleted row. Errors are SQLSTATE 23503 (foreign_key_violation), so
  Django raises IntegrityError, as for a declared key.
- SQLite: row-level triggers before INSERT and UPDATE of the child tables (what SQLite's own
  foreign keys cost anyway). Deletes of parent rows are guarded by Django's `on_delete=PROTECT`
  only: SQLite's test flush deletes table by table, which a row trigger would refuse.

On SQLite, a migration that alters these tables remakes them and loses their triggers: such a
migration must call `install` again (tests/dataset/test_integrity.py would notice).

What they do not do, unlike a declared key: check a parent's id being changed (Django never
changes a primary key) or a TRUNCATE of a parent table.
"""

# The SQL here is built from the table and column names of our own models, never from input.
# ruff: noqa: S608
from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    table: str
    column: str
    parent: str


def _grouped(references, attribute: str) -> dict[str, list[Reference]]:
    """The references by child table ("table") or by referenced table ("parent"), in order."""
    groups: dict[str, list[Reference]] = {}
    for reference in references:
        groups.setdefault(getattr(reference, attribute), []).append(reference)
    return groups


def references_of(model) -> list[Reference]:
    """The references of `model` that these triggers check: its foreign keys without a constraint."""
    return [
        Reference(model._meta.db_table, field.column, field.related_model._meta.db_table)
        for field in model._meta.concrete_fields
        if field.is_relation and field.many_to_one and not field.db_constraint
    ]


def missing_reference_sql(reference: Reference, row: str) -> str:
    """SQL true when `row` (an alias) points at a missing parent row."""
    return (
        f"({row}.{reference.column} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {reference.parent} p WHERE p.id = {row}.{reference.column}))"
    )


def postgresql_statements(references) -> list[str]:
    statements = []
    for table, refs in _grouped(references, "table").items():
        columns = ", ".join(r.column for r in refs)
        # The first missing reference, named in the error: "location_id=123 (dataset_location)".
        naming = " ".join(
            f"WHEN {missing_reference_sql(r, 'r')} THEN '{r.column}=' || r.{r.column} || ' ({r.parent})'" for r in refs
        )
        statements.append(f"""
CREATE OR REPLACE FUNCTION {table}_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    SELECT CASE {naming} END INTO missing
    FROM (SELECT DISTINCT {columns} FROM new_rows) r
    WHERE {" OR ".join(missing_reference_sql(r, "r") for r in refs)}
    LIMIT 1;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = 'insert or update on table "{table}" refers to a missing row: ' || missing;
    END IF;
    RETURN NULL;
END $$""")
        for event in ("INSERT", "UPDATE"):
            statements.append(
                f"CREATE TRIGGER {table}_references_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_check_references()"
            )
    for parent, refs in _grouped(references, "parent").items():
        name = f"{parent}_protect_dataset"
        still_used = " OR ".join(
            f"EXISTS (SELECT 1 FROM old_rows o JOIN {r.table} c ON c.{r.column} = o.id)" for r in refs
        )
        statements.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {still_used} THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = 'delete on table "{parent}" would leave dataset rows referring to a missing row';
    END IF;
    RETURN NULL;
END $$""")
        statements.append(
            f"CREATE TRIGGER {name} AFTER DELETE ON {parent} "
            f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    return statements


def postgresql_drop_statements(references) -> list[str]:
    statements = []
    for table in _grouped(references, "table"):
        statements.append(f"DROP FUNCTION IF EXISTS {table}_check_references() CASCADE")
    for parent in _grouped(references, "parent"):
        statements.append(f"DROP FUNCTION IF EXISTS {parent}_protect_dataset() CASCADE")
    return statements


def sqlite_statements(references) -> list[str]:
    statements = []
    for table, refs in _grouped(references, "table").items():
        missing = " OR ".join(missing_reference_sql(r, "NEW") for r in refs)
        for event in ("INSERT", "UPDATE"):
            statements.append(
                f"CREATE TRIGGER {table}_references_{event.lower()} BEFORE {event} ON {table} "
                f"WHEN {missing} BEGIN SELECT RAISE(ABORT, "
                f"'FOREIGN KEY constraint failed: {table} refers to a missing row'); END"
            )
    return statements


def sqlite_drop_statements(references) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_references_{event}"
        for table in _grouped(references, "table")
        for event in ("insert", "update")
    ]


def install(schema_editor, references) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = postgresql_statements(references)
    elif vendor == "sqlite":
        statements = sqlite_statements(references)
    else:
        raise NotImplementedError(f"no reference triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(schema_editor, references) -> None:
    vendor = schema_editor.connection.vendor
    statements = (
        postgresql_drop_statements(references) if vendor == "postgresql" else sqlite_drop_statements(references)
    )
    for statement in statements:
        schema_editor.execute(statement)
