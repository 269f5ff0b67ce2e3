"""The pure reconciliation: every kind of finding on small hand-built frames (no database)."""

from __future__ import annotations

import polars as pl
import pytest

from gongqiang.enterprises.reconcile import BLOCKER, WARNING, Finding, normalise_name, reconcile

YEAR = 2024
EXPECTED = {"statistics": BLOCKER, "tax": BLOCKER, "land": BLOCKER, "power": WARNING}
A, B, C, D, E = (f"91371302MADM0000{n}X" for n in "ABCDE")  # codes need not be valid here


def registry(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "uscc": pl.String,
            "name": pl.String,
            "region": pl.String,
            "region_name": pl.String,
            "above_scale": pl.Boolean,
            "status": pl.String,
        },
        orient="row",
    )


def facts(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"uscc": pl.String, "source": pl.String, "metric": pl.String, "value": pl.Float64},
        orient="row",
    )


def names(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"uscc": pl.String, "source": pl.String, "name": pl.String}, orient="row"
    )


def complete(uscc: str, *, tax: float = 1e6, land: float = 50.0, output: float = 5e7) -> list[tuple]:
    """An enterprise every expected source knows."""
    return [
        (uscc, "statistics", "output", output),
        (uscc, "tax", "tax_paid", tax),
        (uscc, "land", "land_mu", land),
        (uscc, "power", "electricity_kwh", 1e6),
    ]


REG = registry(
    (A, "甲木业有限公司", "371302", "兰山区", True, "operating"),
    (B, "乙食品有限公司", "371311", "罗庄区", True, "operating"),
    (C, "丙五金厂", "371302", "兰山区", False, "operating"),
)


def run(f: pl.DataFrame, reg: pl.DataFrame = REG, **kwargs) -> list[Finding]:
    kwargs.setdefault("sources_expected", EXPECTED)
    kwargs.setdefault("jump_factor", 10)
    return reconcile(f, reg, kwargs.pop("names", names()), YEAR, **kwargs)


def kinds(found: list[Finding]) -> list[tuple[str, str, str, str]]:
    return [(f.kind, f.severity, f.uscc, f.source) for f in found]


def test_clean_data_has_no_findings():
    f = facts(*complete(A), *complete(B), (C, "tax", "tax_paid", 1e5), (C, "land", "land_mu", 5.0))
    assert run(f) == []


def test_above_scale_missing_from_expected_sources():
    f = facts(*complete(A), (B, "tax", "tax_paid", 1e6), (B, "land", "land_mu", 30.0))
    found = run(f)
    assert kinds(found) == [("missing", BLOCKER, B, "statistics"), ("missing", WARNING, B, "power")]
    assert (
        found[0].region == "371311" and found[0].region_name == "罗庄区" and found[0].name == "乙食品有限公司"
    )
    assert "统计" in run(f, source_names={"statistics": "统计部门"})[0].detail
    # below-scale C appears in no source: not a missing finding (statistics does not cover it)
    assert all(x.uscc != C for x in found)


def test_closed_enterprises_are_not_expected_but_stopped_ones_are():
    reg = registry(
        (A, "甲", "371302", "兰山区", True, "closed"),
        (B, "乙", "371311", "罗庄区", True, "stopped"),
    )
    found = run(facts(), reg)
    assert {x.uscc for x in found} == {B}
    assert {x.source for x in found} == set(EXPECTED)


def test_tax_without_land_is_a_blocker_and_replaces_missing_land():
    f = facts(*[r for r in complete(A) if r[2] != "land_mu"], *complete(B, land=0.0))
    found = run(f)
    assert kinds(found) == [
        ("tax_without_land", BLOCKER, A, "land"),
        ("tax_without_land", BLOCKER, B, "land"),
    ]
    by = {x.uscc: x for x in found}
    assert "无该企业用地记录" in by[A].detail and by[A].values["用地面积（亩）"] is None
    assert "用地面积为 0" in by[B].detail and by[B].values["实缴税金（元）"] == 1e6
    assert by[A].metric == "land_mu"


def test_tax_without_land_below_scale_is_a_warning_and_zero_or_negative_tax_is_fine():
    f = facts(
        *complete(A, tax=-5e5, land=0.0),  # a VAT refund year: nothing to score anyway
        *complete(B, tax=0.0, land=0.0),
        (C, "tax", "tax_paid", 2e5),
    )
    found = run(f)
    assert kinds(found) == [("tax_without_land", WARNING, C, "land")]


