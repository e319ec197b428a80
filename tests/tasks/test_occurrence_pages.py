"""A recurring task's occurrences on its page, in the API and in the XLSX export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import User
from tasks.models import ProgressReport, Task, TaskTrack

pytestmark = pytest.mark.django_db


def _stt3() -> Task:
    return Task.objects.get(document__slug="26-ctr-tu", ref="STT 3")


def _approve(task: Task, year: int, quarter: int, approved_on: dt.date) -> ProgressReport:
    track = TaskTrack.objects.get(task=task)
    moment = timezone.make_aware(dt.datetime.combine(approved_on, dt.time(9)))
    return ProgressReport.objects.create(
        track=track,
        period_year=year,
        period_quarter=quarter,
        state="approved",
        percent=100,
        completed_on=dt.date(year, quarter * 3, 1),
        author=User.objects.get(username="laichau.canbo"),
        decided_at=moment,
    )


def test_the_page_api_and_export_list_each_occurrence(client, seeded):
    # given 26-CTr/TU STT 3 ("Hàng năm", issued 28/12/2022): 2023 met on time, 2024 late
    task = _stt3()
    on_time = _approve(task, 2023, 4, dt.date(2023, 12, 20))
    _approve(task, 2024, 4, dt.date(2025, 1, 15))
    user = User.objects.get(username="laichau.canbo")
    client.force_login(user)

    # the page lists every occurrence to 2030 with its own status
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "Các kỳ thực hiện (8)" in page
    assert "Năm 2023" in page and "Năm 2030" in page and "Năm 2022" not in page
    assert "Hoàn thành quá hạn" in page and "duyệt 15/01/2025" in page

    # the API's task carries the occurrences, the met ones with their report
    api = APIClient()
    api.force_login(user)
    body = api.get(f"/api/v1/tasks/{task.pk}/").json()
    occurrences = body["occurrences"]
    assert [o["due_on"] for o in occurrences][:2] == ["2023-12-31", "2024-12-31"]
    assert occurrences[0]["status"] == "done_on_time"
    assert occurrences[0]["reports"][0]["report_id"] == on_time.pk
    assert occurrences[1]["status"] == "done_late"
    assert occurrences[1]["reports"][0]["approved_on"] == "2025-01-15"
    assert len(occurrences) == 8

    # the export has one row per occurrence on its own sheet
    response = client.get("/viec-cua-toi/", {"format": "xlsx"})
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content))
        if hasattr(response, "streaming_content")
        else io.BytesIO(response.content)
    )
    rows = [r for r in book["Các kỳ định kỳ"].iter_rows(values_only=True) if r[1] == "STT 3"]
    assert [r[2] for r in rows][:2] == ["Năm 2023", "Năm 2024"]
    assert rows[1][4] == "Hoàn thành quá hạn"


def test_a_non_recurring_task_has_no_occurrences(seeded):
    api = APIClient()
    api.force_login(User.objects.get(username="laichau.canbo"))
    task = Task.objects.get(document__slug="26-ctr-tu", ref="STT 5")
    assert api.get(f"/api/v1/tasks/{task.pk}/").json()["occurrences"] == []


def _stt4() -> Task:
    """26-CTr/TU STT 4: "Sau khi Thủ tướng Chính phủ phê duyệt", led by Lai Châu's UBND."""
    return Task.objects.get(document__slug="26-ctr-tu", ref="STT 4")


def test_an_event_task_waits_until_a_person_records_the_event_and_its_due_date(client, seeded):
    task = _stt4()
    api = APIClient()
    api.force_login(User.objects.get(username="laichau.canbo"))
    url = f"/api/v1/tasks/{task.pk}/"
    # waiting: no date is invented, however long ago the document was issued
    body = api.get(url).json()
    assert body["status"] == "awaiting_event" and body["due_on"] is None

    # a due date before the event is refused with a message; nothing is written
    refused = api.post(url + "event/", {"event_on": "2024-03-01", "due_on": "2024-02-01"})
    assert refused.status_code == 400
    assert "trước ngày sự kiện" in str(refused.json())
    # another province's officer does not see the task at all
    other = APIClient()
    other.force_login(User.objects.get(username="bkhdt.canbo"))
    assert (
        other.post(url + "event/", {"event_on": "2024-03-01", "due_on": "2024-12-31"}).status_code
        == 404
    )

    # recorded over the API: due on the date the event set, judged like any date
    body = api.post(url + "event/", {"event_on": "2024-03-01", "due_on": "2024-12-31"}).json()
    assert body["deadline"]["event_due_on"] == "2024-12-31"
    assert body["due_on"] == "2024-12-31" and body["due_basis"] == "event"
    assert body["status"] == "overdue"

    # and over the page, through the same service
    client.force_login(User.objects.get(username="laichau.canbo"))
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "Ghi nhận sự kiện" in page and "31/12/2024" in page
    client.post(f"/nhiem-vu/{task.pk}/su-kien/", {"event_on": "01/03/2024", "due_on": "31/12/2099"})
    task.refresh_from_db()
    assert task.event_due_on == dt.date(2099, 12, 31)
    assert api.get(url).json()["status"] == "not_due"


def test_a_task_printed_without_deadline_is_due_at_the_documents_horizon(client, seeded):
    api = APIClient()
    api.force_login(User.objects.get(username="bktw.rasoat"))
    # 26-CTr/TU IV.1 has no deadline; the programme runs to 2030
    task = Task.objects.get(document__slug="26-ctr-tu", ref="IV.1")
    body = api.get(f"/api/v1/tasks/{task.pk}/").json()
    assert body["due_on"] == "2030-12-31" and body["due_basis"] == "document_horizon"
    client.force_login(User.objects.get(username="bktw.rasoat"))
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "theo thời hạn của văn bản" in page
    # the Bắc Kạn plan prints no horizon: its undated tasks stay undetermined and flagged,
    # never given the horizon of 13-NQ/TW (2020) or any other document
    bac_kan = Task.objects.filter(
        document__slug="kh-72-kl-tw-bac-kan", deadline_note="Chưa có thời hạn"
    ).first()
    assert bac_kan is not None
    body = api.get(f"/api/v1/tasks/{bac_kan.pk}/").json()
    assert body["status"] == "undetermined" and body["due_on"] is None
    page = client.get(f"/nhiem-vu/{bac_kan.pk}/").content.decode()
    assert "cần người có thẩm quyền xác định" in page
