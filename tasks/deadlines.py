"""Vietnamese deadline phrases ("thời gian thực hiện") parsed into typed deadlines.

Pure functions: no Django, no clock. ``parse_deadline`` never raises on a ``str``.

How a phrase is read
--------------------
- The phrase is matched on ``fold(text)`` (accents, case and spacing removed, đ -> d), so
  NFC, NFD, a keyboard's mixed form, capitals, NBSP and a trailing "." all read the same;
  "Hàng năm" and "Hằng năm" fold to the same key. Dashes (– — ‒ −) are read as "-".
  ``Deadline.text`` keeps ``nfc(text)``, i.e. the phrase as printed.
- A small ordered list of rules (compiled regex over the folded key + a builder) is tried;
  each regex must match the *whole* key, so a phrase is never half-read. Dated rules accept
  the usual lead-ins: a bullet, a label ("Thời gian thực hiện:"), "Hoàn thành", "chậm
  nhất"/"muộn nhất"/"hạn chót" (-> ``at_latest``), "đến", "hết"/"cuối"/"trong"/"vào".
- Event text and qualifiers ("theo quy định") are cut from the NFC text, not the folded key,
  so they keep their accents and capitals.

Decisions the caller must know
------------------------------
- A phrase that no rule reads, or that names an impossible date, is UNKNOWN with a reason in
  Vietnamese (``reason``); it never gets a made-up date. Years outside 1945..2100 are refused;
  a two-digit year ("30/6/23") is refused, not guessed.
- DATE: "trong quý II năm 2022", "chậm nhất quý III/2023", "Năm 2022", "đến năm 2030",
  "6 tháng đầu năm 2024" are all due on the last day of the named month, quarter, half-year
  or year. ``starts_on`` stays None for DATE. "Trước ngày 30/6/2023" is due 30/06/2023 (the
  officials' usage "by"), ``at_latest=True``. "trước" is accepted only before a day date:
  "trước quý III/2023" literally means "by 30/06/2023" to some readers and "by 30/09/2023" to
  others, so it stays UNKNOWN for a person to resolve.
- A month, quarter, half-year or day without a year ("trong quý IV") takes the year of
  ``issued_on``. If that period had already ended when the document was issued (a plan of
  15/07/2022 saying "quý II"), the year is ambiguous and the phrase is UNKNOWN ("Thiếu năm:
  ..."). Without ``issued_on`` it is UNKNOWN, reason "Thiếu năm".
- ``normalized`` is the canonical form of the dated part only: "Quý II/2022", "Tháng 4/2022",
  "30/06/2023", "Năm 2022", "Đến năm 2020", "6 tháng đầu năm 2024", "2022-2025", "Hằng năm",
  "Định kỳ 6 tháng, hằng năm", "Trước 15/12 hằng năm", "Hằng năm từ năm 2023",
  "Thường xuyên", "Sau khi <event>". It omits "chậm nhất" (see ``at_latest``) and the
  qualifier (see ``extra``).
- RECURRING: ``recurrence`` is the most frequent rhythm named (monthly > quarterly >
  half-yearly > yearly); its occurrences are the ends of those periods (30/06 and 31/12 for
  half-yearly). Without a start year ("Hằng năm") ``starts_on`` and ``due_on`` are None;
  ``tasks.status`` then judges from the year of "today". "Năm 2023 và các năm tiếp theo" is
  RECURRING yearly from 01/01/2023. A fixed day of 29/02 falls on 28/02 in other years.
  Qualifiers after a rhythm are kept in ``extra`` only from a short list ("theo quy định",
  "đột xuất", "khi có yêu cầu", "theo yêu cầu", "theo chỉ đạo").
- EVENT: "Sau khi X" (and "Khi có X") -> event "X" (resp. "có X"). The delay after the event
  is not in the phrase; ``tasks.status`` applies a default.
- PERIOD "2022-2025", "giai đoạn 2016 - 2020", "từ năm 2022 đến năm 2025": 01/01 of the
  first year to 31/12 of the last; a reversed range is UNKNOWN.
- Empty, whitespace or a lone "-" (an empty table cell) -> UNKNOWN, "Chưa có thời hạn".
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from portal.periods import ROMAN, quarter_label
from portal.vietnamese import fold, nfc, strip_accents

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "Deadline",
    "DeadlineKind",
    "Recurrence",
    "current_due",
    "month_end",
    "occurrences",
    "parse_deadline",
    "previous_due",
    "quarter_end",
    "quarter_of",
]

MIN_YEAR = 1945
MAX_YEAR = 2100
_MAX_KEY_LENGTH = 500  # a deadline phrase is short; longer text is not read

REASON_EMPTY = "Chưa có thời hạn"
REASON_UNRECOGNISED = "Không nhận dạng được thời hạn"
REASON_NO_YEAR = "Thiếu năm"


class DeadlineKind(StrEnum):
    DATE = "date"
    PERIOD = "period"
    RECURRING = "recurring"
    EVENT = "event"
    ONGOING = "ongoing"
    UNKNOWN = "unknown"


class Recurrence(StrEnum):
    YEARLY = "yearly"
    HALF_YEARLY = "half_yearly"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Deadline:
    text: str
    kind: DeadlineKind
    due_on: date | None = None
    starts_on: date | None = None
    recurrence: Recurrence | None = None
    recurrences: tuple[Recurrence, ...] = ()
    day_of_year: tuple[int, int] | None = None
    at_latest: bool = False
    event: str = ""
    extra: str = ""
    normalized: str = ""
    reason: str = ""


# --------------------------------------------------------------------------- calendar


def month_end(year: int, month: int) -> date:
    """Last day of a month: month_end(2024, 2) == date(2024, 2, 29)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(year: int, quarter: int) -> date:
    """Last day of quarter 1..4."""
    return month_end(year, quarter * 3)


