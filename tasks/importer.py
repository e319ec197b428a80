"""Import of assignment tables (biểu phân công): pasted or TSV as printed, CSV, XLSX, DOCX.

Columns STT, Nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp, Thời gian thực hiện (matched
accent- and case-insensitively by their beginning). A row whose STT is "-" is a sub-task of
the numbered row above. Every row is read and every unit resolved before anything is
written; one unresolved row means nothing is written (all rows or none).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction

from accounts.models import Unit, User
from accounts.selectors import UnitResolver, group_members
from documents.models import Document, TableImport
from portal import tables
from portal.vietnamese import fold, nfc
from tasks.bulk_upsert import BulkInvalid, TaskSpec, tasks_bulk_upsert
from tasks.choices import DeadlineKind
from tasks.deadlines import Deadline, parse_deadline
from tasks.models import Task
from tasks.services import document_reference_date

COLUMNS = {
    "stt": ("stt", "so tt", "so thu tu"),
    "title": ("nhiem vu", "noi dung"),
    "lead": ("don vi chu tri", "chu tri", "co quan chu tri"),
    "coordinate": ("don vi phoi hop", "phoi hop", "co quan phoi hop"),
    "deadline": ("thoi gian", "thoi han"),
}
HEADER_HINT = "STT, Nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp, Thời gian thực hiện"
MAX_ROWS = tables.MAX_ROWS
TableError = tables.TableError  # the shared reader's refusal, under its old name here


@dataclass
class Row:
    line: int
    stt: str
    title: str
    lead: str
    coordinate: str
    deadline: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Tasks of the document that an earlier import created and this table no longer lists:
    # kept (they may hold reports), listed for a person to decide.
    missing: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text; a date cell reads as dd/mm/yyyy, as officials type it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value))


def _columns(header: list[object]) -> dict[str, int]:
    folded = [fold(_cell_text(c)) for c in header]
    found: dict[str, int] = {}
    for name, prefixes in COLUMNS.items():
        for col, cell in enumerate(folded):
            if cell and any(cell.startswith(p) for p in prefixes):
                found[name] = col
                break
    return found


def _is_header(cells: list[object]) -> bool:
    return {"stt", "title", "lead"} <= _columns(cells).keys()


def _rows(table: tables.Table) -> list[Row]:
    columns = _columns(table.header)
    rows: list[Row] = []
    for line, record in table.rows:

        def cell(name: str, record: list[object] = record) -> str:
            col = columns.get(name)
            return _cell_text(record[col]) if col is not None and col < len(record) else ""

        rows.append(
            Row(
                line, cell("stt"), cell("title"), cell("lead"), cell("coordinate"), cell("deadline")
            )
        )
    return rows


def read_table(source: Path | str | bytes | IO[bytes], *, name: str | None = None) -> list[Row]:
    """Rows of the assignment table in a file (TSV, CSV, XLSX or DOCX, by its name) with
    their line numbers; blank lines skipped. Limits and refusals: ``portal.tables``."""
    return _rows(
        tables.read_table(source, is_header=_is_header, header_hint=HEADER_HINT, name=name)
    )


def read_pasted(text: str) -> list[Row]:
    """Rows of a table pasted from Word or Excel (tab-separated)."""
    return _rows(tables.paste_table(text, is_header=_is_header, header_hint=HEADER_HINT))


_SUB = {"-", "–", "—", "+", "*", "•"}


def import_rows(
    document: Document,
    rows: list[Row],
    *,
    dry_run: bool = False,
    ref_prefix: str = "STT ",
    user: User | None = None,
    first_position: int = 1,
) -> ImportReport:
    """Resolve every row, then write all of them in one transaction, or none. Rows are
    placed from ``first_position`` on (after the document's prose sections printed before
    the table).

    The write is in bulk (``tasks.bulk_upsert``): a constant number of queries, whatever the
    number of rows. Tasks of the document that the table no longer lists are kept and
    reported in ``missing``."""
    report, specs = plan_rows(document, rows, ref_prefix=ref_prefix, first_position=first_position)
    report.dry_run = dry_run
    if report.errors or dry_run:
        return report
    return write_planned(document, report, specs, user=user)


def write_planned(
    document: Document, report: ImportReport, specs: list[TaskSpec], *, user: User | None
) -> ImportReport:
    """Write the rows ``plan_rows`` checked (``report`` without errors) and fill in what
    was written."""
    try:
        result = tasks_bulk_upsert(
            document=document, specs=specs, members=group_members(), user=user
        )
    except BulkInvalid as exc:
        report.errors.extend(exc.errors)
        return report
    report.created, report.updated, report.unchanged = (
        result.created,
        result.updated,
        result.unchanged,
    )
    report.missing = missing_refs(document, specs)
    return report


def missing_refs(document: Document, specs: list[TaskSpec]) -> list[str]:
    """References of the document's tasks that the table does not list (kept, not deleted)."""
    listed = {spec.ref for spec in specs}
    return [
        ref
        for ref in Task.objects.filter(document=document)
        .order_by("position", "id")
        .values_list("ref", flat=True)
        if ref not in listed
    ]


