"""Task lists as XLSX. Cells that begin with =, +, - or @ are neutralised (formula injection)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from openpyxl import Workbook

from tasks.choices import AssignmentRole, TaskStatus
from tasks.models import Task
from tasks.status_sql import task_status_for

HEADERS = (
    "Văn bản",
    "Mục",
    "Nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời gian thực hiện (như in)",
    "Hạn hoàn thành",
    "Trạng thái",
    "Số ngày quá hạn",
)
OCCURRENCE_HEADERS = (
    "Văn bản",
    "Mục",
    "Kỳ",
    "Hạn",
    "Trạng thái",
    "Báo cáo đáp ứng (quý, ngày duyệt)",
)


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would read as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def tasks_xlsx(tasks: Iterable[Task], today: dt.date) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Nhiệm vụ")
    sheet.append([safe_cell(h) for h in HEADERS])
    occurrence_rows: list[list[object]] = []
    for task in tasks:
        view = task_status_for(task, today)
        assignments = task.assignment_list()
        leads = [a.unit.name for a in assignments if a.role == AssignmentRole.LEAD]
        coords = [a.unit.name for a in assignments if a.role == AssignmentRole.COORDINATE]
        row = [
            task.document.number or task.document.short_title,
            task.ref,
            task.title,
            "; ".join(leads),
            "; ".join(coords),
            task.deadline_text,
            task.due_on.strftime("%d/%m/%Y") if task.due_on else "",
            str(TaskStatus(view.status.value).label),
            view.days_overdue or "",
        ]
        sheet.append([safe_cell(str(v)) if isinstance(v, str) else v for v in row])
        for judged in view.occurrences:
            occurrence_rows.append(
                [
                    row[0],
                    task.ref,
                    judged.occurrence.label,
                    judged.occurrence.due_on.strftime("%d/%m/%Y"),
                    str(TaskStatus(judged.status.value).label),
                    "; ".join(
                        f"Quý {r.quarter}/{r.year}, duyệt {r.approved_on:%d/%m/%Y}"
                        for _, r in judged.reports
                    ),
                ]
            )
    # Recurring tasks are judged per occurrence: one row per occurrence on a second sheet.
    occurrences = book.create_sheet("Các kỳ định kỳ")
    occurrences.append([safe_cell(h) for h in OCCURRENCE_HEADERS])
    for values in occurrence_rows:
        occurrences.append([safe_cell(v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
