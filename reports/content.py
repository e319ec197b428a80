"""The text of a report as a list of blocks, written once: the HTML template (preview and
PDF) and the DOCX writer both lay out exactly these blocks under the same heading."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.models import Unit
from portal.numbers import format_vn_number
from reports.layout import Heading, Signer, heading_for
from reports.periods import ReportPeriod
from reports.selectors import (
    EXTENDED_LABEL,
    GRID,
    OTHERS,
    Grid,
    PeriodicReport,
    Summary,
    province_of,
    status_label,
)


@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    italic: bool = False


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]  # relative column widths
    numeric: tuple[int, ...] = ()  # columns right-aligned


Block = Title | Para | Table


@dataclass(frozen=True)
class ReportDocument:
    heading: Heading
    blocks: tuple[Block, ...]
    file_stem: str  # what the file holds, for its download name


def d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _task_ref(task: object) -> str:
    document = task.document  # type: ignore[attr-defined]
    return f"{document.number or document.title[:60]}, mục {task.ref}"  # type: ignore[attr-defined]


def _extended(grid: Grid) -> str:
    """The count beside the grid, in words."""
    return (
        f"{EXTENDED_LABEL}: {grid.extended} nhiệm vụ (gia hạn được đồng ý trước khi hết hạn, "
        f"đánh giá theo hạn mới)."
    )


def _grid_table(rows: list[tuple[str, Grid]], first: str) -> Table:
    headers = (
        first,
        *(status_label(s) for s in GRID),
        "Chưa đến hạn",
        "Khác",
        "Tổng số",
        EXTENDED_LABEL,
    )
    body = []
    for name, grid in rows:
        others = sum(grid.get(s) for s in OTHERS[1:])
        body.append(
            (
                name,
                *(str(grid.get(s)) for s in GRID),
                str(grid.get(OTHERS[0])),
                str(others),
                str(grid.total),
                str(grid.extended),
            )
        )
    return Table(
        headers,
        tuple(body),
        (28, 10, 10, 10, 10, 10, 8, 8, 9),
        numeric=(1, 2, 3, 4, 5, 6, 7, 8),
    )


def _recipients(reviewers: list[str]) -> tuple[str, ...]:
    return (*(f"- {name} (để báo cáo);" for name in reviewers), "- Lưu: VT.")


def _unit_heading(
    unit: Unit, summary: str, period: ReportPeriod, signer: Signer, reviewers: list[str]
) -> Heading:
    province = province_of(unit)
    return heading_for(
        kind=unit.kind,
        name=unit.name,
        short_name=unit.short_name,
        superior_name=unit.parent.name if unit.parent_id and unit.parent else "",
        province_name=province.name if province else None,
        summary=summary,
        day=None,
        year=period.due_on.year,
        recipients=_recipients(reviewers),
        signer=signer,
    )


def periodic_document(
    report: PeriodicReport, *, signer: Signer, reviewers: list[str]
) -> ReportDocument:
    """A unit's periodic report in the administrative format."""
    period, grid, unit = report.period, report.grid, report.unit
    heading = _unit_heading(
        unit,
        f"Kết quả thực hiện nhiệm vụ {period.label}",
        period,
        signer,
        reviewers,
    )
    blocks: list[Block] = [
        Para(
            f"Thực hiện chế độ báo cáo định kỳ, {unit.name} báo cáo kết quả thực hiện các "
            f"nhiệm vụ được giao {period.label} (số liệu tính từ ngày {d(period.cutoff_start)} "
            f"đến ngày {d(period.cutoff_end)}) như sau:"
        ),
        Title("I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ"),
        Title("1. Tình hình chung"),
        Para(
            f"Tính đến ngày {d(report.day)}, đơn vị được giao chủ trì {grid.total} nhiệm vụ, "
            f"trong đó {grid.due} nhiệm vụ đã đến hạn: {grid.get(GRID[0])} hoàn thành đúng "
            f"hạn, {grid.get(GRID[1])} hoàn thành quá hạn, {grid.get(GRID[2])} chưa hoàn thành "
            f"trong hạn, {grid.get(GRID[3])} chưa hoàn thành quá hạn; {grid.get(OTHERS[0])} "
            f"nhiệm vụ chưa đến hạn. {_extended(grid)}"
        ),
        _grid_table([(unit.name, grid)], "Đơn vị"),
        Title("2. Nhiệm vụ đã hoàn thành trong kỳ"),
    ]
    if report.completed:
        blocks.append(
            Table(
                ("STT", "Văn bản, mục", "Nhiệm vụ", "Ngày hoàn thành", "Đánh giá"),
                tuple(
                    (
                        str(i),
                        _task_ref(row.task),
                        row.task.title,
                        d(row.completed_on),
                        "Quá hạn" if row.late else "Đúng hạn",
                    )
                    for i, row in enumerate(report.completed, 1)
                ),
                (8, 21, 43, 14, 14),
                numeric=(0,),
            )
        )
    else:
        blocks.append(Para("Không có nhiệm vụ hoàn thành trong kỳ.", italic=True))
    blocks.append(Title("3. Nhiệm vụ chưa hoàn thành, quá hạn và giải trình"))
    if report.overdue:
        blocks.append(
            Table(
                ("STT", "Văn bản, mục", "Nhiệm vụ", "Số ngày quá hạn", "Giải trình của đơn vị"),
                tuple(
                    (
                        str(i),
                        _task_ref(row.task),
                        row.task.title,
                        str(row.days_overdue),
                        (
                            f"{row.explanation} ({d(row.explained_on)})"
                            if row.explanation
                            else "Chưa có giải trình."
                        ),
                    )
                    for i, row in enumerate(report.overdue, 1)
                ),
                (8, 19, 35, 10, 28),
                numeric=(0, 3),
            )
        )
    else:
        blocks.append(Para("Không có nhiệm vụ quá hạn.", italic=True))
    blocks.append(Title("II. THỰC HIỆN CÁC CHỈ TIÊU"))
    if report.indicators:
        rows = []
        for i, (indicator, row) in enumerate(report.indicators, 1):
            latest = (
                f"{format_vn_number(row.latest.value)} {indicator.unit_of_measure}".strip()
                + f" ({row.latest.year})"
                if row.latest
                else "—"
            )
            rows.append(
                (
                    str(i),
                    indicator.name,
                    f"{indicator.target_text} (năm {indicator.target_year})",
                    latest,
                    row.evaluation.verdict.label,
                )
            )
        blocks.append(
            Table(
                ("STT", "Chỉ tiêu", "Mục tiêu", "Giá trị mới nhất", "Đánh giá"),
                tuple(rows),
                (8, 29, 31, 14, 18),
                numeric=(0,),
            )
        )
    else:
        blocks.append(Para("Đơn vị không được giao theo dõi chỉ tiêu.", italic=True))
    blocks.append(Title("III. KIẾN NGHỊ, ĐỀ XUẤT"))
    blocks.append(Para("(Đơn vị bổ sung trước khi trình ký.)", italic=True))
    return ReportDocument(
        heading=heading,
        blocks=tuple(blocks),
        file_stem=f"bao-cao-{unit.key}-{period.slug}",
    )


