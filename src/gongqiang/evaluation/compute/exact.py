"""Exact arithmetic where a rounding boundary or a threshold is at stake.

The engine computes in Float64 (fast) and sends back here only the rows whose float result lies within a
hair of a rounding boundary (x.5 hundredths) or of a threshold. Their inputs are recovered exactly: a
float read from a decimal with up to 15 significant digits prints back as that decimal (`repr`), so
`Fraction(Decimal(repr(x)))` is the number the department wrote.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

NEAR_HALF = 1e-6  # |frac(x) − 0.5| below this (in hundredths of a point) → recompute exactly


def exact(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value)))


def round_half_up(x: Fraction) -> int:
    """Nearest integer, halves away from zero (ROUND_HALF_UP as the documents mean it)."""
    if x >= 0:
        return int((x + Fraction(1, 2)).__floor__())
    return -int((-x + Fraction(1, 2)).__floor__())


def int_round_half_up(numerator: int, denominator: int) -> int:
    """round_half_up(numerator / denominator) for integers, denominator > 0."""
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((-2 * numerator + denominator) // (2 * denominator))


def clamp(x: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return min(max(x, low), high)


def score_hundredths(
    *, numerator: Any, denominator: Any, benchmark: Fraction, weight: Fraction, floor: Fraction, cap: Fraction
) -> int:
    """weight × clamp(value ÷ benchmark, floor, cap) in hundredths of a point, rounded half up, with
    value = numerator ÷ denominator (the scale cancels between value and benchmark)."""
    value = exact(numerator) / exact(denominator)
    ratio = value / benchmark if benchmark > 0 else Fraction(0)
    return round_half_up(weight * 100 * clamp(ratio, floor, cap))
