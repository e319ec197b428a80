"""Read a sheet of indicator values (XLSX, or CSV) and match its rows to indicators and provinces.

One sheet; a header row with "Mã chỉ tiêu", "Tỉnh" and one column per year ("2021",
2022 or "Năm 2023"); an optional "Nguồn" column; other columns ("Tên chỉ tiêu", "Đơn vị
tính") are ignored. Each row below it is one indicator in one province; a cell is the value
of that year, as Vietnamese text ("48,5", "1.234,5") or a numeric cell. Blank rows and blank
cells are skipped. Provinces match unit names accent- and case-insensitively
(``accounts.names.name_key``), with or without "Tỉnh"/"Thành phố". Nothing is written here:
``indicators.services.indicator_values_import`` validates every value and writes all or none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from accounts.choices import UnitKind
from accounts.models import Unit, UnitAlias
from accounts.names import name_key
from documents.models import Document
from indicators.models import Indicator, IndicatorValue
from portal import tables
from portal.vietnamese import fold, nfc

__all__ = [
    "ImportReport",
    "PlannedValue",
    "SheetError",
    "SheetRow",
    "read_value_sheet",
    "resolve_rows",
    "rows_from_json",
    "rows_to_json",
]

_YEAR_HEADER = re.compile(r"(?:nam\s*)?([0-9]{4})")
_CODE_HEADERS = ("ma chi tieu", "ma")
_PROVINCE_HEADERS = ("tinh", "tinh/thanh pho", "tinh, thanh pho", "dia phuong")
_SOURCE_HEADERS = ("nguon", "nguon so lieu")
_PROVINCE_PREFIXES = ("tinh ", "thanh pho ", "tp ")


SheetError = tables.TableError  # the shared reader's refusal (``message``, ``row``)


@dataclass(frozen=True)
class SheetRow:
    row: int  # the sheet row number, as Excel shows it
    code: str
    province: str
    source: str
    cells: dict[int, Any]  # year -> raw cell (str, int, float, Decimal, ...)


@dataclass
class PlannedValue:
    row: int
    indicator: Indicator
    scope: Unit
    year: int
    value_text: str | None
    value: Decimal | int | str | None
    source: str
    existing: IndicatorValue | None


@dataclass
class ImportReport:
    dry_run: bool = False
    rows: int = 0
    values: int = 0
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    sheet_rows: list[SheetRow] = field(default_factory=list)  # what was read, for a later confirm

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_key(value: object) -> str:
    return re.sub(r"\s+", " ", fold(str(value))).strip(" .:*") if value is not None else ""


def _year_of(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1000 <= value <= 9999 else None
    if isinstance(value, float) and value.is_integer():
        return _year_of(int(value))
    match = _YEAR_HEADER.fullmatch(_header_key(value))
    return int(match.group(1)) if match else None


def _is_header(cells: list[Any]) -> bool:
    keys = [_header_key(cell) for cell in cells]
    return any(k in _CODE_HEADERS for k in keys) and any(k in _PROVINCE_HEADERS for k in keys)


def read_value_sheet(file: Any, *, name: str | None = None) -> list[SheetRow]:
    """The rows of the first sheet of an XLSX file (a path or an open/uploaded file; a CSV
    by its name too). Limits and refusals: ``portal.tables``."""
    if isinstance(file, str | Path):
        file = Path(file)
    table = tables.read_table(
        file,
        is_header=_is_header,
        header_hint="cột «Mã chỉ tiêu» và cột «Tỉnh»",
        name=name or (file.name if isinstance(file, Path) else getattr(file, "name", None)),
    )
    header = table.header
    keys = [_header_key(cell) for cell in header]
    code_col = next(i for i, k in enumerate(keys) if k in _CODE_HEADERS)
    province_col = next(i for i, k in enumerate(keys) if k in _PROVINCE_HEADERS)
    source_col = next((i for i, k in enumerate(keys) if k in _SOURCE_HEADERS), None)
    years: dict[int, int] = {}
    for column, cell in enumerate(header):
        year = _year_of(cell)
        if year is None:
            continue
        if year in years.values():
            raise SheetError(f"Cột năm {year} bị lặp lại.", table.header_row)
        years[column] = year
    if not years:
        raise SheetError("Không thấy cột năm nào (tiêu đề như 2021, 2022...).", table.header_row)

    rows: list[SheetRow] = []
    for number, record in table.rows:

        def cell(column: int | None, record: list[Any] = record) -> Any:
            if column is None or column >= len(record):
                return None
            return record[column]

        values = {year: cell(column) for column, year in years.items() if not _blank(cell(column))}
        code = nfc(str(cell(code_col) or ""))
        province = nfc(str(cell(province_col) or ""))
        if not code and not province and not values:
            continue
        rows.append(
            SheetRow(
                row=number,
                code=code,
                province=province,
                source=nfc(str(cell(source_col) or "")),
                cells=values,
            )
        )
    return rows


def rows_to_json(rows: list[SheetRow]) -> list[dict[str, Any]]:
    """Checked rows as JSON, kept server-side (``documents.TableImport``) until the import is
    confirmed. Only rows that passed the check are stored: their cells are numbers or text."""

    def encode(raw: Any) -> Any:
        if isinstance(raw, bool | dt.date | dt.datetime | dt.time):
            return {"text": str(raw)}
        if isinstance(raw, float):
            return {"float": repr(raw)}
        if isinstance(raw, Decimal):
            return {"decimal": str(raw)}
        return raw if isinstance(raw, int) else str(raw)

    return [
        {
            "row": r.row,
            "code": r.code,
            "province": r.province,
            "source": r.source,
            "cells": {str(year): encode(raw) for year, raw in r.cells.items()},
        }
        for r in rows
    ]


def rows_from_json(data: list[dict[str, Any]]) -> list[SheetRow]:
    def decode(raw: Any) -> Any:
        if isinstance(raw, dict):
            if "float" in raw:
                return float(raw["float"])
            if "decimal" in raw:
                return Decimal(raw["decimal"])
            return str(raw.get("text", ""))
        return raw

    return [
        SheetRow(
            row=int(r["row"]),
            code=str(r["code"]),
            province=str(r["province"]),
            source=str(r["source"]),
            cells={int(year): decode(raw) for year, raw in r["cells"].items()},
        )
        for r in data
    ]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not nfc(value))


def _province_index() -> dict[str, Unit]:
    """Name keys of provinces and regions (with and without "Tỉnh"), aliases included."""
    kinds = (UnitKind.PROVINCE, UnitKind.REGION)
    index: dict[str, Unit] = {}
    units = {u.pk: u for u in Unit.objects.filter(kind__in=kinds)}
    names = [(u.name, u) for u in units.values()] + [
        (alias.name, units[alias.unit_id])
        for alias in UnitAlias.objects.filter(unit__kind__in=kinds)
    ]
    for name, unit in names:
        key = name_key(name)
        index.setdefault(key, unit)
        for prefix in _PROVINCE_PREFIXES:
            if key.startswith(prefix):
                index.setdefault(key[len(prefix) :], unit)
    return index


def _find_province(index: dict[str, Unit], text: str) -> Unit | None:
    key = name_key(text)
    if key in index:
        return index[key]
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix) and key[len(prefix) :] in index:
            return index[key[len(prefix) :]]
    return None


def _cell_value(raw: Any) -> tuple[str | None, Decimal | int | str | None, str | None]:
    """(value_text, value, error) of a year cell."""
    if isinstance(raw, bool | dt.date | dt.datetime | dt.time):
        return None, None, f"ô «{raw}» không phải là một số."
    if isinstance(raw, int):
        return None, raw, None
    if isinstance(raw, float):
        return None, Decimal(repr(raw)), None
    if isinstance(raw, Decimal):
        return None, raw, None
    return nfc(str(raw)), None, None


def resolve_rows(
    document: Document, rows: list[SheetRow], report: ImportReport
) -> list[PlannedValue]:
    """Match codes to the document's indicators and provinces to units; errors (with the
    sheet row number) go to ``report``. A constant number of queries."""
    report.rows = len(rows)
    indicators = {
        fold(ind.code): ind
        for ind in document.indicators.select_related("scope")  # type: ignore[attr-defined]
    }
    provinces = _province_index()
    existing = {
        (v.indicator_id, v.scope_id, v.year): v
        for v in IndicatorValue.objects.filter(indicator__document=document)
    }
    seen: dict[tuple[int, int, int], int] = {}
    planned: list[PlannedValue] = []
    for row in rows:
        indicator = indicators.get(fold(row.code)) if row.code else None
        scope = _find_province(provinces, row.province) if row.province else None
        if not row.code:
            report.errors.append((row.row, "thiếu mã chỉ tiêu."))
        elif indicator is None:
            report.errors.append(
                (row.row, f"mã chỉ tiêu «{row.code}» không có trong văn bản {document}.")
            )
        if not row.province:
            report.errors.append((row.row, "thiếu tên tỉnh."))
        elif scope is None:
            report.errors.append((row.row, f"không tìm thấy tỉnh «{row.province}»."))
        if indicator is None or scope is None:
            continue
        for year, raw in sorted(row.cells.items()):
            value_text, value, error = _cell_value(raw)
            if error:
                report.errors.append((row.row, f"năm {year}: {error}"))
                continue
            key = (indicator.pk, scope.pk, year)
            if key in seen:
                report.errors.append(
                    (row.row, f"năm {year}: trùng chỉ tiêu, tỉnh và năm với dòng {seen[key]}.")
                )
                continue
            seen[key] = row.row
            planned.append(
                PlannedValue(
                    row=row.row,
                    indicator=indicator,
                    scope=scope,
                    year=year,
                    value_text=value_text,
                    value=value,
                    source=row.source,
                    existing=existing.get(key),
                )
            )
    return planned
