"""What periodic reports, the reviewer's summary and the chain coverage read.

Status is never judged here: ``judge_as_of`` hands the stored deadline and the completion
dates known on the report's day to ``tasks.status_sql.task_status_for`` (ONE call site, so
the rule can change in one place: recurring tasks judged per occurrence).

"As judged on the cut-off's last day using only reports approved by then": a track's
completion on day D is the completion date of its latest (by quarter) progress report that
was approved by the end of D (Asia/Ho_Chi_Minh). A report approved then and returned later
no longer shows as approved (its decision time is the return's); the report reads today's
state of the decisions, not their history.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.access import load_successions, tracks_answered_by, units_answered_by
from accounts.choices import UnitKind
from accounts.models import Unit
from documents.models import Document
from indicators.models import Indicator, IndicatorValue
from indicators.selectors import ProvinceRow, indicator_evaluate, indicator_values_published
from reports.models import SignedReport
from reports.periods import ReportPeriod
from tasks.choices import ReportState, TaskStatus
from tasks.models import ExplanationRequest, ProgressReport, Task, TaskTrack
from tasks.status import Status
from tasks.status_sql import TaskStatusView, task_status_for

# The 2x2 grid of tasks that have fallen due, then the rest, in the order reports print.
GRID = (Status.DONE_ON_TIME, Status.DONE_LATE, Status.IN_PROGRESS, Status.OVERDUE)
OTHERS = (Status.NOT_DUE, Status.ONGOING, Status.AWAITING_EVENT, Status.UNDETERMINED)
LONGEST_OVERDUE = 20
# Beside the grid: tasks judged on an extension approved before their due date passed.
EXTENDED_LABEL = "Được gia hạn"


def status_label(status: Status) -> str:
    return str(TaskStatus(status.value).label)


def _end_of(day: dt.date) -> dt.datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


# --------------------------------------------------------------------------- judging


def judge_as_of(task: Task, tracks: list[TaskTrack], day: dt.date) -> TaskStatusView:
    """The status of ``task`` on ``day`` from ``tracks`` (copies whose ``completed_on`` is
    what was approved by then). The only place the reports app asks for a status.

    ``task_status_for`` reads the tracks through ``Task.track_list()``, which takes the
    ``prefetched_tracks`` list when a list page prefetched it: a copy of the task carries
    the as-of tracks there, so the stored task and its tracks are left untouched."""
    judged = copy.copy(task)
    judged.__dict__["prefetched_tracks"] = tracks
    return task_status_for(judged, day)


def _approved_rows(track_ids: Iterable[int]) -> list[ProgressReport]:
    """Every approved report of the tracks, each track's latest quarter first. One query."""
    return list(
        ProgressReport.objects.filter(track_id__in=list(track_ids), state=ReportState.APPROVED)
        .order_by("track_id", "-period_year", "-period_quarter")
        .only(
            "track_id",
            "period_year",
            "period_quarter",
            "percent",
            "completed_on",
            "decided_at",
            "updated_at",
            "state",
        )
    )


def _twins(
    tracks: Iterable[TaskTrack], rows: list[ProgressReport], day: dt.date
) -> list[TaskTrack]:
    """Copies of ``tracks`` as they stood at the end of ``day``: the completion of the latest
    report approved by then, and (for recurring duties, judged per occurrence) only the
    reports approved by then."""
    end = _end_of(day)
    approved: dict[int, list[ProgressReport]] = defaultdict(list)
    for row in rows:
        if row.decided_at is not None and row.decided_at < end:
            approved[row.track_id].append(row)
    out = []
    for track in tracks:
        twin = copy.copy(track)
        kept = approved.get(track.pk, [])
        twin.completed_on = kept[0].completed_on if kept else None
        twin.__dict__["prefetched_approved_reports"] = kept
        out.append(twin)
    return out


def _as_of(tracks: list[TaskTrack], day: dt.date) -> list[TaskTrack]:
    """Copies of ``tracks`` carrying what was known on ``day``."""
    return _twins(tracks, _approved_rows(t.pk for t in tracks), day)


