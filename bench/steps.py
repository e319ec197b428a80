"""Steps of the bench that need Django, run by ``bench.run`` in a subprocess whose environment
points DATABASE_URL at the bench database. Each step prints one JSON object on its last line.

    python -m bench.steps setup --unit 16 --review-all-unit 3 --monitor-unit 8
    python -m bench.steps scan --day 2026-12-15
    python -m bench.steps queries --unit 16
    python -m bench.steps celery-scan --after 2026-12-15
    python -m bench.steps recurring-overdue --day 2026-12-02
    python -m bench.steps open-due
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from typing import Any

PASSWORD = "Bench-mat-khau-2025!"  # noqa: S105  (throwaway accounts in a throwaway DB)
# Who the bench acts as: an officer of the busiest unit (the API and "Việc của tôi"), a
# reviewer at Ban Kinh tế Trung ương, which reviews every document (the overdue review at
# national scale), and a reviewer at a body that monitors one document in fifty.
ACCOUNTS = {
    "officer": ("bench_officer", "officer"),
    "reviewer": ("bench_reviewer", "reviewer"),
    "monitor": ("bench_monitor", "reviewer"),
}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def setup(units: dict[str, int]) -> dict[str, Any]:
    """The bench accounts (one membership each), the officer's API token and, for the
    reviewers (who must give a second factor in production), an authenticator's key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Membership, Unit, User
    from accounts.services import api_token_create

    out: dict[str, Any] = {"password": PASSWORD, "totp": {}}
    for name, (username, role) in ACCOUNTS.items():
        user = User.objects.create_user(username, password=PASSWORD, full_name=f"Bench {name}")
        Membership.objects.create(user=user, unit=Unit.objects.get(pk=units[name]), role=role)
        out[name] = username
        if role == "reviewer":
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            out["totp"][name] = device.key
    _, out["token"] = api_token_create(user=User.objects.get(username="bench_officer"), name="b")
    return out


def scan(day: dt.date) -> dict[str, Any]:
    """One reminder scan, timed; sends are not queued (``enqueue=False``)."""
    from notifications.models import Reminder
    from notifications.services import reminder_scan

    before = Reminder.objects.count()
    started = time.perf_counter()
    result = reminder_scan(today=day, enqueue=False)
    seconds = time.perf_counter() - started
    kinds: dict[str, int] = {}
    for planned in result.created:
        kinds[planned.kind] = kinds.get(planned.kind, 0) + 1
    return {
        "day": day.isoformat(),
        "seconds": round(seconds, 3),
        "planned": len(result.planned),
        "inserted": Reminder.objects.count() - before,
        "created_by_kind": kinds,
    }


