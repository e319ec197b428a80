"""factory_boy factories for what a test needs (the full seed only for tests about the seed)."""

from __future__ import annotations

import datetime as dt

import factory

from accounts.choices import Role, UnitKind
from accounts.models import Membership, Unit, UnitSuccession, User
from accounts.names import name_key
from documents.choices import DocumentKind
from documents.models import Document
from tasks.models import Task
from tasks.services import task_upsert


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    key = factory.Sequence(lambda n: f"don-vi-{n}")
    name = factory.Sequence(lambda n: f"Đơn vị thử {n}")
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    kind = UnitKind.MINISTRY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"nguoi.dung{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[tuple[Unit, str]] | None, **kwargs: object):  # type: ignore[no-untyped-def]
        """``UserFactory(roles=[(unit, Role.OFFICER)])``."""
        for unit, role in extracted or ():
            Membership.objects.create(user=self, unit=unit, role=role)


class SuccessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitSuccession

    predecessor = factory.SubFactory(UnitFactory)
    successor = factory.SubFactory(UnitFactory)
    effective_on = dt.date(2025, 3, 1)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    slug = factory.Sequence(lambda n: f"kh-thu-{n}")
    number = factory.Sequence(lambda n: f"{n + 1}/KH-TN")
    kind = DocumentKind.KH
    title = factory.Sequence(lambda n: f"Kế hoạch thử {n}")
    issuer = factory.SubFactory(UnitFactory)
    issued_on = dt.date(2024, 1, 10)
    issued_year = 2024


def make_task(
    document: Document,
    ref: str,
    *,
    leads: list[Unit] = (),  # type: ignore[assignment]
    coordinators: list[Unit] = (),  # type: ignore[assignment]
    deadline: str = "Hoàn thành trong quý II năm 2024",
    **kwargs: object,
) -> Task:
    """A task through the real service (tracks expanded as in production)."""
    task, _ = task_upsert(
        document=document,
        ref=ref,
        title=f"Nhiệm vụ thử {ref}",
        deadline_text=deadline,
        leads=[(u, u.name) for u in leads],
        coordinators=[(u, u.name) for u in coordinators],
        **kwargs,  # type: ignore[arg-type]
    )
    return task


__all__ = [
    "DocumentFactory",
    "Role",
    "SuccessionFactory",
    "UnitFactory",
    "UserFactory",
    "make_task",
]
