"""A prose duty added by hand: units resolved from their names, the deadline parsed, the
parent and the higher-level task it implements; refusals shown on the form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.choices import Role, UnitKind
from accounts.models import Membership, User
from accounts.services import unit_upsert
from documents.services import document_upsert, relation_ensure
from tasks.models import Task
from tasks.services import task_upsert


@pytest.fixture
def setting(province_doc):
    clerk = User.objects.create(username="vp.tu")
    Membership.objects.create(user=clerk, unit=province_doc.issuer, role=Role.SECRETARIAT)
    bct, _ = unit_upsert(key="bct", name="Bộ Chính trị", kind=UnitKind.PARTY_CENTRAL)
    above, _ = document_upsert(
        slug="11-nq-tw", kind="NQ", title="Nghị quyết 11", issuer=bct, number="11-NQ/TW"
    )
    relation_ensure(source=province_doc, target=above, kind="implements")
    central, _ = task_upsert(document=above, ref="III.1", title="Nhiệm vụ trung ương")
    parent, _ = task_upsert(document=province_doc, ref="STT 6", title="Đầu tư công trình")
    return {"clerk": clerk, "central": central, "parent": parent}


def test_a_prose_duty_is_added(client, province_doc, setting):
    client.force_login(setting["clerk"])
    url = reverse("task-create", args=[province_doc.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "Ban cán sự đảng Ủy ban nhân dân tỉnh Lai Châu" in page.content.decode()  # suggested
    response = client.post(
        url,
        {
            "ref": "STT 6.1",
            "title": "Giao Ban cán sự đảng UBND tỉnh thường xuyên theo dõi",
            "lead": "Ban cán sự đảng UBND tỉnh",
            "coordinate": "Ban Tuyên giáo TU, Các cấp ủy đảng trực thuộc Tỉnh ủy",
            "deadline": "Quý III năm 2023",
            "parent": setting["parent"].pk,
            "implements": setting["central"].pk,
        },
    )
    task = Task.objects.get(ref="STT 6.1")
    assert response.status_code == 302 and response["Location"] == reverse(
        "task-detail", args=[task.pk]
    )
    assert task.parent == setting["parent"] and task.implements == setting["central"]
    assert task.due_on == dt.date(2023, 9, 30)
    assert [a.unit.key for a in task.assignments.filter(role="lead")] == ["bcsd"]
    assert {a.unit.key for a in task.assignments.filter(role="coordinate")} == {"btg", "cap-uy"}
    assert task.tracks.get().unit.key == "bcsd"
    assert task.history.count() == 1


def test_unknown_units_and_a_taken_reference_are_refused(client, province_doc, setting):
    client.force_login(setting["clerk"])
    url = reverse("task-create", args=[province_doc.slug])
    response = client.post(
        url, {"ref": "STT 6", "title": "Việc", "lead": "Sở Không Có", "deadline": "Năm 2023"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Không nhận ra đơn vị “Sở Không Có”" in html and "đã có nhiệm vụ ở mục STT 6" in html
    assert Task.objects.filter(document=province_doc).count() == 1


def test_an_officer_cannot_add_tasks(client, province_doc, setting):
    officer = User.objects.create(username="cb")
    Membership.objects.create(user=officer, unit=province_doc.issuer, role=Role.OFFICER)
    client.force_login(officer)
    assert client.get(reverse("task-create", args=[province_doc.slug])).status_code == 403
