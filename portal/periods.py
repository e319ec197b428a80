"""Quarters, written one way everywhere: "Quý II/2025" (a Roman numeral, a slash, the year).

Pages, forms, exports and models take the words from here; a test pins the format.
"""

from __future__ import annotations

import datetime as dt

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
QUARTER_CHOICES = [(q, f"Quý {r}") for q, r in ROMAN.items()]


def quarter_of(day: dt.date) -> int:
    """The quarter (1-4) ``day`` falls in."""
    return (day.month - 1) // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    """(2025, 2) -> "Quý II/2025"."""
    return f"Quý {ROMAN[quarter]}/{year}"
