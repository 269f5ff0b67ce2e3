"""Properties of the evaluation engine over random enterprises (hypothesis): a higher value of a positive
indicator never lowers its score, every unit's classes fill exactly its quota, and row order changes
nothing. No Django."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongqiang.evaluation.compute import evaluate, exact, quotas_for

from .test_engine import ITEMS, YEAR, frame, linyi

UNITS = ["371302", "371311", "371312"]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def decimal(low: int, high: int, places: int = 2) -> st.SearchStrategy[float]:
    """Floats read from decimals of `places` places (what a department's file gives)."""
    return st.integers(low * 10**places, high * 10**places).map(lambda i: i / 10**places)


def with_zeros(values: st.SearchStrategy[float]) -> st.SearchStrategy[float | None]:
    return st.one_of(values, values, values, st.just(0.0), st.none())


@st.composite
def enterprise(draw: st.DrawFn, *, unit: str | None = None, special: bool = True) -> dict[str, Any]:
    row: dict[str, Any] = {
        "region": unit or draw(st.sampled_from(UNITS)),
        "above_scale": draw(st.booleans()) if special else True,
        "land_mu": draw(decimal(1, 500)),
        "tax_paid": draw(decimal(-1000, 5_000_000)),
        "revenue": draw(with_zeros(decimal(0, 50_000_000, 0)))
        if special
        else draw(decimal(1, 50_000_000, 0)),
        "energy_tce": draw(with_zeros(decimal(0, 10_000))) if special else draw(decimal(1, 10_000)),
        "pollutant_eq": draw(with_zeros(decimal(0, 1_000, 3))) if special else draw(decimal(1, 1_000, 3)),
        "rd_spending": draw(decimal(0, 1_000_000, 0)),
        "value_added": draw(decimal(0, 10_000_000, 0)),
        "employees": draw(with_zeros(decimal(0, 2_000, 0))) if special else draw(decimal(1, 2_000, 0)),
    }
    if special:
        row["industry"] = draw(st.sampled_from(["1310", "1310", "1310", "2614", "4411"]))
        row["founded_year"] = draw(st.sampled_from([2000, 2000, 2000, 2023]))
        row["land_mu"] = draw(st.one_of(st.just(row["land_mu"]), st.sampled_from([0.0, 2.99, 3.0])))
        for item in ITEMS:
            row[item] = draw(st.sampled_from([0, 0, 0, 0, 0, 0, 0, 1]))
    return row


def enterprises(min_size: int, max_size: int, **kw: Any) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(enterprise(**kw), min_size=min_size, max_size=max_size).map(
        lambda rows: [r | {"uscc": f"E{i:03d}"} for i, r in enumerate(rows)]
    )


INDICATORS = {
    "tax_per_mu": "tax_paid",
    "revenue_per_energy": "revenue",
    "revenue_per_pollutant": "revenue",
    "rd_intensity": "rd_spending",
    "labour_productivity": "value_added",
}


@SETTINGS
@given(
    rows=enterprises(1, 12, unit="371302"),
    # last year's enterprises in both groups (below scale with ≥ 3 亩, so evaluated): every benchmark of
    # this year comes from them
    previous=st.lists(enterprise(unit="371302", special=False), min_size=1, max_size=4).map(
        lambda rows: (
            [r | {"uscc": f"P{i}"} for i, r in enumerate(rows)]
            + [
                r | {"uscc": f"Q{i}", "above_scale": False, "land_mu": r["land_mu"] + 3}
                for i, r in enumerate(rows)
            ]
        )
    ),
    data=st.data(),
)
def test_a_higher_numerator_never_lowers_the_score(
    rows: list[dict[str, Any]], previous: list[dict[str, Any]], data: st.DataObject
) -> None:
    # last year's data fixes the benchmark, so only the enterprise's own value moves (with this year's
    # own benchmark a higher value also raises the benchmark, and the score may fall: not a property)
    indicator = data.draw(st.sampled_from(sorted(INDICATORS)))
    numerator = INDICATORS[indicator]
    i = data.draw(st.integers(0, len(rows) - 1))
    raised = [dict(r) for r in rows]
    raised[i][numerator] = (raised[i][numerator] or 0.0) + data.draw(decimal(0, 1_000_000))
    column = f"{indicator}_score"
    before = evaluate(frame(*rows), linyi(), year=YEAR, previous=frame(*previous)).frame[column][i]
    after = evaluate(frame(*raised), linyi(), year=YEAR, previous=frame(*previous)).frame[column][i]
    if before is not None:
        assert after >= before


def summary(result_frame: pl.DataFrame) -> dict[str, tuple[Any, ...]]:
    return {
        r["uscc"]: (r["status"], r["class"], r["rank"], r["total"], r["low_efficiency"], r["reason"])
        for r in result_frame.iter_rows(named=True)
    }


@SETTINGS
@given(rows=enterprises(1, 60))
def test_every_unit_fills_exactly_its_quota(rows: list[dict[str, Any]]) -> None:
    result = evaluate(frame(*rows), linyi(), year=YEAR)
    df = result.frame.filter(pl.col("status") == "evaluated")
    for (unit, group), part in df.group_by("unit", "group"):
        n, vetoed = part.height, int(part["veto"].sum())
        quota = quotas_for(n, vetoed, linyi().classes)
        assert result.quotas[(unit, group)] == quota
        counts = {c: part.filter(pl.col("class") == c).height for c in "ABCD"}
        assert counts == quota.places
        # ranks run 1 … n − vetoed and never put a lower total above a higher one
        ranked = part.filter(~pl.col("veto")).sort("rank")
        assert ranked["rank"].to_list() == list(range(1, ranked.height + 1))
        assert ranked["total"].to_list() == sorted(ranked["total"].to_list(), reverse=True)
    assert set(result.quotas) == {(u, g) for u, g in df.select("unit", "group").unique().iter_rows()}


@SETTINGS
@given(rows=enterprises(1, 40), permutation=st.randoms(use_true_random=False))
def test_row_order_changes_nothing(rows: list[dict[str, Any]], permutation: Any) -> None:
    shuffled = list(rows)
    permutation.shuffle(shuffled)
    a = evaluate(frame(*rows), linyi(), year=YEAR).frame
    b = evaluate(frame(*shuffled), linyi(), year=YEAR).frame
    assert summary(a) == summary(b)
    assert b["uscc"].to_list() == [r["uscc"] for r in shuffled]  # one row out per row in, in input order
    scores = [c for c in a.columns if c.endswith("_score")]
    assert a.sort("uscc").select(scores).equals(b.sort("uscc").select(scores))


# -- the exact path: integer arithmetic on the decimals' digits equals Fraction arithmetic ---------------
@SETTINGS
@given(
    numerator=decimal(-1_000_000, 10_000_000, 4),
    denominator=decimal(0, 100_000, 3).filter(lambda d: d > 0),
    benchmark=st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(10**6), max_denominator=10**6),
    weight=st.sampled_from([Fraction(15), Fraction(40), Fraction(100), Fraction(25, 2)]),
)
def test_exact_score_equals_fraction_arithmetic(
    numerator: float, denominator: float, benchmark: Fraction, weight: Fraction
) -> None:
    ratio = exact.exact(numerator) / exact.exact(denominator) / benchmark
    expected = exact.round_half_up(weight * 100 * exact.clamp(ratio, Fraction(0), Fraction(2)))
    got = exact.score_hundredths(
        numerator=numerator,
        denominator=denominator,
        benchmark=benchmark,
        weight=weight,
        floor=Fraction(0),
        cap=Fraction(2),
    )
    assert got == expected
    value = exact.exact(numerator) / exact.exact(denominator) * Fraction(1, 10_000)
    for inclusive in (True, False):
        limit = Fraction(3)
        want = value <= limit if inclusive else value < limit
        assert (
            exact.at_most(
                numerator=numerator,
                denominator=denominator,
                scale=Fraction(1, 10_000),
                limit=limit,
                inclusive=inclusive,
            )
            == want
        )


def test_decimal_ratio_reads_the_decimal_back() -> None:
    assert exact.decimal_ratio(67383.25) == (6738325, 100)
    assert exact.decimal_ratio(-0.5) == (-5, 10)
    assert exact.decimal_ratio(3.0) == (3, 1)
    assert exact.decimal_ratio(1e-05) == (1, 100_000)
    assert exact.decimal_ratio(1.5e20) == (150_000_000_000_000_000_000, 1)
    assert exact.decimal_ratio(7) == (7, 1)
