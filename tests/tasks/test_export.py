"""The task list as XLSX: bold frozen filterable header, real dates, the last report, the
whole list (no cap, read in chunks), a file name that says what it holds."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from tasks import export
from tasks.export import HEADERS, write_tasks_xlsx
from tasks.models import Task, TaskTrack
from tasks.selectors import task_assigned_to_user, task_list_related
from tasks.services import report_save_draft, report_submit

pytestmark = pytest.mark.django_db


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_header_dates_and_last_report(seeded, client):
    officer = User.objects.get(username="laichau.canbo")
    track = TaskTrack.objects.get(
        task__document__slug="26-ctr-tu", task__ref="STT 5", unit__key="bcsd-ubnd-lai-chau"
    )
    report = report_save_draft(
        track=track,
        user=officer,
        year=2026,
        quarter=3,
        percent=40,
        narrative="Đang triển khai",
        today=dt.date(2026, 9, 1),
    )
    report_submit(report_id=report.pk, user=officer, version=report.version)
    client.force_login(officer)
    response = client.get(reverse("my-tasks"), {"format": "xlsx"})
    sheet = workbook(response).active
    header = [c.value for c in sheet[1]]
    assert tuple(header) == HEADERS
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K1"
    assert sheet.column_dimensions["C"].width == 70
    rows = {(r[0].value, r[1].value): r for r in sheet.iter_rows(min_row=2)}
    row = rows[("26-CTr/TU", "STT 5")]
    due = Task.objects.get(document__slug="26-ctr-tu", ref="STT 5").due_on
    assert (
        row[6].value == dt.datetime.combine(due, dt.time()) and row[6].number_format == "DD/MM/YYYY"
    )
    assert row[10].value == "Quý III/2026: 40% (Đã gửi)"
    others = [r for key, r in rows.items() if key != ("26-CTr/TU", "STT 5")]
    assert all(r[10].value == "Chưa báo cáo" for r in others if r[0].value == "26-CTr/TU")
    assert sheet.max_row - 1 == task_assigned_to_user(officer).count()


def test_file_names_say_what_they_hold(seeded, client):
    client.force_login(User.objects.get(username="laichau.canbo"))
    response = client.get(
        reverse("my-tasks"), {"format": "xlsx", "status": "overdue", "role": "lead"}
    )
    name = response["Content-Disposition"]
    assert 'filename="viec-cua-toi-chu-tri-chua-hoan-thanh-qua-han-' in name
    client.force_login(User.objects.get(username="bktw.rasoat"))
    response = client.get(reverse("overdue-review"), {"format": "xlsx"})
    assert 'filename="nhiem-vu-qua-han-20' in response["Content-Disposition"]


def test_the_whole_list_is_written_across_chunks(seeded, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 3)  # many chunks from the seed's tasks
    tasks = task_list_related(Task.objects.order_by("pk"))
    out = io.BytesIO()
    written = write_tasks_xlsx(tasks.iterator(chunk_size=3), dt.date(2026, 12, 2), out)
    assert written == Task.objects.count() > 3
    sheet = load_workbook(out).active
    assert sheet.max_row == written + 1
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == list(
        Task.objects.order_by("pk").values_list("ref", flat=True)
    )
