"""The admin shows the five documents with their tasks, deadlines and indicators, in Vietnamese."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, seeded):
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_model_has_a_working_changelist(admin_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200


def test_task_changelist_shows_printed_deadlines_in_vietnamese(admin_client):
    response = admin_client.get(reverse("admin:tasks_task_changelist") + "?q=quý")
    page = response.content.decode()
    assert "Hoàn thành trong quý II năm 2022" in page
    assert "Hoàn thành chậm nhất quý III năm 2023" in page  # matched "quý" too


def test_task_change_page_renders(admin_client):
    from tasks.models import Task

    task = Task.objects.get(document__slug="26-ctr-tu", ref="STT 4")
    response = admin_client.get(reverse("admin:tasks_task_change", args=[task.pk]))
    assert response.status_code == 200
    assert "Sau khi Thủ tướng Chính phủ phê duyệt" in response.content.decode()


def test_task_changelist_query_count_does_not_grow_with_rows(
    admin_client, django_assert_max_num_queries
):
    url = reverse("admin:tasks_task_changelist")
    with django_assert_max_num_queries(12):
        admin_client.get(url + "?all=")


def test_editing_a_deadline_in_the_admin_re_reads_it(admin_client):
    import datetime as dt

    from tasks.models import Task

    task = Task.objects.get(document__slug="kh-11-nq-tw", ref="II.2")
    url = reverse("admin:tasks_task_change", args=[task.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(
        {
            "deadline_text": "Quý IV/2023",
            "title": task.title,
            "document": task.document_id,
            "assignments-TOTAL_FORMS": 0,
            "assignments-INITIAL_FORMS": 0,
            "tracks-TOTAL_FORMS": 0,
            "tracks-INITIAL_FORMS": 0,
        }
    )
    data = {k: v for k, v in data.items() if k not in {"parent", "implements", "event_on", "units"}}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    task.refresh_from_db()
    assert (task.deadline_text, task.due_on) == ("Quý IV/2023", dt.date(2023, 12, 31))


def test_a_unit_added_in_the_admin_gets_its_matching_key_and_nfc_name(admin_client):
    import unicodedata

    from accounts.models import Unit

    url = reverse("admin:accounts_unit_add")
    response = admin_client.post(
        url,
        {
            "key": "so-ngoai-vu-lai-chau",
            "name": unicodedata.normalize("NFD", "Sở Ngoại vụ tỉnh Lai Châu"),
            "kind": "provincial_department",
            "aliases-TOTAL_FORMS": 1,
            "aliases-INITIAL_FORMS": 0,
            "aliases-0-name": "SNV Lai Châu",
            "successions-TOTAL_FORMS": 0,
            "successions-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(key="so-ngoai-vu-lai-chau")
    assert unit.name == "Sở Ngoại vụ tỉnh Lai Châu"
    assert unit.name_key == "so ngoai vu tinh lai chau"
    assert unit.aliases.get().name_key == "snv lai chau"
