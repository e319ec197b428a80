"""Property-based checks of the API against its own OpenAPI schema (schemathesis):
no 5xx, and every response conforms to the schema. Read endpoints, a signed-in officer."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.services import api_token_create
from portal.wsgi import application

schema = schemathesis.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """A WSGI call ends with Django closing the connection; the test's transaction needs it
    (Django's own test client disconnects the same receivers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(seeded):
    _, raw = api_token_create(user=User.objects.get(username="laichau.canbo"), name="st")
    return raw


@schema.parametrize(method="GET")
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_read_endpoints_conform(case, token):
    response = case.call_wsgi(headers={"Authorization": f"Token {token}"})
    case.validate_response(
        response,
        checks=(not_a_server_error, status_code_conformance, response_schema_conformance),
    )