def _issued_by(day: dt.date) -> Q:
    """Tasks of documents issued by ``day`` (an undated document counts)."""
    return Q(task__document__issued_on__lte=day) | Q(task__document__issued_on__isnull=True)


def unit_scope(unit: Unit, day: dt.date) -> list[int]:
    """``unit`` and the units it answers for on ``day`` (their open work is its work: the
    access module's rule)."""
    return sorted(units_answered_by([unit.pk], day))


# --------------------------------------------------------------------------- grids


@dataclass
class Grid:
    """Counts of tasks by status: the four "đến hạn" cells, then the rest; and, beside
    them, how many tasks were extended (được gia hạn: an extension approved before the due
    date passed, so they are judged on its date)."""

    counts: Counter[Status] = field(default_factory=Counter)
    extended: int = 0

    def add(self, status: Status, *, task: Task | None = None) -> None:
        self.counts[status] += 1
        if task is not None and task.extended_due_on is not None:
            self.extended += 1

    @property
    def due(self) -> int:
        return sum(self.counts[s] for s in GRID)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def get(self, status: Status) -> int:
        return self.counts[status]


@dataclass(frozen=True)
class CompletedRow:
    task: Task
    completed_on: dt.date
    late: bool


@dataclass(frozen=True)
class OverdueRow:
    task: Task
    unit_names: str
    days_overdue: int
    explanation: str
    explained_on: dt.date | None


@dataclass(frozen=True)
class PeriodicReport:
    unit: Unit
    period: ReportPeriod
    day: dt.date  # the cut-off's last day the counts are judged on
    grid: Grid
    completed: list[CompletedRow]
    overdue: list[OverdueRow]
    indicators: list[tuple[Indicator, ProvinceRow]]
    sent: SignedReport | None


def _unit_tracks(scope: list[int], day: dt.date) -> list[TaskTrack]:
    return list(
        TaskTrack.objects.filter(tracks_answered_by(scope) & _issued_by(day))
        .select_related("task__document", "unit")
        .order_by("task__document_id", "task__position", "task_id", "unit_id")
    )


def _explanations(task_ids: Iterable[int], scope: list[int]) -> dict[int, ExplanationRequest]:
    """The latest answered explanation of each task by a unit in ``scope``."""
    found: dict[int, ExplanationRequest] = {}
    for request in ExplanationRequest.objects.filter(
        task_id__in=list(task_ids), unit_id__in=scope, answered_at__isnull=False
    ).order_by("task_id", "-answered_at"):
        found.setdefault(request.task_id, request)
    return found


def province_of(unit: Unit) -> Unit | None:
    if unit.kind == UnitKind.PROVINCE:
        return unit
    return unit.province


def unit_indicators(unit: Unit, day: dt.date) -> list[tuple[Indicator, ProvinceRow]]:
    """Indicators set for the unit's province (its own, and its region's judged for it),
    each with the province's latest approved value up to ``day``'s year and its evaluation.
    Two queries. As in ``indicators.selectors.province_comparison``, a regional target is
    judged for a province from the province's own values, without the region's baseline."""
    province = province_of(unit)
    if province is None:
        return []
    indicators = list(
        Indicator.objects.filter(Q(scope=province) | Q(scope__members=province))
        .select_related("scope", "document")
        .distinct()
        .order_by("document_id", "position", "code")
    )
    values: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in (
        indicator_values_published()
        .filter(indicator__in=indicators, scope=province, year__lte=day.year)
        .order_by("year")
    ):
        values[value.indicator_id].append(value)
    rows = []
    for indicator in indicators:
        series = values[indicator.pk]
        evaluation = indicator_evaluate(
            indicator, series, day, with_baseline=indicator.scope_id == province.pk
        )
        rows.append((indicator, ProvinceRow(province, series[-1] if series else None, evaluation)))
    return rows


