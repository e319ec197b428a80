"""Steps of the bench that need Django, run by ``bench.run`` in a subprocess whose environment
points DATABASE_URL at the bench database. Each step prints one JSON object on its last line.

    python -m bench.steps setup --unit 6 --reviewer-unit 10
    python -m bench.steps scan --day 2026-12-15
    python -m bench.steps queries --unit 6
    python -m bench.steps celery-scan --day 2026-11-23
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from typing import Any

BENCH_USER = "bench_officer"
BENCH_PASSWORD = "Bench-mat-khau-2025!"  # noqa: S105  (a throwaway account in a throwaway DB)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def setup(unit: int, reviewer_unit: int) -> dict[str, Any]:
    """The bench user: officer of the busy unit, reviewer at a monitoring body; an API token."""
    from accounts.models import Membership, Unit, User
    from accounts.services import api_token_create

    user = User.objects.create_user(BENCH_USER, password=BENCH_PASSWORD, full_name="Bench")
    Membership.objects.create(user=user, unit=Unit.objects.get(pk=unit), role="officer")
    Membership.objects.create(user=user, unit=Unit.objects.get(pk=reviewer_unit), role="reviewer")
    _, raw = api_token_create(user=user, name="bench")
    return {"user_id": user.pk, "username": BENCH_USER, "password": BENCH_PASSWORD, "token": raw}


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
    """Queries per request of the list endpoints at two page sizes (constant is the goal)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    user = User.objects.get(username=BENCH_USER)
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    out: dict[str, Any] = {}
    urls = {
        "api_tasks": "/api/v1/tasks/?lead_unit={unit}&status=overdue&page_size={n}",
        "my_tasks": "/viec-cua-toi/?page_size={n}",
        "overdue_review": "/ra-soat-qua-han/?n={n}",
    }
    for name, url in urls.items():
        counts = {}
        for n in (10, 50):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url.format(unit=unit, n=n), secure=True)
            counts[f"page_size_{n}"] = len(ctx.captured_queries)
            counts[f"status_{n}"] = response.status_code
        out[name] = counts
    return out


def celery_scan(day: dt.date) -> dict[str, Any]:
    """Queue one scan for the Celery worker (the broker is CELERY_BROKER_URL)."""
    from notifications.tasks import reminder_scan_task

    reminder_scan_task.delay(day.isoformat())
    return {"queued_for": day.isoformat()}


def celery_idle(day: dt.date) -> dict[str, Any]:
    """Rows of ``day`` still waiting for the worker (pending or being sent)."""
    from notifications.models import Reminder

    rows = Reminder.objects.filter(scan_date=day)
    return {
        "total": rows.count(),
        "waiting": rows.filter(status__in=("pending", "sending")).count(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.steps")
    parser.add_argument("step", choices=["setup", "scan", "queries", "celery-scan", "celery-idle"])
    parser.add_argument("--unit", type=int, default=0)
    parser.add_argument("--reviewer-unit", type=int, default=0)
    parser.add_argument("--day", type=dt.date.fromisoformat)
    args = parser.parse_args(argv)
    _django()
    if args.step == "setup":
        result = setup(args.unit, args.reviewer_unit)
    elif args.step == "scan":
        result = scan(args.day)
    elif args.step == "queries":
        result = queries(args.unit)
    elif args.step == "celery-scan":
        result = celery_scan(args.day)
    else:
        result = celery_idle(args.day)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
