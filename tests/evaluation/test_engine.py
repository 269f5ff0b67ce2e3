"""Hand-checked tests of the evaluation engine: every expected number is worked out in a comment.

Plain pytest functions on small Polars frames; no Django and no database. Scores, bonus, penalty and
total are integer hundredths of a point (1234 = 12.34 points). Unless a test says otherwise the method is
the Linyi pack's default for 2024 and the benchmark comes from the year's own data (no `previous`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from gongqiang.core.policy.evaluation import EvaluationMethod, EvaluationSection
from gongqiang.core.policy.schema import PolicyPackSpec
from gongqiang.evaluation.compute import EvaluationResult, evaluate

PACK = Path(__file__).resolve().parents[2] / "policies" / "linyi-2022.yaml"
YEAR = 2024
UNIT = "371302"

METRICS = [
    "land_mu",
    "tax_paid",
    "revenue",
    "energy_tce",
    "pollutant_eq",
    "rd_spending",
    "value_added",
    "employees",
]
ITEMS = ["high_tech", "srdi_provincial", "admin_penalty", "safety_accident", "env_incident", "dishonest"]
SCHEMA: dict[str, Any] = {
    "uscc": pl.String,
    "region": pl.String,
    "above_scale": pl.Boolean,
    "industry": pl.String,
    "new_above_scale": pl.Boolean,
    "founded_year": pl.Int64,
    **{m: pl.Float64 for m in METRICS},
    **{i: pl.Int8 for i in ITEMS},
}
# An ordinary above-scale manufacturer: 10 亩, everything positive, no items.
BASE: dict[str, Any] = {
    "region": UNIT,
    "above_scale": True,
    "industry": "1310",
    "new_above_scale": False,
    "founded_year": 2000,
    "land_mu": 10.0,
    "tax_paid": 100_000.0,
    "revenue": 1_000_000.0,
    "energy_tce": 10.0,
    "pollutant_eq": 10.0,
    "rd_spending": 10_000.0,
    "value_added": 500_000.0,
    "employees": 10.0,
    **{i: 0 for i in ITEMS},
}


@functools.cache
def section() -> EvaluationSection:
    spec = PolicyPackSpec.model_validate(yaml.safe_load(PACK.read_text(encoding="utf-8")))
    assert spec.evaluation is not None
    return spec.evaluation


def linyi() -> EvaluationMethod:
    method = section().method_for(YEAR)
    assert method is not None
    return method


def item_names() -> dict[str, str]:
    return {i.code: i.name for i in section().items}


def method(**changes: Any) -> EvaluationMethod:
    """The Linyi method with some top-level sections replaced (as YAML would write them)."""
    raw = linyi().model_dump(by_alias=True, mode="json")
    raw.update(changes)
    return EvaluationMethod.model_validate(raw)


def tax_only(**changes: Any) -> EvaluationMethod:
    """Linyi's method with 亩均税收 alone (weight 100) in both groups: totals are easy to work out."""
    tax = {
        "code": "tax_per_mu",
        "name": "单位用地税收",
        "numerator": "tax_paid",
        "denominator": "land_mu",
        "scale": "0.0001",
        "unit": "万元/亩",
        "weight": "100",
        "on_zero_denominator": "exception",
    }
    groups = [
        {"code": "above_scale", "name": "规上工业企业", "above_scale": True, "indicators": [tax]},
        {
            "code": "below_scale",
            "name": "规下工业企业",
            "above_scale": False,
            "min_land_mu": "3",
            "indicators": [tax],
        },
    ]
    return method(groups=groups, **changes)


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([BASE | r for r in rows], schema=SCHEMA)


def run(
    rows: list[dict[str, Any]],
    m: EvaluationMethod | None = None,
    *,
    previous: list[dict[str, Any]] | None = None,
    year: int = YEAR,
) -> tuple[dict[str, dict[str, Any]], EvaluationResult]:
    result = evaluate(
        frame(*rows),
        m or linyi(),
        year=year,
        previous=frame(*previous) if previous else None,
        item_names=item_names(),
    )
    return {r["uscc"]: r for r in result.frame.iter_rows(named=True)}, result


