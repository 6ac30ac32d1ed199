"""Writing result rows: COPY on PostgreSQL, executemany on SQLite; on PostgreSQL a full run of
a dataset builds its rows in a fresh table swapped in for the dataset's partition."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import connection

from attainment.models import Dataset, TargetAttainment

# The engine builds each row as a tuple of these columns, in this order.
COLUMNS = (
    "dataset", "target_id", "scope", "unit_id", "period_id", "is_latest", "actual_value",
    "numerator", "denominator", "n_units", "effective_target", "attainment_pct", "status",
    "ratio", "observed_rate", "required_rate", "projected_cagr", "projected_linear",
    "required_rate_from_now", "required_step_from_now", "places_gained", "base_value",
    "base_t", "n_observations", "stale", "since_deadline_value", "since_deadline_t",
    "units_reported", "units_expected", "rank_field", "not_comparable", "ranked_among",
    "period_value", "lower_bound", "expected_now", "milestone_state", "derived", "computed_at",
)


def _fields():
    fields = [f for f in TargetAttainment._meta.concrete_fields if not f.primary_key]
    names = tuple(f.attname for f in fields)
    if names != COLUMNS:
        raise RuntimeError(f"storage.COLUMNS is out of date with TargetAttainment: {names}")
    return fields


def stamp(when: datetime):
    """computed_at as the database takes it: every row of a run carries the same one, so the
    engine adapts it once instead of once per row."""
    return _fields()[-1].get_db_prep_value(when, connection)


def write_rows(rows: list[tuple]) -> None:
    """Insert result rows (tuples in ``COLUMNS`` order, computed_at from ``stamp``) in one
    statement: COPY on PostgreSQL, executemany on SQLite.

    bulk_create spent most of a full recompute preparing each field of each row and, on
    SQLite, split every flush into INSERTs of 33 rows (999 parameters); the rows here are
    plain values of plain columns (ids, floats, flags, one timestamp), written as they are.
    """
    if not rows:
        return
    fields = _fields()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(_building.get() or TargetAttainment._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, table, columns, fields, rows)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _copy(cursor, table: str, columns: str, fields, rows: list[tuple]) -> None:
    # Binary COPY: psycopg dumps each value by its column's type in C, exactly (no float
    # printed and parsed back), and formatting text in Python cost more than the COPY itself.
    types = [re.sub(r"\(.*\)", "", f.db_type(connection)) for f in fields]
    # psycopg 3's COPY; Django's debug cursor logs it like any statement (query counts see it).
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        write = copy.write_row
        for row in rows:
            write(row)


# The table write_rows writes into while a full run of a dataset builds its replacement
# (PostgreSQL); None: the results table itself.
_building: ContextVar[str | None] = ContextVar("attainment_building", default=None)


def swaps_whole_dataset() -> bool:
    """Whether a full run of a dataset builds its rows in a fresh table and swaps it in for
    the dataset's partition (PostgreSQL), instead of deleting and inserting in place."""
    return connection.vendor == "postgresql"


@contextmanager
def dataset_rebuilt(dataset: str, name: str) -> Iterator[None]:
    """Rows written inside go into a fresh table (``attainment_ta_<dataset>_<name>``), which
    on a clean exit gets the results table's indexes and replaces the dataset's partition of
    it, in the caller's transaction.

    Written unindexed, with the indexes built once over the finished table, the rows cost
    about what the database's own COPY costs (docs/benchmarks.md). Readers keep reading the
    old partition meanwhile; the swap (DETACH, which locks the results table against readers
    until the transaction commits, then ATTACH, which finds the partition's CHECK and indexes
    ready and neither scans nor builds) is the last thing before the rollups.
    """
    if dataset not in Dataset.values:
        raise ValueError(f"unknown dataset {dataset!r}")
    parent = TargetAttainment._meta.db_table
    fresh = f"attainment_ta_{dataset}_{name}"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # INCLUDING CONSTRAINTS: ATTACH wants every CHECK of the parent on the partition.
        cursor.execute(
            f"CREATE TABLE {quote(fresh)} (LIKE {quote(parent)} INCLUDING DEFAULTS "
            f"INCLUDING CONSTRAINTS, CONSTRAINT {quote(fresh + '_dataset')} "
            f"CHECK (dataset = '{dataset}'))"
        )
    token = _building.set(fresh)
    try:
        yield
    finally:
        _building.reset(token)
    with connection.cursor() as cursor:
        _index_like(cursor, parent, fresh)
        cursor.execute(f"ANALYZE {quote(fresh)}")
        old = _partition(cursor, parent, dataset)
        if old is not None:
            cursor.execute(f"ALTER TABLE {quote(parent)} DETACH PARTITION {quote(old)}")
            cursor.execute(f"DROP TABLE {quote(old)}")
        cursor.execute(f"ALTER TABLE {quote(parent)} ATTACH PARTITION {quote(fresh)} "
                       f"FOR VALUES IN ('{dataset}')")


def _index_like(cursor, parent: str, fresh: str) -> None:
    """Give ``fresh`` each index and key of ``parent`` (read from the catalogue, so an index a
    later migration adds is built too), so that ATTACH links them instead of building them."""
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid), pg_get_constraintdef(c.oid) "
        "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
        "WHERE i.indrelid = %s::regclass ORDER BY ic.relname",
        [parent],
    )
    quote = connection.ops.quote_name
    for n, (indexdef, constraintdef) in enumerate(cursor.fetchall()):
        name = quote(f"{fresh}_{n}")
        if constraintdef:  # PRIMARY KEY (...) / UNIQUE (...): ATTACH wants a constraint
            cursor.execute(f"ALTER TABLE {quote(fresh)} ADD CONSTRAINT {name} {constraintdef}")
        else:
            cursor.execute(re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+ ",
                                  rf"CREATE \1INDEX {name} ON {quote(fresh)} ", indexdef))


def _partition(cursor, parent: str, dataset: str) -> str | None:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass AND pg_get_expr(c.relpartbound, c.oid) = %s",
        [parent, f"FOR VALUES IN ('{dataset}')"],
    )
    row = cursor.fetchone()
    return row[0] if row else None
