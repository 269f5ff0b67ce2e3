"""The version diff: who changed class and why (input, method, hand adjustment, others of the unit), counts
by transition, and the scope (a county sees its own enterprises' changes only)."""

from __future__ import annotations

import copy

import pytest

from gongqiang.evaluation.models import Result
from gongqiang.evaluation.services import runs
from gongqiang.evaluation.services.diff import diff_runs, input_changes, readable_change
from gongqiang.evaluation.views.common import metric_names
from tests.evaluation import runs_world as rw

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(world, personas):
    ents = rw.enterprises(world)
    return rw.publish(rw.draft(rw.frame(ents), personas.city), personas.city), ents


def by_ent(diff):
    return {c.enterprise_id: c for c in diff.changes}


def test_input_change_and_others_of_the_unit(base, world, personas):
    first, ents = base
    low = Result.objects.filter(run=first, region__code="371302").order_by("-rank").first()
    assert low.final_class == "D"
    second = rw.draft(
        rw.frame(ents, bump={low.enterprise_id: {"tax_paid": 5e7}}), personas.city, based_on=first
    )
    diff = diff_runs(second, personas.city, names=metric_names())
    changes = by_ent(diff)
    mine = changes[low.enterprise_id]
    assert (mine.old_class, mine.kinds[0]) == ("D", "input")
    assert any(line.startswith("实缴税金") and "万元 →" in line for line in mine.causes), mine.causes
    # somebody else of 兰山区 took the D place without any change of its own
    pushed = [c for c in diff.changes if c.enterprise_id != low.enterprise_id]
    assert pushed and all(c.kinds == ["others"] and c.region == "兰山区" for c in pushed)
    assert "同单位其他企业" in pushed[0].causes[0]
    assert not diff.method_changes
    assert sum(n for _, _, n in diff.transitions) == len(diff.changes)
    assert ("D", mine.new_class, 1) in diff.transitions or any(
        t[:2] == ("D", mine.new_class) for t in diff.transitions
    )


def test_county_sees_its_own_changes_only(base, world, personas):
    first, ents = base
    bump = {
        Result.objects.filter(run=first, region__code=code).order_by("-rank").first().enterprise_id: {
            "tax_paid": 5e7
        }
        for code in ("371302", "371311")
    }
    second = rw.draft(rw.frame(ents, bump=bump), personas.city, based_on=first)
    everyone = diff_runs(second, personas.city)
    assert {c.region for c in everyone.changes} >= {"兰山区", "罗庄区"}
    county = diff_runs(second, personas.county_a)
    assert county.changes and {c.region for c in county.changes} == {"兰山区"}
    assert county.compared == Result.objects.filter(run=second, region__code="371302").count()


def test_method_change_is_named(base, personas):
    first, _ = base
    raw = copy.deepcopy(first.method_spec)
    for q in raw["classes"]["quotas"]:
        if q["class"] == "A":
            q["share"] = "40"
        if q["class"] == "B":
            q["share"] = "20"
    whatif = runs.whatif(first, raw, personas.city)
    diff = diff_runs(whatif, personas.city)
    assert any("分档 · A类 · 比例（%）：20 → 40" in line for line in diff.method_changes)
    assert diff.changes and all("method" in c.kinds for c in diff.changes)
    assert all(c.old_class in "BC" and c.new_class in "AB" for c in diff.changes)


def test_hand_adjustment_is_named(base, world, personas):
    first, _ = base
    mine = Result.objects.get(run=first, enterprise=world.lanshan_ent)
    wanted = "A" if mine.final_class != "A" else "B"
    new = runs.adjusted_version(first, {world.lanshan_ent.pk: (wanted, "研发投入漏报属实")}, personas.city)
    diff = diff_runs(new, personas.city)
    assert [c.enterprise_id for c in diff.changes] == [world.lanshan_ent.pk]
    change = diff.changes[0]
    assert change.kinds == ["adjustment"] and "研发投入漏报属实" in change.causes[0]
    assert diff.transitions == [(mine.final_class, wanted, 1)]


def test_enterprise_missing_from_the_new_version(base, world, personas):
    first, ents = base
    rest = [e for e in ents if e.pk != world.hedong_ent.pk]
    second = rw.draft(rw.frame(rest), personas.city, based_on=first)
    gone = by_ent(diff_runs(second, personas.city))[world.hedong_ent.pk]
    assert gone.kinds == ["gone"] and gone.new_class == "—"


def test_no_base_no_changes(base, personas):
    first, _ = base
    diff = diff_runs(first, personas.city)
    assert diff.base is None and diff.changes == []


def test_input_lines_are_readable():
    names = {"tax_paid": ("实缴税金", "元"), "land_mu": ("用地面积", "亩"), "high_tech": ("高新技术企业", "")}
    old = {"inputs": {"tax_paid": "1000000.0000", "land_mu": "10.0000"}, "items": []}
    new = {"inputs": {"tax_paid": "2500000.0000", "land_mu": None}, "items": ["high_tech"]}
    assert input_changes(old, new, names) == [
        "用地面积：10 亩 → 缺失",
        "实缴税金：100.00 万元 → 250.00 万元",
        "新增事项：高新技术企业",
    ]
    assert input_changes(old, old, names) == []


def test_method_change_lines_are_readable():
    spec = {
        "groups": [
            {
                "code": "above_scale",
                "name": "规上工业企业",
                "indicators": [{"code": "tax_per_mu", "name": "单位用地税收"}],
            }
        ],
        "low_efficiency": [{"label": "规上企业亩均税收3万元及以下"}],
    }
    items = {"high_tech": "高新技术企业"}
    assert readable_change("groups[above_scale].indicators[tax_per_mu].weight：40 → 50", spec) == (
        "规上工业企业 · 单位用地税收 · 权重：40 → 50"
    )
    assert (
        readable_change("bonus.items[high_tech].points：3 → 4", spec, items)
        == "加分 · 高新技术企业 · 分值：3 → 4"
    )
    assert readable_change("low_efficiency[0].at_most：3 → 3.5", spec) == (
        "低效认定 规上企业亩均税收3万元及以下 · 认定线：3 → 3.5"
    )
    assert readable_change("calendar.public_notice_days：5 → 7", spec) == "工作节点 · 公示天数：5 → 7"
    assert readable_change("no colon here", spec) == "no colon here"
