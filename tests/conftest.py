"""Test settings and shared fixtures.

The suite runs on the database DATABASE_URL names (PostgreSQL in CI and on this machine;
`make test` picks it when it answers). Tests that only make sense on PostgreSQL skip on
SQLite and say so.
"""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.db import connection, transaction


def pytest_configure(config: pytest.Config) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The throttle counts in Redis when REDIS_URL is set: a prefix of this run's own, so
    # counts left by an earlier run (the same token ids) never throttle this one.
    settings.CACHES["throttle"]["KEY_PREFIX"] = f"test-throttle-{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty default cache (filter options are cached per access
    and day: a list cached by one test's data must not show in another's)."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture
def postgres_only(db):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("cần PostgreSQL (DATABASE_URL=postgres://...)")


@pytest.fixture(scope="module")
def seeded_module(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The seed data and demo accounts, loaded once per module through the real loader
    inside a transaction that is rolled back when the module's tests are done."""
    from portal.seed import seed

    with django_db_blocker.unblock(), transaction.atomic():
        yield seed(accounts=True)
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_module, db):  # type: ignore[no-untyped-def]
    return seeded_module
