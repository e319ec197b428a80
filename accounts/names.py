"""Unit names as officials write them -> one matching key. Pure, no ORM.

Officials abbreviate (UBND, BCS đảng, TU, HĐND, MTTQ), place tone marks two ways
("Tỉnh uỷ"/"Tỉnh ủy"), drop accents when typing fast and paste NBSP or zero-width
characters. ``name_key`` expands the abbreviations and folds accents, case and spacing,
so every such spelling of one unit gives one key.
"""

from __future__ import annotations

import re

from portal.vietnamese import fold, nfc

# Abbreviations are matched case-sensitively on the NFC text, as whole words, before
# folding: folded, "TU" would also match "tư"/"từ"/"tự" ("Đầu tư" must stay itself).
_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"BCS\s+[đĐ]ảng|BCSĐ", "Ban cán sự đảng"),
    (r"UBND", "Ủy ban nhân dân"),
    (r"HĐND", "Hội đồng nhân dân"),
    (r"MTTQ", "Mặt trận Tổ quốc"),
    (r"BTV", "Ban Thường vụ"),
    (r"VPTU", "Văn phòng Tỉnh ủy"),
    (r"TU", "Tỉnh ủy"),
    (r"TW|T\.Ư|TƯ", "Trung ương"),
    (r"BCH", "Ban Chấp hành"),
    (r"CT-XH|CTXH", "chính trị - xã hội"),
    (r"Bộ KH&ĐT|Bộ KHĐT", "Bộ Kế hoạch và Đầu tư"),
)
_COMPILED = [(re.compile(rf"(?<![\w&]){pat}(?![\w&])"), repl) for pat, repl in _ABBREVIATIONS]
_PUNCT = re.compile(r"\s*([,;:])\s*")
_DASH = re.compile(r"\s*[-–—]\s*")


def expand_abbreviations(name: str | None) -> str:
    """NFC name with the usual official abbreviations written out."""
    text = nfc(name)
    for pattern, replacement in _COMPILED:
        text = pattern.sub(replacement, text)
    return text


def name_key(name: str | None) -> str:
    """The matching key of a unit name: abbreviations expanded, then accents, case,
    tone placement, dashes and spacing folded."""
    key = fold(expand_abbreviations(name)).strip(" .;,")
    key = _DASH.sub(" - ", key)
    key = _PUNCT.sub(r"\1 ", key)
    return re.sub(r"\s+", " ", key).strip(" .;,")


def display_name(name: str | None) -> str:
    """The name to store: NFC, white space folded, trailing punctuation dropped."""
    return nfc(name).strip(" .;,")


def split_unit_list(cell: str | None) -> list[str]:
    """Split a table cell listing units by commas and semicolons (names are re-joined later
    when a run of pieces is one unit: "Các bộ, ngành và địa phương ...")."""
    text = display_name(cell)
    if not text or text in {"-", "—"}:
        return []
    return [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
