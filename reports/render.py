"""Renderers of a ``ReportDocument``: HTML (the preview, and the PDF through WeasyPrint) and
DOCX (python-docx). Both read fonts, sizes and margins from ``reports.layout`` and lay out
the same heading and blocks (``reports.content``)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.content import Para, ReportDocument, Table, Title
from reports.layout import Layout

PDF_MEDIA_TYPE = "application/pdf"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --------------------------------------------------------------------------- HTML / PDF


def _template_blocks(doc: ReportDocument) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for block in doc.blocks:
        if isinstance(block, Title):
            out.append({"kind": "title", "item": block})
        elif isinstance(block, Para):
            out.append({"kind": "para", "item": block})
        else:
            total = sum(block.widths) or 1
            out.append(
                {
                    "kind": "table",
                    "item": block,
                    "widths": [round(100 * w / total, 2) for w in block.widths],
                    "rows": [
                        [
                            {"text": cell, "numeric": index in block.numeric}
                            for index, cell in enumerate(row)
                        ]
                        for row in block.rows
                    ],
                }
            )
    return out


def document_context(doc: ReportDocument) -> dict[str, Any]:
    """What ``reports/_document.html`` reads (the preview page includes it too)."""
    return {"doc": doc, "blocks": _template_blocks(doc)}


def render_html(doc: ReportDocument) -> str:
    return render_to_string("reports/document_pdf.html", document_context(doc))


def render_pdf(doc: ReportDocument) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango through cffi

    return HTML(string=render_html(doc), base_url=str(settings.BASE_DIR)).write_pdf()


# --------------------------------------------------------------------------- DOCX


def _font(
    run: Any, layout: Layout, size: float, *, bold: bool = False, italic: bool = False
) -> None:
    run.font.name = layout.font_family
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), layout.font_family)


def _line(
    cell_or_doc: Any,
    text: str,
    layout: Layout,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    first: bool = False,
) -> Any:
    paragraph = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    run = paragraph.add_run(text)
    _font(run, layout, size, bold=bold, italic=italic)
    run.font.underline = underline
    return paragraph


def _no_borders(table: Any) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _widths(table: Any, widths_mm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _heading(docx: Any, doc: ReportDocument, text_width: float) -> None:
    h, layout = doc.heading, doc.heading.layout
    table = docx.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [text_width * 0.42, text_width * 0.58])
    left, right = table.rows[0].cells
    first = True
    if h.superior:
        _line(left, h.superior, layout, layout.issuer_pt.value, first=True)
        first = False
    _line(left, h.issuer, layout, layout.issuer_pt.value, bold=True, first=first)
    _line(left, "*" if layout.issuer_star else "", layout, layout.issuer_pt.value)
    _line(left, h.number, layout, layout.number_pt.value)
    first = True
    for national in h.national:
        _line(
            right,
            national,
            layout,
            layout.national_heading_pt.value,
            bold=True,
            underline=h.is_party,
            first=first,
        )
        first = False
    if h.motto:
        _line(right, h.motto, layout, layout.motto_pt.value, bold=True, underline=True)
    place = _line(right, h.place_date, layout, layout.place_date_pt.value, italic=True)
    place.paragraph_format.space_before = Pt(6)
    kind = _line(docx, h.kind, layout, layout.kind_pt.value, bold=True)
    kind.paragraph_format.space_before = Pt(18)
    summary = _line(docx, h.summary, layout, layout.summary_pt.value, bold=True)
    summary.paragraph_format.space_after = Pt(12)


def _body(docx: Any, doc: ReportDocument, text_width: float) -> None:
    layout = doc.heading.layout
    for block in doc.blocks:
        if isinstance(block, Title | Para):
            paragraph = docx.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt = paragraph.paragraph_format
            fmt.first_line_indent = Mm(layout.first_line_indent_mm.value)
            fmt.space_after = Pt(layout.paragraph_after_pt.value)
            fmt.line_spacing = layout.line_spacing.value
            run = paragraph.add_run(block.text)
            _font(
                run,
                layout,
                layout.body_pt.value,
                bold=isinstance(block, Title),
                italic=isinstance(block, Para) and block.italic,
            )
            continue
        _table(docx, block, layout, text_width)


def _table(docx: Any, block: Table, layout: Layout, text_width: float) -> None:
    table = docx.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    total = sum(block.widths) or 1
    size = layout.table_pt.value
    for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
        _line(cell, text, layout, size, bold=True, first=True)
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    for row in block.rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            align = WD_ALIGN_PARAGRAPH.RIGHT if index in block.numeric else WD_ALIGN_PARAGRAPH.LEFT
            _line(cell, text, layout, size, align=align, first=True)
    _widths(table, [text_width * w / total for w in block.widths])
    docx.add_paragraph().paragraph_format.space_after = Pt(0)


def _signature(docx: Any, doc: ReportDocument, text_width: float) -> None:
    h, layout = doc.heading, doc.heading.layout
    table = docx.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [text_width * 0.45, text_width * 0.55])
    left, right = table.rows[0].cells
    _line(
        left,
        "Nơi nhận:",
        layout,
        layout.recipients_label_pt.value,
        bold=True,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        first=True,
    )
    for line in h.recipients:
        _line(left, line, layout, layout.recipients_pt.value, align=WD_ALIGN_PARAGRAPH.LEFT)
    first = True
    for line in h.signer_lines:
        _line(right, line, layout, layout.signer_pt.value, bold=True, first=first)
        first = False
    for _ in range(4):  # room for the signature and the seal
        _line(right, "", layout, layout.signer_pt.value)
    _line(right, h.signer_name, layout, layout.signer_pt.value, bold=True)


def render_docx(doc: ReportDocument) -> bytes:
    layout = doc.heading.layout
    docx = DocxDocument()
    section = docx.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(layout.margin_top_mm.value)
    section.bottom_margin = Mm(layout.margin_bottom_mm.value)
    section.left_margin = Mm(layout.margin_left_mm.value)
    section.right_margin = Mm(layout.margin_right_mm.value)
    normal = docx.styles["Normal"]
    normal.font.name = layout.font_family
    normal.font.size = Pt(layout.body_pt.value)
    text_width = 210 - layout.margin_left_mm.value - layout.margin_right_mm.value
    _heading(docx, doc, text_width)
    _body(docx, doc, text_width)
    _signature(docx, doc, text_width)
    docx.core_properties.title = f"{doc.heading.kind} {doc.heading.summary}"
    docx.core_properties.language = "vi-VN"
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()


__all__ = [
    "DOCX_MEDIA_TYPE",
    "PDF_MEDIA_TYPE",
    "document_context",
    "render_docx",
    "render_html",
    "render_pdf",
]
