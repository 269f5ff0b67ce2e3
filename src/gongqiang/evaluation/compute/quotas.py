"""Class quotas of one unit (and group): how many A, B, C and D places N enterprises get.

Integer arithmetic only: shares are per cent as Decimals from the method, places are whole enterprises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from gongqiang.core.policy.evaluation import CLASSES, Classes, Rounding

from .exact import round_half_up


@dataclass(frozen=True)
class Quota:
    n: int
    vetoed: int
    places: dict[str, int]  # class → places; D includes the vetoed enterprises

    def bounds(self) -> tuple[int, int, int]:
        """Upper rank (1-based, inclusive) of A, B and C among the non-vetoed enterprises."""
        a = self.places["A"]
        b = a + self.places["B"]
        return a, b, b + self.places["C"]


def _places(n: int, share: Decimal, rounding: Rounding) -> int:
    exact = Fraction(n) * Fraction(share) / 100
    if rounding == Rounding.floor:
        return math.floor(exact)
    if rounding == Rounding.ceil:
        return math.ceil(exact)
    return round_half_up(exact)


def quotas_for(n: int, vetoed: int, classes: Classes) -> Quota:
    """Places per class for N evaluated enterprises of which `vetoed` are vetoed.

    Named classes get their share with their rounding; the remaining class gets what is left. When the
    roundings together overshoot N, or the vetoed enterprises exceed the D places (they all take D),
    classes give up places in `veto_shrink_order` (C, then B, then A by default)."""
    places = {c: 0 for c in CLASSES}
    for q in classes.quotas:
        places[q.klass] = _places(n, q.share, q.rounding)
    places["D"] = max(places["D"], vetoed)
    rest = classes.remainder_class
    named = sum(v for c, v in places.items() if c != rest)
    places[rest] = max(n - named, 0) if rest != "D" else max(n - named, vetoed)
    excess = sum(places.values()) - n
    for klass in [*classes.veto_shrink_order, "D"]:
        if excess <= 0:
            break
        floor = vetoed if klass == "D" else 0
        cut = min(excess, places[klass] - floor)
        places[klass] -= cut
        excess -= cut
    return Quota(n=n, vetoed=vetoed, places=places)
