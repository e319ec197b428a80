"""Vietnamese text rules shared by every app: NFC storage, folded search keys.

Pure functions, no Django imports, so parsers and tests use them directly.

Decisions:
- Every stored text is NFC (Unicode normalisation form C) with NBSP and zero-width
  characters replaced or removed and runs of white space folded.
- NFC keeps "hoà" and "hòa" apart (the tone mark sits on a different vowel). For
  *matching* (unit names, search) ``fold`` strips every diacritic, so both spellings,
  and the unaccented "hoa", meet. ``tone_key`` keeps the letters' diacritics but
  puts the tone mark of "oa", "oe" and "uy" on the second vowel whichever way it was
  typed, so that "Tỉnh uỷ" and "Tỉnh ủy" (or "Hoà" and "Hòa") give one key without
  losing the other accents.
"""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")


def nfc(text: str | None) -> str:
    """NFC-normalise, drop zero-width characters, fold white space, strip."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)).translate(_ZERO_WIDTH)
    return _SPACES.sub(" ", text).strip()


def nfc_multiline(text: str | None) -> str:
    """NFC for long text: keeps line breaks, folds other white space per line."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)).translate(_ZERO_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\u00a0\u2007\u202f]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def strip_accents(text: str) -> str:
    """Remove every diacritic, mapping đ/Đ to d/D explicitly (NFD leaves them)."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d").replace("Đ", "D")


def fold(text: str | None) -> str:
    """Accent-, case- and spacing-insensitive key: "Tỉnh Uỷ  Lai Châu" -> "tinh uy lai chau"."""
    return strip_accents(nfc(text)).casefold()


# "hòa"/"hoà", "thủy"/"thuỷ": officials place the tone both ways. The key always
# puts it on the second vowel. Applied on NFD text.
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook, dot below
_OLD_STYLE = re.compile(
    r"(?i)(o)([" + _TONES + r"])(a|e)|(u)([" + _TONES + r"])(y)",
)


def tone_key(text: str | None) -> str:
    """Case-folded NFC text with tone marks moved to the modern position."""
    decomposed = unicodedata.normalize("NFD", nfc(text))

    def move(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1) + m.group(3) + m.group(2)
        return m.group(4) + m.group(6) + m.group(5)

    return unicodedata.normalize("NFC", _OLD_STYLE.sub(move, decomposed)).casefold()


def shorten(text: str | None, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters on a word boundary, ending in "…" when
    cut (never in the middle of a word; a single over-long word is cut hard)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if " " in cut and not text[len(cut)].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–") + "…"
