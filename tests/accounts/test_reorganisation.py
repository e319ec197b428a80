"""A province's administrator renames and merges the province's units through succession
records (``accounts.services.units_reorganise``, the page ``unit-reorganise``); the access
module then lets the successor's people answer for the predecessors' open work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.access import access_for, forget_access, visible_tasks
from accounts.choices import Role, UnitKind
from accounts.models import Membership, Unit, UnitSuccession
from accounts.names import name_key
from accounts.services import UnitNotAllowed, units_reorganise
from tests.factories import DocumentFactory, UnitFactory, UserFactory, make_task

DECIDED = {
    "effective_on": dt.date(2025, 7, 1),
    "basis": "Quyết định số 1234/QĐ-UBND",
    "basis_date": dt.date(2025, 6, 20),
}


def _unit(name: str, province: Unit | None = None, kind: str = UnitKind.PROVINCIAL_DEPARTMENT):
    return UnitFactory(name=name, name_key=name_key(name), kind=kind, province=province)


@pytest.fixture
def lc(db):
    province = _unit("Tỉnh Lai Châu", kind=UnitKind.PROVINCE)
    other = _unit("Tỉnh Điện Biên", kind=UnitKind.PROVINCE)
    return {
        "province": province,
        "other": other,
        "khdt": _unit("Sở Kế hoạch và Đầu tư tỉnh Lai Châu", province),
        "tc": _unit("Sở Tài chính tỉnh Lai Châu", province),
        "bcsd": _unit("Ban cán sự đảng UBND tỉnh Lai Châu", province, UnitKind.PARTY_DELEGATION),
        "db_tc": _unit("Sở Tài chính tỉnh Điện Biên", other),
        "admin": UserFactory(username="qt.laichau", roles=[(province, Role.UNIT_ADMIN)]),
    }


def test_a_merger_into_an_existing_department_hands_it_the_open_work(lc):
    # given: a task led by Sở Kế hoạch và Đầu tư, and an officer of Sở Tài chính
    document = DocumentFactory(issuer=lc["province"])
    task = make_task(document, "1", leads=[lc["khdt"]])
    officer = UserFactory(roles=[(lc["tc"], Role.OFFICER)])
    assert not access_for(officer).acts_for(lc["khdt"].pk)
    # when: the province's administrator records the merger
    successor, rows = units_reorganise(
        admin=lc["admin"],
        province=lc["province"],
        predecessors=[lc["khdt"]],
        successor=lc["tc"],
        verified=True,
        **DECIDED,
    )
    # then: one succession record with the deciding document, kept in history
    assert successor == lc["tc"]
    (row,) = rows
    assert (row.predecessor, row.successor, row.effective_on, row.basis, row.basis_date) == (
        lc["khdt"],
        lc["tc"],
        dt.date(2025, 7, 1),
        "Quyết định số 1234/QĐ-UBND",
        dt.date(2025, 6, 20),
    )
    assert row.verified and row.history.count() == 1
    # the successor's officer answers for the predecessor's task from the date, not before
    assert not access_for(officer, today=dt.date(2025, 6, 30)).acts_for(lc["khdt"].pk)
    assert access_for(officer, today=dt.date(2025, 7, 1)).acts_for(lc["khdt"].pk)
    forget_access(officer)  # the access read before the merger, kept on the user object
    assert list(visible_tasks(officer)) == [task]


def test_a_rename_is_a_new_unit_that_succeeds_the_old_one_and_takes_its_people(lc):
    officer = UserFactory(roles=[(lc["bcsd"], Role.OFFICER)])
    successor, rows = units_reorganise(
        admin=lc["admin"],
        province=lc["province"],
        predecessors=[lc["bcsd"]],
        successor_name="Đảng ủy UBND tỉnh Lai Châu",
        kind=UnitKind.PARTY_COMMITTEE,
        **DECIDED,
    )
    # the old unit keeps its name (history names it); the new one is the province's
    lc["bcsd"].refresh_from_db()
    assert lc["bcsd"].name == "Ban cán sự đảng UBND tỉnh Lai Châu"
    assert (successor.name, successor.kind, successor.province) == (
        "Đảng ủy UBND tỉnh Lai Châu",
        UnitKind.PARTY_COMMITTEE,
        lc["province"],
    )
    assert [(r.predecessor, r.successor, r.verified) for r in rows] == [
        (lc["bcsd"], successor, False)
    ]
    # the old unit's officer now holds the same role in the new one (the old role stays)
    assert set(Membership.objects.filter(user=officer).values_list("unit", "role")) == {
        (lc["bcsd"].pk, Role.OFFICER),
        (successor.pk, Role.OFFICER),
    }


def test_several_departments_merge_into_a_new_one(lc):
    successor, rows = units_reorganise(
        admin=lc["admin"],
        province=lc["province"],
        predecessors=[lc["khdt"], lc["tc"]],
        successor_name="Sở Tài chính - Kế hoạch",
        **DECIDED,
    )
    assert successor.name == "Sở Tài chính - Kế hoạch tỉnh Lai Châu"
    assert successor.kind == UnitKind.PROVINCIAL_DEPARTMENT  # the predecessors' kind
    assert UnitSuccession.objects.filter(successor=successor).count() == 2 == len(rows)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"predecessors": ["db_tc"], "successor": "tc"}, "không phải đơn vị của"),
        ({"predecessors": ["khdt"], "successor": "db_tc"}, "không phải đơn vị của"),
        ({"predecessors": ["province"], "successor": "tc"}, "không phải đơn vị của"),
        ({"predecessors": ["khdt"], "successor": "khdt"}, "phải khác đơn vị cũ"),
        ({"predecessors": ["khdt"]}, "một trong hai"),
        (
            {"predecessors": ["khdt"], "successor": "tc", "successor_name": "Sở Mới"},
            "một trong hai",
        ),
        ({"predecessors": [], "successor": "tc"}, "chọn đơn vị cũ"),
        ({"predecessors": ["khdt"], "successor_name": "Nhóm", "kind": UnitKind.GROUP}, "của tỉnh"),
        ({"predecessors": ["khdt"], "successor": "tc", "basis": " "}, "văn bản quyết định"),
    ],
)
def test_refusals(lc, change, message):
    arguments = {**DECIDED, "admin": lc["admin"], "province": lc["province"]}
    arguments["predecessors"] = [lc[k] for k in change.pop("predecessors")]
    if "successor" in change:
        arguments["successor"] = lc[change.pop("successor")]
    arguments.update(change)
    with pytest.raises(UnitNotAllowed, match=message):
        units_reorganise(**arguments)
    assert not UnitSuccession.objects.exists()


def _merge(lc, old, new, admin=None):
    return units_reorganise(
        admin=admin or lc["admin"],
        province=lc["province"],
        predecessors=[lc[old]],
        successor=lc[new],
        **DECIDED,
    )


def test_only_the_provinces_administrator_and_once_per_unit(lc):
    secretariat = UserFactory(roles=[(lc["province"], Role.SECRETARIAT)])
    other_admin = UserFactory(roles=[(lc["other"], Role.UNIT_ADMIN)])
    for user in (secretariat, other_admin):
        with pytest.raises(UnitNotAllowed, match="Chỉ quản trị đơn vị của tỉnh"):
            _merge(lc, "khdt", "tc", admin=user)
    _merge(lc, "khdt", "tc")
    # a unit already merged is not merged again, nor does it receive another unit
    with pytest.raises(UnitNotAllowed, match="đã có quyết định sắp xếp"):
        _merge(lc, "khdt", "bcsd")
    with pytest.raises(UnitNotAllowed, match="không nhận thêm"):
        _merge(lc, "bcsd", "khdt")
    assert UnitSuccession.objects.count() == 1


def test_the_page_records_a_merger_and_lists_it(client, lc):
    client.force_login(lc["admin"])
    url = reverse("unit-reorganise", args=[lc["province"].key])
    page = client.get(url).content.decode()
    assert "Sở Kế hoạch và Đầu tư tỉnh Lai Châu" in page
    assert "Sở Tài chính tỉnh Điện Biên" not in page  # another province's unit: not offered
    response = client.post(
        url,
        {
            "predecessors": [lc["khdt"].pk],
            "successor": lc["tc"].pk,
            "effective_on": "01/07/2025",
            "basis": "Quyết định số 1234/QĐ-UBND",
            "basis_date": "20/06/2025",
            "verified": "on",
        },
    )
    assert response.status_code == 302
    row = UnitSuccession.objects.get()
    assert (row.predecessor, row.successor, row.effective_on) == (
        lc["khdt"],
        lc["tc"],
        dt.date(2025, 7, 1),
    )
    listed = client.get(url).content.decode()
    assert "Quyết định số 1234/QĐ-UBND ngày 20/06/2025" in listed
    # an ended unit is no longer offered
    assert f'value="{lc["khdt"].pk}"' not in listed
    # a refusal is a form message; an impossible date is explained
    for effective_on, message in (("2025-13-01", "dd/mm/yyyy"), ("01/07/2025", "một trong hai")):
        data = {
            "predecessors": [lc["bcsd"].pk],
            "effective_on": effective_on,
            "basis": "Quyết định số 1/QĐ-UBND",
            "basis_date": "20/06/2025",
        }
        refused = client.post(url, data)
        assert refused.status_code == 400 and message in refused.content.decode()
    # another province's administrator may not open it
    client.force_login(UserFactory(roles=[(lc["other"], Role.UNIT_ADMIN)]))
    assert client.get(url).status_code == 403


def test_the_navigation_links_the_administration_and_document_entry(client, lc):
    client.force_login(lc["admin"])
    home = client.get(reverse("my-tasks")).content.decode()
    assert f'href="{reverse("unit-admin")}"' in home
    assert f'href="{reverse("document-create")}"' not in home  # not a secretariat
    page = client.get(reverse("unit-admin")).content.decode()
    for name in ("unit-people", "unit-add", "unit-reorganise"):
        assert reverse(name, args=[lc["province"].key]) in page
    clerk = UserFactory(roles=[(lc["province"], Role.SECRETARIAT)])
    client.force_login(clerk)
    home = client.get(reverse("my-tasks")).content.decode()
    assert f'href="{reverse("document-create")}"' in home
    assert f'href="{reverse("unit-admin")}"' not in home
    assert client.get(reverse("unit-admin")).status_code == 403
