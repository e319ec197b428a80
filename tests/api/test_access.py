"""Who gets in: anonymous callers, API tokens (expiry, revocation), and the schema."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def api_paths() -> list[str]:
    """Every /api/v1/ route, with 1 for its ids."""
    resolver = get_resolver("portal.api_urls")
    paths = []
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        route = re.sub(r"<int:\w+>", "1", route)
        paths.append("/api/v1/" + route)
    return paths


@pytest.mark.parametrize("path", api_paths())
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_anonymous_callers_get_nothing(seeded, path, method):
    response = getattr(APIClient(), method)(path, {}, format="json")
    assert response.status_code in (401, 403), (method, path)
    assert "error" in response.json()


def test_schema_and_health_are_open(db):
    client = APIClient()
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/healthz").status_code == 200


def signed_in(username: str) -> APIClient:
    client = APIClient()
    client.force_login(User.objects.get(username=username))
    return client


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_life_cycle(seeded):
    owner = signed_in("laichau.canbo")
    response = owner.post("/api/v1/auth/tokens/", {"name": "Báo cáo quý", "days": 30})
    assert response.status_code == 201, response.content
    created = response.json()
    key = created["key"]
    assert created["prefix"] == key[:8]
    expires = dt.datetime.fromisoformat(created["expires_at"])
    assert dt.timedelta(days=29) < expires - timezone.now() <= dt.timedelta(days=30)
    # The key is shown once; the list never has it, and only the hash is stored.
    listed = owner.get("/api/v1/auth/tokens/").json()["results"]
    assert [t["id"] for t in listed] == [created["id"]]
    assert "key" not in listed[0]
    assert not ApiToken.objects.filter(key_hash=key).exists()
    # The token works on its own, as its owner.
    client = with_token(key)
    tasks = client.get("/api/v1/tasks/?page_size=200")
    assert tasks.status_code == 200
    assert not any(t["document"]["slug"] == "kh-72-kl-tw-bac-kan" for t in tasks.json()["results"])
    # Another user can neither see nor revoke it.
    other = signed_in("laichau.lanhdao")
    assert other.get("/api/v1/auth/tokens/").json()["results"] == []
    assert other.delete(f"/api/v1/auth/tokens/{created['id']}/").status_code == 404
    assert client.get("/api/v1/tasks/").status_code == 200
    # Revoked: 401 in the error format.
    assert client.delete(f"/api/v1/auth/tokens/{created['id']}/").status_code == 204
    response = client.get("/api/v1/tasks/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("authentication_failed", "not_authenticated")
    assert owner.get("/api/v1/auth/tokens/").json()["results"][0]["revoked_at"] is not None


def test_expired_and_made_up_tokens_are_401(seeded):
    owner = signed_in("bkhdt.canbo")
    key = owner.post("/api/v1/auth/tokens/", {"name": "Ngắn hạn", "days": 1}).json()["key"]
    assert with_token(key).get("/api/v1/units/").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert with_token(key).get("/api/v1/units/").status_code == 401
    assert with_token("made-up-key").get("/api/v1/units/").status_code == 401


@pytest.mark.parametrize("days", [0, 366, -5, "x"])
def test_token_lifetime_is_bounded(seeded, days):
    response = signed_in("bkhdt.canbo").post("/api/v1/auth/tokens/", {"name": "x", "days": days})
    assert response.status_code == 400
    assert "days" in response.json()["error"]["fields"]
    assert not ApiToken.objects.exists()


def test_a_token_cannot_be_created_for_someone_else(seeded):
    response = signed_in("bkhdt.canbo").post(
        "/api/v1/auth/tokens/", {"name": "x", "user": User.objects.get(username="admin").pk}
    )
    assert response.status_code == 201
    assert ApiToken.objects.get().user.username == "bkhdt.canbo"


def test_each_token_has_its_own_budget_and_gets_a_clear_429(seeded, monkeypatch):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from accounts.models import User
    from accounts.services import api_token_create
    from portal.throttling import TokenRateThrottle

    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    user = User.objects.get(username="laichau.canbo")
    _, first = api_token_create(user=user, name="a")
    _, second = api_token_create(user=user, name="b")
    client = APIClient()
    statuses = [
        client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {first}").status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {first}")
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 200
    cache.clear()