def plan_rows(
    document: Document,
    rows: list[Row],
    *,
    ref_prefix: str = "STT ",
    resolver: UnitResolver | None = None,
    first_position: int = 1,
) -> tuple[ImportReport, list[TaskSpec]]:
    """Every row checked and its units resolved (nothing written): the report's errors by
    line, and what would be written. A constant number of queries."""
    report = ImportReport(rows=len(rows))
    resolver = resolver or UnitResolver()
    province = document.province
    specs: list[TaskSpec] = []
    parent_ref: str | None = None
    child_no = 0
    for position, row in enumerate(rows, start=first_position):
        if not row.title:
            report.errors.append((row.line, "Thiếu nội dung nhiệm vụ."))
            continue
        if row.stt in _SUB:
            if parent_ref is None:
                report.errors.append((row.line, "Dòng “-” không có nhiệm vụ cha ở trên."))
                continue
            child_no += 1
            ref, parent = f"{parent_ref}.{child_no}", parent_ref
        else:
            stt = re.sub(r"\s+", "", row.stt).rstrip(".")
            if not stt:
                report.errors.append((row.line, "Thiếu số thứ tự (STT)."))
                continue
            ref, parent, parent_ref, child_no = f"{ref_prefix}{stt}", None, f"{ref_prefix}{stt}", 0
        leads = resolver.resolve_list(row.lead, province)
        coordinators = resolver.resolve_list(row.coordinate, province)
        for label, resolved in (("chủ trì", leads), ("phối hợp", coordinators)):
            for name in resolved.unresolved:
                report.errors.append((row.line, f"Không nhận ra đơn vị {label}: “{name}”."))
        specs.append(
            TaskSpec(
                line=row.line,
                ref=ref,
                title=row.title,
                position=position,
                parent_ref=parent,
                deadline_text=row.deadline,
                leads=leads.units,
                coordinators=coordinators.units,
            )
        )
    seen: dict[str, int] = {}
    for spec in specs:
        if spec.ref in seen:
            report.errors.append(
                (spec.line, f"Số thứ tự trùng với dòng {seen[spec.ref]}: {spec.ref}.")
            )
        seen.setdefault(spec.ref, spec.line)
        limits = (("Số thứ tự", spec.ref, 40), ("Thời gian thực hiện", spec.deadline_text, 300))
        for label, value, limit in limits:
            if len(value) > limit:
                report.errors.append((spec.line, f"{label} dài quá {limit} ký tự."))
    report.errors.sort(key=lambda error: error[0])
    return report, specs


# --------------------------------------------------------------------------- in the browser

# A table of more rows than this is published by a background job (``tasks.import_table``),
# in chunks of ``JOB_CHUNK`` rows, each committed with the job's progress.
JOB_THRESHOLD = 2000
JOB_CHUNK = 500
_ROW_FIELDS = ("line", "stt", "title", "lead", "coordinate", "deadline")


def rows_to_json(rows: list[Row]) -> list[dict[str, object]]:
    return [{name: getattr(row, name) for name in _ROW_FIELDS} for row in rows]


def rows_from_json(data: list[dict[str, object]]) -> list[Row]:
    return [
        Row(
            int(str(item["line"])),
            *(nfc(str(item.get(name) or "")) for name in _ROW_FIELDS[1:]),
        )
        for item in data
    ]


@dataclass
class RowView:
    """One row as the clerk checks it: what was read, what it resolves to, what is wrong."""

    index: int
    row: Row
    leads: list[tuple[Unit, str]]
    coordinators: list[tuple[Unit, str]]
    unresolved: list[str]
    deadline: Deadline
    errors: list[str]  # what stops the publish
    warnings: list[str]  # kept and flagged (an unreadable deadline phrase)