# -- indicator scores ---------------------------------------------------------------------------------
def test_cap_and_floor() -> None:
    # Σtax = 2,000,000 + 4 × 10,000 − 10,000 = 2,030,000 元 over Σland = 60 亩 → average 33,833.33 元/亩,
    # benchmark = 2 × that = 67,666.67 元/亩 = 6.766667 万元/亩.
    rows = [{"uscc": "E1", "tax_paid": 2_000_000.0}]
    rows += [{"uscc": f"E{i}", "tax_paid": 10_000.0} for i in range(2, 6)]
    rows += [{"uscc": "E6", "tax_paid": -10_000.0}]  # a refund larger than the tax paid
    out, _ = run(rows)
    e1, e2, e6 = out["E1"], out["E2"], out["E6"]
    assert e1["tax_per_mu_benchmark"] == pytest.approx(6.766667, abs=1e-6)
    # E1: 200,000 元/亩 ÷ 67,666.67 = 600/203 = 2.9557 > 2 → capped: 40 × 2 = 80.00
    assert e1["tax_per_mu_ratio"] == pytest.approx(600 / 203)
    assert (e1["tax_per_mu_score"], e1["tax_per_mu_rule"]) == (8000, "capped")
    # E2: 1,000 ÷ 67,666.67 = 3/203 → 40 × 3/203 = 0.5911 → 0.59
    assert (e2["tax_per_mu_score"], e2["tax_per_mu_rule"]) == (59, "normal")
    # E6: −1,000 元/亩 → ratio −3/203 < 0 → floored to 0
    assert (e6["tax_per_mu_score"], e6["tax_per_mu_rule"]) == (0, "floored")
    assert e6["tax_per_mu_value"] == pytest.approx(-0.1)


def test_ratio_exactly_at_the_cap_is_not_marked_capped() -> None:
    # G1 800,000 元 and G2 … G4 nothing, 10 亩 each: average 20,000 元/亩, benchmark 40,000, G1 has
    # 80,000 → ratio exactly 2 → 40 × 2 = 80.00, the cap's value but not beyond it.
    out, _ = run(
        [{"uscc": "G1", "tax_paid": 800_000.0}] + [{"uscc": f"G{i}", "tax_paid": 0.0} for i in (2, 3, 4)]
    )
    assert (out["G1"]["tax_per_mu_score"], out["G1"]["tax_per_mu_rule"]) == (8000, "normal")
    assert (out["G2"]["tax_per_mu_score"], out["G2"]["tax_per_mu_rule"]) == (0, "normal")


# The previous year holds one enterprise with 100,000 元 tax on 1 亩 → benchmark 2 × 100,000 = 200,000
# 元/亩, so the 亩均税收 score in hundredths is 40 × 100 × value ÷ 200,000 = value ÷ 50.
ONE_PER_MU = [{"uscc": "P1", "tax_paid": 100_000.0, "land_mu": 1.0}]


def test_rounding_half_up_at_exactly_half_a_hundredth() -> None:
    rows = [
        # 61,725 元/亩 ÷ 50 = 1,234.5 hundredths = 12.345 points → 12.35
        {"uscc": "R1", "tax_paid": 61_725.0, "land_mu": 1.0},
        # 62,975 元/亩 (67,383.25 元 on 1.07 亩) ÷ 50 = 1,259.5 → 12.60; in floats 67383.25 / 1.07 /
        # 200000 × 4000 = 1259.4999999999998, which a float rounding would take down to 12.59
        {"uscc": "R2", "tax_paid": 67_383.25, "land_mu": 1.07},
        # 61,724.99 ÷ 50 = 1,234.4998 → 12.34
        {"uscc": "R3", "tax_paid": 61_724.99, "land_mu": 1.0},
    ]
    out, _ = run(rows, previous=ONE_PER_MU)
    assert out["R1"]["tax_per_mu_benchmark_year"] == YEAR - 1
    assert out["R1"]["tax_per_mu_benchmark"] == pytest.approx(20.0)
    assert out["R1"]["tax_per_mu_score"] == 1235
    assert 4000.0 * ((67_383.25 / 1.07) / (100_000.0 * 2.0)) < 1259.5  # the float trap is real
    assert out["R2"]["tax_per_mu_score"] == 1260
    assert out["R3"]["tax_per_mu_score"] == 1234


