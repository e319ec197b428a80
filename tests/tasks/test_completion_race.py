"""Two approvals of one collective task at the same moment: its stored completion ends up
right. A module of its own: the concurrent transactions need real commits, which the seed
fixture's module-wide transaction in test_completion.py would hold back."""

import datetime as dt

import pytest

from accounts.models import Unit, User
from tasks.models import TaskTrack
from tasks.services import report_approve, report_save_draft, report_submit, task_upsert

TODAY = dt.date(2026, 11, 22)


def completion(task):
    task.refresh_from_db()
    return task.completed_on, task.first_completed_on


@pytest.mark.django_db(transaction=True)
def test_two_leaders_approving_the_last_two_tracks_at_once_complete_the_task():
    # Two provinces of a collective task finish on the same afternoon and their leaders
    # approve at the same moment. The second approval must see the first's track when it
    # recomputes the task's completion, or the task would stay open in every list until the
    # nightly repair. The second is held until the first commits (the task's row lock).
    import threading

    from django.db import connection, transaction

    from accounts.choices import Role, UnitKind
    from accounts.models import Membership
    from accounts.selectors import group_members
    from documents.models import Document

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions")
    units = [
        Unit.objects.create(key=f"tinh-{n}", name=f"Tỉnh ủy {n}", name_key=f"tinh uy {n}",
                            kind=UnitKind.PROVINCIAL_PARTY)
        for n in ("A", "B")
    ]  # fmt: skip
    region = Unit.objects.create(
        key="vung", name="Tỉnh ủy các tỉnh trong vùng", name_key="vung", kind=UnitKind.GROUP
    )
    region.members.set(units)
    document = Document.objects.create(
        slug="kh-vung", kind="KH", title="Kế hoạch vùng", issuer=region, issued_year=2026
    )
    task, _ = task_upsert(
        document=document,
        ref="1",
        title="Việc chung",
        deadline_text="Quý IV/2026",
        leads=[(region, region.name)],
        members=group_members(),
    )
    reports, leaders = [], []
    for unit, day in zip(units, (dt.date(2026, 11, 18), dt.date(2026, 11, 20)), strict=True):
        officer = User.objects.create_user(f"cb-{unit.key}", password="x-123456789")
        leader = User.objects.create_user(f"ld-{unit.key}", password="x-123456789")
        Membership.objects.create(user=officer, unit=unit, role=Role.OFFICER)
        Membership.objects.create(user=leader, unit=unit, role=Role.LEADER)
        track = TaskTrack.objects.get(task=task, unit=unit)
        report = report_save_draft(
            track=track, user=officer, year=2026, quarter=4, percent=100,
            narrative="Xong.", completed_on=day, today=TODAY,
        )  # fmt: skip
        reports.append(report_submit(report_id=report.pk, user=officer, version=report.version))
        leaders.append(leader)

    first_approved, release, errors = threading.Event(), threading.Event(), []

    def approve_first() -> None:
        try:
            with transaction.atomic():
                report_approve(report_id=reports[0].pk, user=leaders[0], version=reports[0].version)
                first_approved.set()
                release.wait(20)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    def approve_second() -> None:
        try:
            report_approve(report_id=reports[1].pk, user=leaders[1], version=reports[1].version)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=approve_first)
    first.start()
    assert first_approved.wait(20), errors
    second = threading.Thread(target=approve_second)
    second.start()
    waiting = 0
    for _ in range(100):  # until the second approval waits for a lock the first holds
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            waiting = cursor.fetchone()[0]
        if waiting:
            break
        threading.Event().wait(0.05)
    release.set()
    first.join(20)
    second.join(20)
    assert not errors, errors
    assert waiting, "the second approval never waited for the first"
    assert completion(task) == (dt.date(2026, 11, 20), dt.date(2026, 11, 18))