def latest_signed(unit_ids: Iterable[int], period: ReportPeriod) -> dict[int, SignedReport]:
    found: dict[int, SignedReport] = {}
    for signed in SignedReport.objects.filter(
        unit_id__in=list(unit_ids), year=period.year, period=period.kind.value
    ).order_by("unit_id", "-sent_at", "-id"):
        found.setdefault(signed.unit_id, signed)
    return found


def judged_on(period: ReportPeriod, today: dt.date) -> dt.date:
    """The day a period's report is judged on: the cut-off's last day, or today while the
    period is still open (a draft never judges a day that has not come)."""
    return min(period.cutoff_end, today)


def periodic_report(unit: Unit, period: ReportPeriod, *, today: dt.date) -> PeriodicReport:
    """A unit's periodic report: its share of every task (its tracks, and those of units it
    succeeded) judged on the cut-off's last day with the reports approved by then."""
    day = judged_on(period, today)
    scope = unit_scope(unit, day)
    tracks = _as_of(_unit_tracks(scope, day), day)
    by_task: dict[int, list[TaskTrack]] = defaultdict(list)
    tasks: dict[int, Task] = {}
    for track in tracks:
        by_task[track.task_id].append(track)
        tasks.setdefault(track.task_id, track.task)
    grid = Grid()
    completed: list[CompletedRow] = []
    overdue: list[tuple[Task, list[TaskTrack], TaskStatusView]] = []
    for task_id, task_tracks in by_task.items():
        task = tasks[task_id]
        view = judge_as_of(task, task_tracks, day)
        grid.add(view.status, task=task)
        dates = [t.completed_on for t in task_tracks]
        if view.status in (Status.DONE_ON_TIME, Status.DONE_LATE) and all(dates):
            finished = max(d for d in dates if d)
            if period.contains(finished):
                completed.append(CompletedRow(task, finished, late=view.status is Status.DONE_LATE))
        elif view.status is Status.OVERDUE:
            overdue.append((task, task_tracks, view))
    explained = _explanations((t.pk for t, _, _ in overdue), scope)
    overdue_rows = []
    for task, task_tracks, view in sorted(overdue, key=lambda o: (-o[2].days_overdue, o[0].pk)):
        request = explained.get(task.pk)
        overdue_rows.append(
            OverdueRow(
                task=task,
                unit_names="; ".join(sorted({t.unit.name for t in task_tracks})),
                days_overdue=view.days_overdue,
                explanation=request.answer if request else "",
                explained_on=(
                    request.answered_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
                    if request and request.answered_at
                    else None
                ),
            )
        )
    return PeriodicReport(
        unit=unit,
        period=period,
        day=day,
        grid=grid,
        completed=sorted(completed, key=lambda r: (r.completed_on, r.task.pk)),
        overdue=overdue_rows,
        indicators=unit_indicators(unit, day),
        sent=latest_signed([unit.pk], period).get(unit.pk),
    )


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class GridRow:
    key: int
    name: str
    grid: Grid


@dataclass(frozen=True)
class LongOverdue:
    task: Task
    units: str
    days_overdue: int


@dataclass(frozen=True)
class Summary:
    period: ReportPeriod
    day: dt.date
    total: Grid
    by_ministry: list[GridRow]
    by_province: list[GridRow]
    by_document: list[GridRow]
    longest_overdue: list[LongOverdue]
    not_reported: list[Unit]
    reported: int


