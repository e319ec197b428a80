"""The shared table reader: every format, the one limit, and hostile files refused with a
message (TableError), never another exception."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import docx
import pytest
from openpyxl import Workbook

from portal import tables
from portal.tables import TableError, paste_table, read_table

HEADER = ["STT", "Nhiệm vụ", "Đơn vị chủ trì"]


def is_header(cells: list[object]) -> bool:
    return [str(c or "").strip() for c in cells[:3]] == HEADER


def read(data: bytes | str, name: str, **kwargs: object) -> tables.Table:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return read_table(data, name=name, is_header=is_header, header_hint="STT...", **kwargs)  # type: ignore[arg-type]


def xlsx(rows: list[list[object]], title: bool = True) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["BIỂU PHÂN CÔNG NHIỆM VỤ"])
        sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def word(rows: list[list[str]], *, before: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    for grid in [before, [HEADER, *rows]] if before else [[HEADER, *rows]]:
        table = document.add_table(rows=len(grid), cols=3)
        for r, cells in enumerate(grid):
            for c, text in enumerate(cells):
                table.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rewrite(data: bytes, member_suffix: str, change) -> bytes:  # type: ignore[no-untyped-def]
    """The same zip with one member's bytes changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.endswith(member_suffix):
                content = change(content)
            target.writestr(item.filename, content)
    return out.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)


def with_laughs(content: bytes) -> bytes:
    body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
    return LAUGHS + body.replace(b"</", b"&lol3;</", 1)


# Formats


def test_tsv_csv_paste_xlsx_docx_read_the_same_rows() -> None:
    rows = [["1", "Quán triệt nghị quyết", "Ban Tuyên giáo"], ["2", "Tổng kết", "Sở Tài chính"]]
    tsv = "\n".join("\t".join(r) for r in [HEADER, *rows])
    csv = "\n".join(",".join(r) for r in [["Biểu kèm theo"], HEADER, *rows])
    expected = [r[:3] for r in rows]
    for table in (
        read(tsv, "bieu.tsv"),
        read(tsv, "bieu.txt"),
        paste_table(tsv, is_header=is_header, header_hint="STT"),
        read(csv, "bieu.csv"),
        read(word(rows), "bieu.docx"),
    ):
        assert [cells[:3] for _, cells in table.rows] == expected, table.format
    sheet = read(xlsx([[1, "Quán triệt nghị quyết", "Ban Tuyên giáo"]]), "bieu.xlsx")
    assert sheet.format == "xlsx" and sheet.header_row == 3
    assert sheet.rows == [(4, [1, "Quán triệt nghị quyết", "Ban Tuyên giáo"])]


def test_text_is_nfc_and_blank_rows_are_skipped_with_line_numbers_kept() -> None:
    decomposed = unicodedata.normalize("NFD", "Tỉnh ủy")
    table = read("\t".join(HEADER) + f"\n\n1\tViệc\t{decomposed}\n", "x.tsv")
    assert table.rows == [(3, ["1", "Việc", "Tỉnh ủy"])]


def test_a_docx_table_after_another_table_and_merged_cells() -> None:
    data = word(
        [["1", "Việc một", "Sở Nội vụ"], ["2", "Việc hai", ""]], before=[["Nơi nhận", "", ""]]
    )
    document = docx.Document(io.BytesIO(data))
    grid = document.tables[1]
    grid.cell(1, 2).merge(grid.cell(2, 2))  # the lead unit spans both rows, as printed
    out = io.BytesIO()
    document.save(out)
    table = read(out.getvalue(), "bieu.docx")
    assert [cells[2] for _, cells in table.rows] == ["Sở Nội vụ", "Sở Nội vụ"]


def test_no_header_is_explained() -> None:
    with pytest.raises(TableError, match="Không thấy dòng tiêu đề"):
        read("a\tb\n1\t2\n", "x.tsv")
    with pytest.raises(TableError, match="bảng của tệp Word"):
        read(_docx_without_header(), "x.docx")


def _docx_without_header() -> bytes:
    document = docx.Document()
    document.add_table(rows=1, cols=2).cell(0, 0).text = "Không phải tiêu đề"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "message"),
    [("bieu.xls", r"Excel 97-2003"), ("bieu.doc", r"Word 97-2003"), ("bieu.pdf", r"Chỉ nhận")],
)
def test_unsupported_formats_are_named(name: str, message: str) -> None:
    with pytest.raises(TableError, match=message):
        read(b"whatever", name)


def test_text_must_be_utf8() -> None:
    with pytest.raises(TableError, match="UTF-8"):
        read("\t".join(HEADER).encode("utf-16"), "x.csv")


# The one limit


def test_the_size_limit_is_checked_before_parsing() -> None:
    with pytest.raises(TableError, match=r"Tệp quá lớn.*10,0 MB"):
        read(b"x" * (tables.MAX_BYTES + 1), "big.xlsx")


def test_the_row_limit_counts_rows_below_the_header() -> None:
    head = "\t".join(HEADER) + "\n"
    ok = head + "".join(f"{i}\tViệc\tĐơn vị\n" for i in range(tables.MAX_ROWS))
    assert len(read(ok, "x.tsv").rows) == tables.MAX_ROWS
    with pytest.raises(TableError, match=r"tối đa 5\.000 dòng"):
        read(ok + "5001\tViệc\tĐơn vị\n", "x.tsv")


