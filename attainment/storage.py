"""Writing result rows: COPY on PostgreSQL, executemany on SQLite; on PostgreSQL a full run of
a dataset builds its rows in a fresh table swapped in for the dataset's partition."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import connection, models
from psycopg.copy import QueuedLibpqWriter

from attainment.models import Dataset, TargetAttainment
from dxtracker.querylog import logged

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
    stream = _stream.get()
    if stream is not None:
        stream.write(rows)
        return
    _insert(_building.get() or TargetAttainment._meta.db_table, _fields(), rows)


_PLAIN_FIELDS = (models.CharField, models.IntegerField, models.FloatField, models.BooleanField)


def insert_instances(model, instances: list) -> None:
    """bulk_create for a model of plain columns, in one statement: each value prepared by its
    field once, then COPY on PostgreSQL (executemany on SQLite). Django's bulk_create on
    PostgreSQL spent a second on a full run's five thousand rollups building and escaping
    arrays of every column."""
    if not instances:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    # Ids, numbers, flags and text go as they are; the rest (JSON, dates) through its field.
    plain = [f.is_relation or isinstance(f, _PLAIN_FIELDS) for f in fields]
    rows = [tuple(getattr(obj, f.attname) if as_is
                  else f.get_db_prep_save(getattr(obj, f.attname), connection)
                  for f, as_is in zip(fields, plain, strict=True))
            for obj in instances]
    _insert(model._meta.db_table, fields, rows)


def _insert(table: str, fields, rows: list[tuple]) -> None:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, table, columns, fields, rows)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _copy(cursor, table: str, columns: str, fields, rows: list[tuple]) -> None:
    with cursor.copy(_copy_statement(table, columns)) as copy:
        copy.set_types(_copy_types(fields))
        write = copy.write_row
        for row in rows:
            write(row)


def _copy_statement(table: str, columns: str) -> str:
    # Binary COPY: psycopg dumps each value by its column's type in C, exactly (no float
    # printed and parsed back), and formatting text in Python cost more than the COPY itself.
    return f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"


def _copy_types(fields) -> list[str]:
    return [re.sub(r"\(.*\)", "", f.db_type(connection)) for f in fields]


class _CopyStream:
    """One COPY into a full run's fresh table, open from the first rows written until
    ``finish``: the server stores rows while the engine computes the next ones, where a COPY
    per batch made each side wait for the other; psycopg sends the data from a thread of its
    own (QueuedLibpqWriter), so the engine never waits on the socket either.

    Nothing else may use the connection while it is open: ``finish_writes`` closes it first
    (the engine reads every figure before it writes a row).
    """

    def __init__(self, table: str) -> None:
        self.table = table
        self._cursor = None
        self._context = None
        self._copy = None

    def write(self, rows: list[tuple]) -> None:
        if self._copy is None:
            fields = _fields()
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            statement = _copy_statement(connection.ops.quote_name(self.table), columns)
            self._cursor = cursor = connection.cursor()
            raw = cursor.cursor  # psycopg's own: Django's wrapper takes no writer
            with logged(cursor, statement):
                self._context = raw.copy(statement, writer=QueuedLibpqWriter(raw))
            self._copy = self._context.__enter__()
            self._copy.set_types(_copy_types(fields))
        write = self._copy.write_row
        for row in rows:
            write(row)

    def finish(self, error: BaseException | None = None) -> None:
        """Send the end of the data and wait for the server (or abort it on ``error``)."""
        if self._context is not None:
            context, self._context, self._copy = self._context, None, None
            try:
                context.__exit__(type(error) if error else None, error,
                                 error.__traceback__ if error else None)
            finally:
                self._cursor.close()


_stream: ContextVar[_CopyStream | None] = ContextVar("attainment_stream", default=None)


def finish_writes() -> None:
    """Finish the open COPY of a full run, if any, before another statement needs the
    connection."""
    stream = _stream.get()
    if stream is not None:
        stream.finish()


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
    stream = _CopyStream(fresh)
    stream_token = _stream.set(stream)
    try:
        yield
    except BaseException as error:
        stream.finish(error)
        raise
    else:
        stream.finish()
    finally:
        _stream.reset(stream_token)
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