def table_preview(document: Document, rows: list[Row]) -> tuple[list[RowView], ImportReport]:
    """Every row with its resolved units, parsed deadline and problems (nothing written;
    a constant number of queries)."""
    resolver = UnitResolver()
    report, _ = plan_rows(document, rows, resolver=resolver)
    problems: dict[int, list[str]] = {}
    for line, message in report.errors:
        problems.setdefault(line, []).append(message)
    reference = document_reference_date(document)
    views = []
    for index, row in enumerate(rows):
        leads = resolver.resolve_list(row.lead, document.province)
        coordinators = resolver.resolve_list(row.coordinate, document.province)
        deadline = parse_deadline(row.deadline, reference)
        warnings = []
        if deadline.kind == DeadlineKind.UNKNOWN and row.deadline:
            warnings.append(f"Chưa đọc được thời hạn “{row.deadline}”: sẽ giữ nguyên để xem lại.")
        views.append(
            RowView(
                index=index,
                row=row,
                leads=leads.units,
                coordinators=coordinators.units,
                unresolved=leads.unresolved + coordinators.unresolved,
                deadline=deadline,
                errors=problems.get(row.line, []),
                warnings=warnings,
            )
        )
    return views, report


@transaction.atomic
def table_import_row_update(
    *, batch: TableImport, index: int, values: dict[str, str]
) -> TableImport:
    """The clerk's fix of one row of a checked table (title, units, deadline phrase)."""
    batch = TableImport.objects.select_for_update().get(pk=batch.pk)
    if batch.state != TableImport.State.CHECKED or not 0 <= index < len(batch.rows):
        raise TableError("Bảng này đã được nhập hoặc không còn dòng này.")
    row = dict(batch.rows[index])
    for name in ("title", "lead", "coordinate", "deadline"):
        if name in values:
            row[name] = nfc(values[name])
    batch.rows[index] = row
    batch.save(update_fields=["rows"])
    return batch


def table_import_publish(*, batch: TableImport, user: User) -> TableImport:
    """Publish a checked table: all rows or none. Up to ``JOB_THRESHOLD`` rows at once; a
    larger table goes to the background job, which reports its progress on the batch."""
    with transaction.atomic():
        batch = TableImport.objects.select_for_update().get(pk=batch.pk)
        if batch.state != TableImport.State.CHECKED:
            return batch
        rows = rows_from_json(batch.rows)
        report, specs = plan_rows(batch.document, rows)
        if report.errors:
            batch.result = {"errors": report.errors}
            batch.save(update_fields=["result"])
            return batch
        if len(rows) > JOB_THRESHOLD:
            batch.state = TableImport.State.RUNNING
            batch.save(update_fields=["state"])
            from tasks.tasks import import_table_task

            import_table_task.delay_on_commit(batch.pk)
            return batch
        done = write_planned(batch.document, report, specs, user=user)
        batch.state = TableImport.State.DONE if done.ok else TableImport.State.CHECKED
        batch.done = batch.total if done.ok else 0
        batch.result = _result(done)
        batch.save(update_fields=["state", "done", "result"])
        return batch


def _result(report: ImportReport) -> dict[str, object]:
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "missing": report.missing,
        "errors": report.errors,
    }


def table_import_run(*, batch_id: int) -> None:
    """The background publish of a large table, resumable: every chunk of ``JOB_CHUNK``
    rows is committed with the batch's ``done`` count, so a job that is killed and run again
    continues after the last committed chunk (re-writing a chunk would change nothing: rows
    match by reference). The rows were checked before the job was queued and are checked
    again here; one bad row stops the job before its first chunk."""
    batch = TableImport.objects.select_related("document", "created_by").filter(pk=batch_id).first()
    if batch is None or batch.state != TableImport.State.RUNNING:
        return
    document = batch.document
    rows = rows_from_json(batch.rows)
    report, specs = plan_rows(document, rows)
    if report.errors:
        TableImport.objects.filter(pk=batch.pk).update(
            state=TableImport.State.FAILED, result={"errors": report.errors}
        )
        return
    members = group_members()
    totals = dict(batch.result or {})
    for start in range(batch.done, len(specs), JOB_CHUNK):
        chunk = specs[start : start + JOB_CHUNK]
        with transaction.atomic():
            try:
                result = tasks_bulk_upsert(
                    document=document, specs=chunk, members=members, user=batch.created_by
                )
            except BulkInvalid as exc:
                TableImport.objects.filter(pk=batch.pk).update(
                    state=TableImport.State.FAILED, result={"errors": exc.errors}
                )
                return
            for name in ("created", "updated", "unchanged"):
                totals[name] = int(totals.get(name, 0)) + getattr(result, name)
            TableImport.objects.filter(pk=batch.pk).update(done=start + len(chunk), result=totals)
    totals["missing"] = missing_refs(document, specs)
    TableImport.objects.filter(pk=batch.pk).update(
        state=TableImport.State.DONE, done=len(specs), result=totals
    )
