"""The portal's skeleton: health check, production settings, compose file, Vietnamese setup."""

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import formats, translation

from accounts.choices import UnitKind
from accounts.models import Unit

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_is_open_and_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "False",
        "SECRET_KEY": "a-production-like-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "theodoi.example.gov.vn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "False", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_vietnamese_formats():
    import datetime as dt
    from decimal import Decimal

    with translation.override("vi"):
        assert formats.date_format(dt.date(2024, 3, 5), "SHORT_DATE_FORMAT") == "05/03/2024"
        assert formats.number_format(Decimal("1234.5"), 1, use_l10n=True, force_grouping=True) == (
            "1.234,5"
        )
        # Grouping is asked for explicitly ("g"), so years such as 2022 never become 2.022.
        from django.template.defaultfilters import floatformat

        assert floatformat(Decimal("1234.5"), "1g") == "1.234,5"
        assert floatformat(Decimal("63600"), "g") == "63.600"
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"


def test_accent_insensitive_lookup_works_on_this_database(db):
    Unit.objects.create(key="u1", name="Ban Tuyên giáo Tỉnh ủy", name_key="k1", kind=UnitKind.OTHER)
    Unit.objects.create(key="u2", name="Đảng đoàn Quốc hội", name_key="k2", kind=UnitKind.OTHER)
    assert Unit.objects.filter(name__unaccent__icontains="tuyen giao").count() == 1
    assert Unit.objects.filter(name__unaccent__icontains="dang doan").count() == 1


def test_postgres_refuses_text_that_is_not_nfc(postgres_only):
    nfd = unicodedata.normalize("NFD", "Tỉnh ủy Lai Châu")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(key="nfd", name=nfd, name_key="nfd", kind=UnitKind.OTHER)
    assert connection.vendor == "postgresql"


def test_demo_accounts_are_refused_outside_debug(settings, db):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="--without-accounts"):
        call_command("seed_demo")


def test_sessions_expire_after_30_idle_minutes_and_12_hours(client, db, settings):
    import time

    from accounts.middleware import STARTED
    from accounts.models import User

    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    user = User.objects.create_user("u", password="x-123456789")
    client.force_login(user)
    client.get("/healthz")
    session = client.session
    session[STARTED] = time.time() - 13 * 60 * 60
    session.save()
    client.get("/healthz")
    assert "_auth_user_id" not in client.session


def test_nul_characters_are_refused_not_500(client, db):
    from accounts.models import User

    client.force_login(User.objects.create_user("nul", password="x-123456789"))
    response = client.get("/api/v1/tasks/", {"q": "quy\x00hoach"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert client.get("/viec-cua-toi/", {"q": "\x00"}).status_code == 400
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/healthz").status_code == 200
