"""TOTP two-factor sign-in: required for administrators, reviewers, secretariats and unit
administrators, optional for others,
kept for anyone who set it up; API tokens are not asked for a code."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.choices import Role, UnitKind
from accounts.models import Membership, Unit, User
from accounts.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def person(username: str, role: str = Role.OFFICER, **kwargs: object) -> User:
    unit, _ = Unit.objects.get_or_create(
        key="tf-unit", defaults={"name": "Sở Thử", "name_key": "tf-unit", "kind": UnitKind.OTHER}
    )
    user = User.objects.create_user(username, password="x-123456789", **kwargs)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_reviewer_sets_up_a_code_then_works_and_needs_it_at_the_next_sign_in(client):
    reviewer = person("tf.rasoat", Role.REVIEWER)
    client.force_login(reviewer)
    # every page leads to the code page, the API answers 403 in the error format
    response = client.get("/viec-cua-toi/")
    assert response.status_code == 302
    assert response["Location"] == "/xac-thuc-hai-buoc/?next=/viec-cua-toi/"
    api = client.get("/api/v1/units/")
    assert (api.status_code, api.json()["error"]["code"]) == (403, "two_factor_required")
    page = client.get("/xac-thuc-hai-buoc/").content.decode()
    assert "Khóa bí mật" in page
    # a wrong code is refused, the right one lets the reviewer in
    assert client.post("/xac-thuc-hai-buoc/", {"code": "000000"}).status_code == 400
    # (after a wrong code the device waits a moment before it checks another: django-otp)
    with time_machine.travel(dt.timedelta(seconds=3)):
        response = client.post("/xac-thuc-hai-buoc/?next=/viec-cua-toi/", {"code": code(reviewer)})
    assert response["Location"] == "/viec-cua-toi/"
    assert client.get("/viec-cua-toi/").status_code == 200
    assert TOTPDevice.objects.get(user=reviewer).confirmed
    # a new session asks for the code again, without showing the key
    client.logout()
    client.force_login(reviewer)
    assert client.get("/viec-cua-toi/").status_code == 302
    assert "Khóa bí mật" not in client.get("/xac-thuc-hai-buoc/").content.decode()


def test_an_administrator_needs_it_for_the_admin_too(client):
    admin = User.objects.create_superuser("tf.admin", password="x-123456789")
    client.force_login(admin)
    assert client.get("/admin/")["Location"].startswith("/xac-thuc-hai-buoc/")


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.UNIT_ADMIN])
def test_a_secretariat_and_a_unit_administrator_need_it(client, role):
    client.force_login(person(f"tf.{role}", role))
    assert client.get("/viec-cua-toi/")["Location"].startswith("/xac-thuc-hai-buoc/")


def test_an_officer_may_work_without_it_or_turn_it_on(client):
    officer = person("tf.canbo")
    client.force_login(officer)
    assert client.get("/viec-cua-toi/").status_code == 200
    assert "Bạn có thể bật" in client.get("/xac-thuc-hai-buoc/").content.decode()
    client.post("/xac-thuc-hai-buoc/", {"code": code(officer)})
    client.logout()
    client.force_login(officer)
    assert client.get("/viec-cua-toi/").status_code == 302  # now kept on for this account


def test_api_tokens_are_not_asked_for_a_code(db):
    reviewer = person("tf.token", Role.REVIEWER)
    _, key = api_token_create(user=reviewer, name="cli")
    response = APIClient().get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_an_open_redirect_in_next_goes_home_instead(client):
    reviewer = person("tf.next", Role.REVIEWER)
    client.force_login(reviewer)
    client.get("/xac-thuc-hai-buoc/")
    response = client.post(
        "/xac-thuc-hai-buoc/?next=https://evil.example/", {"code": code(reviewer)}
    )
    assert response["Location"] == "/"