def test_zero_energy_gets_the_unit_average_of_rounded_scores() -> None:
    rows = [
        {"uscc": "Z1", "revenue": 1_000_000.0, "energy_tce": 10.0},
        {"uscc": "Z2", "revenue": 1_000_000.0, "energy_tce": 70.0},
        {"uscc": "Z3", "energy_tce": 0.0},
        {"uscc": "Z4", "energy_tce": None},
        # land 0: not evaluable, so its energy (10) and revenue stay out of the benchmark
        {"uscc": "L1", "land_mu": 0.0},
    ]
    out, result = run(rows)
    # energy benchmark over Z1, Z2 only: 2 × 2,000,000 ÷ 80 = 50,000 元/吨
    # Z1: 100,000 ÷ 50,000 = 2 → 15 × 2 = 30.00; Z2: 14,285.71 ÷ 50,000 = 2/7 → 15 × 2/7 = 4.2857 → 4.29
    assert out["Z1"]["revenue_per_energy_score"] == 3000
    assert out["Z2"]["revenue_per_energy_score"] == 429
    # Z3 (0) and Z4 (missing): (30.00 + 4.29) ÷ 2 = 17.145 → half up → 17.15
    for z in ("Z3", "Z4"):
        assert out[z]["revenue_per_energy_score"] == 1715
        assert out[z]["revenue_per_energy_rule"] == "zero_den_average"
        assert "综合能耗为0或缺失，单位能耗销售收入按本单位平均得分计" in out[z]["reason"]
    assert out["L1"]["status"] == "exception"
    assert out["L1"]["class"] is None and out["L1"]["total"] is None
    assert out["L1"]["reason"] == "无法评价，请县区核实：用地面积为0或缺失"
    assert result.quotas[(UNIT, "above_scale")].n == 4


def test_zero_revenue_and_zero_employees_score_zero() -> None:
    rows = [
        {"uscc": "Y1", "revenue": 0.0, "rd_spending": 5_000.0},
        {"uscc": "Y2", "employees": 0.0},
        {"uscc": "Y3"},
    ]
    out, _ = run(rows)
    # R&D intensity over revenue > 0 (Y2, Y3): 2 × 20,000 ÷ 2,000,000 = 2 % → Y3 1 % ÷ 2 % → 15 × ½ = 7.50
    assert (out["Y1"]["rd_intensity_score"], out["Y1"]["rd_intensity_rule"]) == (0, "zero_den_zero")
    assert "营业收入为0或缺失，研发经费投入强度得0分" in out["Y1"]["reason"]
    assert out["Y3"]["rd_intensity_score"] == 750
    # labour productivity over Y1, Y3 (employees > 0): 2 × 1,000,000 ÷ 20 = 100,000 → Y3 50,000 → 7.50
    assert (out["Y2"]["labour_productivity_score"], out["Y2"]["labour_productivity_rule"]) == (
        0,
        "zero_den_zero",
    )
    assert "从业人员为0或缺失，全员劳动生产率得0分" in out["Y2"]["reason"]
    assert out["Y3"]["labour_productivity_score"] == 750


def test_missing_numerator_scores_zero_and_its_land_counts_in_the_benchmark() -> None:
    out, _ = run([{"uscc": "M1", "tax_paid": 200_000.0}, {"uscc": "M2", "tax_paid": None}])
    # Σtax = 200,000 (missing counts as 0) over 20 亩 → benchmark 20,000 元/亩 → M1 20,000 → 40 × 1 = 40.00
    assert out["M1"]["tax_per_mu_score"] == 4000
    assert (out["M2"]["tax_per_mu_score"], out["M2"]["tax_per_mu_rule"]) == (0, "missing_numerator")
    assert "缺少实缴税金数据，按0计" in out["M2"]["reason"]


# -- benchmarks ------------------------------------------------------------------------------------------
PREVIOUS = [
    {"uscc": "P1", "tax_paid": 300_000.0},  # 371302 above scale: 30,000 元/亩 → benchmark 60,000
    {"uscc": "P2", "region": "371311", "above_scale": False, "tax_paid": 100_000.0},  # below: 10,000 → 20,000
    {"uscc": "P3", "region": "371312", "industry": "4411", "tax_paid": 10_000_000.0},  # T last year: unusable
]


