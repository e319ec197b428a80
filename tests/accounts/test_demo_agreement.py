"""Every demo user is walked through the pages, the API and the reminders of the seeded
portal, and the task sets must agree: one access rule, one answer everywhere (December 2026,
after the 2025 reorganisation)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.access import access_for, assigned_tasks, visible_tasks
from accounts.models import User
from notifications.services import reminder_plan
from portal.seed import DEMO_ACCOUNTS
from tasks.models import Task, TaskTrack

USERNAMES = [spec["username"] for spec in DEMO_ACCOUNTS]


def _api_ids(client: APIClient, **params: str) -> set[int]:
    ids: set[int] = set()
    page = 1
    while True:
        response = client.get("/api/v1/tasks/", {**params, "page_size": 200, "page": page})
        assert response.status_code == 200, response.content[:300]
        data = response.json()
        ids |= {row["id"] for row in data["results"]}
        if not data.get("next"):
            return ids
        page += 1


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize("username", USERNAMES)
def test_pages_api_and_reminders_agree(seeded, client, username):
    user = User.objects.get(username=username)
    today = timezone.localdate()
    visible = set(visible_tasks(user).values_list("pk", flat=True))
    api = _client(user)

    # the API lists exactly what the user may see, and its overdue list matches its summary
    assert _api_ids(api) == visible
    overdue = _api_ids(api, overdue="true")
    summary = api.get("/api/v1/overdue/summary/").json()
    assert summary["total"] == len(overdue)

    # "Việc của tôi" lists the user's own tasks, all visible, overdue ones counted alike
    mine = set(assigned_tasks(user).values_list("pk", flat=True))
    assert mine <= visible
    client.force_login(user)
    page = client.get("/viec-cua-toi/", {"status": "overdue"})
    assert page.status_code == 200
    mine_overdue = _api_ids(api, overdue="true") & mine
    assert page.context["page"].paginator.count == len(mine_overdue)

    # the reviewer's overdue review counts what the API calls overdue
    access = access_for(user)
    if access.is_reviewer:
        review = client.get("/ra-soat-qua-han/")
        assert review.status_code == 200
        assert review.context["total"] == len(overdue)

    # nobody is reminded of a task that is a 404 for them; officers only of tracks they act for
    days = [today + dt.timedelta(days=n) for n in range(0, 100, 3)]
    for day in days:
        for planned in reminder_plan(day):
            if planned.recipient.pk != user.pk or planned.task_id is None:
                continue
            assert planned.task_id in visible, (username, planned.describe())
            if planned.track_id is not None and planned.kind != "coordinate":
                track = TaskTrack.objects.get(pk=planned.track_id)
                assert user.has_perm("tasks.write_report", track), planned.describe()


def test_the_successors_people_answer_for_the_old_units_work(seeded):
    """Bộ Tài chính for Bộ Kế hoạch và Đầu tư; Thái Nguyên for Bắc Kạn's plan; the central
    reviewer under its 2025 name for the whole country."""
    finance = User.objects.get(username="bkhdt.canbo")
    mpi_tracks = TaskTrack.objects.filter(unit__key="bo-ke-hoach-va-dau-tu")
    assert mpi_tracks.exists()
    for track in mpi_tracks:
        assert finance.has_perm("tasks.write_report", track)
        assert track.unit.name == "Bộ Kế hoạch và Đầu tư"  # history keeps the old name
    thai_nguyen = User.objects.get(username="thainguyen.canbo")
    # Ban cán sự đảng UBND tỉnh Bắc Kạn → Đảng ủy UBND tỉnh Bắc Kạn → ... Thái Nguyên
    bac_kan_tracks = TaskTrack.objects.filter(
        task__document__slug="kh-72-kl-tw-bac-kan", unit__key="bcsd-ubnd-bac-kan"
    )
    assert bac_kan_tracks.exists()
    visible = set(visible_tasks(thai_nguyen).values_list("pk", flat=True))
    mine = set(assigned_tasks(thai_nguyen).values_list("pk", flat=True))
    for track in bac_kan_tracks:
        assert track.task_id in visible and track.task_id in mine
        assert thai_nguyen.has_perm("tasks.write_report", track)
    reviewer = User.objects.get(username="bktw.rasoat")
    assert visible_tasks(reviewer).count() == Task.objects.count()