def test_a_200000_row_paste_is_refused() -> None:
    text = "\t".join(HEADER) + "\n" + "1\tViệc\tĐơn vị\n" * 200_000
    with pytest.raises(TableError, match="tối đa"):
        paste_table(text, is_header=is_header, header_hint="STT")


def test_a_sheet_is_streamed_and_refused_at_the_limit_before_a_corrupt_end() -> None:
    # Row 12 is past a limit of 10; the sheet's XML breaks off after row 500. Reading the
    # whole sheet would fail on the break; the streamed read stops at the limit first.
    data = xlsx([[i, "Việc", "Đơn vị"] for i in range(1, 1000)], title=False)
    cut = rewrite(data, "sheet1.xml", lambda c: c[: c.index(b'<row r="500"')])
    with pytest.raises(TableError, match="tối đa 10 dòng"):
        read(cut, "x.xlsx", max_rows=10)
    with pytest.raises(TableError, match="bị cắt dở"):
        read(cut, "x.xlsx")


def test_a_million_formatted_empty_rows_end_the_table() -> None:
    data = xlsx([[1, "Việc", "Đơn vị"]], title=False)
    far = rewrite(
        data,
        "sheet1.xml",
        lambda c: c.replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        ),
    )
    table = read(far, "x.xlsx")
    assert [n for n, _ in table.rows] == [2]


# Hostile and broken files


def test_defusedxml_is_what_openpyxl_parses_with() -> None:
    from openpyxl import DEFUSEDXML

    assert DEFUSEDXML is True


@pytest.mark.parametrize("member", ["sheet1.xml", "workbook.xml", "[Content_Types].xml"])
def test_entity_expansion_in_an_xlsx_is_refused(member: str) -> None:
    hostile = rewrite(xlsx([[1, "Việc", "Đơn vị"]]), member, with_laughs)
    with pytest.raises(TableError, match="DTD/ENTITY"):
        read(hostile, "x.xlsx")


def test_entity_expansion_in_a_docx_is_refused() -> None:
    hostile = rewrite(word([["1", "Việc", "Đơn vị"]]), "word/document.xml", with_laughs)
    with pytest.raises(TableError, match="DTD/ENTITY"):
        read(hostile, "x.docx")


def test_a_dtd_hidden_after_a_long_comment_is_found() -> None:
    def hide(content: bytes) -> bytes:
        return b"<!--" + b" " * 200_000 + b"-->" + with_laughs(content)

    hostile = rewrite(word([["1", "Việc", "Đơn vị"]]), "word/document.xml", hide)
    with pytest.raises(TableError, match="DTD/ENTITY"):
        read(hostile, "x.docx")


def test_python_docx_itself_does_not_expand_entities() -> None:
    # Belt and braces: python-docx's parser leaves entities unresolved even without our check.
    from docx.oxml.parser import oxml_parser
    from lxml import etree

    root = etree.fromstring(LAUGHS + b"<a>&lol3;</a>", oxml_parser)
    assert len(etree.tostring(root)) < 200


def test_a_zip_bomb_is_refused_from_its_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MAX_UNCOMPRESSED", 1024 * 1024)
    bomb = rewrite(xlsx([[1, "Việc", "Đơn vị"]]), "sheet1.xml", lambda c: c + b" " * 2_000_000)
    assert len(bomb) < 100_000  # small on the wire, large inflated
    with pytest.raises(TableError, match="giải nén quá lớn"):
        read(bomb, "x.xlsx")


def test_too_many_zip_members_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(tables.MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"m{i}.bin", b"")
    with pytest.raises(TableError, match="giải nén quá lớn"):
        read(out.getvalue(), "x.docx")


@pytest.mark.parametrize(
    "data",
    [
        b"not a zip at all",
        xlsx([[1, "Việc", "Đơn vị"]])[:2000],  # cut in transit
        b"PK\x03\x04" + b"\x00" * 100,
    ],
)
@pytest.mark.parametrize("name", ["x.xlsx", "x.docx"])
def test_broken_office_files_are_refused_with_a_message(data: bytes, name: str) -> None:
    with pytest.raises(TableError, match="Không đọc được tệp"):
        read(data, name)


def test_a_word_file_named_xlsx_and_a_workbook_named_docx_are_refused() -> None:
    with pytest.raises(TableError, match="Không đọc được tệp Excel"):
        read(word([["1", "Việc", "Đơn vị"]]), "x.xlsx")
    with pytest.raises(TableError, match="Không đọc được tệp Word"):
        read(xlsx([[1, "Việc", "Đơn vị"]]), "x.docx")


def test_a_corrupt_member_is_refused() -> None:
    data = bytearray(xlsx([[1, "Việc", "Đơn vị"]] * 50))
    start = bytes(data).index(b"xl/worksheets/sheet1.xml") + 40
    for i in range(start, start + 60):  # scramble the compressed sheet
        data[i] ^= 0x5A
    with pytest.raises(TableError):
        read(bytes(data), "x.xlsx")


def test_a_nul_in_a_text_table_is_refused() -> None:
    with pytest.raises(TableError, match="Không đọc được"):
        read("\t".join(HEADER) + "\n1\x00\tx\ty\n", "x.tsv")
