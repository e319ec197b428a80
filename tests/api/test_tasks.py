"""The task, document, unit, indicator and summary read endpoints."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Unit, User
from documents.models import Document
from tasks.models import Task
from tasks.services import task_upsert
from tests.api.conftest import bac_kan_task

pytestmark = pytest.mark.django_db
NOON_2026_11_22 = dt.datetime(2026, 11, 22, 5, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _on_2026_11_22():  # type: ignore[no-untyped-def]
    """Statuses are judged on 22/11/2026 (noon in Hà Nội), whatever day the suite runs."""
    with time_machine.travel(NOON_2026_11_22):
        yield


def results(response) -> list[dict]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return response.json()["results"]


def refs(response) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(row["document"]["slug"], row["ref"]) for row in results(response)}


def test_the_written_out_shape_is_the_declared_one(seeded):
    # TaskSerializer writes its rows out by hand for speed; DRF's generic walk over the
    # declared fields (which make the OpenAPI schema) must give the same JSON for every
    # seeded task: collective tracks, recurring, event, unknown and unassigned ones.
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer

    from tasks.api.serializers import TaskSerializer
    from tasks.selectors import task_list_related
    from tasks.services import task_completion_refresh

    track = Task.objects.get(document__slug="kh-11-nq-tw", ref="II.7").tracks.first()
    track.completed_on, track.percent = dt.date(2023, 5, 2), 100
    track.save()
    task_completion_refresh(task_ids=[track.task_id])
    tasks = list(task_list_related(Task.objects.all()))
    assert len(tasks) > 50
    fast = TaskSerializer(tasks, many=True, context={"today": dt.date(2026, 11, 22)})
    generic = TaskSerializer(context={"today": dt.date(2026, 11, 22)})
    walked = [serializers.Serializer.to_representation(generic, task) for task in tasks]
    assert JSONRenderer().render(fast.data) == JSONRenderer().render(walked)


def test_task_shape(api):
    client = api("bktw.rasoat")
    task = Task.objects.get(document__slug="kh-11-nq-tw", ref="II.1")
    data = client.get(f"/api/v1/tasks/{task.pk}/").json()
    assert set(data) == {
        "id",
        "document",
        "ref",
        "title",
        "parent_id",
        "implements_id",
        "lead_units",
        "coordinating_units",
        "deadline",
        "due_on",
        "due_basis",
        "original_due_on",
        "extended_due_on",
        "status",
        "days_overdue",
        "tracks",
        "occurrences",
        "completed_on",
    }
    assert data["document"]["slug"] == "kh-11-nq-tw"
    assert set(data["document"]) == {"id", "number", "slug", "title"}
    assert data["deadline"]["kind"] == "date"
    assert data["deadline"]["due_on"] == "2022-04-30"
    assert data["deadline"]["text"] == "Hoàn thành trong tháng 4 năm 2022"
    assert set(data["deadline"]) == {
        "text",
        "kind",
        "due_on",
        "starts_on",
        "recurrence",
        "normalized",
        "note",
        "event_on",
        "event_due_on",
    }
    assert data["status"] == "overdue"
    assert data["days_overdue"] == (dt.date(2026, 11, 22) - dt.date(2022, 4, 30)).days
    assert data["lead_units"] and set(data["lead_units"][0]) == {"id", "name"}
    assert [t["status"] for t in data["tracks"]] == ["overdue"]
    assert set(data["tracks"][0]) == {"id", "unit", "percent", "completed_on", "status"}


def test_lists_never_show_another_provinces_tasks(api):
    client = api("laichau.canbo")
    seen = refs(client.get("/api/v1/tasks/?page_size=200"))
    assert ("26-ctr-tu", "STT 5") in seen
    assert ("kh-11-nq-tw", "II.3") in seen  # the central task row 5 implements
    assert not any(slug == "kh-72-kl-tw-bac-kan" for slug, _ in seen)
    # Not even when asked for by document or by Bắc Kạn's province.
    bac_kan = Document.objects.get(slug="kh-72-kl-tw-bac-kan")
    assert results(client.get("/api/v1/tasks/?document=kh-72-kl-tw-bac-kan")) == []
    assert results(client.get(f"/api/v1/tasks/?document={bac_kan.pk}")) == []
    assert results(client.get(f"/api/v1/tasks/?province={bac_kan.province_id}")) == []
    assert results(client.get("/api/v1/tasks/?overdue=true&page_size=200")) != []
    assert not any(
        slug == "kh-72-kl-tw-bac-kan"
        for slug, _ in refs(client.get("/api/v1/tasks/?overdue=true&page_size=200"))
    )


def test_filtering_by_a_lead_unit_shows_only_visible_tasks_with_or_without_the_scope(api):
    # given an officer of Lai Châu's people's committee
    from accounts.access import access_for, visible_tasks
    from tasks.filters import TaskFilter

    officer = User.objects.get(username="laichau.canbo")
    own = Unit.objects.get(key="bcsd-ubnd-lai-chau")
    assert own.pk in access_for(officer).acting
    client = api("laichau.canbo")
    # when the list is filtered by the officer's own unit (no visibility condition needed)
    led = client.get(f"/api/v1/tasks/?lead_unit={own.pk}&page_size=200")
    # then it is exactly what the same filter leaves of the visible tasks
    scoped = TaskFilter({"lead_unit": own.pk}, queryset=visible_tasks(officer)).qs
    assert {row["id"] for row in results(led)} == set(scoped.values_list("pk", flat=True))
    assert results(led)
    # and filtering by another province's unit still shows nothing of it
    bac_kan = Unit.objects.get(key="bcsd-ubnd-bac-kan")
    assert results(client.get(f"/api/v1/tasks/?lead_unit={bac_kan.pk}")) == []


def test_a_task_of_another_unit_is_404_in_the_error_format(api):
    response = api("laichau.canbo").get(f"/api/v1/tasks/{bac_kan_task().pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    # The reviewer at Ban Kinh tế Trung ương sees it.
    assert api("bktw.rasoat").get(f"/api/v1/tasks/{bac_kan_task().pk}/").status_code == 200


def test_page_size_is_capped_and_a_page_past_the_end_is_404(api):
    client = api("bktw.rasoat")
    response = client.get("/api/v1/tasks/?page_size=1000000")
    assert response.status_code == 200
    assert response.json()["count"] == Task.objects.count()
    assert len(response.json()["results"]) <= 200
    response = client.get("/api/v1/units/?page_size=1000000")
    assert len(response.json()["results"]) <= 200
    response = client.get("/api/v1/tasks/?page=9000000")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_the_page_and_its_count_come_in_one_query(api):
    # The task list reads the count with the page (COUNT(*) OVER ()): the same count and the
    # same rows as counting apart, page after page; an empty list counts 0; page 0 or "x"
    # is a 404 like a page past the end.
    client = api("bktw.rasoat")
    total = Task.objects.count()
    seen = []
    for number in range(1, total // 40 + 2):
        body = client.get(f"/api/v1/tasks/?page_size=40&page={number}").json()
        assert body["count"] == total
        seen += [row["id"] for row in body["results"]]
    assert sorted(seen) == sorted(Task.objects.values_list("pk", flat=True))
    empty = client.get("/api/v1/tasks/?q=khongcoviecnaonhuthe")
    assert empty.status_code == 200 and empty.json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    for page in ("0", "x", str(total), "²", "9" * 30):
        assert client.get(f"/api/v1/tasks/?page={page}").status_code == 404, page
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/tasks/?page_size=10")
    assert not any("COUNT(*) AS" in q["sql"] for q in ctx.captured_queries)


def test_a_document_filter_of_odd_digits_finds_nothing_instead_of_failing(api):
    # "²" is a digit to str.isdigit() but not a number (found by schemathesis).
    for value in ("²", "١٢", "99999999999999999999999"):
        response = api("laichau.canbo").get("/api/v1/tasks/", {"document": value})
        assert response.status_code == 200 and response.json()["count"] == 0, value


def test_bad_filter_values_are_a_400_in_the_error_format(api):
    client = api("laichau.canbo")
    for query in ("due_before=31/02/2026", "due_after=2026-13-01", "status=late", "lead_unit=x"):
        response = client.get(f"/api/v1/tasks/?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"]["fields"], query


@pytest.mark.parametrize(
    ("query", "expected"),
    [("quy hoach", "quy hoạch"), ("DE AN", "đề án"), ("Quy Hoạch", "quy hoạch")],
)
def test_search_ignores_accents_and_case(api, query, expected):
    rows = results(api("bktw.rasoat").get("/api/v1/tasks/", {"q": query, "page_size": 200}))
    assert rows
    assert all(expected in row["title"].lower() for row in rows)


def test_overdue_filter_finds_the_missed_central_task(api):
    rows = results(api("bktw.rasoat").get("/api/v1/tasks/?overdue=true&page_size=200"))
    not_overdue = refs(api("bktw.rasoat").get("/api/v1/tasks/?overdue=false&page_size=200"))
    found = {(row["document"]["slug"], row["ref"]) for row in rows}
    assert ("kh-11-nq-tw", "II.1") in found
    assert all(row["status"] == "overdue" for row in rows)
    assert ("kh-11-nq-tw", "II.1") not in not_overdue
    assert len(found) + len(not_overdue) == Task.objects.count()


def test_status_filter_agrees_with_the_status_shown(api):
    client = api("bktw.rasoat")
    every = results(client.get("/api/v1/tasks/?page_size=200"))
    shown = {row["id"]: row["status"] for row in every}
    for status in set(shown.values()) | {"done_late", "awaiting_event"}:
        rows = results(client.get(f"/api/v1/tasks/?status={status}&page_size=200"))
        assert {row["id"] for row in rows} == {pk for pk, s in shown.items() if s == status}


def test_other_filters(api):
    client = api("bktw.rasoat")
    lai_chau = Unit.objects.get(key="bcsd-ubnd-lai-chau")
    led = results(client.get(f"/api/v1/tasks/?lead_unit={lai_chau.pk}&page_size=200"))
    assert led
    assert all(lai_chau.pk in {u["id"] for u in row["lead_units"]} for row in led)
    coordinated = results(client.get(f"/api/v1/tasks/?coordinating_unit={lai_chau.pk}"))
    assert all(lai_chau.pk in {u["id"] for u in row["coordinating_units"]} for row in coordinated)
    by_slug = results(client.get("/api/v1/tasks/?document=26-ctr-tu&page_size=200"))
    assert by_slug and {row["document"]["slug"] for row in by_slug} == {"26-ctr-tu"}
    dated = results(
        client.get("/api/v1/tasks/?due_after=2022-01-01&due_before=2022-12-31&page_size=200")
    )
    assert dated
    assert all("2022-01-01" <= row["deadline"]["due_on"] <= "2022-12-31" for row in dated)
    province = Document.objects.get(slug="26-ctr-tu").province_id
    in_province = refs(client.get(f"/api/v1/tasks/?province={province}&page_size=200"))
    assert ("26-ctr-tu", "STT 5") in in_province
    assert not any(slug == "kh-72-kl-tw-bac-kan" for slug, _ in in_province)


def test_ordering_by_due_date_keeps_undated_tasks_last(api):
    client = api("bktw.rasoat")
    for ordering, reverse in (("due_on", False), ("-due_on", True), ("", False)):
        rows = results(client.get(f"/api/v1/tasks/?ordering={ordering}&page_size=200"))
        dues = [row["deadline"]["due_on"] for row in rows]
        dated = [d for d in dues if d is not None]
        assert dues == dated + [None] * (len(dues) - len(dated)), ordering
        assert dated == sorted(dated, reverse=reverse), ordering


def _add_tasks(count: int, start: int = 0) -> None:
    document = Document.objects.get(slug="26-ctr-tu")
    lead = Unit.objects.get(key="bcsd-ubnd-lai-chau")
    helper = Unit.objects.get(key="thanh-uy-lai-chau")
    for i in range(start, start + count):
        task_upsert(
            document=document,
            ref=f"THU {i}",
            title=f"Nhiệm vụ đếm truy vấn số {i}",
            deadline_text="Hoàn thành trong quý II năm 2022" if i % 2 else "Hằng năm",
            leads=[(lead, lead.name)],
            coordinators=[(helper, helper.name)],
        )


def _queries(client, url: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.json()["results"])


@pytest.mark.parametrize("username", ["laichau.canbo", "bktw.rasoat"])
def test_task_list_query_count_does_not_grow_with_rows(
    api, username, django_assert_num_queries, django_assert_max_num_queries
):
    client = api(username)
    url = "/api/v1/tasks/?q=dem truy van&page_size=200"
    status_url = url + "&status=overdue&status=not_due&status=in_progress"
    _add_tasks(5)
    few, rows = _queries(client, url)
    assert rows == 5
    few_by_status, rows = _queries(client, status_url)
    assert rows == 5
    _add_tasks(45, start=5)
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.json()["results"]) == 50
    # Filtering by status loads the recurring rows once more, whatever their number.
    with django_assert_num_queries(few_by_status):
        response = client.get(status_url)
    assert len(response.json()["results"]) == 50
    # The caller's memberships, the succession records and the units' groups are read first
    # (accounts.access: so the scope filters by id lists).
    with django_assert_max_num_queries(13):
        client.get(url)


def test_overdue_summary(api):
    data = api("laichau.canbo").get("/api/v1/overdue/summary/").json()
    overdue = results(api("laichau.canbo").get("/api/v1/tasks/?overdue=true&page_size=200"))
    assert data["today"] == "2026-11-22"
    assert data["total"] == len(overdue) > 0
    assert sum(data["by_age"].values()) == data["total"]
    assert set(data["by_age"]) == {"1-30", "31-90", ">90"}
    assert sum(row["count"] for row in data["by_document"]) == data["total"]
    assert "kh-72-kl-tw-bac-kan" not in {row["name"] for row in data["by_document"]}
    expected_over_90 = sum(1 for row in overdue if row["days_overdue"] > 90)
    assert data["by_age"][">90"] == expected_over_90


def test_documents(api):
    client = api("laichau.canbo")
    rows = results(client.get("/api/v1/documents/?page_size=200"))
    assert len(rows) == Document.objects.count()  # every document is visible
    programme = Document.objects.get(slug="26-ctr-tu")
    data = client.get(f"/api/v1/documents/{programme.pk}/").json()
    assert data["number"] == "26-CTr/TU"
    above = {d["slug"] for d in data["above"]}
    assert "11-nq-tw" in above
    assert set(data["above"][0]) == {"id", "number", "slug", "title", "kind"}
    assert {r["kind"] for r in data["relations"]} <= {
        "continues",
        "implements",
        "attached_to",
        "supersedes",
    }
    resolution = Document.objects.get(slug="11-nq-tw")
    below = {d["slug"] for d in client.get(f"/api/v1/documents/{resolution.pk}/").json()["below"]}
    assert "26-ctr-tu" in below
    assert client.get("/api/v1/documents/999999/").status_code == 404


def test_units(api):
    client = api("laichau.canbo")
    rows = results(client.get("/api/v1/units/", {"q": "tinh uy lai chau", "page_size": 200}))
    assert "tinh-uy-lai-chau" in {row["key"] for row in rows}
    groups = results(client.get("/api/v1/units/?kind=group&page_size=200"))
    assert groups and all(row["is_group"] for row in groups)
    assert any(row["member_ids"] for row in groups)
    assert client.get("/api/v1/units/?kind=nonsense").status_code == 400


def test_indicators_and_approved_values_only(api):
    from indicators.choices import ValueState
    from indicators.models import Indicator, IndicatorValue

    client = api("laichau.canbo")
    rows = results(client.get("/api/v1/indicators/?page_size=200"))
    assert len(rows) == Indicator.objects.count()
    one = rows[0]
    assert set(one["target"]) == {
        "text",
        "kind",
        "comparator",
        "low",
        "high",
        "unit",
        "per_year",
        "shares",
        "normalized",
    }
    assert client.get(f"/api/v1/indicators/{one['id']}/").json() == one
    indicator = Indicator.objects.get(pk=one["id"])
    author = indicator.document.issuer.users.first() or __import__(
        "accounts.models", fromlist=["User"]
    ).User.objects.get(username="admin")
    for year, state in ((2023, ValueState.APPROVED), (2024, ValueState.DRAFT)):
        IndicatorValue.objects.create(
            indicator=indicator,
            scope=indicator.scope,
            year=year,
            value="7.5",
            source="Cục Thống kê",
            state=state,
            entered_by=author,
        )
    values = results(client.get(f"/api/v1/indicator-values/?indicator={indicator.pk}"))
    assert [v["year"] for v in values] == [2023]
    assert results(client.get("/api/v1/indicator-values/?year=2024")) == []
    scoped = results(client.get(f"/api/v1/indicator-values/?province={indicator.scope_id}"))
    assert [v["year"] for v in scoped] == [2023]
