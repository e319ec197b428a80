"""The one reader of every table the portal imports: pasted text (TSV), CSV, XLSX, and the
table inside a DOCX.

One limit for all of them: a file of at most ``MAX_BYTES`` (10 MB) and a table of at most
``MAX_ROWS`` (5,000) rows below its header. Rows are read as a stream (openpyxl's read-only
mode, csv's iterator, a DOCX table row by row), so a 200,000-row file is refused once the
5,001st row is read, not after the whole file is parsed.

A malformed or hostile file raises ``TableError`` with a message for the user (Vietnamese),
never anything else: the caller answers 400. Defences, in the order they apply:

- the size, before anything is parsed;
- an XLSX or DOCX is a zip: its directory is read first and refused when it lists too many
  members or more than ``MAX_UNCOMPRESSED`` bytes once inflated (a zip bomb). Python's zipfile
  never inflates a member past the size its directory gives, so the directory is an upper
  bound, not a promise;
- no part of an Office file may declare a DTD (``<!DOCTYPE`` / ``<!ENTITY``): Office never
  writes one, and entity expansion ("billion laughs") needs one. openpyxl also parses with
  defusedxml (installed for that reason) and python-docx's lxml parser does not resolve
  entities; this check refuses such a file with a clear message before either parser runs;
- anything the parsers raise on a truncated or corrupt file becomes ``TableError``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from portal.vietnamese import nfc

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000
HEADER_SEARCH_ROWS = 20  # the header is among the first non-blank rows (a title may precede it)
# Blank rows are skipped, but a sheet of a million formatted empty rows must not be walked.
MAX_BLANK_RUN = 5000

FORMATS = ("tsv", "csv", "xlsx", "docx")
_SUFFIXES = {
    ".tsv": "tsv",
    ".txt": "tsv",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".docx": "docx",
}
_OLD_FORMATS = {".xls": "Excel 97-2003 (.xls)", ".doc": "Word 97-2003 (.doc)"}
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

Cell = Any  # str for text formats; str, int, float, Decimal, date... for XLSX


class TableError(ValueError):
    """The table cannot be read; ``message`` is for the user, ``row`` (0 = the file) where."""

    def __init__(self, message: str, row: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


@dataclass(frozen=True)
class Table:
    """A table's header row and the non-blank rows below it, each with its number as the
    user sees it (the line of a text file, the row of a sheet or of a Word table)."""

    format: str
    header_row: int
    header: list[Cell]
    rows: list[tuple[int, list[Cell]]]


TOO_MANY_ROWS = "Bảng quá lớn: tối đa {rows} dòng mỗi lần nhập; hãy chia bảng thành nhiều tệp."
TOO_LARGE = "Tệp quá lớn ({size}): tối đa {limit} mỗi lần nhập."


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def table_format(name: str) -> str:
    """The format a file name announces, or TableError naming what is accepted."""
    suffix = Path(name or "").suffix.lower()
    if suffix in _OLD_FORMATS:
        raise TableError(
            f"Định dạng {_OLD_FORMATS[suffix]} không được hỗ trợ; hãy lưu lại thành "
            ".xlsx hoặc .docx rồi tải lên."
        )
    if suffix not in _SUFFIXES:
        raise TableError("Chỉ nhận tệp .xlsx, .docx, .csv hoặc .tsv/.txt (hoặc dán bảng).")
    return _SUFFIXES[suffix]


def _content(source: Any, name: str | None) -> tuple[bytes, str]:
    """The file's bytes (at most MAX_BYTES) and its name; refused when larger."""
    if isinstance(source, str | Path):
        path = Path(source)
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise TableError(TOO_LARGE.format(size=_megabytes(size), limit=_megabytes(MAX_BYTES)))
        return path.read_bytes(), name or path.name
    if isinstance(source, bytes):
        data = source
    else:  # an open or uploaded file: read one byte past the limit, never the whole of it
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_BYTES + 1)
        name = name or getattr(source, "name", None) or ""
    if len(data) > MAX_BYTES:
        size = getattr(source, "size", None) or len(data)
        raise TableError(TOO_LARGE.format(size=_megabytes(size), limit=_megabytes(MAX_BYTES)))
    return data, name or ""


def read_table(
    source: str | Path | bytes | IO[bytes],
    *,
    is_header: Callable[[list[Cell]], bool],
    header_hint: str,
    name: str | None = None,
    format: str | None = None,
    max_rows: int = MAX_ROWS,
) -> Table:
    """Read the table in ``source`` (a path, bytes, or an open or uploaded file).

    The format comes from ``format`` or the file's name. The header is the first of the
    first ``HEADER_SEARCH_ROWS`` non-blank rows for which ``is_header(cells)`` holds
    (``header_hint`` names the expected columns in the refusal); in a DOCX, the first table
    that has one. At most ``max_rows`` rows below it."""
    data, name = _content(source, name)
    fmt = format or table_format(name)
    if fmt not in FORMATS:
        raise TableError("Chỉ nhận tệp .xlsx, .docx, .csv hoặc .tsv/.txt (hoặc dán bảng).")
    if fmt in ("xlsx", "docx"):
        _check_zip(data, fmt)
        grids = _xlsx_rows(data) if fmt == "xlsx" else _docx_tables(data)
    else:
        grids = iter([_text_rows(data, fmt)])
    try:
        for grid in grids:
            table = _take(grid, fmt, is_header, max_rows)
            if table is not None:
                return table
    except TableError:
        raise
    except Exception as exc:  # a parser's error mid-stream: a truncated or corrupt part
        raise TableError(_unreadable(fmt)) from exc
    where = "trong các bảng của tệp Word" if fmt == "docx" else ""
    raise TableError(f"Không thấy dòng tiêu đề {where}({header_hint}).".replace("  ", " "))


