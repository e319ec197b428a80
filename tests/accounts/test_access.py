"""The access module: who acts for which unit, and who reviews which document.

The pure part is table tested without a database; the querysets with factories; the seeded
portal's demo users in tests/accounts/test_demo_agreement.py.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.access import (
    Edge,
    Successions,
    access_for,
    assigned_tasks,
    compute_access,
    current_names,
    units_answered_by,
    visible_reports,
    visible_tasks,
)
from accounts.choices import Role
from tests.factories import (
    DocumentFactory,
    SuccessionFactory,
    UnitFactory,
    UserFactory,
    make_task,
)

D = dt.date
# Unit ids of a small world: 1 Bộ KH&ĐT → 2 Bộ Tài chính (01/03/2025); 3 BCSĐ UBND Bắc Kạn →
# 4 Đảng ủy UBND Bắc Kạn (01/02/2025) → 5 Đảng ủy UBND Thái Nguyên (01/07/2025); 6 a huyện ủy
# abolished (01/07/2025); 7 a department split into 8 and 9 (01/07/2025); 10 untouched.
EDGES = [
    Edge(1, 2, D(2025, 3, 1)),
    Edge(3, 4, D(2025, 2, 1)),
    Edge(4, 5, D(2025, 7, 1)),
    Edge(6, None, D(2025, 7, 1)),
    Edge(7, 8, D(2025, 7, 1)),
    Edge(7, 9, D(2025, 7, 1)),
]
GRAPH = Successions(EDGES)


@pytest.mark.parametrize(
    ("units", "day", "expected"),
    [
        ({2}, D(2025, 2, 28), {2}),  # the day before the merger: its own work only
        ({2}, D(2025, 3, 1), {1, 2}),  # on the day
        ({2}, D(2026, 12, 2), {1, 2}),  # and after
        ({5}, D(2025, 6, 30), {5}),
        ({5}, D(2025, 7, 1), {3, 4, 5}),  # a chain of successions, transitively
        ({4}, D(2025, 3, 1), {3, 4}),  # the middle of the chain, between its dates
        ({4}, D(2025, 8, 1), {3, 4}),  # still acts for what it inherited (people not moved)
        ({8}, D(2026, 1, 1), {8}),  # a split: no successor takes the whole
        ({9}, D(2026, 1, 1), {9}),
        ({1}, D(2026, 1, 1), {1}),  # a predecessor does not act for its successor
        ({10}, D(2026, 1, 1), {10}),
        (set(), D(2026, 1, 1), set()),
    ],
)
def test_inherited(units, day, expected):
    assert GRAPH.inherited(units, day) == frozenset(expected)


@pytest.mark.parametrize(
    ("unit", "day", "current", "ended"),
    [
        (1, D(2025, 2, 28), 1, False),
        (1, D(2025, 3, 1), 2, True),
        (3, D(2025, 3, 1), 4, True),
        (3, D(2025, 7, 1), 5, True),
        (6, D(2025, 6, 30), 6, False),
        (6, D(2025, 7, 1), None, True),  # abolished: a person picks per track
        (7, D(2025, 7, 1), None, True),  # split: likewise
        (10, D(2026, 1, 1), 10, False),
    ],
)
def test_current_unit(unit, day, current, ended):
    assert GRAPH.current(unit, day) == current
    assert GRAPH.has_ended(unit, day) is ended


def test_a_cycle_in_bad_data_does_not_hang():
    graph = Successions([Edge(1, 2, D(2025, 1, 1)), Edge(2, 1, D(2025, 1, 1))])
    assert graph.inherited({1}, D(2026, 1, 1)) == {1, 2}
    assert graph.answering(1, D(2026, 1, 1)) == [1, 2]


@given(
    edges=st.lists(
        st.tuples(
            st.integers(1, 6),
            st.one_of(st.none(), st.integers(1, 6)),
            st.dates(D(2024, 1, 1), D(2026, 1, 1)),
        ),
        max_size=8,
    ),
    day=st.dates(D(2023, 6, 1), D(2026, 6, 1)),
)
def test_answering_is_the_inverse_of_inherited(edges, day):
    """Reminders go to ``answering`` units, pages show ``inherited`` work: one rule."""
    graph = Successions(Edge(p, s, d) for p, s, d in edges if p != s)
    for unit in range(1, 7):
        for member in range(1, 7):
            assert (member in graph.answering(unit, day)) == (
                unit in graph.inherited({member}, day)
            )


def test_compute_access_roles_groups_and_reviewing():
    access = compute_access(
        user_id=1,
        day=D(2026, 12, 2),
        memberships=[(2, Role.OFFICER), (5, Role.LEADER), (11, Role.REVIEWER)],
        successions=Successions([*EDGES, Edge(12, 11, D(2025, 1, 24))]),
        reviews_all_units=[12],  # Ban Kinh tế TW reviews all; 11 succeeds it
        groups_of={1: [20], 4: [21], 10: [22]},
        monitors={11: [100]},
    )
    assert access.acting == {1, 2, 3, 4, 5}
    assert access.leading == {3, 4, 5}
    assert access.units(Role.OFFICER) == {1, 2}
    assert access.groups == {20, 21}
    assert access.reviews_all and access.sees_everything
    assert access.reviews_document(999)
    assert access.acts_for(1) and not access.acts_for(10)


def test_a_reviewer_reviews_what_its_predecessor_monitored():
    before = compute_access(
        user_id=1,
        day=D(2025, 2, 28),
        memberships=[(2, Role.REVIEWER)],
        successions=GRAPH,
        monitors={1: [100], 2: [200]},
    )
    after = compute_access(
        user_id=1,
        day=D(2025, 3, 1),
        memberships=[(2, Role.REVIEWER)],
        successions=GRAPH,
        monitors={1: [100], 2: [200]},
    )
    assert before.monitored_documents == {200}
    assert after.monitored_documents == {100, 200}
    assert not after.reviews_document(300) and after.is_reviewer and not after.acting


def test_the_access_key_changes_with_the_access():
    common = {"user_id": 1, "day": D(2026, 1, 1), "successions": GRAPH}
    one = compute_access(memberships=[(2, Role.OFFICER)], **common)
    same = compute_access(memberships=[(2, Role.OFFICER)], **common)
    other = compute_access(memberships=[(2, Role.LEADER)], **common)
    assert one.key == same.key != other.key


# --------------------------------------------------------------------------- database


@pytest.fixture
def merger(db):
    """Bộ Kế hoạch và Đầu tư merged into Bộ Tài chính on 01/03/2025; a district committee
    abolished on 01/07/2025; a task of each, with an officer at the successor."""
    old = UnitFactory(name="Bộ Kế hoạch và Đầu tư")
    new = UnitFactory(name="Bộ Tài chính")
    district = UnitFactory(name="Huyện ủy Thử")
    commune = UnitFactory(name="Đảng ủy xã Thử")
    SuccessionFactory(predecessor=old, successor=new, effective_on=D(2025, 3, 1))
    SuccessionFactory(predecessor=district, successor=None, effective_on=D(2025, 7, 1))
    document = DocumentFactory()
    led = make_task(document, "1", leads=[old])
    district_task = make_task(document, "2", leads=[district])
    child = make_task(document, "1.a", leads=[UnitFactory()], parent=led)
    officer = UserFactory(roles=[(new, Role.OFFICER)])
    commune_officer = UserFactory(roles=[(commune, Role.OFFICER)])
    return locals()


def test_the_successor_sees_and_acts_for_the_predecessors_tasks(merger, time_machine):
    officer, led = merger["officer"], merger["led"]
    time_machine.move_to(dt.datetime(2025, 2, 28, 12, tzinfo=dt.UTC))
    assert not visible_tasks(officer).filter(pk=led.pk).exists()
    officer = type(officer).objects.get(pk=officer.pk)
    time_machine.move_to(dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC))
    assert visible_tasks(officer).filter(pk=led.pk).exists()
    assert assigned_tasks(officer, "lead").filter(pk=led.pk).exists()
    track = led.tracks.get()
    assert officer.has_perm("tasks.write_report", track)
    assert track.unit == merger["old"]  # history keeps the unit assigned
    assert current_names([merger["old"].pk]) == {merger["old"].pk: "Bộ Tài chính"}


def test_the_task_page_lists_only_visible_downstream_tasks(merger):
    """A province's task that implements a ministry's is not the ministry's to see (the
    province sees upwards, not the other way round); sub-tasks of a visible task are."""
    from tasks.selectors import task_children_visible, task_downstream_visible

    officer, led = merger["officer"], merger["led"]
    province = UnitFactory(name="Ủy ban nhân dân tỉnh Thử")
    downstream = make_task(DocumentFactory(), "5", leads=[province], implements=led)
    assert downstream not in task_downstream_visible(officer, led)
    province_officer = UserFactory(roles=[(province, Role.OFFICER)])
    assert led in visible_tasks(province_officer)  # what theirs serves
    assert downstream in task_downstream_visible(province_officer, led)
    assert merger["child"] in task_children_visible(officer, led)


def test_an_abolished_units_track_waits_for_a_person_then_goes_to_the_unit_picked(merger):
    from tasks.services import track_hand_over

    task, commune, commune_officer = (
        merger["district_task"],
        merger["commune"],
        merger["commune_officer"],
    )
    track = task.tracks.get()
    assert current_names([merger["district"].pk]) == {merger["district"].pk: ""}
    assert not visible_tasks(commune_officer).filter(pk=task.pk).exists()
    admin = UserFactory(is_superuser=True)
    track_hand_over(track=track, unit=commune, user=admin, today=D(2026, 12, 2))
    commune_officer = type(commune_officer).objects.get(pk=commune_officer.pk)
    assert visible_tasks(commune_officer).filter(pk=task.pk).exists()
    assert assigned_tasks(commune_officer).filter(pk=task.pk).exists()
    track.refresh_from_db()
    assert commune_officer.has_perm("tasks.write_report", track)
    assert track.unit == merger["district"] and track.handed_to == commune


def test_only_an_administrator_or_reviewer_hands_a_track_on(merger):
    from tasks.services import NotAllowed, track_hand_over

    track = merger["district_task"].tracks.get()
    with pytest.raises(NotAllowed):
        track_hand_over(
            track=track,
            unit=merger["commune"],
            user=merger["commune_officer"],
            today=D(2026, 12, 2),
        )


def test_a_reviewer_through_succession_sees_what_the_old_body_monitored(db):
    old = UnitFactory(name="Ban Kinh tế Trung ương", reviews_all=True)
    new = UnitFactory(name="Ban Chính sách, chiến lược Trung ương")
    SuccessionFactory(predecessor=old, successor=new, effective_on=D(2025, 1, 24))
    reviewer = UserFactory(roles=[(new, Role.REVIEWER)])
    task = make_task(DocumentFactory(), "1", leads=[UnitFactory()])
    assert visible_tasks(reviewer).filter(pk=task.pk).exists()
    assert access_for(reviewer).sees_everything


def test_a_draft_stays_with_the_unit_answering_for_it(merger):
    from tasks.services import report_save_draft

    track = merger["led"].tracks.get()
    report = report_save_draft(
        track=track,
        user=merger["officer"],
        year=2026,
        quarter=4,
        percent=10,
        narrative="Đang thực hiện.",
        completed_on=None,
        today=D(2026, 12, 2),
    )
    assert visible_reports(merger["officer"]).filter(pk=report.pk).exists()
    outsider = UserFactory(roles=[(UnitFactory(), Role.OFFICER)])
    assert not visible_reports(outsider).filter(pk=report.pk).exists()


def test_a_filter_by_the_successor_finds_the_predecessors_tasks(merger):
    assert units_answered_by([merger["new"].pk]) == {merger["new"].pk, merger["old"].pk}


def test_nobody_outside_accounts_asks_memberships_directly():
    """One rule in one place: the access module is the only reader of memberships."""
    root = Path(__file__).resolve().parents[2]
    found = subprocess.run(
        ["git", "grep", "-l", "Membership.objects", "--", "*.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    outside = [
        f
        for f in found
        if not f.startswith(("accounts/", "tests/", "bench/")) and "/migrations/" not in f
    ]
    assert outside == []


def test_the_task_page_offers_the_hand_over_to_a_reviewer_and_applies_it(merger, client):
    from accounts.models import Unit

    district = merger["district"]
    province = UnitFactory(name="Tỉnh Thử", kind="province")
    Unit.objects.filter(pk__in=[district.pk, merger["commune"].pk]).update(province=province)
    task = merger["district_task"]
    track = task.tracks.get()
    reviewer = UserFactory(roles=[(UnitFactory(reviews_all=True), Role.REVIEWER)])
    client.force_login(reviewer)
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "(chưa có đơn vị tiếp nhận)" in page and "Chuyển giao" in page
    assert "Đảng ủy xã Thử" in page  # a unit of the same province is offered
    client.force_login(merger["officer"])  # the officer of another unit: no form, 404 task
    assert client.get(f"/nhiem-vu/{task.pk}/").status_code == 404
    client.force_login(reviewer)
    response = client.post(
        f"/nhiem-vu/{task.pk}/phan-viec/{track.pk}/chuyen-giao/",
        {f"h{track.pk}-unit": merger["commune"].pk},
    )
    assert response.status_code == 302
    track.refresh_from_db()
    assert track.handed_to == merger["commune"] and track.unit == district
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "(nay giao cho Đảng ủy xã Thử)" in page and "Chuyển giao</button>" not in page
