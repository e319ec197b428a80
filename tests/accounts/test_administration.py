"""Unit administrators manage their units' people without Django admin; forgotten passwords
are reset by e-mail; a province's administrator adds its departments and their aliases."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.choices import Role, UnitKind
from accounts.models import Membership, Unit, UnitAlias, User
from accounts.selectors import UnitResolver
from accounts.services import unit_upsert


@pytest.fixture
def units(db):
    lc, _ = unit_upsert(key="lc", name="Tỉnh Lai Châu", kind=UnitKind.PROVINCE)
    db_, _ = unit_upsert(key="db", name="Tỉnh Điện Biên", kind=UnitKind.PROVINCE)
    tu, _ = unit_upsert(key="tu-lc", name="Tỉnh ủy Lai Châu", kind="provincial_party", province=lc)
    vp, _ = unit_upsert(
        key="vp-tu-lc", name="Văn phòng Tỉnh ủy Lai Châu", kind="provincial_party_agency",
        parent=tu, province=lc,
    )  # fmt: skip
    tu_db, _ = unit_upsert(
        key="tu-db", name="Tỉnh ủy Điện Biên", kind="provincial_party", province=db_
    )
    admin = User.objects.create(username="qt.laichau", email="qt@laichau.gov.vn")
    Membership.objects.create(user=admin, unit=lc, role=Role.UNIT_ADMIN)
    return {"lc": lc, "db": db_, "tu": tu, "vp": vp, "tu_db": tu_db, "admin": admin}


def _invite(client, units, **overrides):
    data = {
        "action": "invite",
        "email": "Can.Bo@LaiChau.gov.vn",
        "full_name": "Lò Thị Mới",
        "unit": units["vp"].pk,
        "role": Role.OFFICER,
    }
    data.update(overrides)
    return client.post(reverse("unit-people", args=["lc"]), data)


def _signs_in(client, username, password):
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _link(mail):
    return re.search(r"https?://[^/]+(/dat-mat-khau/\S+)", mail.body).group(1)


def test_an_invited_person_sets_a_password_and_signs_in(
    client, units, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(units["admin"])
    assert client.get(reverse("unit-people", args=["lc"])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert _invite(client, units).status_code == 302
    person = User.objects.get(email="can.bo@laichau.gov.vn")
    assert not person.has_usable_password()
    assert Membership.objects.filter(user=person, unit=units["vp"], role=Role.OFFICER).exists()
    assert len(mailoutbox) == 1 and "được mời" in mailoutbox[0].body
    client.logout()
    form = client.get(_link(mailoutbox[0]), follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Moi@LaiChau2026", "new_password2": "Moi@LaiChau2026"},
    )
    assert done.status_code == 302
    assert _signs_in(client, "can.bo@laichau.gov.vn", "Moi@LaiChau2026")


def test_an_administrator_stays_within_their_units(client, units):
    client.force_login(units["admin"])
    # another province's unit is not offered, nor the reviewer role
    assert _invite(client, units, unit=units["tu_db"].pk).status_code == 400
    assert _invite(client, units, role=Role.REVIEWER).status_code == 400
    assert _invite(client, units, role=Role.UNIT_ADMIN).status_code == 400
    assert client.get(reverse("unit-people", args=["tu-db"])).status_code == 403
    assert not User.objects.filter(email__icontains="can.bo").exists()
    officer = User.objects.create(username="cb")
    Membership.objects.create(user=officer, unit=units["tu"], role=Role.OFFICER)
    client.force_login(officer)
    assert client.get(reverse("unit-people", args=["lc"])).status_code == 403


def test_deactivate_and_remove_a_role(client, units):
    person = User.objects.create(username="cb.vp")
    person.set_password("Mat@Khau2026")
    person.save()
    role = Membership.objects.create(user=person, unit=units["vp"], role=Role.OFFICER)
    elsewhere = User.objects.create(username="cb.hai")
    Membership.objects.create(user=elsewhere, unit=units["vp"], role=Role.OFFICER)
    Membership.objects.create(user=elsewhere, unit=units["tu_db"], role=Role.OFFICER)
    client.force_login(units["admin"])
    url = reverse("unit-people", args=["lc"])
    client.post(url, {"action": "deactivate", "user": person.pk})
    person.refresh_from_db()
    assert not person.is_active
    assert not _signs_in(client, "cb.vp", "Mat@Khau2026")
    client.force_login(units["admin"])
    # a person with a role in a unit the administrator does not manage stays active
    response = client.post(url, {"action": "deactivate", "user": elsewhere.pk}, follow=True)
    assert "không quản trị" in response.content.decode()
    elsewhere.refresh_from_db()
    assert elsewhere.is_active
    client.post(url, {"action": "remove", "membership": role.pk})
    assert not Membership.objects.filter(pk=role.pk).exists()


def test_forgotten_password_by_email(client, units, mailoutbox):
    units["admin"].set_password("Cu@MatKhau2026")
    units["admin"].save()
    assert client.get(reverse("login")).content.decode().count(reverse("password_reset")) == 1
    response = client.post(reverse("password_reset"), {"email": "qt@laichau.gov.vn"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "đặt lại mật khẩu" in mailoutbox[0].body
    form = client.get(_link(mailoutbox[0]), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Moi@MatKhau2026", "new_password2": "Moi@MatKhau2026"},
    )
    assert _signs_in(client, "qt.laichau", "Moi@MatKhau2026")


def test_a_province_administrator_adds_a_department_and_its_aliases(client, units):
    client.force_login(units["admin"])
    url = reverse("unit-add", args=["lc"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Sở Tài chính",
            "kind": UnitKind.PROVINCIAL_DEPARTMENT,
            "aliases": "STC Lai Châu\n",
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(name="Sở Tài chính tỉnh Lai Châu")
    assert unit.province == units["lc"]
    assert UnitAlias.objects.filter(unit=unit, name="STC Lai Châu").exists()
    resolver = UnitResolver()
    assert resolver.resolve("Sở Tài chính", units["lc"]) == unit
    assert resolver.resolve("STC Lai Châu") == unit
    # an alias already another unit's name is refused
    clash = client.post(
        url,
        {
            "name": "Sở Nội vụ",
            "kind": UnitKind.PROVINCIAL_DEPARTMENT,
            "aliases": "Tỉnh ủy Điện Biên",
        },
    )
    assert clash.status_code == 400 and "đã là tên của" in clash.content.decode()
    assert client.get(reverse("unit-add", args=["db"])).status_code == 403
