"""A table of more than ``JOB_THRESHOLD`` rows published by a real Celery worker (a separate
process, ``celery -A portal worker``, against this machine's Redis): the page shows the
progress bar while the job waits and runs, the job commits chunk by chunk, and the page then
reports the import done. The worker fixtures are the notifications tests' own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import Membership, User
from documents.models import TableImport
from tasks.importer import JOB_CHUNK, JOB_THRESHOLD
from tasks.models import Task, TaskTrack
from tests.notifications.test_worker import queue, redis_client, start_worker  # noqa: F401
from tests.tasks.test_importer import HEADER

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_large_table_is_published_by_the_worker_chunk_by_chunk(
    client,
    province_doc,
    start_worker,  # noqa: F811
):
    clerk = User.objects.create(username="vp.tu")
    Membership.objects.create(user=clerk, unit=province_doc.issuer, role=Role.SECRETARIAT)
    client.force_login(clerk)
    count = JOB_THRESHOLD + 1
    text = "\n".join(
        [HEADER]
        + [f"{i}\tViệc {i}\tBan Tuyên giáo Tỉnh ủy\t\tNăm 2023" for i in range(1, count + 1)]
    )
    checked = client.post(
        reverse("document-table-import", args=[province_doc.slug]), {"text": text}
    )
    assert checked.status_code == 302
    batch = TableImport.objects.get()
    review = reverse("document-table-import-review", args=[province_doc.slug, batch.pk])

    # published: queued on commit, and no worker yet, so the page shows the bar at 0
    page = client.post(review).content.decode()
    assert f"Đang nhập {count} dòng" in page
    assert f'<progress value="0" max="{count}"' in page
    assert not Task.objects.exists()

    worker = start_worker(concurrency=1)
    seen: set[int] = set()

    def finished() -> bool:
        batch.refresh_from_db()
        seen.add(batch.done)
        return batch.state == TableImport.State.DONE

    worker.wait_for(finished, "the import job", timeout=180)
    # every count the page could show is a whole committed chunk (or the end)
    assert seen <= {*range(0, count, JOB_CHUNK), count}
    assert batch.done == count and batch.result["created"] == count
    assert Task.objects.filter(document=province_doc).count() == count
    assert TaskTrack.objects.filter(task__document=province_doc).count() == count
    assert "succeeded" in worker.output() and "tasks.import_table" in worker.output()
    assert f"Đã nhập xong {count} dòng" in client.get(review).content.decode()