def test_benchmark_from_the_previous_year_with_fallback_per_unit_and_group() -> None:
    rows = [
        {"uscc": "C1", "tax_paid": 300_000.0},  # 30,000 ÷ 60,000 (last year) → 40 × 0.5 = 20.00
        # 371311 above scale has no data last year → this year: 2 × 400,000 ÷ 20 = 40,000
        {"uscc": "C2", "region": "371311", "tax_paid": 100_000.0},  # 10,000 ÷ 40,000 → 10.00
        {"uscc": "C3", "region": "371311", "tax_paid": 300_000.0},  # 30,000 ÷ 40,000 → 30.00
        # 371311 below scale: last year's 20,000 → 5,000 ÷ 20,000 → weight 100 × 0.25 = 25.00
        {"uscc": "C4", "region": "371311", "above_scale": False, "tax_paid": 50_000.0},
        # 371312: last year's only enterprise was T → this year: 2 × 10,000 = 20,000 → 0.5 → 20.00
        {"uscc": "C5", "region": "371312", "tax_paid": 100_000.0},
    ]
    out, _ = run(rows, previous=PREVIOUS)
    expect = {
        "C1": (2000, 2023),
        "C2": (1000, 2024),
        "C3": (3000, 2024),
        "C4": (2500, 2023),
        "C5": (2000, 2024),
    }
    got = {u: (out[u]["tax_per_mu_score"], out[u]["tax_per_mu_benchmark_year"]) for u in expect}
    assert got == expect
    assert out["C1"]["tax_per_mu_benchmark"] == pytest.approx(6.0)


def test_without_fallback_a_unit_missing_last_year_has_no_benchmark() -> None:
    m = method(
        benchmark={
            "multiplier": "2",
            "average": "aggregate",
            "year": "previous",
            "fallback_to_current": False,
        }
    )
    out, _ = run([{"uscc": "C2", "region": "371311"}], m, previous=PREVIOUS)
    assert (out["C2"]["tax_per_mu_score"], out["C2"]["tax_per_mu_rule"]) == (0, "benchmark_nonpositive")


def test_benchmark_year_current_ignores_the_previous_frame() -> None:
    m = method(benchmark={"multiplier": "2", "average": "aggregate", "year": "current"})
    out, _ = run(
        [{"uscc": "C1", "tax_paid": 300_000.0}, {"uscc": "C0", "tax_paid": 100_000.0}], m, previous=PREVIOUS
    )
    # own year: 2 × 400,000 ÷ 20 = 40,000 → C1 30,000 → 0.75 → 30.00
    assert (out["C1"]["tax_per_mu_score"], out["C1"]["tax_per_mu_benchmark_year"]) == (3000, 2024)


# -- rank and classes ------------------------------------------------------------------------------------
def test_ties_go_to_tax_then_revenue_then_uscc() -> None:
    rows = [
        {"uscc": "U1", "tax_paid": 200_000.0},  # 20,000 元/亩
        {"uscc": "U2", "tax_paid": 400_000.0, "land_mu": 20.0},  # 20,000 元/亩, more tax
        {"uscc": "U3", "revenue": 2_000_000.0},  # 10,000 元/亩
        {"uscc": "U4", "revenue": 3_000_000.0},  # 10,000 元/亩, more revenue
        {"uscc": "U6", "tax_paid": 50_000.0},  # 5,000 元/亩, identical to U5
        {"uscc": "U5", "tax_paid": 50_000.0},
    ]
    # Σtax 900,000 over 70 亩 → benchmark 2 × 900,000 ÷ 70 = 25,714.29:
    # U1, U2 20,000 × 70 ÷ 1,800,000 = 7/9 → 77.78; U3, U4 7/18 → 38.89; U5, U6 7/36 → 19.44.
    # N = 6 → A 1 (⌊1.2⌋), B 2 (2.4 → 2), D 1 (⌈0.3⌉), C 2.
    expect = {
        "U2": (7778, 1, "A"),
        "U1": (7778, 2, "B"),
        "U4": (3889, 3, "B"),
        "U3": (3889, 4, "C"),
        "U5": (1944, 5, "C"),
        "U6": (1944, 6, "D"),
    }
    for order in (rows, rows[::-1]):
        out, _ = run(order, tax_only())
        assert {u: (out[u]["total"], out[u]["rank"], out[u]["class"]) for u in expect} == expect


