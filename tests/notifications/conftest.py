"""A small world of units, people and one task, built without the seed so that it also
works under ``transactional_db`` (which a separate worker process needs to see rows)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from accounts.choices import Role, UnitKind
from accounts.models import Membership, Unit, User
from documents.choices import DocumentKind
from documents.models import Document
from notifications.models import Mode, NotificationPreference
from tasks.models import Task
from tasks.services import task_upsert


@dataclass
class World:
    lead: Unit
    coordinator: Unit
    officer: User
    leader: User
    partner: User
    reviewer: User
    outsider: User
    document: Document
    task: Task

    def add_task(self, ref: str, deadline: str, **kwargs: object) -> Task:
        task, _ = task_upsert(
            document=self.document,
            ref=ref,
            title=f"Nhiệm vụ thử {ref}",
            deadline_text=deadline,
            leads=[(self.lead, self.lead.name)],
            **kwargs,  # type: ignore[arg-type]
        )
        return task


def _unit(key: str, name: str, kind: str = UnitKind.PROVINCIAL_GOVERNMENT, **kw: object) -> Unit:
    return Unit.objects.create(key=key, name=name, name_key=key, kind=kind, **kw)


def _user(username: str, unit: Unit, role: str, mode: str = Mode.IMMEDIATE) -> User:
    """A member of ``unit``. The reminder tests follow single mails, so these people asked
    for them (the default is the daily digest: tests/notifications/test_notify.py)."""
    user = User.objects.create(
        username=username, full_name=username.title(), email=f"{username}@example.vn"
    )
    Membership.objects.create(user=user, unit=unit, role=role)
    NotificationPreference.objects.create(user=user, mode=mode)
    return user


def build_world() -> World:
    lead = _unit("nt-chu-tri", "Sở Thử nghiệm chủ trì")
    coordinator = _unit("nt-phoi-hop", "Sở Thử nghiệm phối hợp")
    review = _unit("nt-ra-soat", "Ban Rà soát thử", UnitKind.PARTY_AGENCY, reviews_all=True)
    other = _unit("nt-khac", "Sở Khác")
    document = Document.objects.create(
        slug="kh-thu-nghiem",
        number="99/KH-TN",
        kind=DocumentKind.KH,
        title="Kế hoạch thử nghiệm nhắc việc",
        issuer=review,
        issued_on=dt.date(2026, 1, 5),
        issued_year=2026,
    )
    world = World(
        lead=lead,
        coordinator=coordinator,
        officer=_user("nt.canbo", lead, Role.OFFICER),
        leader=_user("nt.lanhdao", lead, Role.LEADER),
        partner=_user("nt.phoihop", coordinator, Role.OFFICER),
        reviewer=_user("nt.rasoat", review, Role.REVIEWER),
        outsider=_user("nt.khac", other, Role.OFFICER),
        document=document,
        task=None,  # type: ignore[arg-type]
    )
    world.task = world.add_task(
        "1", "Hoàn thành trong quý II năm 2026", coordinators=[(coordinator, coordinator.name)]
    )
    return world


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return build_world()


@contextmanager
def celery_broker(url: str, queue: str | None = None) -> Iterator[None]:
    """Send this process's Celery messages to ``url`` (not eager) for the duration."""
    from portal.celery import app

    saved = {
        key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")
    }

    def reset_pools() -> None:
        from kombu import pools

        pools.reset()  # kombu keeps producer pools per broker URL, process-wide
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    # Celery reads CELERY_BROKER_URL from the environment before its own setting (CI sets it).
    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    if queue:
        app.conf.task_default_queue = queue
    try:
        yield
    finally:
        reset_pools()
        for key, value in saved.items():
            app.conf[key] = value
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
