"""Document numbers ("số, ký hiệu") -> parsed, normalised form. Pure, no ORM.

Party documents: ``NUMBER-KIND/ISSUER`` (11-NQ/TW, 26-CTr/TU). State documents:
``NUMBER/KIND-ISSUER`` (96/NQ-CP, 1580/QĐ-TTg) or ``NUMBER/YEAR/KIND-ISSUER``
(09/2019/NĐ-CP); National Assembly resolutions ``NUMBER/YEAR/QHnn`` (202/2025/QH15).
Spacing, dash style, letter case, a leading "Số"/"số" and NFC/NFD do not matter; the number's
leading zeros are kept for display ("07-CTr/TU") but not for matching (``key``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.vietnamese import fold, nfc

# folded kind -> canonical kind
KINDS: dict[str, str] = {
    "nq": "NQ",
    "kl": "KL",
    "qd": "QĐ",
    "kh": "KH",
    "ctr": "CTr",
    "ct": "CT",
    "nd": "NĐ",
    "tt": "TT",
    "qc": "QC",
    "tb": "TB",
    "hd": "HD",
    "bc": "BC",
}
KIND_NAMES: dict[str, str] = {
    "NQ": "Nghị quyết",
    "KL": "Kết luận",
    "QĐ": "Quyết định",
    "KH": "Kế hoạch",
    "CTr": "Chương trình hành động",
    "CT": "Chỉ thị",
    "NĐ": "Nghị định",
    "TT": "Thông tư",
    "QC": "Quy chế",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "BC": "Báo cáo",
}
# issuers whose canonical spelling is not plain upper case
_ISSUER_CASE = {"ttg": "TTg", "btc": "BTC"}

_DASH = r"\s*[-–—]\s*"
_SLASH = r"\s*/\s*"
_PARTY = re.compile(
    rf"^(?P<num>\d{{1,5}}){_DASH}(?P<kind>[a-z]{{1,4}}){_SLASH}(?P<issuer>[a-z0-9]{{1,12}})$"
)
_STATE = re.compile(
    rf"^(?P<num>\d{{1,5}}){_SLASH}(?:(?P<year>(?:19|20)\d\d){_SLASH})?"
    rf"(?P<kind>[a-z]{{1,4}}){_DASH}(?P<issuer>[a-z0-9]{{1,12}}(?:-[a-z0-9]{{1,12}})?)$"
)
_QH = re.compile(
    rf"^(?P<num>\d{{1,5}}){_SLASH}(?P<year>(?:19|20)\d\d){_SLASH}(?P<issuer>qh\d{{1,2}})$"
)


class DocumentNumberError(ValueError):
    """The text is not a document number of a known shape."""


@dataclass(frozen=True)
class DocumentNumber:
    number: str  # digits as printed ("07")
    kind: str  # canonical kind ("CTr")
    issuer: str  # canonical issuer code ("TU", "TTg", "CP", "QH15")
    year: int | None
    party: bool

    @property
    def text(self) -> str:
        """The normalised display form."""
        if self.party:
            return f"{self.number}-{self.kind}/{self.issuer}"
        if self.kind == "NQ" and self.issuer.startswith("QH") and self.year:
            return f"{self.number}/{self.year}/{self.issuer}"
        year = f"{self.year}/" if self.year else ""
        return f"{self.number}/{year}{self.kind}-{self.issuer}"

    @property
    def key(self) -> str:
        """Matching key: leading zeros and case dropped, NFC/NFD alike."""
        return fold(self.text.replace(self.number, str(int(self.number)), 1))


def parse_document_number(text: str | None) -> DocumentNumber:
    raw = nfc(text)
    # Match on the folded text; take the issuer's letters from the printed text at the same
    # place (folding keeps one character per NFC character), so "HĐND" keeps its Đ.
    printed = re.sub(r"^[Ss][ốỐoO]\s*[:.]?\s*(?=\d)", "", raw).strip(" .")
    folded = fold(printed)
    if len(folded) != len(printed):
        printed = folded

    def _issuer(m: re.Match[str]) -> str:
        code = printed[m.start("issuer") : m.end("issuer")]
        return _ISSUER_CASE.get(m["issuer"], re.sub(r"\s+", "", code).upper())

    if m := _PARTY.match(folded):
        kind = KINDS.get(m["kind"])
        if kind:
            return DocumentNumber(m["num"], kind, _issuer(m), None, party=True)
    if m := _QH.match(folded):
        return DocumentNumber(m["num"], "NQ", m["issuer"].upper(), int(m["year"]), party=False)
    if m := _STATE.match(folded):
        kind = KINDS.get(m["kind"])
        if kind:
            year = int(m["year"]) if m["year"] else None
            return DocumentNumber(m["num"], kind, _issuer(m), year, party=False)
    raise DocumentNumberError(f"Số, ký hiệu văn bản không đúng dạng: “{raw}”")


def document_number_key(text: str | None) -> str:
    """The matching key of a number, or "" when it is not a number."""
    try:
        return parse_document_number(text).key
    except DocumentNumberError:
        return ""