def test_vetoes_beyond_the_d_places_shrink_c_then_b() -> None:
    # V1 … V10, tax 10,000 × i on 10 亩; the five best are vetoed.
    vetoes = {10: "dishonest", 9: "safety_accident", 8: "env_incident", 7: "dishonest", 6: "dishonest"}
    rows = [
        {"uscc": f"V{i:02d}", "tax_paid": 10_000.0 * i} | ({vetoes[i]: 1} if i in vetoes else {})
        for i in range(1, 11)
    ]
    out, result = run(rows, tax_only())
    # N = 10: A ⌊2⌋ = 2, B 4, D max(⌈0.5⌉, 5 vetoed) = 5, C = 10 − 11 < 0 → 0 and one place too many:
    # C has none to give, so B gives one → A 2, B 3, C 0, D 5.
    assert result.quotas[(UNIT, "above_scale")].places == {"A": 2, "B": 3, "C": 0, "D": 5}
    classes = {u: (r["rank"], r["class"]) for u, r in out.items()}
    assert classes == {
        "V05": (1, "A"),
        "V04": (2, "A"),
        "V03": (3, "B"),
        "V02": (4, "B"),
        "V01": (5, "B"),
        **{f"V{i:02d}": (None, "D") for i in vetoes},
    }
    assert out["V09"]["veto"] and out["V09"]["veto_items"] == "safety_accident"
    assert out["V09"]["reason"] == "一票否决：发生较大及以上生产安全事故"
    # the vetoed are still scored: V10 has 10,000 元/亩 against 2 × 550,000 ÷ 100 = 11,000 → 90.91
    assert out["V10"]["total"] == 9091


def test_a_unit_of_four_has_no_a() -> None:
    out, result = run([{"uscc": f"S{i}", "tax_paid": 10_000.0 * i} for i in range(1, 5)], tax_only())
    # N = 4: A ⌊0.8⌋ = 0, B 1.6 → 2, D ⌈0.2⌉ = 1, C 1
    assert result.quotas[(UNIT, "above_scale")].places == {"A": 0, "B": 2, "C": 1, "D": 1}
    assert {u: r["class"] for u, r in out.items()} == {"S4": "B", "S3": "B", "S2": "C", "S1": "D"}


def test_a_lone_enterprise_is_d() -> None:
    # N = 1: A 0, B 0.4 → 0, D ⌈0.05⌉ = 1 → the only enterprise takes the D place
    out, _ = run([{"uscc": "ONLY"}], tax_only())
    assert (out["ONLY"]["rank"], out["ONLY"]["class"]) == (1, "D")


def test_t_classes_get_no_class_and_stay_out_of_benchmarks() -> None:
    rows = [
        {"uscc": "N1", "tax_paid": 100_000.0},
        {"uscc": "N2", "tax_paid": 300_000.0},
        {"uscc": "N3", "tax_paid": 200_000.0, "founded_year": 2022},  # third year: evaluated
        {"uscc": "N4", "tax_paid": 200_000.0, "industry": "4711"},  # not a utility
        {"uscc": "T1", "tax_paid": 10_000_000.0, "industry": "4411"},  # power
        {"uscc": "T2", "tax_paid": 10_000_000.0, "industry": "4610"},  # water
        {"uscc": "T3", "tax_paid": 10_000_000.0, "new_above_scale": True},
        {"uscc": "T4", "tax_paid": 10_000_000.0, "founded_year": 2023},  # second year
    ]
    out, result = run(rows, tax_only())
    # benchmark over N1 … N4: 2 × 800,000 ÷ 40 = 40,000 → N1 0.25 → 25.00, N2 75.00, N3 and N4 50.00
    assert {u: out[u]["tax_per_mu_score"] for u in ("N1", "N2", "N3", "N4")} == {
        "N1": 2500,
        "N2": 7500,
        "N3": 5000,
        "N4": 5000,
    }
    reasons = {
        "T1": "暂不评价（T类）：电力、热力、燃气及水生产和供应业",
        "T2": "暂不评价（T类）：电力、热力、燃气及水生产和供应业",
        "T3": "暂不评价（T类）：当年新升规",
        "T4": "暂不评价（T类）：投产不满2年",
    }
    for u, reason in reasons.items():
        assert (out[u]["status"], out[u]["class"], out[u]["rank"], out[u]["total"]) == ("T", "T", None, None)
        assert out[u]["reason"] == reason
    assert result.quotas[(UNIT, "above_scale")].n == 4