def test_jumps_both_ways_at_the_factor_given():
    now = facts(*complete(A, output=5e8), *complete(B, tax=1e3), *complete(C, output=9e7))
    before = facts(*complete(A, output=4e7), *complete(B, tax=2e6), *complete(C, output=1e7))
    found = run(now, previous=before, metric_names={"output": "工业总产值"})
    assert kinds(found) == [("jump", WARNING, A, "statistics"), ("jump", WARNING, B, "tax")]
    up, down = found
    assert up.metric == "output" and up.values == {"本年": 5e8, "上年": 4e7, "倍数": 12.5}
    assert "工业总产值是上年的 12.5 倍" in up.detail
    assert down.metric == "tax_paid" and "1/2,000" in down.detail
    # C: 9× is within a factor of 10, but not of 5; the factor is a parameter, not a constant
    assert (C, "output") in {(x.uscc, x.metric) for x in run(now, previous=before, jump_factor=5)}
    with pytest.raises(ValueError):
        run(now, previous=before, jump_factor=1)


def test_no_jump_without_a_positive_value_on_both_sides():
    now = facts(*complete(A, tax=-1e5), *complete(B, tax=5e7))
    before = facts(
        *complete(A, tax=5e6), *[r for r in complete(B) if r[2] != "tax_paid"], (B, "tax", "tax_paid", 0.0)
    )
    assert run(now, previous=before) == []


def test_unknown_usccs_take_the_county_from_the_code_or_the_batch():
    unknown = pl.DataFrame(
        {
            "uscc": ["91371311MADMZZZZ1Y", "91371399MADMZZZZ2Y", A],
            "source": ["power", "power", "power"],
            "name": ["新厂有限公司", "", "甲木业有限公司"],
            "region": [None, "371302", None],
        }
    )
    found = run(facts(*complete(A), *complete(B)), unknown_usccs=unknown)
    assert kinds(found) == [  # by county: the batch's 371302 before 371311
        ("unknown_uscc", WARNING, "91371399MADMZZZZ2Y", "power"),
        ("unknown_uscc", WARNING, "91371311MADMZZZZ1Y", "power"),
    ]
    by = {x.uscc: x for x in found}
    assert by["91371311MADMZZZZ1Y"].region == "371311" and by["91371311MADMZZZZ1Y"].region_name == "罗庄区"
    assert by["91371399MADMZZZZ2Y"].region == "371302"  # the batch's county wins over the code
    assert by["91371311MADMZZZZ1Y"].values == {"部门所报名称": "新厂有限公司"}
    # a frame with codes only
    only = run(
        facts(*complete(A), *complete(B)), unknown_usccs=pl.DataFrame({"uscc": [E], "source": ["tax"]})
    )
    assert [(x.uscc, x.region) for x in only] == [(E, "371302")]


def test_names_that_disagree_with_the_registry():
    reported = names(
        (A, "statistics", "甲木业有限责任公司"),
        (B, "statistics", "乙食品有限公司"),  # the same
        (B, "power", " 乙食品有限公司 "),  # spaces only
        (C, "tax", "丙五金厂（普通合伙）"),
        (D, "tax", "丁不在库中"),  # not in the registry: the unknown check's business
    )
    found = run(facts(*complete(A), *complete(B)), names=reported, source_names={"statistics": "统计部门"})
    assert kinds(found) == [("name_mismatch", WARNING, A, "statistics"), ("name_mismatch", WARNING, C, "tax")]
    a = next(x for x in found if x.uscc == A)
    assert a.detail == "统计部门所报名称“甲木业有限责任公司”与企业库名称“甲木业有限公司”不一致。"
    assert normalise_name("甲（乙）公司 ") == normalise_name("甲(乙)公司")


def test_blockers_come_first_then_kind_region_uscc():
    f = facts(*complete(A, land=0.0), (B, "tax", "tax_paid", 1e6), (B, "land", "land_mu", 10.0))
    found = run(f, names=names((A, "tax", "别名有限公司")))
    assert [x.severity for x in found] == sorted((x.severity for x in found), key=lambda s: s != BLOCKER)
    assert [x.kind for x in found] == ["missing", "tax_without_land", "missing", "name_mismatch"]
