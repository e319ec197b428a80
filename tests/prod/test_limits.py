"""Limits that hold across processes and addresses: the API throttle counts in Redis and
lets requests through while Redis is down; the sign-in lockout is per account."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.services import api_token_create
from portal.proxy import client_ip

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")

# One process's view of the throttle: the same token (an unsaved ApiToken with a fixed pk)
# asks five times at a rate of 3/min and prints what it was allowed.
CLIENT = """
import json, sys
import django
django.setup()
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory
from accounts.models import ApiToken
from portal.throttling import TokenRateThrottle
TokenRateThrottle.THROTTLE_RATES = {"token": "3/min"}
request = APIRequestFactory().get("/api/v1/units/")
request.auth = ApiToken(pk=int(sys.argv[1]))
request.user = AnonymousUser()
print(json.dumps([TokenRateThrottle().allow_request(request, None) for _ in range(5)]))
"""


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the throttle counts per process")
def test_the_throttle_budget_is_shared_by_two_processes():
    token_id = 10**9 + uuid.uuid4().int % 10**6
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "REDIS_URL": REDIS_URL}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT, str(token_id)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    allowed = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        allowed += json.loads(out.strip().splitlines()[-1])
    assert allowed.count(True) == 3  # not 3 per process
    assert allowed.count(False) == 7


DOWN = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
}


def test_with_redis_down_the_api_still_answers_and_saves(db, settings):
    user = User.objects.create_user("throttle.down", password="x-123456789")
    _, key = api_token_create(user=user, name="cli")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    with override_settings(CACHES={**settings.CACHES, "throttle": DOWN}):
        assert client.get("/api/v1/units/").status_code == 200
        response = client.post(
            "/api/v1/auth/tokens/", {"name": "second", "days": 30}, format="json"
        )
    assert response.status_code == 201
    assert ApiToken.objects.filter(user=user).count() == 2


@pytest.fixture
def person(db):
    return User.objects.create_user("khoa.thu", password="dung-mat-khau-1")


def sign_in(client, username, password, address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/dang-nhap/", {"username": username, "password": password}, **extra)


def test_five_wrong_passwords_from_two_addresses_lock_the_account(client, person):
    # given five failures alternating between two addresses
    statuses = [
        sign_in(client, "khoa.thu", "sai", "203.0.113.1" if i % 2 else "198.51.100.7").status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    # when the right password comes from a third address
    response = sign_in(client, "khoa.thu", "dung-mat-khau-1", "192.0.2.44")
    # then the account is locked there too, and another account is not
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    other = User.objects.create_user("khac.thu", password="mat-khau-khac-2")
    assert sign_in(client, other.username, "mat-khau-khac-2", "198.51.100.7").status_code == 302


def test_the_client_address_comes_from_the_proxy_header_only_through_the_proxy(client, person):
    # through the trusted proxy (loopback): the address Caddy appended last
    sign_in(client, "khoa.thu", "sai", "127.0.0.1", forwarded="10.9.9.9, 198.51.100.7")
    # straight to gunicorn with a forged header: the connection's address
    sign_in(client, "khoa.thu", "sai", "203.0.113.5", forwarded="192.0.2.1")
    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == [
        "198.51.100.7",
        "203.0.113.5",
    ]


def test_client_ip_ignores_garbage_in_the_header(rf):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(request) == "127.0.0.1"
