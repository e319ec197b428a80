"""The seed loader: units, the five seed documents and the documents they cite, their tasks
and targets, from the files in ``fixtures/``; demo accounts on request.

Idempotent: every write goes through an upsert service that saves only what differs, so a
second run changes nothing (and writes no history).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from accounts.choices import Role
from accounts.models import Unit, User
from accounts.selectors import UnitResolver, group_members
from accounts.services import (
    memberships_set,
    succession_upsert,
    unit_set_members,
    unit_upsert,
)
from documents.models import Document
from documents.selectors import document_get_by_reference
from documents.services import document_upsert, relation_ensure
from indicators.services import indicator_upsert
from portal.numbers import parse_vn_number
from tasks.importer import import_rows, read_table
from tasks.models import Task
from tasks.services import task_upsert

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "DemoPortal@2026"  # noqa: S105  (demo data only; the README states it)

# Demo accounts at units that exist today (December 2026). The usernames of the first round
# are kept, so bookmarks and scripts still work: "bkhdt.canbo" now works at Bộ Tài chính (which
# took over Bộ Kế hoạch và Đầu tư on 01/03/2025), "bktw.rasoat" at Ban Chính sách, chiến lược
# Trung ương (Ban Kinh tế Trung ương until 24/01/2025).
DEMO_ACCOUNTS: tuple[dict[str, Any], ...] = (
    {"username": "admin", "full_name": "Quản trị hệ thống", "superuser": True, "roles": ()},
    {
        "username": "bkhdt.canbo",
        "full_name": "Nguyễn Văn An",
        "roles": (("bo-tai-chinh", Role.OFFICER),),
    },
    {
        "username": "laichau.canbo",
        "full_name": "Lò Thị Bình",
        "roles": (("dang-uy-ubnd-lai-chau", Role.OFFICER),),
    },
    {
        "username": "laichau.lanhdao",
        "full_name": "Tao Văn Cường",
        "roles": (("dang-uy-ubnd-lai-chau", Role.LEADER),),
    },
    {
        "username": "bktw.rasoat",
        "full_name": "Trần Thị Dung",
        "roles": (("ban-chinh-sach-chien-luoc-tw", Role.REVIEWER),),
    },
    {
        "username": "thainguyen.canbo",
        "full_name": "Hoàng Văn Giang",
        "roles": (("dang-uy-ubnd-thai-nguyen", Role.OFFICER),),
    },
)


class SeedError(ValueError):
    """The fixtures are inconsistent; nothing is written."""


@dataclass
class SeedReport:
    changed: Counter[str] = field(default_factory=Counter)
    tasks_per_document: dict[str, int] = field(default_factory=dict)
    indicators_per_document: dict[str, int] = field(default_factory=dict)

    @property
    def changed_anything(self) -> bool:
        return any(self.changed.values())


def _load(name: str) -> Any:
    with (FIXTURES / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@transaction.atomic
def seed(*, accounts: bool = True) -> SeedReport:
    report = SeedReport()
    units = _seed_units(report)
    documents = _seed_documents(report, units)
    _seed_tasks(report, documents)
    _seed_indicators(report, documents, units)
    if accounts:
        _seed_accounts(report, units)
    for doc in Document.objects.all():
        report.tasks_per_document[doc.slug] = doc.tasks.count()
        report.indicators_per_document[doc.slug] = doc.indicators.count()
    return report


def _seed_units(report: SeedReport) -> dict[str, Unit]:
    rows = _load("units.yaml")
    keys = [r["key"] for r in rows]
    if len(keys) != len(set(keys)):
        raise SeedError("Mã đơn vị trùng trong units.yaml")
    units: dict[str, Unit] = {}
    pending = list(rows)
    # Parents and provinces first: repeat until every row's references exist.
    for _ in range(10):
        later = []
        for row in pending:
            refs = [row.get("parent"), row.get("province")]
            if any(r and r not in units for r in refs):
                later.append(row)
                continue
            unit, changed = unit_upsert(
                key=row["key"],
                name=row["name"],
                kind=row["kind"],
                short_name=row.get("short_name") or "",
                parent=units.get(row.get("parent") or ""),
                province=units.get(row.get("province") or ""),
                reviews_all=bool(row.get("reviews_all", row["key"] == "ban-kinh-te-tw")),
                aliases=row.get("aliases") or (),
            )
            units[row["key"]] = unit
            report.changed["units"] += changed
        pending = later
        if not pending:
            break
    if pending:
        raise SeedError(f"Đơn vị tham chiếu mã không tồn tại: {[r['key'] for r in pending]}")
    for row in rows:
        members = [units[k] for k in row.get("members") or ()]
        report.changed["members"] += unit_set_members(unit=units[row["key"]], members=members)
    _seed_successions(report, units)
    return units


def _seed_successions(report: SeedReport, units: dict[str, Unit]) -> None:
    """``fixtures/successions.yaml``: one row per decision, its predecessors and successors
    (several predecessors: a merger; several successors: a split; none: abolished)."""
    path = FIXTURES / "successions.yaml"
    rows = _load("successions.yaml") if path.exists() else []
    for row in rows:
        missing = [k for k in (*row["predecessors"], *row["successors"]) if k not in units]
        if missing:
            raise SeedError(f"Sắp xếp đơn vị tham chiếu mã không tồn tại: {missing}")
        for predecessor in row["predecessors"]:
            for successor in row["successors"] or [None]:
                report.changed["successions"] += succession_upsert(
                    predecessor=units[predecessor],
                    successor=units[successor] if successor else None,
                    effective_on=_date(row["effective_on"]),  # type: ignore[arg-type]
                    basis=row.get("basis") or "",
                    basis_date=_date(row.get("basis_date")),
                    verified=bool(row.get("verified")),
                    note=row.get("note") or "",
                )


def _seed_documents(report: SeedReport, units: dict[str, Unit]) -> dict[str, Document]:
    rows = _load("documents.yaml")
    documents: dict[str, Document] = {}
    for row in rows:
        doc, changed = document_upsert(
            slug=row["slug"],
            kind=row["kind"],
            title=row["title"],
            issuer=units[row["issuer"]],
            number=row.get("number") or "",
            issued_on=_date(row.get("issued_on")),
            issued_year=row.get("issued_year"),
            signer=row.get("signer") or "",
            signer_title=row.get("signer_title") or "",
            horizon=row.get("horizon") or "",
            horizon_year=row.get("horizon_year"),
            scope=units.get(row.get("scope") or ""),
            province=units.get(row.get("province") or ""),
            is_stub=bool(row.get("stub")),
            source_file=row.get("source") or "",
            monitors=[units[k] for k in row.get("monitors") or ()],
        )
        documents[row["slug"]] = doc
        if doc.number:
            documents.setdefault(doc.number, doc)
        report.changed["documents"] += changed
    for row in rows:
        for rel in row.get("relations") or ():
            target = documents.get(rel["target"]) or document_get_by_reference(rel["target"])
            if target is None:
                raise SeedError(f"{row['slug']}: không thấy văn bản “{rel['target']}”")
            report.changed["relations"] += relation_ensure(
                source=documents[row["slug"]], target=target, kind=rel["kind"]
            )
    return documents


def _seed_tasks(report: SeedReport, documents: dict[str, Document]) -> None:
    resolver = UnitResolver()
    members = group_members()
    links: list[tuple[Task, dict[str, str]]] = []
    orders: dict[int, list[str]] = {}  # document id -> its printed parts (``_part_base``)
    for path in sorted((FIXTURES / "tasks").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        document = documents[data["document"]]
        order = orders[document.pk] = list(data.get("order") or ())
        position = 0

        def walk(
            items: list[dict[str, Any]],
            parent: Task | None,
            document: Document = document,
            path: Path = path,
            order: list[str] = order,
        ) -> None:
            nonlocal position
            for item in items:
                position += 1
                leads, coords = [], []
                for role, out in (("lead", leads), ("coordinate", coords)):
                    for printed in item.get(role) or ():
                        unit = resolver.resolve(printed, document.province)
                        if unit is None:
                            raise SeedError(f"{path.name} {item['ref']}: không nhận ra “{printed}”")
                        out.append((unit, printed))
                task, changed = task_upsert(
                    document=document,
                    ref=str(item["ref"]),
                    title=item["title"],
                    description=item.get("description") or "",
                    position=_part_base(order, str(item["ref"])) + position,
                    parent=parent,
                    deadline_text=item.get("deadline") or "",
                    leads=leads,
                    coordinators=coords,
                    members=members,
                )
                report.changed["tasks"] += changed
                if item.get("implements"):
                    links.append((task, item["implements"]))
                walk(item.get("children") or [], task)

        walk(data["tasks"], None)
    for table in sorted((FIXTURES / "tables").glob("*.tsv")):
        document = _table_document(table, documents)
        first = _part_base(orders.get(document.pk, []), "STT") + 1
        result = import_rows(document, read_table(table), first_position=first)
        if result.errors:
            raise SeedError(f"{table.name}: {result.errors}")
        report.changed["tasks"] += result.created + result.updated
    for links_file in sorted((FIXTURES / "tables").glob("*.links.yaml")):
        data = yaml.safe_load(links_file.read_text(encoding="utf-8")) or {}
        document = documents[data["document"]]
        for link in data.get("links") or ():
            ref = f"STT {link['stt']}"
            links.append((Task.objects.get(document=document, ref=ref), link["implements"]))
    for task, target in links:
        higher = Task.objects.filter(
            document=documents[target["document"]], ref=str(target["ref"])
        ).first()
        if higher is None:
            raise SeedError(
                f"{task.document.slug} {task.ref}: không thấy nhiệm vụ cấp trên {target}"
            )
        if task.implements_id != higher.pk:
            task.implements = higher
            task.full_clean()
            task.save(update_fields=["implements"])
            report.changed["links"] += 1


PART_SIZE = 1000  # positions per printed part of a document (see ``_part_base``)


def _part_base(order: list[str], ref: str) -> int:
    """Where a printed part of a document starts: a task file's ``order`` lists the ref
    prefixes of its parts as printed ("III.", "STT" for the assignment table, "IV."), and each
    part's tasks are numbered from its own base, so prose sections and an imported table
    never interleave. Without ``order`` everything starts at 0."""
    for index, prefix in enumerate(order):
        if ref.startswith(prefix):
            return index * PART_SIZE
    return len(order) * PART_SIZE if order else 0


def _table_document(path: Path, documents: dict[str, Document]) -> Document:
    """fixtures/tables/26-CTr-TU.tsv belongs to the document numbered 26-CTr/TU."""
    stem = path.name.split(".")[0]
    for doc in documents.values():
        if doc.number and doc.number.replace("/", "-") == stem:
            return doc
    if stem in documents:
        return documents[stem]
    raise SeedError(f"{path.name}: không biết bảng thuộc văn bản nào")


def _seed_indicators(
    report: SeedReport, documents: dict[str, Document], units: dict[str, Unit]
) -> None:
    for position, row in enumerate(_load("indicators.yaml"), start=1):
        baseline = row.get("baseline") or {}
        indicator, changed = indicator_upsert(
            document=documents[row["document"]],
            code=row["code"],
            name=row["name"],
            target_text=row["target"],
            scope=units[row["scope"]],
            target_year=int(row["target_year"]),
            unit_of_measure=row.get("unit") or "",
            group=row.get("group") or "",
            position=position,
            baseline_value=(
                parse_vn_number(str(baseline["value"])) if baseline.get("value") else None
            ),
            baseline_year=baseline.get("year"),
            baseline_text=baseline.get("text") or "",
            overtaken_note=row.get("overtaken") or "",
        )
        report.changed["indicators"] += changed
        for ref in row.get("tasks") or ():
            task = Task.objects.filter(document=indicator.document, ref=ref).first()
            if task is None:
                raise SeedError(f"{row['code']}: không thấy nhiệm vụ {ref}")
            if not indicator.tasks.filter(pk=task.pk).exists():
                indicator.tasks.add(task)
                report.changed["indicator links"] += 1


def _seed_accounts(report: SeedReport, units: dict[str, Unit]) -> None:
    for spec in DEMO_ACCOUNTS:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            user = User(
                username=spec["username"],
                full_name=spec["full_name"],
                email=f"{spec['username']}@example.vn",
            )
            user.is_staff = user.is_superuser = bool(spec.get("superuser"))
            user.set_password(DEMO_PASSWORD)
            user.save()
            report.changed["accounts"] += 1
        # A demo account sits exactly where the README says (units that exist today).
        report.changed["memberships"] += memberships_set(
            user=user, roles=[(units[unit_key], role) for unit_key, role in spec["roles"]]
        )