def test_below_scale_group_from_three_mu_inclusive() -> None:
    rows = [
        {"uscc": "B1", "above_scale": False, "land_mu": 2.99, "tax_paid": 100_000.0},  # too small
        {"uscc": "B2", "above_scale": False, "land_mu": 3.0, "tax_paid": 30_000.0},  # exactly 3: in
        {"uscc": "B3", "above_scale": False, "land_mu": 10.0, "tax_paid": 50_000.0},
        {"uscc": "B4", "above_scale": False, "land_mu": None},
        {"uscc": "A1", "tax_paid": 1_000_000.0},  # above scale, same unit, its own group
    ]
    out, result = run(rows)
    assert (out["B1"]["status"], out["B1"]["class"]) == ("excluded", None)
    assert out["B1"]["reason"] == "规下企业用地2.99亩，不足3亩，不参评"
    assert out["B4"]["status"] == "excluded"
    assert out["B4"]["reason"] == "规下企业用地面积缺失，不参评"
    # below-scale benchmark over B2, B3: 2 × 80,000 ÷ 13 = 12,307.69 元/亩;
    # B2 10,000 × 13 ÷ 160,000 = 0.8125 → 100 × = 81.25; B3 5,000 × 13 ÷ 160,000 = 0.40625 → 40.625 → 40.63
    assert (out["B2"]["group"], out["B2"]["tax_per_mu_score"], out["B2"]["total"]) == (
        "below_scale",
        8125,
        8125,
    )
    assert out["B3"]["tax_per_mu_score"] == 4063
    # below-scale N = 2: B 0.8 → 1, D 1 → B2 B, B3 D; above scale N = 1 → A1 alone is D, rank 1
    assert {u: (out[u]["rank"], out[u]["class"]) for u in ("B2", "B3", "A1")} == {
        "B2": (1, "B"),
        "B3": (2, "D"),
        "A1": (1, "D"),
    }
    assert set(result.quotas) == {(UNIT, "above_scale"), (UNIT, "below_scale")}


# -- bonus, penalty, total -------------------------------------------------------------------------------
def test_bonus_is_capped_and_penalty_subtracted() -> None:
    m = tax_only(
        bonus={
            "cap": "5",
            "items": [{"item": "high_tech", "points": "4"}, {"item": "srdi_provincial", "points": "3"}],
        }
    )
    rows = [
        {"uscc": "X1", "high_tech": 1, "srdi_provincial": 1},  # 4 + 3 = 7 → capped at 5
        {"uscc": "X2", "high_tech": 1},  # 4
        {"uscc": "X3", "admin_penalty": 1},  # −5
        {"uscc": "X4"},
    ]
    out, _ = run(rows, m)
    # all pay 10,000 元/亩 against 2 × 10,000 → 100 × 0.5 = 50.00
    got = {
        u: (r["tax_per_mu_score"], r["bonus"], r["penalty"], r["total"], r["rank"]) for u, r in out.items()
    }
    assert got == {
        "X1": (5000, 500, 0, 5500, 1),
        "X2": (5000, 400, 0, 5400, 2),
        "X4": (5000, 0, 0, 5000, 3),
        "X3": (5000, 0, 500, 4500, 4),
    }


def test_linyi_bonuses_add_up_to_the_cap() -> None:
    out, _ = run(
        [{"uscc": "H1", "high_tech": 1, "srdi_provincial": 1}, {"uscc": "H2", "srdi_provincial": 1}],
        tax_only(),
    )
    assert (out["H1"]["bonus"], out["H2"]["bonus"]) == (500, 200)  # 3 + 2 = 5 (the cap), 2


# -- low efficiency --------------------------------------------------------------------------------------
LOW = "规上企业亩均税收3万元及以下"


def low_efficiency_rows() -> list[dict[str, Any]]:
    return [
        {"uscc": "L1", "tax_paid": 300_000.0},  # 3.0 万元/亩 exactly
        {"uscc": "L2", "tax_paid": 300_001.0},  # 3.00001: above the line
        # 33,900 元 on 1.13 亩 is exactly 3 万元/亩; in floats 33900/1.13 × 0.0001 = 3.0000000000000004
        {"uscc": "L3", "tax_paid": 33_900.0, "land_mu": 1.13},
        {"uscc": "L4", "tax_paid": 299_999.0},  # 2.99999
        *({"uscc": f"W{i:02d}", "tax_paid": 1_000_000.0} for i in range(20)),  # 10 万元/亩
    ]


