"""The cast of named test users and the fixtures most tests share.

The cast lives in one small city tree:
    city (HCM-like test city "TC")
    ├── doit        Sở Thông tin và Truyền thông (the reviewing department)
    ├── department  Sở Nội vụ
    └── district    Quận 1
        └── commune Phường 1
and a second city "OC" that nobody in the cast belongs to.
"""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import CityFactory, MembershipFactory, UnitFactory, UserFactory
from units.models import Role, UnitKind


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Test passwords protect nothing; the production hasher only costs time in every factory.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _redis_database_per_xdist_worker(worker_id):
    """Under pytest-xdist each worker process caches in a Redis database of its own: tests
    clear the cache (a FLUSHDB), which would otherwise empty another worker's throttle counters
    in the middle of its test. gw0 keeps REDIS_URL's database, gwN takes N below it."""
    from django.test.utils import override_settings

    if not settings.REDIS_URL or worker_id in ("master", "gw0"):
        yield
        return
    url = urlsplit(settings.REDIS_URL)
    base = int(url.path.strip("/") or 0)
    own = url._replace(path=f"/{(base - int(worker_id.removeprefix('gw'))) % 16}").geturl()
    caches = {"default": {**settings.CACHES["default"], "LOCATION": own}}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _site_language():
    # A request through LocaleMiddleware leaves its language active in the worker's thread;
    # without this a test's language would depend on which test ran before it.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def city(db):
    return CityFactory(code="TC", name_vi="Thành phố Thử nghiệm", name_en="Test City")


@pytest.fixture
def other_city(db):
    return CityFactory(code="OC", name_vi="Thành phố Khác", name_en="Other City")


@pytest.fixture
def doit(city):
    return UnitFactory(code="TC-STTTT", parent=city, kind=UnitKind.DEPARTMENT,
                       name_vi="Sở Thông tin và Truyền thông", name_en="Department of ICT")


@pytest.fixture
def department(city):
    return UnitFactory(code="TC-SNV", parent=city, kind=UnitKind.DEPARTMENT,
                       name_vi="Sở Nội vụ", name_en="Department of Home Affairs")


@pytest.fixture
def district(city):
    return UnitFactory(code="TC-Q1", parent=city, kind=UnitKind.DISTRICT,
                       name_vi="Quận 1", name_en="District 1")


@pytest.fixture
def commune(district):
    return UnitFactory(code="TC-Q1-P1", parent=district, kind=UnitKind.COMMUNE,
                       name_vi="Phường 1", name_en="Ward 1")


@pytest.fixture
def other_unit(other_city):
    return UnitFactory(code="OC-SNV", parent=other_city, kind=UnitKind.DEPARTMENT,
                       name_vi="Sở Nội vụ (thành phố khác)", name_en="Other city's Home Affairs")


@pytest.fixture
def commune_clerk(commune):
    """Enters Phường 1's figures; sees only Phường 1's reports."""
    user = UserFactory(username="commune_clerk", first_name="Lan")
    MembershipFactory(user=user, unit=commune, role=Role.REPORTER)
    return user


@pytest.fixture
def department_reporter(department):
    """Enters Sở Nội vụ's figures; sees only Sở Nội vụ's reports."""
    user = UserFactory(username="department_reporter", first_name="Minh")
    MembershipFactory(user=user, unit=department, role=Role.REPORTER)
    return user


@pytest.fixture
def doit_reviewer(doit):
    """DOIT official of the test city: reviews, approves and returns every unit's reports there."""
    user = UserFactory(username="doit_reviewer", first_name="Hùng")
    MembershipFactory(user=user, unit=doit, role=Role.REVIEWER)
    return user


@pytest.fixture
def outsider(other_unit):
    """Reporter of another city's department: may see and do nothing in the test city."""
    user = UserFactory(username="outsider", first_name="Khách")
    MembershipFactory(user=user, unit=other_unit, role=Role.REPORTER)
    return user


@pytest.fixture
def login(client):
    """Log the Django test client in as the given user and return it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


def pytest_collection_modifyitems(config, items):
    """live_worker tests need Redis and a worker (CI starts both); skip them elsewhere."""
    from django.conf import settings

    if settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        return
    skip = pytest.mark.skip(reason="needs REDIS_URL, CELERY_TASK_ALWAYS_EAGER=0 and a worker")
    for item in items:
        if "live_worker" in item.keywords:
            item.add_marker(skip)