def paste_table(
    text: str,
    *,
    is_header: Callable[[list[Cell]], bool],
    header_hint: str,
    max_rows: int = MAX_ROWS,
) -> Table:
    """A table pasted from Word or Excel (cells separated by tabs)."""
    return read_table(
        text.encode("utf-8"),
        is_header=is_header,
        header_hint=header_hint,
        name="bang-dan.tsv",
        format="tsv",
        max_rows=max_rows,
    )


def _unreadable(fmt: str) -> str:
    label = {"xlsx": "Excel (.xlsx)", "docx": "Word (.docx)", "csv": "CSV", "tsv": "văn bản"}[fmt]
    return f"Không đọc được tệp {label}: tệp bị hỏng, bị cắt dở hoặc không đúng định dạng."


def _blank(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not nfc(c)) for c in cells)


def _take(
    grid: Iterator[tuple[int, list[Cell]]],
    fmt: str,
    is_header: Callable[[list[Cell]], bool],
    max_rows: int,
) -> Table | None:
    """Find the header, then collect the rows below it; stop reading at ``max_rows + 1``."""
    header: tuple[int, list[Cell]] | None = None
    seen = blank_run = 0
    rows: list[tuple[int, list[Cell]]] = []
    for number, cells in grid:
        if _blank(cells):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break  # the rest of a sheet of formatted empty rows
            continue
        blank_run = 0
        if header is None:
            seen += 1
            if is_header(cells):
                header = (number, cells)
            elif seen >= HEADER_SEARCH_ROWS:
                return None
            continue
        rows.append((number, cells))
        if len(rows) > max_rows:
            raise TableError(TOO_MANY_ROWS.format(rows=f"{max_rows:,}".replace(",", ".")))
    if header is None:
        return None
    return Table(format=fmt, header_row=header[0], header=header[1], rows=rows)


def _text_rows(data: bytes, fmt: str) -> Iterator[tuple[int, list[Cell]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError("Tệp phải được mã hóa UTF-8 (Excel: Lưu thành CSV UTF-8).") from exc
    if "\x00" in text:
        raise TableError(_unreadable(fmt))
    if fmt == "tsv":
        # A printed table has no CSV quoting: a cell may begin with a quotation mark.
        reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(io.StringIO(text), delimiter=",")
    try:
        for record in reader:
            yield reader.line_num, [nfc(c) for c in record]
    except csv.Error as exc:
        raise TableError(
            f"Tệp CSV sai định dạng ở dòng {reader.line_num}.", reader.line_num
        ) from exc


def _check_zip(data: bytes, fmt: str) -> None:
    """Refuse a zip bomb or an Office part that declares a DTD, before any parser runs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise TableError(_unreadable(fmt)) from exc
    with archive:
        if len(members) > MAX_ZIP_MEMBERS or (sum(m.file_size for m in members) > MAX_UNCOMPRESSED):
            raise TableError(
                "Tệp bị từ chối: nội dung giải nén quá lớn (nghi là tệp nén độc hại). "
                f"Giới hạn {_megabytes(MAX_UNCOMPRESSED)} khi giải nén."
            )
        try:
            for member in members:
                if not member.filename.lower().endswith((".xml", ".rels")):
                    continue
                with archive.open(member) as part:
                    head = part.read(4096)
                    rest = b""
                    # A DTD precedes the root element; a long comment or padding can push
                    # it past the first bytes, so read the prolog up to the first element.
                    while head.count(b"<") <= head.count(b"<?") + head.count(b"<!--") and (
                        rest := part.read(65536)
                    ):
                        head += rest
                        if len(head) > 1024 * 1024:
                            break
                probe = head.replace(b"\x00", b"")  # a UTF-16 part reads the same
                if _DTD.search(probe):
                    raise TableError(
                        "Tệp bị từ chối: chứa khai báo DTD/ENTITY trong XML (có thể là tệp "
                        "độc hại). Hãy mở tệp bằng Excel/Word và lưu lại."
                    )
        except TableError:
            raise
        except Exception as exc:  # a corrupt member (bad CRC, truncated stream)
            raise TableError(_unreadable(fmt)) from exc


def _xlsx_cell(value: Any) -> Cell:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        return value.date()
    return value


def _xlsx_rows(data: bytes) -> Iterator[Iterator[tuple[int, list[Cell]]]]:
    """The first sheet of a workbook, streamed (openpyxl's read-only mode)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise TableError(_unreadable("xlsx")) from exc

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            # Read-only mode yields every row from the first, gaps filled with empty rows.
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_xlsx_cell(value) for value in row]
        finally:
            workbook.close()

    yield rows()


def _docx_tables(data: bytes) -> Iterator[Iterator[tuple[int, list[Cell]]]]:
    """Every top-level table of a Word document, in order; a row's number is its place in
    its table (1 = the first row). Merged cells repeat their text in each grid column."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        tables = list(document.tables)
    except Exception as exc:
        raise TableError(_unreadable("docx")) from exc

    def rows(table: Any) -> Iterator[tuple[int, list[Cell]]]:
        for number, row in enumerate(table.rows, start=1):
            yield number, [nfc(cell.text) for cell in row.cells]

    for table in tables:
        yield rows(table)
