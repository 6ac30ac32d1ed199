"""Property-based run of the whole API against its own OpenAPI schema: no input a client can
send, within the schema or just outside it, makes the server fail (5xx).

Bounded so that it stays a CI test: few examples per operation, derandomized, no deadline.
"""

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from api.services import api_token_issue
from tests.factories import ReportFactory, TargetAttainmentFactory


@pytest.fixture
def wsgi_app(db):
    """Requests through Django's WSGI handler against the test database."""
    # The test database lives in one transaction on this thread's connection; Django's
    # per-request connection cleanup would close it, as the test client knows to avoid.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    config = {**settings.REST_FRAMEWORK}
    config["DEFAULT_THROTTLE_RATES"] = {"anon": None, "token": None, "user": None}
    with override_settings(REST_FRAMEWORK=config):
        yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(catalogue, department, doit_reviewer):
    period = catalogue["periods"]["2025-Q1"]
    for target in catalogue["targets"].values():
        TargetAttainmentFactory(target=target, period=period)
    ReportFactory(unit=department, period=period)
    _, key = api_token_issue(user=doit_reviewer, name="schemathesis", can_write=True)
    return {"Authorization": f"Token {key}"}


# Generating the schema reads no table, so it loads at collection, through the WSGI app.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


@schema.parametrize()
@hypothesis_settings(
    # Five examples per operation: the run finds what ten found (no 5xx) in half the time,
    # about a fifth of the whole suite's before; the operations are many, the inputs simple.
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_the_server_fail(case, wsgi_app, seeded):
    response = case.call(headers=seeded)
    case.validate_response(response, checks=[not_a_server_error])