def _grid_rows(
    tracks: list[TaskTrack],
    key: Callable[[TaskTrack], tuple[int, str] | None],
    day: dt.date,
) -> list[GridRow]:
    """Tasks counted per group: a task's status in a group is judged from the group's
    tracks of it (a province's share of a collective task)."""
    groups: dict[tuple[int, str], dict[int, list[TaskTrack]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for track in tracks:
        group = key(track)
        if group is not None:
            groups[group][track.task_id].append(track)
    rows = []
    for (group_id, name), by_task in groups.items():
        grid = Grid()
        for task_tracks in by_task.values():
            task = task_tracks[0].task
            grid.add(judge_as_of(task, task_tracks, day).status, task=task)
        rows.append(GridRow(group_id, name, grid))
    return sorted(rows, key=lambda r: (-r.grid.get(Status.OVERDUE), r.name))


def expected_reporters(day: dt.date) -> list[Unit]:
    """Units that owe a periodic report: every unit in being on ``day`` that answers for a
    share of some task (its own, one it succeeded, or one handed to it), collective assignees
    excluded."""
    successions = load_successions()
    answering: set[int] = set()
    for unit_id, handed_id in (
        TaskTrack.objects.filter(_issued_by(day))
        .order_by()
        .values_list("unit_id", "handed_to_id")
        .distinct()
    ):
        current = handed_id or successions.current(unit_id, day)
        if current is not None:
            answering.add(current)
    return list(Unit.objects.filter(pk__in=answering).exclude(kind=UnitKind.GROUP).order_by("name"))


def not_reported(period: ReportPeriod) -> tuple[list[Unit], int]:
    """(units that owe a report for ``period`` and sent none, how many did send)."""
    expected = list(expected_reporters(period.cutoff_end))
    sent = set(
        SignedReport.objects.filter(year=period.year, period=period.kind.value).values_list(
            "unit_id", flat=True
        )
    )
    missing = [u for u in expected if u.pk not in sent]
    return missing, len(expected) - len(missing)


def summary(
    period: ReportPeriod, *, today: dt.date, documents: QuerySet[Document] | None = None
) -> Summary:
    """The reviewer's national picture for a period: every task judged on the cut-off's
    last day with the reports approved by then, by ministry, province and document."""
    day = judged_on(period, today)
    tracks_qs = TaskTrack.objects.filter(_issued_by(day)).select_related(
        "task__document", "unit__province"
    )
    if documents is not None:
        tracks_qs = tracks_qs.filter(task__document__in=documents)
    tracks = _as_of(list(tracks_qs.order_by("task_id", "unit_id")), day)
    by_task: dict[int, list[TaskTrack]] = defaultdict(list)
    for track in tracks:
        by_task[track.task_id].append(track)
    total = Grid()
    overdue: list[LongOverdue] = []
    for task_tracks in by_task.values():
        view = judge_as_of(task_tracks[0].task, task_tracks, day)
        total.add(view.status, task=task_tracks[0].task)
        if view.status is Status.OVERDUE:
            late_units = sorted(
                {ts.track.unit.name for ts in view.tracks if ts.status is Status.OVERDUE}
            )
            overdue.append(
                LongOverdue(task_tracks[0].task, "; ".join(late_units), view.days_overdue)
            )
    overdue.sort(key=lambda o: (-o.days_overdue, o.task.pk))

    def ministry(track: TaskTrack) -> tuple[int, str] | None:
        return (track.unit_id, track.unit.name) if track.unit.kind == UnitKind.MINISTRY else None

    def province(track: TaskTrack) -> tuple[int, str] | None:
        place = province_of(track.unit)
        return (place.pk, place.name) if place else None

    def document(track: TaskTrack) -> tuple[int, str]:
        doc = track.task.document
        return doc.pk, doc.number or doc.title[:120]

    missing, reported = not_reported(period)
    return Summary(
        period=period,
        day=day,
        total=total,
        by_ministry=_grid_rows(tracks, ministry, day),
        by_province=_grid_rows(tracks, province, day),
        by_document=_grid_rows(tracks, document, day),
        longest_overdue=overdue[:LONGEST_OVERDUE],
        not_reported=missing,
        reported=reported,
    )


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    day: dt.date
    summary: str
    description: str
    url_task_id: int | None = None


def calendar_events(unit_ids: Iterable[int], today: dt.date) -> list[CalendarEvent]:
    """The deadlines of the open shares the given units carry (dated tasks; a missed one
    stays in the feed until it is done) and the due dates of their periodic reports from
    a quarter ago to a year ahead."""
    units = list(unit_ids)
    if not units:
        return []
    events: list[CalendarEvent] = []
    tracks = (
        TaskTrack.objects.filter(
            unit_id__in=units, completed_on__isnull=True, task__due_on__isnull=False
        )
        .select_related("task__document", "unit")
        .order_by("task__due_on", "task_id", "unit_id")
    )
    for track in tracks:
        task = track.task
        document = task.document
        events.append(
            CalendarEvent(
                uid=f"task-{task.pk}-unit-{track.unit_id}",
                day=task.due_on,  # type: ignore[arg-type]
                summary=f"Hạn: {document.number or document.title[:60]} mục {task.ref}",
                description=(
                    f"{track.unit.name}: {task.title}\nThời hạn như in: {task.deadline_text}"
                ),
                url_task_id=task.pk,
            )
        )
    from reports.periods import periods_due_between

    names = "; ".join(
        Unit.objects.filter(pk__in=units).order_by("name").values_list("name", flat=True)
    )
    for period in periods_due_between(
        today - dt.timedelta(days=92), today + dt.timedelta(days=366)
    ):
        events.append(
            CalendarEvent(
                uid=f"report-{period.slug}-units-{'-'.join(map(str, sorted(units)))}",
                day=period.due_on,
                summary=f"Hạn gửi báo cáo {period.label}",
                description=(
                    f"{names}. Số liệu từ {period.cutoff_start:%d/%m/%Y} đến "
                    f"{period.cutoff_end:%d/%m/%Y}."
                ),
            )
        )
    return events


# --------------------------------------------------------------------------- charts

PROGRESS_QUARTERS = 12
PROGRESS_SERIES = (
    Status.DONE_ON_TIME,
    Status.DONE_LATE,
    Status.IN_PROGRESS,
    Status.OVERDUE,
    Status.NOT_DUE,
)


def progress_over_quarters(
    task_ids: Iterable[int], first_day: dt.date | None, today: dt.date
) -> list[tuple[ReportPeriod, Grid]]:
    """The given tasks judged at each quarter's cut-off (the last PROGRESS_QUARTERS quarters
    from ``first_day`` up to today) with the reports approved by then. Two queries."""
    from reports.periods import PeriodKind, period_containing

    tracks = list(
        TaskTrack.objects.filter(task_id__in=list(task_ids))
        .select_related("task")
        .order_by("task_id", "unit_id")
    )
    rows = _approved_rows(t.pk for t in tracks)
    quarters: list[ReportPeriod] = []
    period = period_containing(today)
    start = first_day or today
    kinds = (PeriodKind.Q1, PeriodKind.Q2, PeriodKind.Q3, PeriodKind.Q4)
    while len(quarters) < PROGRESS_QUARTERS and period.cutoff_end >= start:
        if period.cutoff_end <= today:
            quarters.append(period)
        index = kinds.index(period.kind)
        period = (
            ReportPeriod(period.year, kinds[index - 1])
            if index
            else ReportPeriod(period.year - 1, PeriodKind.Q4)
        )
    out = []
    for quarter in reversed(quarters):
        by_task: dict[int, list[TaskTrack]] = defaultdict(list)
        for twin in _twins(tracks, rows, quarter.cutoff_end):
            by_task[twin.task_id].append(twin)
        grid = Grid()
        for task_tracks in by_task.values():
            grid.add(judge_as_of(task_tracks[0].task, task_tracks, quarter.cutoff_end).status)
        out.append((quarter, grid))
    return out


def chart_series(rows: list[tuple[ReportPeriod, Grid]]) -> dict:
    """``progress_over_quarters`` as the JSON the chart script reads."""
    from tasks.forms import QUARTERS

    names = dict(QUARTERS)
    return {
        "labels": [f"{names[p.quarters[0]]}/{p.year}" for p, _ in rows],
        "series": [
            {"key": s.value, "label": status_label(s), "data": [g.get(s) for _, g in rows]}
            for s in PROGRESS_SERIES
        ],
        "table": [
            {
                "label": f"{names[p.quarters[0]]}/{p.year}",
                "counts": [g.get(s) for s in PROGRESS_SERIES],
            }
            for p, g in rows
        ],
    }
