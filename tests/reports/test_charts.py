"""Chart data: a document's tasks at each quarter's cut-off, overdue by province and age."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from reports.periods import PeriodKind, ReportPeriod
from reports.selectors import periodic_report, progress_over_quarters
from tasks.models import Task, TaskTrack
from tasks.services import report_approve, report_save_draft, report_submit
from tasks.status import Status
from tasks.status_sql import StatusQuery, overdue_by_province

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def json_data(html, element_id):
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_progress_over_quarters_moves_when_a_report_is_approved(seeded):
    officer, leader = (
        User.objects.get(username="laichau.canbo"),
        User.objects.get(username="laichau.lanhdao"),
    )
    track = TaskTrack.objects.get(
        task__document__slug="26-ctr-tu", task__ref="STT 5", unit__key="bcsd-ubnd-lai-chau"
    )
    with time_machine.travel(dt.datetime(2026, 5, 5, 9, tzinfo=HCM), tick=False):
        report = report_save_draft(
            track=track,
            user=officer,
            year=2026,
            quarter=2,
            percent=100,
            narrative="Xong",
            completed_on=dt.date(2026, 5, 4),
            today=dt.date(2026, 5, 5),
        )
        report = report_submit(report_id=report.pk, user=officer, version=report.version)
        report_approve(report_id=report.pk, user=leader, version=report.version)
    ids = list(Task.objects.filter(document__slug="26-ctr-tu").values_list("pk", flat=True))
    rows = progress_over_quarters(ids, dt.date(2022, 12, 28), dt.date(2026, 12, 2))
    labels = [(p.year, p.kind) for p, _ in rows]
    # Q4 2026 closes on 14/12: not yet a point on 02/12.
    assert labels[-1] == (2026, PeriodKind.Q3) and len(rows) == 12
    grids = {(p.year, p.kind): g for p, g in rows}
    q1, q2 = grids[(2026, PeriodKind.Q1)], grids[(2026, PeriodKind.Q2)]
    done = (Status.DONE_ON_TIME, Status.DONE_LATE)
    assert sum(q2.get(s) for s in done) == sum(q1.get(s) for s in done) + 1
    # Tasks with a share to carry (a task nobody was given is not counted).
    carried = TaskTrack.objects.filter(task_id__in=ids).values("task").distinct().count()
    assert q1.total == q2.total == carried < len(ids)


def test_document_page_carries_the_progress_chart(seeded, client):
    client.force_login(User.objects.get(username="bktw.rasoat"))
    html = client.get(reverse("document-detail", args=["26-ctr-tu"])).content.decode()
    data = json_data(html, "document-progress-data")
    assert data["labels"][0].startswith("Quý ")
    assert [s["key"] for s in data["series"]] == [
        "done_on_time",
        "done_late",
        "in_progress",
        "overdue",
        "not_due",
    ]
    assert 'src="/static/js/report-charts.js"' in html


def test_review_page_chart_counts_overdue_by_province_and_age(seeded, client):
    client.force_login(User.objects.get(username="bktw.rasoat"))
    html = client.get(reverse("overdue-review")).content.decode()
    data = json_data(html, "overdue-chart-data")
    import django.utils.timezone as tz

    query = StatusQuery.on(tz.localdate())
    expected = overdue_by_province(query.overdue(Task.objects.all()))
    assert dict(zip(data["provinces"]["labels"], data["provinces"]["data"], strict=True)) == {
        g.name: g.count for g in expected
    }
    assert data["ages"]["labels"] == ["1-30 ngày", "31-90 ngày", ">90 ngày"]
    assert sum(data["ages"]["data"]) > 0


def test_unit_report_grid_agrees_with_the_quarter_chart(seeded):
    # Both judge through one function on the same cut-off: a task overdue in the unit's Q2
    # report is overdue in the Q2 bar too (a collective task is as bad as its worst share).
    report = periodic_report(
        TaskTrack.objects.filter(unit__key="bcsd-ubnd-lai-chau").first().unit,
        ReportPeriod(2026, PeriodKind.Q2),
        today=dt.date(2026, 12, 2),
    )
    ids = {r.task.pk for r in report.overdue}
    rows = progress_over_quarters(ids, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    q2 = {(p.year, p.kind): g for p, g in rows}[(2026, PeriodKind.Q2)]
    assert len(ids) > 0
    assert q2.get(Status.OVERDUE) == q2.total == len(ids)
