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

import numpy as np

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


# -- many rows at once -------------------------------------------------------------------------------
# A large year sends tens of thousands of rows here (values written exactly on a boundary are common:
# round figures, tax exactly 3 万元/亩). numpy finds each float's decimal, and the integer arithmetic runs
# on object arrays of Python ints: exact, and an order of magnitude faster than Fractions row by row.
_EXACT_DIGITS = 1e15  # below this many units of the last place a decimal is found exactly (see below)


def decimal_parts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(p, q) per float as `decimal_ratio` gives, as object arrays of Python ints.

    For p places, rint(x·10^p) is the decimal's digits when they are fewer than 10^15 (the float error
    of x and of the product stays far below ½), and the decimal reads back as x exactly when
    rint(x·10^p) ÷ 10^p == x (a correctly rounded division of two exact floats). The fewest places that
    read back is what `repr` prints; anything else (more digits, inf, NaN) goes through `decimal_ratio`."""
    x = np.asarray(values, dtype=np.float64)
    digits = np.empty(len(x), dtype=object)
    powers = np.empty(len(x), dtype=object)
    todo = np.flatnonzero(np.isfinite(x))
    for places in range(16):
        if not len(todo):
            break
        scale = 10.0**places
        with np.errstate(over="ignore", invalid="ignore"):  # huge values overflow: they go to repr
            scaled = np.rint(x[todo] * scale)
            ok = (np.abs(scaled) < _EXACT_DIGITS) & (scaled / scale == x[todo])
        found = todo[ok]
        digits[found] = scaled[ok].astype(np.int64).astype(object)
        powers[found] = 10**places
        todo = todo[~ok]
    rest = np.flatnonzero(~np.isfinite(x))
    for i in np.concatenate((todo, rest)):
        digits[i], powers[i] = decimal_ratio(float(x[i]))
    return digits, powers


def _truth(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=bool)


def scores_hundredths(
    numerators: np.ndarray,
    denominators: np.ndarray,
    benchmarks: tuple[np.ndarray, np.ndarray],
    weights: tuple[np.ndarray, np.ndarray],
    *,
    floor: Fraction,
    cap: Fraction,
) -> np.ndarray:
    """weight × clamp(value ÷ benchmark, floor, cap) in hundredths of a point, rounded half up, with
    value = numerator ÷ denominator (the scale cancels between value and benchmark), for many rows:
    floats for the numerators and denominators (> 0), each row's benchmark and weight as (numerators,
    denominators) object arrays of ints. Integer arithmetic on the decimals' digits:
    ratio = (a/b) ÷ (c/d) ÷ benchmark = a·d·B.den ÷ (b·c·B.num). Int64 hundredths."""
    a, b = decimal_parts(numerators)
    c, d = decimal_parts(denominators)
    bench_num, bench_den = benchmarks
    nonpositive = _truth(bench_num <= 0)
    bench_num = np.where(nonpositive, 1, bench_num)  # scored 0 below; keeps the division defined
    num = a * d * bench_den
    den = b * c * bench_num
    low = _truth(num * floor.denominator < floor.numerator * den)
    high = ~low & _truth(num * cap.denominator > cap.numerator * den)
    num = np.where(low, floor.numerator, np.where(high, cap.numerator, num))
    den = np.where(low, floor.denominator, np.where(high, cap.denominator, den))
    top = weights[0] * 100 * num
    bottom = weights[1] * den
    result = np.where(
        _truth(top >= 0), (2 * top + bottom) // (2 * bottom), -((-2 * top + bottom) // (2 * bottom))
    )
    return np.where(nonpositive, 0, result).astype(np.int64)


def at_most_many(
    numerators: np.ndarray, denominators: np.ndarray, *, scale: Fraction, limit: Fraction, inclusive: bool
) -> np.ndarray:
    """numerator ÷ denominator × scale ≤ limit (or < when not inclusive), exactly, for many rows
    (denominators > 0)."""
    a, b = decimal_parts(numerators)
    c, d = decimal_parts(denominators)
    left = a * d * (scale.numerator * limit.denominator)
    right = b * c * (limit.numerator * scale.denominator)
    return _truth(left <= right) if inclusive else _truth(left < right)
