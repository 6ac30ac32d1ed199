"""Code run in a thread of its own, as a second database session (PostgreSQL tests of
concurrency)."""

import threading
from collections.abc import Callable

from django.db import connections


def db_thread(fn: Callable, *args, errors: list[BaseException], **kwargs) -> threading.Thread:
    """A thread (not started) running fn(*args, **kwargs) on its own database connection.

    What fn raises is kept in `errors`, since pytest never sees a thread's exceptions; the
    connection is closed at the end, else the test database could not be dropped.
    """

    def run():
        try:
            fn(*args, **kwargs)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)