def queries(unit: int) -> dict[str, Any]:
    """Queries per request of the list endpoints for two pages of different sizes or rows
    (the same number is the goal: no query per row)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    out: dict[str, Any] = {}
    api = f"/api/v1/tasks/?lead_unit={unit}&status=overdue&page_size="
    lists = {
        "api_tasks": ("officer", api, ("10", "50")),
        "api_tasks_unfiltered": ("officer", "/api/v1/tasks/?page_size=", ("10", "200")),
        "my_tasks": ("officer", "/viec-cua-toi/?page=", ("1", "2")),
        "overdue_review": ("reviewer", "/ra-soat-qua-han/?page=", ("1", "2")),
    }  # fmt: skip
    for name, (account, url, variants) in lists.items():
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        user = User.objects.get(username=ACCOUNTS[account][0])
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:  # a reviewer's session has given its second factor
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        counts: dict[str, Any] = {}
        client.get(url + variants[0], secure=True)  # fills the day's cached filter options
        for variant in variants:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url + variant, secure=True)
            counts[url.rsplit("?", 1)[1].rsplit("&", 1)[-1] + variant] = {
                "queries": len(ctx.captured_queries),
                "status": response.status_code,
            }
        out[name] = counts
    return out


def celery_scan(after: dt.date) -> dict[str, Any]:
    """Queue one scan for the Celery worker (the broker is CELERY_BROKER_URL), on the first
    day after ``after`` that owes reminders nobody has recorded yet; how many it will make."""
    from notifications.services import reminder_scan
    from notifications.tasks import reminder_scan_task

    day = after
    for _ in range(120):
        day += dt.timedelta(days=1)
        owed = len(reminder_scan(today=day, dry_run=True).created)
        if owed:
            reminder_scan_task.delay(day.isoformat())
            return {"day": day.isoformat(), "owed": owed, "queued_at": time.time()}
    return {"day": None, "owed": 0}


def open_due() -> dict[str, Any]:
    """Fill the stored open due dates of the COPYed tasks with the service that keeps them
    (``tasks.services.open_due_repair``: read in bulk, judged by the status rule, written
    in bulk), timed."""
    from tasks.services import open_due_repair

    started = time.perf_counter()
    changed = open_due_repair()
    return {"seconds": round(time.perf_counter() - started, 2), "tasks_filled": changed}


def recurring_overdue(day: dt.date) -> dict[str, Any]:
    """The occurrences a recurring task must have met by ``day`` to escape OVERDUE, for each
    distinct (phrase, start, rhythm, issue date, issue year, horizon year) in the data, as
    ``tasks.status_sql`` plans them (``task_schedule``: ``tasks.occurrences.schedule`` of
    the stored deadline and the document's dates), and the cut-off (the first moment after
    ``day`` in Asia/Ho_Chi_Minh) a report must have been approved before.

    Only the groups with an occurrence due before ``day`` are listed: a recurring task is
    OVERDUE when it has no track, or some track lacks an approved report of 100% with a
    completion date for the closing quarter of one of them. The raw-SQL baseline takes these
    as parameters: the schedule stays the domain's, computed once, outside the timing."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.utils import timezone

    from documents.models import Document
    from tasks.choices import DeadlineKind
    from tasks.models import Task
    from tasks.status_sql import StatusQuery, task_schedule

    groups: list[list[Any]] = []
    keys = StatusQuery.recurring_keys()
    for text, starts_on, recurrence, issued_on, issued_year, horizon_year in keys:
        document = Document(issued_on=issued_on, issued_year=issued_year, horizon_year=horizon_year)
        task = Task(
            deadline_kind=DeadlineKind.RECURRING,
            deadline_text=text,
            starts_on=starts_on,
            recurrence=recurrence,
            document=document,
        )
        past = [o for o in task_schedule(task, day).occurrences if o.due_on < day]
        if not past:
            continue
        groups.append(
            [
                text,
                None if starts_on is None else starts_on.isoformat(),
                recurrence,
                None if issued_on is None else issued_on.isoformat(),
                issued_year,
                horizon_year,
                [[*o.period, o.due_on.isoformat()] for o in past],
            ]
        )
    tomorrow = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    cutoff = timezone.make_aware(tomorrow, ZoneInfo(settings.TIME_ZONE))
    return {"day": day.isoformat(), "cutoff": cutoff.isoformat(), "groups": groups}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.steps")
    parser.add_argument(
        "step",
        choices=["setup", "scan", "queries", "celery-scan", "recurring-overdue", "open-due"],
    )
    parser.add_argument("--unit", type=int, default=0)
    parser.add_argument("--review-all-unit", type=int, default=0)
    parser.add_argument("--monitor-unit", type=int, default=0)
    parser.add_argument("--day", type=dt.date.fromisoformat)
    parser.add_argument("--after", type=dt.date.fromisoformat)
    args = parser.parse_args(argv)
    _django()
    if args.step == "setup":
        units = {"officer": args.unit, "reviewer": args.review_all_unit}
        result = setup({**units, "monitor": args.monitor_unit})
    elif args.step == "scan":
        result = scan(args.day)
    elif args.step == "queries":
        result = queries(args.unit)
    elif args.step == "celery-scan":
        result = celery_scan(args.after)
    elif args.step == "open-due":
        result = open_due()
    else:
        result = recurring_overdue(args.day)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
