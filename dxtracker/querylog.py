"""Statements run on psycopg's own cursor (COPY with a writer thread, a streamed result),
which Django's cursor wrapper does not offer, logged as Django logs its queries."""

from contextlib import AbstractContextManager, nullcontext


def logged(cursor, sql: str, params=None) -> AbstractContextManager:
    """Around the call that sends ``sql`` on ``cursor.cursor``: Django's debug cursor records
    it (query counts and CaptureQueriesContext see it); a plain cursor records nothing."""
    log = getattr(cursor, "debug_sql", None)
    return log(sql, params) if log else nullcontext()
