"""The reviewer's summary as XLSX: one sheet per grouping, bold frozen header with filters."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reports.selectors import EXTENDED_LABEL, GRID, OTHERS, Grid, Summary, status_label
from tasks.export import safe_cell

_BOLD = Font(bold=True)


def _header(sheet, titles: list[str], widths: list[int]) -> None:  # type: ignore[no-untyped-def]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{chr(ord('A') + len(titles) - 1)}1"
    row = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = _BOLD
        row.append(cell)
    sheet.append(row)


def _grid_sheet(book: Workbook, title: str, first: str, rows: list[tuple[str, Grid]]) -> None:
    sheet = book.create_sheet(title)
    statuses = (*GRID, *OTHERS)
    _header(
        sheet,
        [first, *(status_label(s) for s in statuses), "Tổng số", EXTENDED_LABEL],
        [48, *([14] * len(statuses)), 10, 12],
    )
    for name, grid in rows:
        sheet.append([safe_cell(name), *(grid.get(s) for s in statuses), grid.total, grid.extended])


def summary_xlsx(data: Summary) -> bytes:
    book = Workbook(write_only=True)
    _grid_sheet(book, "Theo bộ, ngành", "Bộ, ngành", [(r.name, r.grid) for r in data.by_ministry])
    _grid_sheet(
        book, "Theo địa phương", "Tỉnh, thành phố", [(r.name, r.grid) for r in data.by_province]
    )
    _grid_sheet(book, "Theo văn bản", "Văn bản", [(r.name, r.grid) for r in data.by_document])
    sheet = book.create_sheet("Quá hạn lâu nhất")
    _header(
        sheet,
        ["Văn bản", "Mục", "Nhiệm vụ", "Đơn vị chậm", "Số ngày quá hạn"],
        [18, 10, 80, 40, 14],
    )
    for row in data.longest_overdue:
        document = row.task.document
        sheet.append(
            [
                safe_cell(document.number or document.title[:120]),
                safe_cell(row.task.ref),
                safe_cell(row.task.title),
                safe_cell(row.units),
                row.days_overdue,
            ]
        )
    sheet = book.create_sheet("Chưa gửi báo cáo")
    _header(sheet, ["Đơn vị"], [60])
    for unit in data.not_reported:
        sheet.append([safe_cell(unit.name)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
