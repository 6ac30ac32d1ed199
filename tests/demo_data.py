"""The demo world `make setup` builds (seed, open periods, demo logins, demo reports, both
datasets recomputed), loaded once per test module.

Building it takes several seconds; doing it once per module keeps the suite fast. Everything
is written in a transaction rolled back when the module ends, and each test runs in its own
savepoint (pytest-django's `db`), so tests cannot see each other's writes.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from attainment.services import attainment_recompute


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    quiet = {"stdout": StringIO(), "stderr": StringIO()}
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                call_command("load_seed", **quiet)
                call_command("open_periods", **quiet)
                call_command("create_demo_accounts", force=True, **quiet)
                call_command("load_demo", **quiet)
                # The commands queue the recompute on commit, which a rolled-back
                # transaction never reaches: run it here, as the worker would.
                for dataset in ("official", "demo"):
                    attainment_recompute(dataset=dataset, trigger="manual")
                yield
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def demo(demo_module, db):
    """The demo world; `demo("doit.cantho")` is that demo login's user."""

    def user(username: str):
        return get_user_model().objects.get(username=username)

    return user
