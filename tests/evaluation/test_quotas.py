"""Class places per unit (`quotas_for`), worked out by hand for the Linyi shares.

A = ⌊20 % N⌋, B = round-half-up(40 % N), D = ⌈5 % N⌉ (at least the vetoed), C = the rest; when the
vetoed take more than the D places, C, then B, then A give places up.
"""

from __future__ import annotations

import pytest

from gongqiang.core.policy.evaluation import Classes
from gongqiang.evaluation.compute import quotas_for

from .test_engine import linyi

# N: (A, B, C, D) — e.g. N = 7: A ⌊1.4⌋ = 1, B 2.8 → 3, D ⌈0.35⌉ = 1, C 7 − 5 = 2
TABLE = {
    0: (0, 0, 0, 0),
    1: (0, 0, 0, 1),  # B 0.4 → 0; the only enterprise takes the D place
    2: (0, 1, 0, 1),  # B 0.8 → 1
    3: (0, 1, 1, 1),  # B 1.2 → 1
    4: (0, 2, 1, 1),  # B 1.6 → 2: no A in a unit of four
    5: (1, 2, 1, 1),
    6: (1, 2, 2, 1),  # B 2.4 → 2
    7: (1, 3, 2, 1),
    8: (1, 3, 3, 1),  # B 3.2 → 3
    9: (1, 4, 3, 1),  # B 3.6 → 4
    10: (2, 4, 3, 1),
    11: (2, 4, 4, 1),
    12: (2, 5, 4, 1),
    13: (2, 5, 5, 1),
    14: (2, 6, 5, 1),
    15: (3, 6, 5, 1),
    16: (3, 6, 6, 1),
    17: (3, 7, 6, 1),
    18: (3, 7, 7, 1),
    19: (3, 8, 7, 1),
    20: (4, 8, 7, 1),  # D ⌈1.0⌉ = 1
    21: (4, 8, 7, 2),  # D ⌈1.05⌉ = 2
    22: (4, 9, 7, 2),
    23: (4, 9, 8, 2),
    24: (4, 10, 8, 2),
    25: (5, 10, 8, 2),
}


def places(n: int, vetoed: int = 0, classes: Classes | None = None) -> tuple[int, int, int, int]:
    q = quotas_for(n, vetoed, classes or linyi().classes)
    assert sum(q.places.values()) == n
    return q.places["A"], q.places["B"], q.places["C"], q.places["D"]


@pytest.mark.parametrize("n", sorted(TABLE))
def test_linyi_places(n: int) -> None:
    assert places(n) == TABLE[n]


@pytest.mark.parametrize(
    ("n", "vetoed", "expect"),
    [
        (10, 1, (2, 4, 3, 1)),  # within the one D place
        (10, 2, (2, 4, 2, 2)),  # C gives one
        (10, 4, (2, 4, 0, 4)),  # C gives all three
        (10, 5, (2, 3, 0, 5)),  # C has none left: B gives one
        (10, 7, (2, 1, 0, 7)),
        (10, 9, (1, 0, 0, 9)),  # B empty: A gives one
        (10, 10, (0, 0, 0, 10)),
        (4, 2, (0, 2, 0, 2)),
        (4, 3, (0, 1, 0, 3)),
        (1, 1, (0, 0, 0, 1)),
        (25, 2, (5, 10, 8, 2)),  # the two D places hold the vetoed
    ],
)
def test_vetoes_take_d_places_first(n: int, vetoed: int, expect: tuple[int, int, int, int]) -> None:
    assert places(n, vetoed) == expect


def classes(**changes: object) -> Classes:
    raw = linyi().classes.model_dump(by_alias=True, mode="json")
    raw.update(changes)
    return Classes.model_validate(raw)


def test_shrink_order_is_a_parameter() -> None:
    # A first: N = 10 with 7 vetoed has 2 + 4 + 7 = 13 places for 10 → A gives 2, then B gives 1
    assert places(10, 7, classes(veto_shrink_order=["A", "B", "C"])) == (0, 3, 0, 7)


def test_half_up_rounds_a_half_up() -> None:
    # B 50 % of 5 = 2.5 → 3 (half up; banker's rounding would give 2); A ⌊1⌋ = 1; D ⌈0.25⌉ = 1; C 0
    shares = [
        {"class": "A", "share": "20", "rounding": "floor"},
        {"class": "B", "share": "50", "rounding": "half_up"},
        {"class": "D", "share": "5", "rounding": "ceil"},
    ]
    assert places(5, 0, classes(quotas=shares)) == (1, 3, 0, 1)
    # 7 × 50 % = 3.5 → 4, A ⌊1.4⌋ = 1, D ⌈0.35⌉ = 1, C 1
    assert places(7, 0, classes(quotas=shares)) == (1, 4, 1, 1)


def test_roundings_that_overshoot_n_are_taken_back_from_c_then_b() -> None:
    # A 30 % ceil, B 60 % ceil, D 10 % ceil on N = 3: A 1, B 2, D 1 = 4 > 3 → C 0, B gives one
    shares = [
        {"class": "A", "share": "30", "rounding": "ceil"},
        {"class": "B", "share": "60", "rounding": "ceil"},
        {"class": "D", "share": "10", "rounding": "ceil"},
    ]
    assert places(3, 0, classes(quotas=shares)) == (1, 1, 0, 1)


def test_d_as_the_remainder_class() -> None:
    # A 20 % floor, B 40 % half up, C 30 % floor, D the rest: N = 10 → 2, 4, 3, 1; with 3 vetoed D = 3 and
    # the two extra places come from C (shrink order C, B, A) → 2, 4, 1, 3
    shares = [
        {"class": "A", "share": "20", "rounding": "floor"},
        {"class": "B", "share": "40", "rounding": "half_up"},
        {"class": "C", "share": "30", "rounding": "floor"},
    ]
    assert places(10, 0, classes(quotas=shares)) == (2, 4, 3, 1)
    assert places(10, 3, classes(quotas=shares)) == (2, 4, 1, 3)


def test_bounds_are_upper_ranks_of_a_b_c() -> None:
    assert quotas_for(10, 0, linyi().classes).bounds() == (2, 6, 9)
