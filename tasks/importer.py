"""Import of assignment tables (biểu phân công): TSV as printed, CSV or XLSX.

Columns STT, Nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp, Thời gian thực hiện (matched
accent- and case-insensitively by their beginning). A row whose STT is "-" is a sub-task of
the numbered row above. Every row is read and every unit resolved before anything is
written; one unresolved row means nothing is written (all rows or none).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from accounts.selectors import UnitResolver, group_members
from documents.models import Document
from portal.vietnamese import fold, nfc
from tasks.services import task_upsert

COLUMNS = {
    "stt": ("stt", "so tt", "so thu tu"),
    "title": ("nhiem vu", "noi dung"),
    "lead": ("don vi chu tri", "chu tri", "co quan chu tri"),
    "coordinate": ("don vi phoi hop", "phoi hop", "co quan phoi hop"),
    "deadline": ("thoi gian", "thoi han"),
}
MAX_ROWS = 5000


class TableError(ValueError):
    """The file cannot be read as an assignment table."""


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
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _records(path: Path) -> list[tuple[int, list[str]]]:
    """(physical line or sheet row number, cells) for every record of the file."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(path, read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many types for a bad file
            raise TableError(f"Không đọc được tệp Excel: {exc}") from exc
        return [
            (number, ["" if c is None else _cell_text(c) for c in row])
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError("Tệp phải được mã hóa UTF-8.") from exc
    if suffix in {".tsv", ".txt"}:
        # A printed table has no CSV quoting: a cell may begin with a quotation mark.
        reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(io.StringIO(text), delimiter=",")
    return [(reader.line_num, record) for record in reader]


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text; a date cell reads as dd/mm/yyyy, as officials type it."""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def read_table(path: Path | str) -> list[Row]:
    """Rows of the table with their line numbers; blank lines skipped."""
    records = _records(Path(path))
    header_at = None
    columns: dict[str, int] = {}
    for index, (_, record) in enumerate(records):
        folded = [fold(c) for c in record]
        found = {}
        for name, prefixes in COLUMNS.items():
            for col, cell in enumerate(folded):
                if cell and any(cell.startswith(p) for p in prefixes):
                    found[name] = col
                    break
        if {"stt", "title", "lead"} <= found.keys():
            header_at, columns = index, found
            break
    if header_at is None:
        raise TableError("Không thấy dòng tiêu đề (STT, Nhiệm vụ, Đơn vị chủ trì, ...).")
    rows: list[Row] = []
    for index in range(header_at + 1, len(records)):
        line, record = records[index]

        def cell(name: str, record: list[str] = record) -> str:
            col = columns.get(name)
            return nfc(record[col]) if col is not None and col < len(record) else ""

        if not any(nfc(c) for c in record):
            continue
        rows.append(
            Row(
                line,
                cell("stt"),
                cell("title"),
                cell("lead"),
                cell("coordinate"),
                cell("deadline"),
            )
        )
        if len(rows) > MAX_ROWS:
            raise TableError(f"Bảng quá lớn: tối đa {MAX_ROWS} dòng.")
    return rows


_SUB = {"-", "–", "—", "+", "*", "•"}


def import_rows(
    document: Document,
    rows: list[Row],
    *,
    dry_run: bool = False,
    ref_prefix: str = "STT ",
    first_position: int = 1,
) -> ImportReport:
    """Resolve every row, then write all of them in one transaction, or none. Rows are
    placed from ``first_position`` on (after the document's prose sections printed before
    the table)."""
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    resolver = UnitResolver()
    province = document.province
    plan = []
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
        plan.append((position, ref, parent, row, leads.units, coordinators.units))
    seen: dict[str, int] = {}
    for _, ref, _, row, _, _ in plan:
        if ref in seen:
            report.errors.append((row.line, f"Số thứ tự trùng với dòng {seen[ref]}: {ref}."))
        seen.setdefault(ref, row.line)
        limits = (("Số thứ tự", ref, 40), ("Thời gian thực hiện", row.deadline, 300))
        for label, value, limit in limits:
            if len(value) > limit:
                report.errors.append((row.line, f"{label} dài quá {limit} ký tự."))
    if report.errors or dry_run:
        return report
    members = group_members()
    with transaction.atomic():
        by_ref = {}
        for position, ref, parent_ref_, row, leads_, coords in plan:
            existed = document.tasks.filter(ref=ref).exists()
            task, changed = task_upsert(
                document=document,
                ref=ref,
                title=row.title,
                position=position,
                parent=by_ref.get(parent_ref_) if parent_ref_ else None,
                deadline_text=row.deadline,
                leads=leads_,
                coordinators=coords,
                members=members,
            )
            by_ref[ref] = task
            if not existed:
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
    return report
