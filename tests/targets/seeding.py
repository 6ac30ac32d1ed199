"""The real fixtures (fixtures/*.yaml) loaded once per test module through `manage.py load_seed`.

Loading takes about a second; doing it once per module keeps the suite fast. The load runs in
a transaction that is rolled back when the module ends, and every test inside runs in its own
savepoint (pytest-django's `db`), so tests cannot see each other's writes.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from targets.seed import DEFAULT_FIXTURES_DIR, seeds_dir_default


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def seeded_module(django_db_setup, django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                call_command("load_seed", stdout=out, stderr=StringIO())
                yield out.getvalue()
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def seeded(seeded_module, db):
    """The command's output; the database holds every fixture."""
    return seeded_module


@pytest.fixture(scope="session")
def seeds_dir():
    """The source documents, or skip: they live beside the repository, not in it."""
    path = seeds_dir_default()
    if path is None:
        pytest.skip("source documents not found (../shared/seeds or $SEEDS_DIR)")
    return path


FIXTURES_DIR = DEFAULT_FIXTURES_DIR