def test_low_efficiency_at_three_wan_per_mu_is_inclusive() -> None:
    out, result = run(low_efficiency_rows(), tax_only())
    # L1 … L4 all score 16.56 (≈ 3 万元/亩 against a benchmark of 18.11); N = 24 → D = ⌈1.2⌉ = 2 places,
    # which by tax (L2 300,001 > L1 300,000 > L4 299,999 > L3 33,900) go to L4 and L3.
    assert result.quotas[(UNIT, "above_scale")].places["D"] == 2
    assert 33_900.0 / 1.13 * 0.0001 > 3  # the float trap is real
    assert (out["L1"]["low_efficiency"], out["L1"]["low_efficiency_reason"]) == (True, LOW)
    assert (out["L2"]["low_efficiency"], out["L2"]["low_efficiency_reason"]) == (False, "")
    assert (out["L3"]["class"], out["L3"]["low_efficiency_reason"]) == ("D", f"{LOW}；评价为D类")
    assert (out["L4"]["class"], out["L4"]["low_efficiency_reason"]) == ("D", f"{LOW}；评价为D类")
    assert not out["W00"]["low_efficiency"]


def test_low_efficiency_strict_excludes_the_line() -> None:
    rules = [
        {
            "group": "above_scale",
            "indicator": "tax_per_mu",
            "at_most": "3",
            "inclusive": False,
            "label": "低于3万元",
        }
    ]
    out, _ = run(low_efficiency_rows(), tax_only(low_efficiency=rules))
    low = {u for u, r in out.items() if r["low_efficiency"]}
    assert low == {"L4"}


def test_below_scale_is_low_efficiency_only_through_class_d() -> None:
    rows = [
        {"uscc": "Q1", "above_scale": False, "tax_paid": 10_000.0},  # 1 万元/亩, below scale, rank 2 → D
        {"uscc": "Q2", "above_scale": False, "tax_paid": 20_000.0},  # 2 万元/亩, rank 1 → B
    ]
    out, _ = run(rows, tax_only())
    assert (out["Q2"]["class"], out["Q2"]["low_efficiency"]) == ("B", False)
    assert (out["Q1"]["class"], out["Q1"]["low_efficiency_reason"]) == ("D", "评价为D类")


# -- score thresholds instead of quotas ------------------------------------------------------------------
def test_thresholds_mode() -> None:
    classes = {
        "mode": "thresholds",
        "thresholds": [
            {"class": "A", "min_total": "80"},
            {"class": "B", "min_total": "60"},
            {"class": "C", "min_total": "40"},
        ],
        "tie_breakers": ["tax_paid", "revenue"],
    }
    # benchmark 200,000 元/亩 from last year (ONE_PER_MU): points = 100 × value ÷ 200,000 = value ÷ 2,000
    rows = [
        {"uscc": "H1", "tax_paid": 1_600_000.0},  # 160,000 元/亩 → 80.00 → A
        {"uscc": "H2", "tax_paid": 1_599_800.0},  # 159,980 → 79.99 → B
        {"uscc": "H3", "tax_paid": 1_200_000.0},  # 60.00 → B
        {"uscc": "H4", "tax_paid": 800_000.0},  # 40.00 → C
        {"uscc": "H5", "tax_paid": 799_800.0},  # 39.99 → D
        {"uscc": "H6", "tax_paid": 2_000_000.0, "env_incident": 1},  # 100.00 but vetoed → D
    ]
    out, _ = run(rows, tax_only(classes=classes), previous=ONE_PER_MU)
    assert {u: (r["total"], r["class"]) for u, r in out.items()} == {
        "H1": (8000, "A"),
        "H2": (7999, "B"),
        "H3": (6000, "B"),
        "H4": (4000, "C"),
        "H5": (3999, "D"),
        "H6": (10000, "D"),
    }


def test_region_industry_grouping_ranks_within_each_division() -> None:
    m = tax_only(grouping="region_industry")
    rows = [
        {"uscc": "I1", "industry": "1310", "tax_paid": 100_000.0},
        {"uscc": "I2", "industry": "1320", "tax_paid": 300_000.0},  # same division 13 as I1
        {"uscc": "J1", "industry": "2614", "tax_paid": 900_000.0},  # division 26 alone
    ]
    out, result = run(rows, m)
    assert set(result.quotas) == {(f"{UNIT}|13", "above_scale"), (f"{UNIT}|26", "above_scale")}
    # division 13: 2 × 400,000 ÷ 20 = 40,000 → I1 0.25 → 25.00, I2 0.75 → 75.00; J1 alone 0.5 → 50.00
    assert {u: (r["total"], r["rank"]) for u, r in out.items()} == {
        "I1": (2500, 2),
        "I2": (7500, 1),
        "J1": (5000, 1),
    }


