"""The administrative format of a report, written once: both renderers (DOCX and the HTML
that WeasyPrint turns into PDF) read their fonts, sizes, margins and heading lines from here.

Sources
-------
- State bodies: Nghị định 30/2020/NĐ-CP về công tác văn thư, Phụ lục I ("Thể thức, kỹ thuật
  trình bày văn bản hành chính") — ``NĐ30``.
- Party bodies: Hướng dẫn 36-HD/VPTW (03/4/2018) của Văn phòng Trung ương Đảng về thể thức
  và kỹ thuật trình bày văn bản của Đảng — ``HD36``.

Every rule carries ``checked``: True only where the value was compared with the text itself.
None has been yet (the texts were not at hand); the values are the commonly applied ones
and must be confirmed by a clerk before the format is relied on. The page is A4 portrait.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from accounts.choices import UnitKind

__all__ = [
    "CAPACITIES",
    "PARTY",
    "STATE",
    "Heading",
    "Layout",
    "Rule",
    "Signer",
    "heading_for",
    "is_party_body",
]

NĐ30 = "Phụ lục I Nghị định 30/2020/NĐ-CP"
HD36 = "Hướng dẫn 36-HD/VPTW"


@dataclass(frozen=True)
class Rule:
    """One layout value with where it comes from."""

    value: float
    source: str
    checked: bool = False
    note: str = ""


@dataclass(frozen=True)
class Layout:
    """Fonts (points) and margins (millimetres) of one format."""

    name: str
    font_family: str
    font_fallbacks: tuple[str, ...]
    margin_top_mm: Rule
    margin_bottom_mm: Rule
    margin_left_mm: Rule
    margin_right_mm: Rule
    national_heading_pt: Rule  # Quốc hiệu, or "ĐẢNG CỘNG SẢN VIỆT NAM"
    motto_pt: Rule  # Tiêu ngữ (state only)
    issuer_pt: Rule  # tên cơ quan ban hành
    number_pt: Rule  # số, ký hiệu
    place_date_pt: Rule  # địa danh, ngày tháng (italic)
    kind_pt: Rule  # tên loại "BÁO CÁO" (bold, upper case)
    summary_pt: Rule  # trích yếu (bold)
    body_pt: Rule
    first_line_indent_mm: Rule
    paragraph_after_pt: Rule
    line_spacing: Rule  # multiple of single spacing
    recipients_label_pt: Rule  # "Nơi nhận:" (bold italic)
    recipients_pt: Rule
    signer_pt: Rule  # capacity, title and name (bold)
    table_pt: Rule
    # True: a party body's issuer name is followed by a line with "*" (HD36 habit).
    issuer_star: bool = False
    rules_unchecked: tuple[str, ...] = field(default=())

    @property
    def font_stack(self) -> str:
        """CSS font-family: Times New Roman, then stand-ins with Vietnamese glyphs
        (Liberation Serif has Times' metrics; Noto Serif covers every Vietnamese letter)."""
        return ", ".join(f'"{name}"' for name in (self.font_family, *self.font_fallbacks))

    def unchecked(self) -> list[str]:
        """Names of the rules not compared with their source text."""
        return [
            name
            for name, value in vars(self).items()
            if isinstance(value, Rule) and not value.checked
        ]


_FONTS = ("Liberation Serif", "Noto Serif", "DejaVu Serif", "serif")

STATE = Layout(
    name="state",
    font_family="Times New Roman",
    font_fallbacks=_FONTS,
    margin_top_mm=Rule(20, NĐ30, note="20-25 mm"),
    margin_bottom_mm=Rule(20, NĐ30, note="20-25 mm"),
    margin_left_mm=Rule(30, NĐ30, note="30-35 mm"),
    margin_right_mm=Rule(15, NĐ30, note="15-20 mm"),
    national_heading_pt=Rule(13, NĐ30, note="12-13, in hoa, đứng, đậm"),
    motto_pt=Rule(14, NĐ30, note="13-14, in thường, đứng, đậm, có gạch nối, gạch chân"),
    issuer_pt=Rule(13, NĐ30, note="12-13, in hoa, đứng, đậm; cơ quan chủ quản không đậm"),
    number_pt=Rule(13, NĐ30, note="13, đứng"),
    place_date_pt=Rule(14, NĐ30, note="13-14, in thường, nghiêng"),
    kind_pt=Rule(14, NĐ30, note="13-14, in hoa, đứng, đậm"),
    summary_pt=Rule(14, NĐ30, note="13-14, in thường, đứng, đậm"),
    body_pt=Rule(14, NĐ30, note="13-14"),
    first_line_indent_mm=Rule(12.7, NĐ30, note="1-1,27 cm"),
    paragraph_after_pt=Rule(6, NĐ30, note="tối thiểu 6 pt"),
    line_spacing=Rule(1.15, NĐ30, note="từ đơn (single) đến 1,5 dòng"),
    recipients_label_pt=Rule(12, NĐ30, note="12, nghiêng, đậm"),
    recipients_pt=Rule(11, NĐ30, note="11, đứng"),
    signer_pt=Rule(14, NĐ30, note="13-14, in hoa, đậm; họ tên in thường, đậm"),
    table_pt=Rule(12, NĐ30, note="bảng: cỡ chữ nhỏ hơn thân văn bản (thực hành phổ biến)"),
)

PARTY = Layout(
    name="party",
    font_family="Times New Roman",
    font_fallbacks=_FONTS,
    margin_top_mm=Rule(20, HD36, note="20-25 mm"),
    margin_bottom_mm=Rule(20, HD36, note="20-25 mm"),
    margin_left_mm=Rule(30, HD36, note="30-35 mm"),
    margin_right_mm=Rule(15, HD36, note="15-20 mm"),
    national_heading_pt=Rule(15, HD36, note="ĐẢNG CỘNG SẢN VIỆT NAM: 15, in hoa, đậm, gạch chân"),
    motto_pt=Rule(0, HD36, note="văn bản của Đảng không có tiêu ngữ"),
    issuer_pt=Rule(14, HD36, note="14, in hoa, đậm; cấp trên trực tiếp không đậm; dấu * dưới"),
    number_pt=Rule(14, HD36, note="14, đứng: Số 45-BC/TU"),
    place_date_pt=Rule(14, HD36, note="14, nghiêng"),
    kind_pt=Rule(15, HD36, note="15-16, in hoa, đậm"),
    summary_pt=Rule(14, HD36, note="14-15, đậm"),
    body_pt=Rule(14, HD36, note="14-15"),
    first_line_indent_mm=Rule(12.7, HD36, note="1-1,27 cm"),
    paragraph_after_pt=Rule(6, HD36, note="tối thiểu 6 pt"),
    line_spacing=Rule(1.15, HD36, note="từ đơn đến 1,5 dòng"),
    recipients_label_pt=Rule(14, HD36, note="Nơi nhận: 14, gạch chân"),
    recipients_pt=Rule(12, HD36, note="12, đứng"),
    signer_pt=Rule(14, HD36, note="14, in hoa, đậm"),
    table_pt=Rule(12, HD36, note="bảng: cỡ chữ nhỏ hơn thân văn bản (thực hành phổ biến)"),
    issuer_star=True,
)

STATE_NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",)
STATE_MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY_NATIONAL = ("ĐẢNG CỘNG SẢN VIỆT NAM",)

# The signer's capacity (thẩm quyền ký): state notation (NĐ30) and the Party's (HD36 writes
# "T/M", "K/T", "T/L", "T/UQ"; not checked against the text).
CAPACITIES: dict[str, tuple[str, str, str]] = {
    # key: (label for the form, state, party)
    "tm": ("Thay mặt (TM.)", "TM.", "T/M"),
    "kt": ("Ký thay (KT.)", "KT.", "K/T"),
    "tl": ("Thừa lệnh (TL.)", "TL.", "T/L"),
    "tuq": ("Thừa ủy quyền (TUQ.)", "TUQ.", "T/UQ"),
    "none": ("Ký trực tiếp", "", ""),
}

_PARTY_KINDS = frozenset(
    {
        UnitKind.PARTY_CENTRAL,
        UnitKind.PARTY_AGENCY,
        UnitKind.PARTY_DELEGATION,
        UnitKind.PROVINCIAL_PARTY,
        UnitKind.PROVINCIAL_PARTY_AGENCY,
        UnitKind.DISTRICT_PARTY,
        UnitKind.PARTY_COMMITTEE,
    }
)

# The issuer's part of a report's number ("BC/TU", "BC-UBND"). A unit's own short name wins
# when it has one; these are the usual symbols by kind.
_SYMBOL_BY_KIND = {
    UnitKind.PROVINCIAL_PARTY: "TU",
    UnitKind.PARTY_DELEGATION: "BCSĐ",
    UnitKind.DISTRICT_PARTY: "HU",
    UnitKind.PARTY_COMMITTEE: "ĐU",  # the 2025 party committees (Đảng ủy)
    UnitKind.PROVINCIAL_GOVERNMENT: "UBND",
    UnitKind.PROVINCE: "UBND",
    UnitKind.GOVERNMENT: "CP",
}
_SMALL_WORDS = frozenset({"và", "các", "của", "tỉnh", "thành", "phố"})
NUMBER_BLANK = "\u00a0" * 6  # the clerk writes the number by hand on the signed copy


def is_party_body(kind: str) -> bool:
    """A Party body writes its documents in the Party's format (HD36), not NĐ30's."""
    return kind in _PARTY_KINDS


def _symbol(kind: str, name: str, short_name: str) -> str:
    if short_name:
        return short_name
    if kind in _SYMBOL_BY_KIND:
        return _SYMBOL_BY_KIND[UnitKind(kind)]
    return "".join(w[0] for w in name.split() if w.lower() not in _SMALL_WORDS).upper()


@dataclass(frozen=True)
class Signer:
    capacity: str = "tm"  # a CAPACITIES key
    on_behalf_of: str = ""  # after TM./KT.: "BAN THƯỜNG VỤ", "CHỦ TỊCH"
    title: str = ""  # "PHÓ CHỦ TỊCH"
    name: str = ""


@dataclass(frozen=True)
class Heading:
    """What the top of the page and the signature block say, already upper-cased where the
    format wants capitals. Both renderers lay out exactly these lines."""

    layout: Layout
    superior: str  # cơ quan chủ quản / cấp ủy cấp trên ("" when none)
    issuer: str
    number: str
    national: tuple[str, ...]
    motto: str  # "" for a Party body
    place_date: str
    kind: str
    summary: str
    recipients: tuple[str, ...]
    signer_lines: tuple[str, ...]  # capacity line(s) and title, upper case
    signer_name: str

    @property
    def is_party(self) -> bool:
        return self.layout is PARTY


def place_of(province_name: str | None) -> str:
    """The place name (địa danh) before the date: the province without "Tỉnh"/"Thành phố";
    a central body writes "Hà Nội"."""
    if not province_name:
        return "Hà Nội"
    for prefix in ("Thành phố ", "Tỉnh "):
        if province_name.startswith(prefix):
            return province_name[len(prefix) :]
    return province_name


def _upper(text: str) -> str:
    return text.upper().replace("ỦY BAN NHÂN DÂN", "UBND") if len(text) > 32 else text.upper()


def heading_for(
    *,
    kind: str,
    name: str,
    short_name: str = "",
    superior_name: str = "",
    province_name: str | None = None,
    summary: str,
    day: dt.date | None,
    year: int,
    recipients: tuple[str, ...],
    signer: Signer,
) -> Heading:
    """The heading and signature of a report by the unit described. ``day`` None leaves the
    day and month blank for the clerk (the usual state of a draft awaiting signature)."""
    party = is_party_body(kind)
    layout = PARTY if party else STATE
    symbol = _symbol(kind, name, short_name)
    number = f"Số{NUMBER_BLANK}-BC/{symbol}" if party else f"Số:{NUMBER_BLANK}/BC-{symbol}"
    if day is None:
        date_text = f"ngày{NUMBER_BLANK}tháng{NUMBER_BLANK}năm {year}"
    else:
        date_text = f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    capacity = CAPACITIES.get(signer.capacity, CAPACITIES["tm"])[2 if party else 1]
    lines: list[str] = []
    if capacity:
        behalf = signer.on_behalf_of or _upper(name)
        lines.append(f"{capacity} {behalf.upper()}")
    if signer.title:
        lines.append(signer.title.upper())
    return Heading(
        layout=layout,
        superior=_upper(superior_name) if superior_name else "",
        issuer=_upper(name),
        number=number,
        national=PARTY_NATIONAL if party else STATE_NATIONAL,
        motto="" if party else STATE_MOTTO,
        place_date=f"{place_of(province_name)}, {date_text}",
        kind="BÁO CÁO",
        summary=summary,
        recipients=recipients,
        signer_lines=tuple(lines),
        signer_name=signer.name,
    )
