"""Read a printed target phrase ("đạt khoảng 9-11%/năm", "dưới 5%") into a typed ``Target``.

Words are matched on ``fold`` of the NFC text (homographs such as "giám"/"giảm" are rejected by
checking the printed word), numbers and units are taken from the NFC text as printed, and a
phrase must be one number or one range "a - b" with a unit, preceded only by known words
(đạt, lên, có, tăng, giảm, khoảng, trên, dưới, ...); year phrases ("năm 2030",
"giai đoạn 2021-2030") and parenthesised notes are set aside. Two or more named percentages
summing to 90-110 form a STRUCTURE; anything else that is unclear raises ``TargetParseError``
instead of being guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from portal.numbers import format_vn_number, parse_vn_number
from portal.vietnamese import fold, nfc

__all__ = [
    "Comparator",
    "Share",
    "Target",
    "TargetKind",
    "TargetParseError",
    "parse_target",
    "structure_total",
]


class TargetParseError(ValueError):
    """A target phrase that cannot be read without guessing (message in Vietnamese)."""


class TargetKind(StrEnum):
    LEVEL = "level"
    YEARLY_RATE = "yearly_rate"
    YEARLY_DECREASE = "yearly_decrease"
    UPPER_BOUND = "upper_bound"
    STRUCTURE = "structure"
    PERIOD_SUM = "period_sum"  # a total over each five-year plan ("trong mỗi kế hoạch 5 năm")


class Comparator(StrEnum):
    EXACT = "exact"
    APPROX = "approx"
    AT_LEAST = "at_least"
    MORE_THAN = "more_than"
    AT_MOST = "at_most"
    LESS_THAN = "less_than"
    RANGE = "range"


@dataclass(frozen=True)
class Share:
    name: str
    value: Decimal


@dataclass(frozen=True)
class Target:
    text: str
    kind: TargetKind
    comparator: Comparator
    low: Decimal | None
    high: Decimal | None
    unit: str
    shares: tuple[Share, ...] = ()
    per_year: bool = False
    normalized: str = ""


STRUCTURE_MIN = Decimal(90)
STRUCTURE_MAX = Decimal(110)
MAX_UNIT_WORDS = 6


def structure_total(target: Target) -> Decimal:
    """Sum of the shares of a STRUCTURE target (about 100)."""
    if target.kind is not TargetKind.STRUCTURE:
        raise ValueError("Chỉ tiêu này không phải là cơ cấu (tỷ trọng các thành phần).")
    return sum((share.value for share in target.shares), Decimal(0))


# --------------------------------------------------------------------------- folded text


class _Folded:
    """``fold`` applied character by character, remembering where each folded char came from."""

    def __init__(self, text: str) -> None:
        self.text = text
        chars: list[str] = []
        origin: list[int] = []
        for index, ch in enumerate(text):
            piece = " " if ch.isspace() else fold(ch)
            chars.extend(piece)
            origin.extend([index] * len(piece))
        self.folded = "".join(chars)
        self._origin = origin

    def pos(self, folded_index: int) -> int:
        """Index in ``text`` of the folded index (``len(folded)`` maps to ``len(text)``)."""
        if folded_index >= len(self._origin):
            return len(self.text)
        return self._origin[folded_index]

    def orig(self, start: int, end: int) -> str:
        """The NFC text behind a folded span."""
        if start >= end:
            return ""
        return self.text[self.pos(start) : self.pos(end)]


@dataclass(frozen=True)
class _Word:
    folded: str
    printed: str  # lower-case NFC as printed


def _words(folded: _Folded, start: int, end: int) -> list[_Word]:
    return [
        _Word(m.group(), folded.orig(m.start(), m.end()).lower())
        for m in _WORD_RE.finditer(folded.folded, start, end)
    ]


def _key(phrase: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    printed = tuple(phrase.split())
    return tuple(fold(word) for word in printed), printed


def _is(word: _Word, folded: str, printed: str) -> bool:
    """Folded match, but the printed word must be this word or its unaccented spelling."""
    return word.folded == folded and word.printed in (printed, folded)


def _ends_with(words: Sequence[_Word], phrase: str) -> bool:
    folded, printed = _key(phrase)
    n = len(folded)
    if n > len(words):
        return False
    tail = words[len(words) - n :]
    return all(_is(w, f, p) for w, f, p in zip(tail, folded, printed, strict=True))


def _contains(words: Sequence[_Word], phrase: str) -> bool:
    n = len(_key(phrase)[0])
    return any(_ends_with(words[: i + n], phrase) for i in range(len(words) - n + 1))


def _first_match(words: Sequence[_Word], phrases: Iterable[str]) -> str | None:
    for phrase in phrases:
        if _ends_with(words, phrase):
            return phrase
    return None


# --------------------------------------------------------------------------- vocabulary

_WORD_RE = re.compile(r"[^\W\d_]+")
_NUMBER_RE = re.compile(r"[0-9](?:[0-9.,]*[0-9])?")
_OTHER_DIGIT_RE = re.compile(r"(?![0-9])\d")
_DASHES = "-\u2013\u2014\u2212"
_NOTE_RE = re.compile(r"\(([^()]*)\)")
_YEAR_RE = re.compile(
    r"(?:\b(?:trong|den|toi|vao|cua|o)\s+)?"
    r"(?:\b(?:giai doan|thoi ky|thoi ki)\s+[0-9]{4}\s*[-\u2013\u2014]\s*[0-9]{4}"
    r"|\bnam\s+[0-9]{4})(?![0-9])"
)
_RANGE_SEP_RE = re.compile(
    r"\s*(?P<unit>[^0-9" + _DASHES + r"]*?)\s*(?:[" + _DASHES + r"]|\b(?:den|toi)\b)\s*"
)
_SHARE_RE = re.compile(r"[0-9](?:[0-9.,]*[0-9])?\s*%")
_SHARE_SEP_RE = re.compile(r"\s*(?:[,;]\s*(?:va\s+)?|va\s+)")
_PUNCT = " .,;:"

# Comparator words right before the number, longest first.
_LEAD_COMPARATORS: dict[str, Comparator | None] = {
    "không ít hơn": Comparator.AT_LEAST,
    "không vượt quá": Comparator.AT_MOST,
    "không dưới": Comparator.AT_LEAST,
    "ít nhất": Comparator.AT_LEAST,
    "tối thiểu": Comparator.AT_LEAST,
    "không quá": Comparator.AT_MOST,
    "tối đa": Comparator.AT_MOST,
    "ít hơn": Comparator.LESS_THAN,
    "trên": Comparator.MORE_THAN,
    "hơn": Comparator.MORE_THAN,
    "dưới": Comparator.LESS_THAN,
    "từ": None,  # start of a range "từ a - b", or "từ a trở lên"
}
_APPROX_WORDS = ("khoảng", "xấp xỉ")
# Words allowed right before the number (after the comparator words).
_ANCHORS = (
    "mỗi năm", "hàng năm", "hằng năm", "bình quân", "ở mức", "đạt", "lên", "xuống", "còn",
    "có", "là", "tăng", "giảm", "chiếm", "mức", "cho",
)  # fmt: skip
_YEARLY = ("mỗi năm", "hàng năm", "hằng năm")
_REACH = ("lên", "xuống", "còn")
_TAIL_MARKERS = ("mỗi năm", "hàng năm", "hằng năm", "trở lên", "trở xuống", "bình quân")
_FORBIDDEN_IN_TAIL = (
    "so với", "trong đó", "gấp", "tăng", "giảm", "trên", "dưới", "khoảng", "tối đa",
    "tối thiểu", "ít nhất", "không", "hơn",
)  # fmt: skip
_SHARE_PREFIXES = ("chiếm", "khoảng", "xấp xỉ")

_COMPARATOR_WORDS = {
    Comparator.APPROX: "khoảng",
    Comparator.MORE_THAN: "trên",
    Comparator.AT_LEAST: "ít nhất",
    Comparator.LESS_THAN: "dưới",
    Comparator.AT_MOST: "không quá",
}


# --------------------------------------------------------------------------- parsing


def _set_aside(text: str, pattern: re.Pattern[str]) -> tuple[str, list[str]]:
    """Remove the spans matching ``pattern`` on the folded text; return the rest and them."""
    folded = _Folded(text)
    pieces: list[str] = []
    removed: list[str] = []
    last = 0
    for match in pattern.finditer(folded.folded):
        start, end = folded.pos(match.start()), folded.pos(match.end())
        pieces.append(text[last:start])
        removed.append(text[start:end])
        last = end
    pieces.append(text[last:])
    return nfc(" ".join(pieces)), removed


def _number(token: str) -> Decimal:
    try:
        return parse_vn_number(token)
    except ValueError as exc:
        raise TargetParseError(f"Không đọc được số «{token}»: {exc}") from exc


def parse_target(text: str) -> Target:
    """Parse a target phrase as printed; raise ``TargetParseError`` rather than guess."""
    if not isinstance(text, str):
        raise TargetParseError("Chỉ tiêu phải là một chuỗi văn bản.")
    original = nfc(text)
    if not original:
        raise TargetParseError("Chưa nhập chỉ tiêu.")
    work, notes = _set_aside(original, _NOTE_RE)
    work, _years = _set_aside(work, _YEAR_RE)
    notes = [nfc(note.strip("()")) for note in notes if nfc(note.strip("()"))]
    work = work.strip(_PUNCT)
    if "(" in work or ")" in work:
        raise TargetParseError(f"«{original}»: dấu ngoặc không khớp.")
    folded = _Folded(work)
    if _OTHER_DIGIT_RE.search(folded.folded):
        raise TargetParseError(f"«{original}»: có chữ số không phải 0-9.")
    numbers = list(_NUMBER_RE.finditer(folded.folded))
    if not numbers:
        raise TargetParseError(f"«{original}»: không thấy con số chỉ tiêu.")
    if len(numbers) >= 2:
        structure = _structure(original, folded, numbers, notes)
        if structure is not None:
            return structure
    if len(numbers) > 2:
        raise TargetParseError(
            f"«{original}»: có {len(numbers)} con số; mỗi chỉ tiêu chỉ ghi một số hoặc một "
            "khoảng «a - b» (tách các chỉ tiêu khác nhau ra)."
        )
    return _single(original, folded, numbers, notes)


def _structure(
    original: str, folded: _Folded, numbers: list[re.Match[str]], notes: list[str]
) -> Target | None:
    """Shares "name [chiếm|khoảng] x%" separated by "," ";" "và"; None if not that shape."""
    text = folded.folded
    matches = list(_SHARE_RE.finditer(text))
    if len(matches) < 2 or len(matches) != len(numbers):
        return None
    if text[matches[-1].end() :].strip(_PUNCT):
        return None
    shares: list[Share] = []
    approx = False
    last = 0
    for index, match in enumerate(matches):
        start = last
        if index:
            separator = _SHARE_SEP_RE.match(text, start, match.start())
            if separator is None:
                return None
            start = separator.end()
        words = _words(folded, start, match.start())
        while prefix := _first_match(words, _SHARE_PREFIXES):
            approx = approx or prefix != "chiếm"
            words = words[: len(words) - len(_key(prefix)[0])]
        if not words or _first_match(words, (*_LEAD_COMPARATORS, *_ANCHORS)):
            return None  # "đạt 7,5% - 8%", "tỷ lệ A đạt 50%, ...": not a list of shares
        name_end = _name_end(text, start, match.start(), len(words))
        name = nfc(folded.orig(start, name_end).strip(_PUNCT))
        number = _NUMBER_RE.match(text, match.start())
        assert number is not None
        shares.append(Share(name, _number(number.group())))
        last = match.end()
    total = sum((share.value for share in shares), Decimal(0))
    if not STRUCTURE_MIN <= total <= STRUCTURE_MAX:
        raise TargetParseError(
            f"«{original}»: tổng các tỷ trọng là {format_vn_number(total)}%, không xấp xỉ 100% "
            "nên không phải một cơ cấu; hãy tách thành từng chỉ tiêu."
        )
    body = "; ".join(f"{share.name} {format_vn_number(share.value)} %" for share in shares)
    normalized = ("Cơ cấu (khoảng): " if approx else "Cơ cấu: ") + body + _notes(notes)
    return Target(
        text=original,
        kind=TargetKind.STRUCTURE,
        comparator=Comparator.APPROX if approx else Comparator.EXACT,
        low=None,
        high=None,
        unit="%",
        shares=tuple(shares),
        normalized=normalized,
    )


def _name_end(text: str, start: int, end: int, word_count: int) -> int:
    """End (folded index) of the first ``word_count`` words between start and end."""
    matches = list(_WORD_RE.finditer(text, start, end))
    return matches[word_count - 1].end()


@dataclass
class _Tail:
    unit: str
    qualifier: str
    per_year: bool
    comparator: Comparator | None  # "trở lên" / "trở xuống"


def _tail(original: str, folded: _Folded, start: int) -> _Tail:
    text = folded.folded
    per_year = False
    percent = re.match(r"\s*%", text[start:])
    if percent:
        start += percent.end()
        slash_year = re.match(r"\s*/\s*nam(?![^\W_])", text[start:])
        if slash_year and _words(folded, start, start + slash_year.end())[-1].printed in (
            "năm",
            "nam",
        ):
            per_year = True
            start += slash_year.end()
    end = len(text)
    comparator: Comparator | None = None
    while True:
        while end > start and text[end - 1] in _PUNCT:
            end -= 1
        marker = _first_match(_words(folded, start, end), _TAIL_MARKERS)
        if marker is None:
            break
        if marker in _YEARLY:
            per_year = True
        elif marker != "bình quân":
            if comparator is not None:
                raise TargetParseError(f"«{original}»: «trở lên/trở xuống» ghi hai lần.")
            comparator = Comparator.AT_LEAST if marker == "trở lên" else Comparator.AT_MOST
        end = list(_WORD_RE.finditer(text, start, end))[-len(_key(marker)[0])].start()
    body = nfc(folded.orig(start, end).strip(_PUNCT))
    words = _words(folded, start, end)
    for phrase in _FORBIDDEN_IN_TAIL:
        if _contains(words, phrase):
            raise TargetParseError(
                f"«{original}»: sau con số có «{phrase}», không rõ chỉ tiêu là mức nào."
            )
    if re.search(r"[,;%]", body):
        raise TargetParseError(f"«{original}»: đơn vị «{body}» không đọc được.")
    if body and not _WORD_RE.match(fold(body)):
        raise TargetParseError(f"«{original}»: «{body}» sau con số phải bắt đầu bằng chữ.")
    if percent:
        return _Tail("%", body, per_year, comparator)
    if len(body.split()) > MAX_UNIT_WORDS:
        raise TargetParseError(
            f"«{original}»: đơn vị «{body}» quá dài; chỉ ghi đơn vị (ví dụ «tỷ đồng»)."
        )
    return _Tail(body, "", per_year, comparator)


def _single(
    original: str, folded: _Folded, numbers: list[re.Match[str]], notes: list[str]
) -> Target:
    text = folded.folded
    first, last = numbers[0], numbers[-1]
    first_value = _number(first.group())
    last_value = _number(last.group())
    lead_text = text[: first.start()].rstrip()
    if "%" in lead_text or "/" in lead_text:
        raise TargetParseError(f"«{original}»: có ký hiệu đứng trước con số.")
    if lead_text.endswith(tuple(_DASHES)):
        raise TargetParseError(f"«{original}»: chỉ tiêu không ghi số âm.")
    tail = _tail(original, folded, last.end())
    is_range = len(numbers) == 2
    if is_range:
        separator = _RANGE_SEP_RE.fullmatch(text, first.end(), last.start())
        if separator is None:
            raise TargetParseError(
                f"«{original}»: hai con số không nối bằng «-» hoặc «đến»; không rõ chỉ tiêu."
            )
        first_unit = nfc(separator["unit"])
        if first_unit and first_unit != fold(tail.unit):
            raise TargetParseError(f"«{original}»: hai đầu khoảng khác đơn vị.")
        if first_value > last_value:
            raise TargetParseError(f"«{original}»: đầu khoảng lớn hơn cuối khoảng.")

    # Lead: [free words] [anchor] [khoảng] [comparator] NUMBER
    words = _words(folded, 0, first.start())
    lead_comparator = _first_match(words, _LEAD_COMPARATORS)
    if lead_comparator:
        words = words[: len(words) - len(_key(lead_comparator)[0])]
    approx_word = _first_match(words, _APPROX_WORDS)
    if approx_word:
        words = words[: len(words) - len(_key(approx_word)[0])]
    if words and not _first_match(words, _ANCHORS):
        context = " ".join(word.printed for word in words[-2:])
        raise TargetParseError(
            f"«{original}»: không hiểu «{context}» trước con số "
            "(dùng: đạt, khoảng, trên, dưới, không quá, tối thiểu, tăng, giảm...)."
        )

    per_year = tail.per_year or any(_contains(words, phrase) for phrase in _YEARLY)
    verbs = _verbs(words)
    last_verb = verbs[-1] if verbs else None
    direction = next((verb for verb in reversed(verbs) if verb in ("tăng", "giảm")), None)

    comparator = _comparator(
        original, is_range, lead_comparator, bool(approx_word), tail.comparator
    )
    if last_verb in _REACH:
        if per_year:
            raise TargetParseError(f"«{original}»: «{last_verb}» một mức nhưng lại «mỗi năm».")
        kind = TargetKind.LEVEL
    elif per_year:
        if direction == "giảm":
            kind = TargetKind.YEARLY_DECREASE
        elif tail.unit == "%" or direction == "tăng":
            kind = TargetKind.YEARLY_RATE
        else:
            kind = TargetKind.LEVEL  # an amount every year ("30 nghìn lao động mỗi năm")
    elif last_verb in ("tăng", "giảm"):
        raise TargetParseError(
            f"«{original}»: «{last_verb}» nhưng không rõ là mỗi năm (…/năm) hay đến mức nào "
            "(«lên», «xuống», «đạt»)."
        )
    else:
        kind = TargetKind.LEVEL
    if kind is not TargetKind.YEARLY_DECREASE and comparator in (
        Comparator.AT_MOST,
        Comparator.LESS_THAN,
    ):
        kind = TargetKind.UPPER_BOUND

    low: Decimal | None = first_value
    high: Decimal | None = last_value  # == first_value unless RANGE
    if comparator in (Comparator.MORE_THAN, Comparator.AT_LEAST):
        high = None
    elif comparator in (Comparator.AT_MOST, Comparator.LESS_THAN):
        low = None
    target = Target(
        text=original,
        kind=kind,
        comparator=comparator,
        low=low,
        high=high,
        unit=tail.unit,
        per_year=per_year,
    )
    normalized = _normalized(target, bool(approx_word), tail.qualifier) + _notes(notes)
    return replace(target, normalized=normalized)


def _verbs(words: Sequence[_Word]) -> list[str]:
    found: list[str] = []
    for index, word in enumerate(words):
        for verb in ("đạt", "lên", "xuống", "còn", "có", "là", "chiếm", "mức", "tăng", "giảm"):
            if _is(word, fold(verb), verb):
                following = words[index + 1] if index + 1 < len(words) else None
                if verb == "tăng" and following and _is(following, "truong", "trưởng"):
                    break  # "tăng trưởng" is growth, the name of the indicator
                found.append(verb)
                break
    return found


def _comparator(
    original: str,
    is_range: bool,
    lead: str | None,
    approx: bool,
    tail: Comparator | None,
) -> Comparator:
    lead_comparator = _LEAD_COMPARATORS[lead] if lead else None
    if is_range:
        if lead_comparator is not None or tail is not None:
            raise TargetParseError(f"«{original}»: khoảng «a - b» không đi cùng «{lead}».")
        return Comparator.RANGE
    if tail is not None:
        if lead_comparator is not None or approx:
            raise TargetParseError(f"«{original}»: hai từ so sánh cho cùng một số.")
        return tail
    if lead == "từ":
        raise TargetParseError(f"«{original}»: «từ» cần một khoảng «từ a - b» hoặc «trở lên».")
    if lead_comparator is not None:
        return lead_comparator
    return Comparator.APPROX if approx else Comparator.EXACT


def _normalized(target: Target, approx: bool, qualifier: str) -> str:
    parts: list[str] = []
    if target.kind is TargetKind.YEARLY_DECREASE:
        parts.append("giảm")
    if approx and target.comparator is not Comparator.APPROX:
        parts.append("khoảng")
    if target.comparator in _COMPARATOR_WORDS:
        parts.append(_COMPARATOR_WORDS[target.comparator])
    if target.comparator is Comparator.RANGE:
        assert target.low is not None and target.high is not None
        parts.append(f"{format_vn_number(target.low)}–{format_vn_number(target.high)}")
    else:
        value = target.low if target.low is not None else target.high
        assert value is not None
        parts.append(format_vn_number(value))
    unit = target.unit
    if target.per_year and unit == "%" and not qualifier:
        unit = "%/năm"
    if unit:
        parts.append(unit)
    if qualifier:
        parts.append(qualifier)
    if target.per_year and unit not in ("%/năm",):
        parts.append("mỗi năm")
    sentence = " ".join(parts)
    return sentence[:1].upper() + sentence[1:]


def _notes(notes: list[str]) -> str:
    return "".join(f" ({note})" for note in notes)


_YEARLY_NAME = re.compile(r"\b(hang nam|moi nam|binh quan nam|/nam)\b")
# "Tỷ lệ tăng thu ngân sách đạt khoảng 13%": the rate of an increase is a rate per year.
_GROWTH_RATE_NAME = re.compile(r"\b(ty le|toc do) tang\b")
_PLAN_NAME = re.compile(r"\bke hoach 5 nam\b")


def parse_indicator_target(name: str, text: str) -> Target:
    """The target of an indicator whose name may carry the yearly rhythm.

    Seed 000 prints "Tốc độ tăng trưởng GDP bình quân hàng năm đạt 7,5% - 8%": the clause
    alone ("đạt 7,5% - 8%") reads as a level, but a percentage under a name that says
    "hàng năm" / "mỗi năm" is a yearly rate (a yearly decrease when the name says "giảm").
    So is a percentage under a name that says "tỷ lệ tăng" / "tốc độ tăng" ("Tỷ lệ tăng thu
    ngân sách đạt khoảng 13%": the yearly increase). A name or phrase that says "kế hoạch 5
    năm" is a PERIOD_SUM: a total to reach within each five-year plan.
    """
    target = parse_target(text)
    folded_name = fold(name)
    if target.kind is TargetKind.LEVEL and (
        _PLAN_NAME.search(folded_name) or _PLAN_NAME.search(fold(text))
    ):
        # "Giải quyết việc làm trong mỗi kế hoạch 5 năm khoảng 250 - 300 nghìn lao động": a
        # total over each five-year plan, not a level reached by the target year.
        return replace(
            target, kind=TargetKind.PERIOD_SUM, normalized=f"{target.normalized} mỗi kế hoạch 5 năm"
        )
    if (
        target.kind is TargetKind.LEVEL
        and target.unit == "%"
        and _GROWTH_RATE_NAME.search(folded_name)
        and not re.search(r"\bgiam\b", folded_name)
    ):
        normalized = (
            target.normalized if "/năm" in target.normalized else target.normalized + "/năm"
        )
        return replace(target, kind=TargetKind.YEARLY_RATE, per_year=True, normalized=normalized)
    if target.kind is TargetKind.LEVEL and target.unit == "%" and _YEARLY_NAME.search(folded_name):
        kind = (
            TargetKind.YEARLY_DECREASE
            if re.search(r"\bgiam\b", folded_name)
            else TargetKind.YEARLY_RATE
        )
        return replace(target, kind=kind, per_year=True)
    return target
