"""The method as data: the pack's default validates, and the city's edits are refused with the reason."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from gongqiang.core.policy.check import check_text
from gongqiang.core.policy.evaluation import ItemKind, parse_method
from gongqiang.core.policy.schema import PolicyPackSpec

PACK = Path(__file__).resolve().parents[2] / "policies" / "linyi-2022.yaml"


@pytest.fixture(scope="module")
def raw_pack() -> dict:
    return yaml.safe_load(PACK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def spec(raw_pack) -> PolicyPackSpec:
    return PolicyPackSpec.model_validate(raw_pack)


def _method(raw_pack) -> dict:
    return copy.deepcopy(raw_pack["evaluation"]["methods"][0])


def _parse(spec: PolicyPackSpec, raw: dict):
    return parse_method(raw, metrics={m.code for m in spec.metrics}, items=spec.evaluation.item_kinds())


def test_pack_method_carries_every_parameter_of_evaluation_md(spec):
    m = spec.evaluation.method_for(2024)
    above = next(g for g in m.groups if g.above_scale)
    below = next(g for g in m.groups if not g.above_scale)
    assert {i.code: int(i.weight) for i in above.indicators} == {
        "tax_per_mu": 40,
        "revenue_per_energy": 15,
        "revenue_per_pollutant": 15,
        "rd_intensity": 15,
        "labour_productivity": 15,
    }
    assert [i.code for i in below.indicators] == ["tax_per_mu"] and str(below.min_land_mu) == "3"
    assert (str(m.benchmark.multiplier), m.benchmark.average, m.benchmark.year) == (
        "2",
        "aggregate",
        "previous",
    )
    assert (str(m.score.cap), str(m.score.floor)) == ("2", "0")
    assert str(m.bonus.cap) == "5" and {p.item: str(p.points) for p in m.bonus.items} == {
        "high_tech": "3",
        "srdi_provincial": "2",
    }
    assert {q.klass: (str(q.share), q.rounding.value) for q in m.classes.quotas} == {
        "A": ("20", "floor"),
        "B": ("40", "half_up"),
        "D": ("5", "ceil"),
    }
    assert m.classes.remainder_class == "C"
    assert m.t_class.industry_divisions == ["44", "45", "46"]
    rule = next(r for r in m.low_efficiency if r.indicator)
    assert (str(rule.at_most), rule.inclusive, rule.group) == ("3", True, "above_scale")
    assert [str(s) for s in m.electricity_surcharge.steps] == ["0.05", "0.10", "0.15"]
    assert m.calendar.public_notice_days == 5


def test_method_for_year_takes_the_last_method_starting_on_or_before(spec):
    assert spec.evaluation.method_for(2020) is None
    assert spec.evaluation.method_for(2021).version == spec.evaluation.method_for(2030).version


def test_weights_not_summing_to_100_are_refused(spec, raw_pack):
    raw = _method(raw_pack)
    raw["groups"][0]["indicators"][0]["weight"] = 45
    with pytest.raises(ValueError, match="权重合计为 105"):
        _parse(spec, raw)


def test_unknown_metric_is_refused(spec, raw_pack):
    raw = _method(raw_pack)
    raw["groups"][0]["indicators"][1]["denominator"] = "water_m3"
    with pytest.raises(ValueError, match="未知的指标“water_m3”"):
        _parse(spec, raw)


def test_unknown_bonus_item_is_refused(spec, raw_pack):
    raw = _method(raw_pack)
    raw["bonus"]["items"].append({"item": "gazelle", "points": "1"})
    with pytest.raises(ValueError, match="未知的加分事项“gazelle”"):
        _parse(spec, raw)


def test_an_item_used_as_the_wrong_kind_is_refused(spec, raw_pack):
    raw = _method(raw_pack)
    raw["veto"] = ["high_tech"]
    with pytest.raises(ValueError, match="是加分事项，不能用作否决"):
        _parse(spec, raw)


def test_quota_and_threshold_shapes_are_checked(spec, raw_pack):
    raw = _method(raw_pack)
    raw["classes"]["quotas"] = raw["classes"]["quotas"][:2]
    with pytest.raises(ValueError, match="三类各给一个比例"):
        _parse(spec, raw)
    raw = _method(raw_pack)
    raw["classes"] = {
        "mode": "thresholds",
        "thresholds": [
            {"class": "A", "min_total": "60"},
            {"class": "B", "min_total": "80"},
            {"class": "C", "min_total": "40"},
        ],
    }
    with pytest.raises(ValueError, match="A ≥ B ≥ C"):
        _parse(spec, raw)


def test_the_checker_names_the_path_of_a_bad_method(raw_pack):
    bad = copy.deepcopy(raw_pack)
    bad["evaluation"]["methods"][0]["groups"][1]["indicators"][0]["weight"] = 90
    checked = check_text(yaml.safe_dump(bad, allow_unicode=True))
    assert not checked.ok
    assert any("evaluation" in str(e) and "权重合计为 90" in str(e) for e in checked.errors)


def test_a_dumped_method_parses_back(spec):
    m = spec.evaluation.method_for(2022)
    again = _parse(spec, m.model_dump(mode="json", by_alias=True))
    assert again == m
    assert spec.evaluation.item_kinds()["dishonest"] == ItemKind.veto


def test_an_unknown_county_reviewer_is_refused(raw_pack):
    bad = copy.deepcopy(raw_pack)
    bad["assessment"]["county_reviewer"] = "nosuch"
    checked = check_text(yaml.safe_dump(bad, allow_unicode=True))
    assert any("county_reviewer" in str(e) and "nosuch" in str(e) for e in checked.errors)