def quarter_of(day: date) -> int:
    """Quarter 1..4 containing ``day``."""
    return (day.month - 1) // 3 + 1


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# Shortest rhythm first: it is the one that sets the occurrences.
_FREQUENCY = {
    Recurrence.MONTHLY: 12,
    Recurrence.QUARTERLY: 4,
    Recurrence.HALF_YEARLY: 2,
    Recurrence.YEARLY: 1,
}
_RHYTHM_LABEL = {
    Recurrence.YEARLY: "hằng năm",
    Recurrence.HALF_YEARLY: "định kỳ 6 tháng",
    Recurrence.QUARTERLY: "hằng quý",
    Recurrence.MONTHLY: "hằng tháng",
}


# --------------------------------------------------------------------------- matching


class _Invalid(Exception):
    """A rule recognised the phrase but its content is impossible; carries the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Ctx:
    text: str  # nfc(text), as printed
    key: str  # folded key the rules match
    index: tuple[int, ...] | None  # key position -> text position (None if not aligned)
    issued_on: date | None

    def original(self, m: re.Match[str], group: str) -> str:
        """The printed (accented) text under a group of a match on the key."""
        start, end = m.span(group)
        if start < 0 or end <= start:
            return ""
        if self.index is None:
            return m.group(group)
        return self.text[self.index[start] : self.index[end - 1] + 1]


_Builder = Callable[[re.Match[str], _Ctx], Deadline]

_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))

# Pieces of the rules (over the folded key).
_LEAD = (
    r"(?:[-*+\u2022]\s*)?"
    r"(?:(?:thoi\s+gian(?:\s+thuc\s+hien|\s+hoan\s+thanh)?|thoi\s+han(?:\s+hoan\s+thanh)?|han)"
    r"\s*:\s*)?"
)
_PREFIX = (
    r"(?:hoan\s+thanh\s*,?\s+)?"
    r"(?:(?P<latest>(?:cham|muon)\s+nhat|han\s+chot)\s+)?"
    r"(?:(?P<by>den)\s+)?"
    r"(?:(?:het|cuoi|trong|vao)\s+)?"
)
_TAIL = r"[\s.;,]*"
_YSEP = r"(?:\s*[/.\-]\s*|\s*,?\s*nam\s+)"  # "quý II/2022", "quý II năm 2022"
_Y = r"(?P<y>\d+)"
_DM = r"(?P<d>\d{1,2})(?:\s*[/\-]\s*|\s+thang\s+)(?P<m>\d{1,2})"  # 15/12, 15 tháng 12
_RHYTHM = (
    r"(?:(?:hang|moi)\s+(?:nam|quy|thang|6\s+thang)"
    r"|(?:6|sau)\s+thang(?:\s+mot\s+lan)?"
    r"|nua\s+nam(?:\s+mot\s+lan)?"
    r"|(?:mot\s+)?(?:quy|nam|thang)\s+mot\s+lan)"
)
_RHYTHMS = (
    rf"(?:dinh\s+ky\s+)?(?P<rhythms>{_RHYTHM}"
    rf"(?:\s*(?:,|;|/|va|hoac)\s*(?:dinh\s+ky\s+)?{_RHYTHM})*)"
)
_EXTRA = (
    r"(?:\s*(?:,|;|\(|-|va|hoac)\s*(?P<extra>theo\s+quy\s+dinh|dot\s+xuat|khi\s+co\s+yeu\s+cau"
    r"|theo\s+yeu\s+cau|theo\s+chi\s+dao)\s*\)?)?"
)


def _compile(body: str, *, prefixed: bool = False) -> re.Pattern[str]:
    return re.compile(_LEAD + (_PREFIX if prefixed else "") + body + _TAIL, re.ASCII)


# --------------------------------------------------------------------------- validation


def _year(digits: str) -> int:
    if len(digits) != 4 or not MIN_YEAR <= int(digits) <= MAX_YEAR:
        raise _Invalid(f"Năm ngoài phạm vi {MIN_YEAR}-{MAX_YEAR}: {digits}")
    return int(digits)


def _month(digits: str) -> int:
    if len(digits) > 2 or not 1 <= int(digits) <= 12:
        raise _Invalid(f"Tháng không hợp lệ: {digits}")
    return int(digits)


def _quarter(token: str) -> int:
    quarter = _ROMAN.get(token) or (int(token) if token.isdigit() and len(token) == 1 else 0)
    if not 1 <= quarter <= 4:
        raise _Invalid(f"Quý không hợp lệ: {token.upper()}")
    return quarter


def _day(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _Invalid(f"Ngày không hợp lệ: {shown}") from None


def _year_or_issued(m: re.Match[str], ctx: _Ctx, end_in: Callable[[int], date], label: str) -> int:
    """The printed year, else the year of issued_on (see the module docstring)."""
    if m.group("y"):
        return _year(m.group("y"))
    if ctx.issued_on is None:
        raise _Invalid(REASON_NO_YEAR)
    year = ctx.issued_on.year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Invalid(REASON_NO_YEAR)
    if end_in(year) < ctx.issued_on:
        raise _Invalid(
            f"{REASON_NO_YEAR}: {label} năm {year} đã kết thúc trước ngày ban hành "
            f"{ctx.issued_on:%d/%m/%Y}"
        )
    return year


def _dated(m: re.Match[str], ctx: _Ctx, due: date, normalized: str) -> Deadline:
    groups = m.groupdict()
    at_latest = bool(groups.get("latest") or groups.get("before"))
    return Deadline(
        ctx.text, DeadlineKind.DATE, due_on=due, at_latest=at_latest, normalized=normalized
    )


# --------------------------------------------------------------------------- builders


def _build_ongoing(m: re.Match[str], ctx: _Ctx) -> Deadline:
    return Deadline(ctx.text, DeadlineKind.ONGOING, normalized="Thường xuyên")


def _build_event(m: re.Match[str], ctx: _Ctx) -> Deadline:
    event = ctx.original(m, "event").strip(" .;,")
    lead = "Sau khi" if m.group("after") else "Khi"
    return Deadline(ctx.text, DeadlineKind.EVENT, event=event, normalized=f"{lead} {event}")


def _rhythms(text: str) -> tuple[Recurrence, ...]:
    found: list[Recurrence] = []
    for token in re.split(r"\s*(?:,|;|/|\bva\b|\bhoac\b)\s*", text):
        if re.search(r"\b(?:6|sau)\s+thang|\bnua\s+nam", token):
            rhythm = Recurrence.HALF_YEARLY
        elif re.search(r"\bquy\b", token):
            rhythm = Recurrence.QUARTERLY
        elif re.search(r"\bthang\b", token):
            rhythm = Recurrence.MONTHLY
        elif re.search(r"\bnam\b", token):
            rhythm = Recurrence.YEARLY
        else:
            continue
        if rhythm not in found:
            found.append(rhythm)
    return tuple(found)


def _recurring(
    ctx: _Ctx,
    rhythms: tuple[Recurrence, ...],
    *,
    start_year: int | None = None,
    day_of_year: tuple[int, int] | None = None,
    at_latest: bool = False,
    extra: str = "",
) -> Deadline:
    if not rhythms:
        raise _Invalid(REASON_UNRECOGNISED)
    recurrence = max(rhythms, key=_FREQUENCY.__getitem__)
    if day_of_year is not None:
        month, day = day_of_year
        normalized = f"{'Trước' if at_latest else 'Ngày'} {day:02d}/{month:02d} hằng năm"
    else:
        normalized = ", ".join(_RHYTHM_LABEL[r] for r in rhythms)
        normalized = normalized[0].upper() + normalized[1:]
    starts_on: date | None = None
    if start_year is not None:
        starts_on = date(start_year, 1, 1)
        normalized += f" từ năm {start_year}"
    deadline = Deadline(
        ctx.text,
        DeadlineKind.RECURRING,
        starts_on=starts_on,
        recurrence=recurrence,
        recurrences=rhythms,
        day_of_year=day_of_year,
        at_latest=at_latest,
        extra=extra,
        normalized=normalized,
    )
    if starts_on is not None:
        deadline = replace(deadline, due_on=current_due(deadline, starts_on))
    return deadline


def _build_rhythms(m: re.Match[str], ctx: _Ctx) -> Deadline:
    # A bare "6 tháng" usually means "within six months" (of what?), not "every six
    # months": only "định kỳ 6 tháng" or "6 tháng một lần" is a rhythm.
    if re.fullmatch(r"(?:6|sau)\s+thang", m.group(0).strip()):
        return Deadline(
            ctx.text,
            DeadlineKind.UNKNOWN,
            reason="“6 tháng” chưa rõ là định kỳ hay trong vòng 6 tháng",
        )
    return _recurring(ctx, _rhythms(m.group("rhythms")), extra=ctx.original(m, "extra"))


def _build_day_of_year(m: re.Match[str], ctx: _Ctx) -> Deadline:
    day, month = int(m.group("d")), int(m.group("m"))
    _day(2000, month, day, f"{day:02d}/{month:02d}")  # any day of a leap year
    return _recurring(
        ctx,
        (Recurrence.YEARLY,),
        day_of_year=(month, day),
        at_latest=bool(m.group("before")),
    )


def _build_from_year(m: re.Match[str], ctx: _Ctx) -> Deadline:
    return _recurring(ctx, (Recurrence.YEARLY,), start_year=_year(m.group("y")))


def _build_period(m: re.Match[str], ctx: _Ctx) -> Deadline:
    first, last = _year(m.group("y1")), _year(m.group("y2"))
    if first > last:
        raise _Invalid(f"Giai đoạn không hợp lệ: {first}-{last}")
    return Deadline(
        ctx.text,
        DeadlineKind.PERIOD,
        starts_on=date(first, 1, 1),
        due_on=date(last, 12, 31),
        normalized=f"{first}-{last}",
    )


def _build_day(m: re.Match[str], ctx: _Ctx) -> Deadline:
    day, month = int(m.group("d")), int(m.group("m"))
    if m.group("y"):
        due = _day(_year(m.group("y")), month, day, ctx.original(m, "date"))
    else:
        _day(2000, month, day, f"{day:02d}/{month:02d}")
        year = _year_or_issued(
            m, ctx, lambda y: date(y, month, min(day, month_end(y, month).day)), "Ngày"
        )
        due = _day(year, month, day, f"{day:02d}/{month:02d}/{year}")
    return _dated(m, ctx, due, f"{due:%d/%m/%Y}")


def _build_half_year(m: re.Match[str], ctx: _Ctx) -> Deadline:
    first = m.group("half") == "dau"
    month = 6 if first else 12
    label = "6 tháng đầu" if first else "6 tháng cuối"
    year = _year_or_issued(m, ctx, lambda y: month_end(y, month), label)
    return _dated(m, ctx, month_end(year, month), f"{label} năm {year}")


def _build_quarter(m: re.Match[str], ctx: _Ctx) -> Deadline:
    quarter = _quarter(m.group("q"))
    label = f"Quý {ROMAN[quarter]}"
    year = _year_or_issued(m, ctx, lambda y: quarter_end(y, quarter), label)
    return _dated(m, ctx, quarter_end(year, quarter), quarter_label(year, quarter))


def _build_month(m: re.Match[str], ctx: _Ctx) -> Deadline:
    month = _month(m.group("m"))
    label = f"Tháng {month}"
    year = _year_or_issued(m, ctx, lambda y: month_end(y, month), label)
    return _dated(m, ctx, month_end(year, month), f"{label}/{year}")


def _build_year(m: re.Match[str], ctx: _Ctx) -> Deadline:
    year = _year(m.group("y"))
    normalized = f"Đến năm {year}" if m.group("by") else f"Năm {year}"
    return _dated(m, ctx, date(year, 12, 31), normalized)


# --------------------------------------------------------------------------- the rules

_RULES: tuple[tuple[re.Pattern[str], _Builder], ...] = (
    # Thường xuyên; Thường xuyên, liên tục
    (
        _compile(r"(?:thuong\s+xuyen(?:\s*(?:,|va)?\s*lien\s+tuc)?|lien\s+tuc)"),
        _build_ongoing,
    ),
    # Sau khi Thủ tướng Chính phủ phê duyệt; Khi có quyết định ...
    (_compile(r"(?:ngay\s+)?(?P<after>sau\s+)khi\s+(?P<event>.+?)"), _build_event),
    (_compile(r"(?P<after>)khi\s+(?P<event>co\s+.+?)"), _build_event),
    # trước 15/12 hằng năm; hằng năm trước ngày 15/12
    (
        _compile(
            rf"(?:(?P<before>truoc|cham\s+nhat|muon\s+nhat)\s+)?(?:ngay\s+)?{_DM}"
            r"\s*,?\s*(?:hang|moi)\s+nam"
        ),
        _build_day_of_year,
    ),
    (
        _compile(
            r"(?:hang|moi)\s+nam\s*,?\s*(?:(?P<before>truoc|cham\s+nhat|muon\s+nhat)\s+)?"
            rf"(?:ngay\s+)?{_DM}"
        ),
        _build_day_of_year,
    ),
    # Năm 2023 và các năm tiếp theo; hằng năm từ năm 2023
    (
        _compile(
            rf"(?:(?:ke\s+)?tu\s+)?nam\s+{_Y}\s*,?\s*(?:va\s+)?"
            r"(?:cac\s+nam\s+tiep\s+theo|tro\s+di|ve\s+sau)"
        ),
        _build_from_year,
    ),
    (
        _compile(rf"(?:dinh\s+ky\s+)?(?:hang|moi)\s+nam\s*,?\s*(?:ke\s+)?tu\s+(?:nam\s+)?{_Y}"),
        _build_from_year,
    ),
    (_compile(rf"(?:ke\s+)?tu\s+nam\s+{_Y}\s*,?\s*(?:hang|moi)\s+nam"), _build_from_year),
    # Hằng năm; Định kỳ 6 tháng, hàng năm; Hằng quý; Hằng năm và theo quy định
    (_compile(_RHYTHMS + _EXTRA), _build_rhythms),
    # 2022-2025; giai đoạn 2016 - 2020; từ năm 2022 đến năm 2025
    (
        _compile(
            r"(?:(?:giai\s+doan|thoi\s+ky|(?:ke\s+)?tu(?:\s+nam)?|nam|cac\s+nam)\s+)?"
            r"(?P<y1>\d{4})\s*(?:-|\s(?:den|toi)(?:\s+(?:het\s+)?nam)?\s)\s*(?P<y2>\d{4})",
            prefixed=True,
        ),
        _build_period,
    ),
    # 2026-01-15 (ISO); 30/06/2023; Trước ngày 30/6/2023; ngày 15 tháng 3 năm 2024; 15/3
    (
        _compile(
            r"(?:(?P<before>truoc)\s+)?(?:ngay\s+)?"
            r"(?P<date>(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2}))",
            prefixed=True,
        ),
        _build_day,
    ),
    (
        _compile(
            r"(?:(?P<before>truoc)\s+)?(?:ngay\s+)?(?P<date>(?P<d>\d{1,2})\s*(?P<sep>[/.\-])"
            rf"\s*(?P<m>\d{{1,2}})\s*(?P=sep)\s*{_Y})",
            prefixed=True,
        ),
        _build_day,
    ),
    (
        _compile(
            rf"(?:(?P<before>truoc)\s+)?(?:ngay\s+)?(?P<date>{_DM}(?:\s*,?\s*nam\s+{_Y})?)",
            prefixed=True,
        ),
        _build_day,
    ),
    # 6 tháng đầu năm 2024; 6 tháng cuối năm 2024
    (
        _compile(
            rf"(?:(?:6|sau)\s+thang|nua)\s+(?P<half>dau|cuoi)\s+nam(?:\s+{_Y})?", prefixed=True
        ),
        _build_half_year,
    ),
    # Quý II/2022; quý 2 năm 2022; trong quý IV
    (_compile(rf"quy\s+(?P<q>[ivxlcdm]+|\d+)(?:{_YSEP}{_Y})?", prefixed=True), _build_quarter),
    # Tháng 10/2022; tháng 4 năm 2022
    (_compile(rf"thang\s+(?P<m>\d+)(?:{_YSEP}{_Y})?", prefixed=True), _build_month),
    # Năm 2022; đến năm 2030
    (_compile(rf"nam\s+{_Y}", prefixed=True), _build_year),
)


# --------------------------------------------------------------------------- parsing


def _aligned_index(text: str, key: str) -> tuple[int, ...] | None:
    """Map each position of ``key`` (= fold(text)) back to a position of ``text``."""
    chars: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        folded = strip_accents(char).casefold()
        chars.append(folded)
        index.extend([position] * len(folded))
    return tuple(index) if "".join(chars) == key else None


def parse_deadline(text: str | None, issued_on: date | None = None) -> Deadline:
    """Read a printed deadline phrase; ``issued_on`` supplies a missing year."""
    printed = nfc(text)
    key = fold(printed)
    if not key.strip(" .,;:-*+\u2013\u2014\u2022"):
        return Deadline(printed, DeadlineKind.UNKNOWN, reason=REASON_EMPTY)
    if len(key) > _MAX_KEY_LENGTH:
        return Deadline(printed, DeadlineKind.UNKNOWN, reason=REASON_UNRECOGNISED)
    index = _aligned_index(printed, key)
    ctx = _Ctx(printed, key.translate(_DASHES), index, issued_on)
    for pattern, build in _RULES:
        match = pattern.fullmatch(ctx.key)
        if match is None:
            continue
        try:
            return build(match, ctx)
        except _Invalid as invalid:
            return Deadline(printed, DeadlineKind.UNKNOWN, reason=invalid.reason)
        except (ValueError, OverflowError):
            return Deadline(printed, DeadlineKind.UNKNOWN, reason=REASON_UNRECOGNISED)
    return Deadline(printed, DeadlineKind.UNKNOWN, reason=REASON_UNRECOGNISED)


# --------------------------------------------------------------------------- occurrences


def _ends_in_year(deadline: Deadline, year: int) -> list[date]:
    """Due dates of a recurring deadline within one calendar year, in order."""
    rhythm = deadline.recurrence or Recurrence.YEARLY
    if rhythm is Recurrence.MONTHLY:
        return [month_end(year, month) for month in range(1, 13)]
    if rhythm is Recurrence.QUARTERLY:
        return [quarter_end(year, quarter) for quarter in range(1, 5)]
    if rhythm is Recurrence.HALF_YEARLY:
        return [date(year, 6, 30), date(year, 12, 31)]
    if deadline.day_of_year is not None:
        month, day = deadline.day_of_year
        return [date(year, month, min(day, month_end(year, month).day))]
    return [date(year, 12, 31)]


def _in_calendar(year: int) -> bool:
    return date.min.year <= year <= date.max.year


def occurrences(deadline: Deadline, start: date, end: date) -> list[date]:
    """Due dates between start and end inclusive.

    RECURRING: yearly 31/12 (or day_of_year), half-yearly 30/06 and 31/12, quarterly the
    quarter ends, monthly the month ends; never before ``starts_on``. DATE/PERIOD:
    ``[due_on]`` if within the range. Others: [].
    """
    if deadline.kind in (DeadlineKind.DATE, DeadlineKind.PERIOD):
        due = deadline.due_on
        return [due] if due is not None and start <= due <= end else []
    if deadline.kind is not DeadlineKind.RECURRING:
        return []
    low = max(start, deadline.starts_on) if deadline.starts_on else start
    return [
        due
        for year in range(low.year, end.year + 1)
        for due in _ends_in_year(deadline, year)
        if low <= due <= end
    ]


def current_due(deadline: Deadline, today: date) -> date | None:
    """The due date that matters today.

    DATE/PERIOD: ``due_on``. RECURRING: the first occurrence on or after today (and on or
    after ``starts_on``). Others: None.
    """
    if deadline.kind in (DeadlineKind.DATE, DeadlineKind.PERIOD):
        return deadline.due_on
    if deadline.kind is not DeadlineKind.RECURRING:
        return None
    low = max(today, deadline.starts_on) if deadline.starts_on else today
    for year in (low.year, low.year + 1):
        if not _in_calendar(year):
            return None
        for due in _ends_in_year(deadline, year):
            if due >= low:
                return due
    return None


def previous_due(deadline: Deadline, today: date) -> date | None:
    """RECURRING: the latest occurrence strictly before today, not before ``starts_on``."""
    if deadline.kind is not DeadlineKind.RECURRING:
        return None
    for year in (today.year, today.year - 1):
        if not _in_calendar(year):
            return None
        for due in reversed(_ends_in_year(deadline, year)):
            if due < today:
                if deadline.starts_on is not None and due < deadline.starts_on:
                    return None
                return due
    return None
