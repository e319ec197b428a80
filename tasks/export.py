"""Task lists as XLSX, the whole list, written row by row (openpyxl's write-only mode) into
a spooled temporary file: no row limit and no workbook held in memory.

The header is bold, frozen and filterable; dates are real date cells (dd/mm/yyyy); numbers
are numbers; cells that begin with =, +, - or @ are neutralised (formula injection)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal.periods import quarter_label
from tasks.choices import AssignmentRole, ReportState, TaskStatus
from tasks.models import ProgressReport, Task
from tasks.status_sql import task_status_for

# (header, column width in characters)
COLUMNS = (
    ("Văn bản", 18),
    ("Mục", 10),
    ("Nhiệm vụ", 70),
    ("Đơn vị chủ trì", 36),
    ("Đơn vị phối hợp", 36),
    ("Thời gian thực hiện (như in)", 28),
    ("Hạn hoàn thành", 14),
    ("Trạng thái", 24),
    ("Số ngày quá hạn", 12),
    ("Ngày hoàn thành", 14),
    ("Báo cáo gần nhất", 30),
)
HEADERS = tuple(title for title, _ in COLUMNS)
# Recurring tasks are judged per occurrence: one row per occurrence on a second sheet.
OCCURRENCE_COLUMNS = (
    ("Văn bản", 18),
    ("Mục", 10),
    ("Kỳ", 16),
    ("Hạn", 14),
    ("Trạng thái", 24),
    ("Báo cáo đáp ứng (quý, ngày duyệt)", 40),
)
DATE_FORMAT = "DD/MM/YYYY"
CHUNK = 500
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would read as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _chunks(tasks: Iterable[Task]) -> Iterator[list[Task]]:
    iterator = iter(tasks)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _last_reports(task_ids: list[int]) -> dict[int, ProgressReport]:
    """Each task's latest submitted, approved or returned report (drafts are private to
    their unit), one query per chunk of tasks."""
    found: dict[int, ProgressReport] = {}
    reports = (
        ProgressReport.objects.filter(track__task_id__in=task_ids)
        .exclude(state=ReportState.DRAFT)
        .select_related("track")
        .only("period_year", "period_quarter", "percent", "state", "track__task_id")
        .order_by("track__task_id", "-period_year", "-period_quarter", "-updated_at")
    )
    for report in reports:
        found.setdefault(report.track.task_id, report)
    return found


def report_label(report: ProgressReport | None) -> str:
    if report is None:
        return "Chưa báo cáo"
    state = ReportState(report.state).label
    return (
        f"{quarter_label(report.period_year, report.period_quarter)}: {report.percent}% ({state})"
    )


def _header(sheet: Worksheet, columns: tuple[tuple[str, int], ...]) -> None:
    for index, (_, width) in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    cells = []
    for title, _ in columns:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = _BOLD
        cell.alignment = _WRAP
        cells.append(cell)
    sheet.append(cells)


def _date_cell(sheet: Worksheet, value: dt.date | None) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    if value is not None:
        cell.number_format = DATE_FORMAT
    return cell


def _row(sheet: Worksheet, task: Task, view: Any, last: ProgressReport | None) -> list:
    assignments = task.assignment_list()
    leads = [a.unit.name for a in assignments if a.role == AssignmentRole.LEAD]
    coords = [a.unit.name for a in assignments if a.role == AssignmentRole.COORDINATE]
    text = [
        task.document.number or task.document.short_title,
        task.ref,
        task.title,
        "; ".join(leads),
        "; ".join(coords),
        task.deadline_text,
    ]
    return [
        *(safe_cell(value) for value in text),
        _date_cell(sheet, task.due_on),
        str(TaskStatus(view.status.value).label),
        view.days_overdue or None,
        _date_cell(sheet, task.completed_on),
        report_label(last),
    ]


def _occurrence_row(sheet: Worksheet, task: Task, judged: Any) -> list:
    met = "; ".join(
        f"{quarter_label(r.year, r.quarter)}, duyệt {r.approved_on:%d/%m/%Y}"
        for _, r in judged.reports
    )
    return [
        safe_cell(task.document.number or task.document.short_title),
        safe_cell(task.ref),
        safe_cell(judged.occurrence.label),
        _date_cell(sheet, judged.occurrence.due_on),
        str(TaskStatus(judged.status.value).label),
        safe_cell(met),
    ]


def write_tasks_xlsx(tasks: Iterable[Task], today: dt.date, out: IO[bytes]) -> int:
    """Write every task of ``tasks`` (fetched with ``task_list_related``; pass a queryset's
    ``iterator(chunk_size=...)`` so the list is read in chunks) to ``out``. Returns the
    number of rows written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Nhiệm vụ")
    _header(sheet, COLUMNS)
    occurrences = book.create_sheet("Các kỳ định kỳ")
    _header(occurrences, OCCURRENCE_COLUMNS)
    rows = 0
    for chunk in _chunks(tasks):
        last = _last_reports([task.pk for task in chunk])
        for task in chunk:
            view = task_status_for(task, today)
            sheet.append(_row(sheet, task, view, last.get(task.pk)))
            for judged in view.occurrences:
                occurrences.append(_occurrence_row(occurrences, task, judged))
            rows += 1
    book.save(out)
    return rows


def tasks_xlsx_file(tasks: Iterable[Task], today: dt.date) -> IO[bytes]:
    """The workbook in a temporary file (in memory up to 8 MB, then on disk), rewound."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned open
    write_tasks_xlsx(tasks, today, out)
    out.seek(0)
    return out


def tasks_xlsx(tasks: Iterable[Task], today: dt.date) -> bytes:
    with tasks_xlsx_file(tasks, today) as out:
        return out.read()