def summary_document(
    data: Summary, *, reviewer: Unit | None, signer: Signer, reviewers: list[str]
) -> ReportDocument:
    """The reviewer's national summary for a period."""
    period = data.period
    summary_text = f"Tổng hợp tình hình thực hiện nhiệm vụ {period.label}"
    if reviewer is not None:
        heading = _unit_heading(reviewer, summary_text, period, signer, reviewers)
    else:
        heading = heading_for(
            kind="party_agency",
            name="Ban Chính sách, chiến lược Trung ương",
            summary=summary_text,
            day=None,
            year=period.due_on.year,
            recipients=_recipients(reviewers),
            signer=signer,
        )
    total = data.total
    blocks: list[Block] = [
        Para(
            f"Số liệu tính từ ngày {d(period.cutoff_start)} đến ngày {d(period.cutoff_end)}; "
            f"trạng thái nhiệm vụ đánh giá tại ngày {d(data.day)} theo các báo cáo đã được "
            f"duyệt đến ngày đó."
        ),
        Title("I. TÌNH HÌNH CHUNG"),
        Para(
            f"Tổng số {total.total} nhiệm vụ, trong đó {total.due} nhiệm vụ đã đến hạn: "
            f"{total.get(GRID[0])} hoàn thành đúng hạn, {total.get(GRID[1])} hoàn thành quá "
            f"hạn, {total.get(GRID[2])} chưa hoàn thành trong hạn, {total.get(GRID[3])} chưa "
            f"hoàn thành quá hạn. {_extended(total)}"
        ),
        Title("II. THEO BỘ, NGÀNH"),
        _grid_table([(r.name, r.grid) for r in data.by_ministry], "Bộ, ngành"),
        Title("III. THEO ĐỊA PHƯƠNG"),
        _grid_table([(r.name, r.grid) for r in data.by_province], "Tỉnh, thành phố"),
        Title("IV. THEO VĂN BẢN"),
        _grid_table([(r.name, r.grid) for r in data.by_document], "Văn bản"),
        Title("V. CÁC NHIỆM VỤ QUÁ HẠN LÂU NHẤT"),
    ]
    if data.longest_overdue:
        blocks.append(
            Table(
                ("STT", "Văn bản, mục", "Nhiệm vụ", "Đơn vị chậm", "Số ngày quá hạn"),
                tuple(
                    (str(i), _task_ref(o.task), o.task.title, o.units, str(o.days_overdue))
                    for i, o in enumerate(data.longest_overdue, 1)
                ),
                (8, 19, 39, 22, 12),
                numeric=(0, 4),
            )
        )
    else:
        blocks.append(Para("Không có nhiệm vụ quá hạn.", italic=True))
    blocks.append(Title("VI. CÁC ĐƠN VỊ CHƯA GỬI BÁO CÁO"))
    blocks.append(
        Para(
            f"{data.reported} đơn vị đã gửi báo cáo {period.label}; "
            f"{len(data.not_reported)} đơn vị chưa gửi."
        )
    )
    if data.not_reported:
        blocks.append(
            Table(
                ("STT", "Đơn vị"),
                tuple((str(i), u.name) for i, u in enumerate(data.not_reported, 1)),
                (8, 92),
                numeric=(0,),
            )
        )
    return ReportDocument(
        heading=heading, blocks=tuple(blocks), file_stem=f"tong-hop-nhiem-vu-{period.slug}"
    )
