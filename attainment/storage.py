"""Writing result rows: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import io
from datetime import datetime

from django.db import connection

from attainment.models import TargetAttainment


def write_rows(rows: list[TargetAttainment]) -> None:
    """Insert result rows in one statement: COPY on PostgreSQL, executemany on SQLite.

    bulk_create spent most of a full recompute preparing each field of each row and, on
    SQLite, split every flush into INSERTs of 33 rows (999 parameters); the rows here are
    plain values of plain columns (ids, floats, flags, one timestamp), written as they are.
    """
    fields = [f for f in TargetAttainment._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(TargetAttainment._meta.db_table)
    # Every row of one run carries the same computed_at; adapt it once.
    at = names.index("computed_at")
    stamps: dict[datetime, object] = {}
    values = []
    for row in rows:
        record = [getattr(row, name) for name in names]
        when = record[at]
        if when not in stamps:
            stamps[when] = fields[at].get_db_prep_value(when, connection)
        record[at] = stamps[when]
        values.append(record)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, table, columns, values)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)


def _copy(cursor, table: str, columns: str, values: list[list]) -> None:
    text = io.StringIO()
    for record in values:
        text.write("\t".join(_copy_text(v) for v in record))
        text.write("\n")
    text.seek(0)
    # psycopg 3's COPY; Django's debug cursor logs it like any statement (query counts see it).
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(text.getvalue())


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)

