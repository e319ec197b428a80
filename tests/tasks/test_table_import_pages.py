"""Table import in the browser: paste or upload, every row checked, fixed inline, published
all or none; who may do it; a large table published by the background job."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from accounts.choices import Role
from accounts.models import Membership, Unit, User
from documents.models import TableImport
from tasks import importer
from tasks.importer import read_table, rows_to_json, table_import_run
from tasks.models import Task, TaskTrack
from tests.tasks.test_importer import HEADER


@pytest.fixture
def clerk(province_doc):
    user = User.objects.create(username="vp.tu")
    Membership.objects.create(user=user, unit=province_doc.issuer, role=Role.SECRETARIAT)
    return user


def _url(doc, name="document-table-import", *args):
    return reverse(name, args=[doc.slug, *args])


PASTE = "\n".join(
    [
        HEADER,
        "1\tQuán triệt nghị quyết\tBan Tuyên giáo Tỉnh ủy\tSở Tài chính\tQuý II năm 2023",
        "2\tXây dựng kế hoạch\tBan cán sự đảng UBND tỉnh\t\tNăm 2023",
        "-\tĐề án con\tBan cán sự đảng UBND tỉnh\t\tHằng năm",
    ]
)


def test_paste_check_add_the_missing_unit_and_publish(client, province_doc, clerk):
    client.force_login(clerk)
    assert client.get(_url(province_doc)).status_code == 200
    response = client.post(_url(province_doc), {"text": PASTE})
    batch = TableImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(province_doc, "document-table-import-review", batch.pk)
    review = client.get(response["Location"])
    html = review.content.decode()
    assert "1 dòng cần sửa" in html and "Sở Tài chính" in html
    assert "Ban Tuyên giáo Tỉnh ủy Lai Châu" in html  # resolved and shown by its full name
    assert "30/06/2023" in html  # the parsed deadline
    # publishing now writes nothing: all rows or none
    refused = client.post(response["Location"])
    assert refused.status_code == 400
    assert not Task.objects.exists()
    # the clerk adds the province's missing department, then publishes
    client.post(
        _url(province_doc, "document-table-import-unit", batch.pk), {"name": "Sở Tài chính"}
    )
    unit = Unit.objects.get(name="Sở Tài chính tỉnh Lai Châu")
    assert unit.province == province_doc.province
    assert "hợp lệ" in client.get(response["Location"]).content.decode()
    done = client.post(response["Location"])
    assert done.status_code == 302 and done["Location"] == reverse(
        "document-detail", args=[province_doc.slug]
    )
    assert Task.objects.filter(document=province_doc).count() == 3
    task = Task.objects.get(ref="STT 1")
    assert task.assignments.get(role="coordinate").unit == unit
    assert Task.objects.get(ref="STT 2.1").parent.ref == "STT 2"
    assert TableImport.objects.get().state == TableImport.State.DONE


def test_a_row_is_fixed_inline(client, province_doc, clerk):
    client.force_login(clerk)
    client.post(_url(province_doc), {"text": PASTE})
    batch = TableImport.objects.get()
    client.post(
        _url(province_doc, "document-table-import-row", batch.pk, 0),
        {
            "title": "Quán triệt nghị quyết",
            "lead": "Ban Tuyên giáo Tỉnh ủy",
            "coordinate": "Ban cán sự đảng UBND tỉnh",
            "deadline": "Quý III/2023",
        },
    )
    review = client.get(_url(province_doc, "document-table-import-review", batch.pk))
    assert "hợp lệ" in review.content.decode()
    assert (
        client.post(_url(province_doc, "document-table-import-review", batch.pk)).status_code == 302
    )
    assert str(Task.objects.get(ref="STT 1").due_on) == "2023-09-30"


def test_an_uploaded_workbook_and_a_hostile_one(client, province_doc, clerk):
    client.force_login(clerk)
    book = Workbook()
    book.active.append(HEADER.split("\t"))
    book.active.append([1, "Việc một", "Ban Tuyên giáo Tỉnh ủy", None, "Năm 2023"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "bieu.xlsx"
    assert client.post(_url(province_doc), {"file": data}).status_code == 302
    bad = io.BytesIO(b"PK\x03\x04 not really")
    bad.name = "bieu.xlsx"
    response = client.post(_url(province_doc), {"file": bad})
    assert response.status_code == 400
    assert "Không đọc được tệp Excel" in response.content.decode()
    old = io.BytesIO(b"\xd0\xcf\x11\xe0")
    old.name = "bieu.xls"
    response = client.post(_url(province_doc), {"file": old})
    assert response.status_code == 400 and "97-2003" in response.content.decode()


def test_only_the_issuers_secretariat_imports(client, province_doc, clerk):
    officer = User.objects.create(username="cb.tu")
    Membership.objects.create(user=officer, unit=province_doc.issuer, role=Role.OFFICER)
    client.force_login(officer)
    assert client.get(_url(province_doc)).status_code == 403
    assert client.post(_url(province_doc), {"text": PASTE}).status_code == 403
    # another clerk's checked table is not found
    client.force_login(clerk)
    client.post(_url(province_doc), {"text": PASTE})
    batch = TableImport.objects.get()
    other = User.objects.create(username="vp.khac")
    Membership.objects.create(user=other, unit=province_doc.issuer, role=Role.SECRETARIAT)
    client.force_login(other)
    review = _url(province_doc, "document-table-import-review", batch.pk)
    assert client.get(review).status_code == 404
    assert client.post(review).status_code == 404


def test_the_live_deadline_parse(client, province_doc, clerk):
    client.force_login(clerk)
    url = reverse("deadline-preview")
    html = client.get(url, {"deadline": "trong quý IV", "document": province_doc.slug}).content
    assert "31/12/2022" in html.decode()  # the year the document was issued
    assert "Chưa đọc được" in client.get(url, {"deadline": "sớm nhất có thể"}).content.decode()


def _big_table(count):
    lines = [HEADER] + [
        f"{i}\tViệc {i}\tBan Tuyên giáo Tỉnh ủy\t\tNăm 2023" for i in range(1, count + 1)
    ]
    return read_table(("\n".join(lines) + "\n").encode(), name="t.tsv")


def test_a_large_table_goes_to_the_job_with_progress(
    client,
    province_doc,
    clerk,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from portal.celery import app

    monkeypatch.setattr(importer, "JOB_THRESHOLD", 20)
    monkeypatch.setattr(importer, "JOB_CHUNK", 7)
    monkeypatch.setattr(app.conf, "task_always_eager", True)
    client.force_login(clerk)
    text = "\n".join(
        [HEADER] + [f"{i}\tViệc {i}\tBan Tuyên giáo Tỉnh ủy\t\tNăm 2023" for i in range(1, 31)]
    )
    client.post(_url(province_doc), {"text": text})
    batch = TableImport.objects.get()
    review = _url(province_doc, "document-table-import-review", batch.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review)
    assert response.status_code == 200
    assert "Đang nhập 30 dòng" in response.content.decode()  # the page as the job started
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.result["created"]) == ("done", 30, 30)
    assert Task.objects.filter(document=province_doc).count() == 30
    assert "Đã nhập xong 30 dòng" in client.get(review).content.decode()


def test_the_job_resumes_after_its_last_committed_chunk(province_doc, clerk, monkeypatch):
    monkeypatch.setattr(importer, "JOB_CHUNK", 10)
    batch = TableImport.objects.create(
        document=province_doc,
        kind=TableImport.Kind.TASKS,
        created_by=clerk,
        rows=rows_to_json(_big_table(30)),
        total=30,
        state=TableImport.State.RUNNING,
        done=10,  # a first run committed ten rows, then its worker died
    )
    table_import_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.state, batch.done) == ("done", 30)
    refs = set(Task.objects.values_list("ref", flat=True))
    assert refs == {f"STT {i}" for i in range(11, 31)}  # the first chunk is not run again
    assert TaskTrack.objects.count() == 20
    from tasks.tasks import import_table_task

    assert import_table_task.name == "tasks.import_table"
    import_table_task(batch.pk)  # run twice (a redelivery): nothing more
    assert Task.objects.count() == 20