def test_simple_mean_benchmark() -> None:
    m = method(benchmark={"multiplier": "2", "average": "mean", "year": "current"})
    rows = [
        {"uscc": "E1", "tax_paid": 300_000.0},  # 30,000 元/亩
        {"uscc": "E2", "tax_paid": 100_000.0, "land_mu": 40.0},  # 2,500 元/亩
    ]
    out, _ = run(rows, m)
    # mean of the ratios (30,000 + 2,500) ÷ 2 = 16,250 → benchmark 32,500 (the aggregate would be 16,000)
    # E1: 40 × 30,000 ÷ 32,500 = 36.923 → 36.92; E2: 40 × 2,500 ÷ 32,500 = 3.077 → 3.08
    assert (out["E1"]["tax_per_mu_score"], out["E2"]["tax_per_mu_score"]) == (3692, 308)


def test_below_scale_threshold_can_be_strict() -> None:
    groups = linyi().model_dump(by_alias=True, mode="json")["groups"]
    groups[1]["min_land_inclusive"] = False
    out, _ = run(
        [
            {"uscc": "B2", "above_scale": False, "land_mu": 3.0},
            {"uscc": "B3", "above_scale": False, "land_mu": 3.01},
        ],
        method(groups=groups),
    )
    assert (out["B2"]["status"], out["B2"]["reason"]) == ("excluded", "规下企业用地3.0亩，不超过3亩，不参评")
    assert out["B3"]["status"] == "evaluated"


# -- exact benchmark sums on a large year --------------------------------------------------------------
def _sums(rows: list[dict[str, Any]], code: str) -> dict[str, Any]:
    from gongqiang.evaluation.compute import engine

    m = linyi()
    df = engine._prepare(frame(*rows), m, YEAR)
    keys = engine._make_keys(engine._units(df), m)
    tables = engine._benchmark_tables(engine._with_keys(df, m, keys), None, m, keys, YEAR)
    (row,) = tables[code].values()
    return row


@pytest.mark.parametrize(
    "start",
    [
        # millionths fit a float but 2,000 of them overflow Int64 (2,000 × 5·10¹⁵ > 9.2·10¹⁸): the
        # wrapped sums are unwrapped with the float sums
        4_999_999_999.99,
        # millionths beyond 2⁵³: a float no longer holds them exactly, the sums are redone in Decimal
        12_000_000_000.07,
    ],
)
def test_benchmark_sums_stay_exact_beyond_int64_and_float_precision(start: float) -> None:
    cents = [round(start * 100) - i for i in range(2000)]
    rows = [{"uscc": f"V{i:04d}", "value_added": c / 100, "employees": 1000.0} for i, c in enumerate(cents)]
    row = _sums(rows, "labour_productivity")
    assert row["sum_n"] == sum(cents) * 10_000  # millionths of 元, exactly
    assert row["sum_d"] == 2000 * 1000 * 1_000_000
    assert row["count"] == 2000


def test_industry_divisions_match_by_prefix_as_ranges_of_codes() -> None:
    from gongqiang.evaluation.compute.engine import _in_divisions

    codes = ["4411", "4512", "4610", "44", "4710", "4399", "4", "0610", "06", "9910", "99", "98", None]
    df = pl.DataFrame({"industry": codes}, schema={"industry": pl.String})
    got = df.select(
        _in_divisions(["44", "45", "46"]).fill_null(False).alias("energy"),
        _in_divisions(["99", "06"]).fill_null(False).alias("ends"),
    )
    assert got["energy"].to_list() == [c is not None and c[:2] in ("44", "45", "46") for c in codes]
    assert got["ends"].to_list() == [c is not None and c[:2] in ("06", "99") for c in codes]


def test_polars_int64_sums_wrap_so_they_can_be_unwrapped() -> None:
    # `_unwrapped` relies on Int64 sums wrapping modulo 2⁶⁴ (in a plain sum and in a group-by): should a
    # Polars upgrade saturate or raise instead, this fails before any benchmark goes wrong
    from gongqiang.evaluation.compute.engine import _unwrapped

    values = [2**62 - 12_345] * 300_000
    wrapped = pl.Series(values, dtype=pl.Int64).sum()
    exact_sum = sum(values)
    assert wrapped == (exact_sum + 2**63) % 2**64 - 2**63
    grouped = pl.DataFrame({"k": [0] * len(values), "v": values}).group_by("k").agg(pl.col("v").sum())
    assert grouped["v"].item() == wrapped
    assert _unwrapped(wrapped, float(exact_sum)) == exact_sum
    assert _unwrapped(-5, -5.0) == -5 and _unwrapped(7, 7.0) == 7
