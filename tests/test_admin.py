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
    assert "Chọn nhiệm vụ để thay đổi" in page or "nhiệm vụ" in page


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
