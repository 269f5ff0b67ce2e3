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


def decimal_ratio(value: Any) -> tuple[int, int]:
    """(p, q), q > 0 a power of ten, with p/q the decimal a float was read from (as `exact`, without
    building a Fraction: the boundary rows of a large year are many, and gcds are what costs)."""
    if isinstance(value, float):
        text = repr(value)
        if "e" not in text and "n" not in text:
            whole, _, frac = text.partition(".")
            if frac == "0":
                return int(whole), 1
            return int(whole + frac), 10 ** len(frac)
    ratio = exact(value)
    return ratio.numerator, ratio.denominator


def score_hundredths(
    *, numerator: Any, denominator: Any, benchmark: Fraction, weight: Fraction, floor: Fraction, cap: Fraction
) -> int:
    """weight × clamp(value ÷ benchmark, floor, cap) in hundredths of a point, rounded half up, with
    value = numerator ÷ denominator (the scale cancels between value and benchmark). Integer arithmetic
    on the decimals' digits: ratio = (a/b) ÷ (c/d) ÷ benchmark = a·d·B.den ÷ (b·c·B.num)."""
    if benchmark <= 0:
        return 0
    a, b = decimal_ratio(numerator)
    c, d = decimal_ratio(denominator)
    num = a * d * benchmark.denominator
    den = b * c * benchmark.numerator
    if den < 0:
        num, den = -num, -den
    if num * floor.denominator < floor.numerator * den:
        num, den = floor.numerator, floor.denominator
    elif num * cap.denominator > cap.numerator * den:
        num, den = cap.numerator, cap.denominator
    return int_round_half_up(weight.numerator * 100 * num, weight.denominator * den)


def at_most(*, numerator: Any, denominator: Any, scale: Fraction, limit: Fraction, inclusive: bool) -> bool:
    """numerator ÷ denominator × scale ≤ limit (or < when not inclusive), exactly; denominator > 0."""
    a, b = decimal_ratio(numerator)
    c, d = decimal_ratio(denominator)
    left = a * d * scale.numerator * limit.denominator  # value × b·c·scale.den·limit.den
    right = limit.numerator * b * c * scale.denominator
    return left <= right if inclusive else left < right
