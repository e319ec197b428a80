"""Coverage of the chain (a selector): for each central task that asks provinces or
ministries to act, which of them have a document or task that implements it, since when,
and which have not; and the orphans, provincial tasks linked to nothing above.

Decisions
---------
- A central task "asks units to act" when it is in a document of no province and at least
  one of its tracks came through a collective assignee ("Tỉnh ủy các địa phương trong
  vùng": ``TaskTrack.via``). Each such track's unit is asked.
- Units are shown as they are on ``day``: a merged unit's share is its successor's
  (Bắc Kạn's under Thái Nguyên from 01/07/2025), and what the predecessor issued counts
  for the successor. So the 14 provinces of a 2022 text become fewer rows.
- A unit (with its predecessors) has implemented the central task when
  (a) a task of one of its documents, or of a document of its province, names the central
  task as the task it implements (``Task.implements``), or
  (b) a document it issued, or its province issued, implements or continues the central
  task's document or a document that one implements (26-CTr/TU implements 11-NQ/TW, which
  the Politburo plan implements too).
  "Since" is the earliest issue date among them (None when undated).
- An orphan is a task of a provincial document (not a stub) that implements nothing and
  whose parents implement nothing either.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from accounts.access import Successions, load_successions
from accounts.models import Unit
from documents.models import Document, DocumentRelation
from tasks.models import Task, TaskTrack

_CHAIN = ("implements", "continues")


@dataclass(frozen=True)
class Implementation:
    document: Document
    task: Task | None  # the implementing task, when the link is task to task


@dataclass(frozen=True)
class CoverageCell:
    unit: Unit
    implementations: tuple[Implementation, ...]

    @property
    def covered(self) -> bool:
        return bool(self.implementations)

    @property
    def since(self) -> dt.date | None:
        dates = [i.document.issued_on for i in self.implementations if i.document.issued_on]
        return min(dates) if dates else None


@dataclass(frozen=True)
class CoverageRow:
    task: Task
    cells: tuple[CoverageCell, ...]

    @property
    def covered(self) -> int:
        return sum(1 for c in self.cells if c.covered)


@dataclass(frozen=True)
class Coverage:
    day: dt.date
    rows: tuple[CoverageRow, ...]
    orphans: tuple[Task, ...]


def _current(unit: Unit, units: dict[int, Unit], day: dt.date, successions: Successions) -> Unit:
    """The unit answering for ``unit`` on ``day`` (the access module's rule); a unit split or
    abolished with nobody picked yet stands for itself."""
    return units[successions.current(unit.pk, day) or unit.pk]


def _province_id(unit: Unit) -> int | None:
    return unit.pk if unit.kind == "province" else unit.province_id


def chain_coverage(day: dt.date) -> Coverage:
    """The coverage table on ``day``: a handful of queries whatever the number of rows."""
    units = {u.pk: u for u in Unit.objects.all()}
    successions = load_successions()
    asked_tracks = list(
        TaskTrack.objects.filter(via__isnull=False, task__document__province__isnull=True)
        .select_related("task__document")
        .order_by("task__document_id", "task__position", "task_id")
    )
    # Current unit -> itself and the units it succeeded (whose documents count for it).
    lineage: dict[int, set[int]] = defaultdict(set)
    for unit in units.values():
        lineage[_current(unit, units, day, successions).pk].add(unit.pk)

    documents = {
        d.pk: d for d in Document.objects.filter(Q(issued_on__lte=day) | Q(issued_on__isnull=True))
    }
    # Documents above each document (what it implements or continues, transitively).
    above: dict[int, set[int]] = defaultdict(set)
    for source, target in DocumentRelation.objects.filter(kind__in=_CHAIN).values_list(
        "source_id", "target_id"
    ):
        above[source].add(target)

    def ancestors(document_id: int) -> set[int]:
        found: set[int] = set()
        todo = [document_id]
        while todo:
            for target in above.get(todo.pop(), ()):
                if target not in found:
                    found.add(target)
                    todo.append(target)
        return found

    upper = {doc_id: ancestors(doc_id) for doc_id in documents}
    implementing_tasks: dict[int, list[Task]] = defaultdict(list)
    for task in Task.objects.filter(
        implements__isnull=False, document_id__in=list(documents)
    ).order_by("document_id", "position"):
        implementing_tasks[task.implements_id].append(task)  # type: ignore[index]

    def issued_for(document: Document, scope: set[int], provinces: set[int]) -> bool:
        return document.issuer_id in scope or (
            document.province_id is not None and document.province_id in provinces
        )

    rows: list[CoverageRow] = []
    by_task: dict[int, list[TaskTrack]] = defaultdict(list)
    tasks: dict[int, Task] = {}
    for track in asked_tracks:
        by_task[track.task_id].append(track)
        tasks.setdefault(track.task_id, track.task)
    for task_id, task_tracks in by_task.items():
        task = tasks[task_id]
        targets = {task.document_id} | upper.get(task.document_id, set())
        cells: dict[int, CoverageCell] = {}
        for track in task_tracks:
            unit = _current(units[track.unit_id], units, day, successions)
            if unit.pk in cells:
                continue
            scope = lineage[unit.pk] | {unit.pk}
            provinces = {p for p in (_province_id(units[u]) for u in scope) if p is not None}
            found: list[Implementation] = []
            for lower in implementing_tasks.get(task_id, ()):
                document = documents[lower.document_id]
                if issued_for(document, scope, provinces):
                    found.append(Implementation(document, lower))
            linked = {i.document.pk for i in found}
            for document in documents.values():
                if document.pk in linked or document.pk == task.document_id:
                    continue
                if issued_for(document, scope, provinces) and upper[document.pk] & targets:
                    found.append(Implementation(document, None))
            cells[unit.pk] = CoverageCell(unit, tuple(found))
        ordered = sorted(cells.values(), key=lambda c: (not c.covered, c.unit.name))
        rows.append(CoverageRow(task, tuple(ordered)))
    return Coverage(day=day, rows=tuple(rows), orphans=tuple(orphan_tasks()))


def orphan_tasks() -> list[Task]:
    """Tasks of provincial documents linked to nothing above, themselves or their parents."""
    tasks = list(
        Task.objects.filter(document__province__isnull=False, document__is_stub=False)
        .select_related("document")
        .only("ref", "title", "parent_id", "implements_id", "document__number", "document__title")
        .order_by("document_id", "position", "id")
    )
    by_id = {t.pk: t for t in tasks}

    def linked(task: Task) -> bool:
        seen: set[int] = set()
        current: Task | None = task
        while current is not None and current.pk not in seen:
            if current.implements_id:
                return True
            seen.add(current.pk)
            current = by_id.get(current.parent_id) if current.parent_id else None
        return False

    return [t for t in tasks if not linked(t)]
