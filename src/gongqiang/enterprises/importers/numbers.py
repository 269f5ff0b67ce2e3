"""Numbers as departments type them: "1,234.5", "１２３", "(12.3)" for −12.3, "-" for nothing.

`parse_number` returns an exact Decimal (never a float) or None for an empty cell, and raises
`NumberError` with a Chinese reason that the row report shows as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from .text import halfwidth

# What clerks write for "no figure". A dash is not zero: the metric simply has no value for the row.
EMPTY_MARKS = frozenset({"", "-", "--", "—", "——", "―", "–", "/", "\\", "－"})
# Minus signs from Word, input methods and typesetting, folded to "-" before parsing.
_MINUS = str.maketrans({"\u2212": "-", "\ufe63": "-", "\u2013": "-"})
_NUMBER = re.compile(r"^[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_PARENS = re.compile(r"^\((.*)\)$")
# Beyond ±10^20 a figure is a typo or an overflow in the source system, not an enterprise's tax.
_MAX_EXPONENT = 20


class NumberError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _invalid(shown: object) -> NumberError:
    text = str(shown).strip()
    if len(text) > 30:
        text = text[:30] + "…"
    return NumberError(f"“{text}”不是有效数字")


def _checked(value: Decimal, shown: object) -> Decimal:
    if not value.is_finite():
        raise _invalid(shown)
    if value and abs(value.adjusted()) > _MAX_EXPONENT:
        raise NumberError(f"“{shown}”超出可处理的数值范围")
    return value


def parse_number(cell: object) -> Decimal | None:
    """The cell's exact value, None when empty, or NumberError(reason)."""
    if cell is None:
        return None
    if isinstance(cell, bool):  # a TRUE/FALSE cell; bool is an int subclass, so test it first
        raise _invalid("TRUE" if cell else "FALSE")
    if isinstance(cell, int):
        return _checked(Decimal(cell), cell)
    if isinstance(cell, float):
        # Excel keeps 15 significant digits; more is binary noise (0.1 + 0.2 = 0.30000000000000004).
        return _checked(Decimal(format(cell, ".15g")), cell)
    if isinstance(cell, Decimal):
        return _checked(cell, cell)
    if isinstance(cell, dt.date | dt.time | dt.timedelta):
        raise NumberError(f"“{cell}”是日期或时间，不是数字")
    return _parse_text(str(cell))


def _parse_text(raw: str) -> Decimal | None:
    text = halfwidth(raw).translate(_MINUS).strip()
    if text in EMPTY_MARKS:
        return None
    negative = False
    match = _PARENS.match(text)
    if match:  # accountants' negative: (12.3)
        text, negative = match.group(1).strip(), True
        if text[:1] in "+-":
            raise _invalid(raw)
    if not _NUMBER.match(text):
        raise _invalid(raw)
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:  # the pattern should make this unreachable; keep the promise anyway
        raise _invalid(raw) from None
    return _checked(-value if negative else value, raw.strip())
