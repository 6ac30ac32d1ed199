"""Writing result rows: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import re
from datetime import datetime

from django.db import connection

from attainment.models import TargetAttainment

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
    table = connection.ops.quote_name(TargetAttainment._meta.db_table)
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
