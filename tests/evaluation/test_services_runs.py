"""What the run pages compute: the plain-Chinese trace of a hand-made detail, class counts and the unit
ranking through the scope, five-year history, the result filter, the method form, the workflow actions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import QueryDict

from gongqiang.evaluation.compute import trace
from gongqiang.evaluation.models import Result
from gongqiang.evaluation.services.methods import current_version
from gongqiang.evaluation.views.common import published_history
from gongqiang.evaluation.views.methods import apply_form, form_fields
from gongqiang.evaluation.views.results import ResultFilter
from gongqiang.evaluation.views.runs import available_actions, class_counts, unit_ranking
from tests.evaluation import runs_world as rw

SPEC = {
    "grouping": "region",
    "groups": [
        {
            "code": "above_scale",
            "name": "规上工业企业",
            "indicators": [
                {
                    "code": "tax_per_mu",
                    "name": "单位用地税收",
                    "numerator": "tax_paid",
                    "denominator": "land_mu",
                    "unit": "万元/亩",
                    "weight": "40",
                },
                {
                    "code": "revenue_per_energy",
                    "name": "单位能耗销售收入",
                    "numerator": "revenue",
                    "denominator": "energy_tce",
                    "unit": "万元/吨标准煤",
                    "weight": "15",
                },
                {
                    "code": "rd_intensity",
                    "name": "研发经费投入强度",
                    "numerator": "rd_spending",
                    "denominator": "revenue",
                    "unit": "%",
                    "weight": "15",
                },
                {
                    "code": "labour_productivity",
                    "name": "全员劳动生产率",
                    "numerator": "value_added",
                    "denominator": "employees",
                    "unit": "万元/人",
                    "weight": "30",
                },
            ],
        }
    ],
    "benchmark": {"multiplier": "2", "average": "aggregate"},
    "score": {"cap": "2", "floor": "0"},
    "bonus": {
        "cap": "5",
        "items": [{"item": "high_tech", "points": "3"}, {"item": "srdi_provincial", "points": "2"}],
    },
    "penalty": {"items": [{"item": "admin_penalty", "points": "5"}]},
}
DETAIL = {
    "scores": {
        "tax_per_mu": "32.00",
        "revenue_per_energy": "9.87",
        "rd_intensity": "0.00",
        "labour_productivity": "60.00",
    },
    "values": {
        "tax_per_mu": "6.4000",
        "revenue_per_energy": None,
        "rd_intensity": "0.0000",
        "labour_productivity": "99.5000",
    },
    "benchmarks": {"tax_per_mu": "8.0000", "rd_intensity": "3.2000", "labour_productivity": "40.0000"},
    "benchmark_years": {"tax_per_mu": 2023, "rd_intensity": 2023, "labour_productivity": 2024},
    "ratios": {"tax_per_mu": "0.8000", "labour_productivity": "2.4875"},
    "rules": {
        "tax_per_mu": "normal",
        "revenue_per_energy": "zero_den_average",
        "rd_intensity": "zero_den_zero",
        "labour_productivity": "capped",
    },
    "bonus": "3.00",
    "penalty": "5.00",
    "veto_items": "",
    "items": ["high_tech", "admin_penalty"],
    "n": 40,
    "places": {"A": 8, "B": 16, "C": 14, "D": 2},
}
ITEMS = {
    "high_tech": "高新技术企业",
    "srdi_provincial": "省级及以上专精特新企业",
    "admin_penalty": "年度内因安全生产或环保违法受到行政处罚",
    "safety_accident": "发生较大及以上生产安全事故",
}
METRICS = {"energy_tce": "综合能耗", "revenue": "营业收入"}


def test_trace_of_a_hand_made_detail():
    row = {
        "status": "evaluated",
        "group": "above_scale",
        "total": Decimal("99.87"),
        "rank": 3,
        "veto": False,
        "computed_class": "A",
        "adjusted_class": "B",
        "adjust_reason": "复核调整",
        "final_class": "B",
        "reason": "综合能耗为0或缺失，单位能耗销售收入按本单位平均得分计",
        "low_efficiency_reason": "",
        "detail": DETAIL,
    }
    t = trace.build(
        row, SPEC, item_names=ITEMS, metric_names=METRICS, unit_name="兰山区", group_name="规上工业企业"
    )
    lines = {i.code: i.text for i in t.indicators}
    assert lines["tax_per_mu"] == (
        "实际值 6.4 万元/亩；基准值 8 万元/亩（2 × 县区（功能区）平均值（Σ分子 ÷ Σ分母），取自2023年数据）；"
        "比值 0.8；得分 = 40 × min(0.8, 2) = 32.00 分（四舍五入保留两位小数）"
    )
    assert "综合能耗为 0 或缺失" in lines["revenue_per_energy"] and "9.87 分" in lines["revenue_per_energy"]
    assert lines["rd_intensity"] == "营业收入为 0 或缺失，该项得 0 分（零分母规则）"
    assert (
        "比值超过上限 2，按 2 计" in lines["labour_productivity"]
        and "= 60.00 分" in lines["labour_productivity"]
    )
    assert "取自2024年数据" in lines["labour_productivity"]
    steps = t.steps
    assert steps[0] == "加分：高新技术企业 +3；合计 3.00 分（加分上限 5 分）"
    assert steps[1] == "减分：年度内因安全生产或环保违法受到行政处罚 −5；合计 5.00 分"
    assert steps[2] == "一票否决：无"
    assert steps[3] == "综合得分 = 单项得分合计 101.87 + 加分 3.00 − 减分 5.00 = 99.87 分"
    assert steps[4].startswith("在兰山区规上工业企业参评企业 40 家中排名第 3")
    assert steps[5] == "本单位分档名额：A类 8 家，B类 16 家，C类 14 家，D类 2 家（共 40 家）"
    assert steps[6] == "计算类别：A类（优先发展）"
    assert steps[7] == "调档后类别：B类（支持发展）；理由：复核调整"
    assert steps[8].startswith("说明：综合能耗为0")
    assert len(t.lines) == 4 + len(steps)


def test_trace_of_veto_t_and_exception():
    veto = {
        "status": "evaluated",
        "group": "above_scale",
        "total": Decimal("40.00"),
        "rank": None,
        "veto": True,
        "computed_class": "D",
        "final_class": "D",
        "detail": {**DETAIL, "veto_items": "safety_accident"},
    }
    steps = trace.build(veto, SPEC, item_names=ITEMS).steps
    assert "一票否决：发生较大及以上生产安全事故，直接列为 D 类，不参与排名。" in steps
    assert not any("排名第" in s for s in steps)
    t_row = {"status": "T", "reason": "暂不评价（T类）：当年新升规企业", "detail": {}}
    t = trace.build(t_row, SPEC)
    assert (
        t.indicators == []
        and t.steps[0] == "暂不评价（T类）：当年新升规企业"
        and "不占分档名额" in t.steps[1]
    )
    exc = trace.build({"status": "exception", "reason": "无法评价，请县区核实：用地面积为0或缺失"}, SPEC)
    assert exc.steps[0].startswith("无法评价") and "重新评价" in exc.steps[1]


def test_numbers_are_shown_plainly():
    assert trace.num("12.5000") == "12.5" and trace.num("0.2967") == "0.2967" and trace.num(None) == "—"
    assert trace.num("3") == "3" and trace.points("4.3") == "4.30" and trace.points("x") == "—"


@pytest.mark.django_db
def test_counts_ranking_and_history_go_through_the_scope(world, personas):
    ents = rw.enterprises(world)
    rw.publish(rw.draft(rw.frame(ents, year=2023), personas.city, year=2023), personas.city)
    run = rw.publish(rw.draft(rw.frame(ents), personas.city), personas.city)
    everyone = class_counts(personas.city, [run.pk])[run.pk]
    mine = class_counts(personas.county_a, [run.pk])[run.pk]
    assert everyone["n"] == 33 and mine["n"] == 11
    assert mine["A"] == 2 and mine["D"] == 1 and sum(mine[c] for c in "ABCD") == 11
    ranking = unit_ranking(personas.city, run)
    assert [r["rank"] for r in ranking] == [1, 2, 3]
    shares = [r["share"] for r in ranking]
    assert shares == sorted(shares, reverse=True)
    assert [r["region__code"] for r in unit_ranking(personas.county_a, run)] == ["371302"]
    history = published_history(personas.county_a, up_to=2024)
    assert set(history) == set(
        Result.objects.filter(run=run, region__code="371302").values_list("enterprise_id", flat=True)
    )
    assert all(set(h) == {2023, 2024} for h in history.values())
    assert published_history(personas.city, [world.luozhuang_ent.pk], up_to=2023) == {
        world.luozhuang_ent.pk: {
            2023: Result.objects.get(run__year=2023, enterprise=world.luozhuang_ent).final_class
        }
    }


@pytest.mark.django_db
def test_result_filter(world, personas):
    run, _ = rw.published(world, personas.city)
    qs = Result.objects.visible_to(personas.city).filter(run=run)

    def count(query: str) -> int:
        return ResultFilter.from_params(QueryDict(query)).apply(qs).count()

    assert count("") == 33
    assert count("region=371311") == 11
    assert count("class=A") == qs.filter(final_class="A").count()
    assert count("class=bogus") == 33  # an unknown class is ignored
    assert count("min=50&max=80") == qs.filter(total__gte=50, total__lte=80).count()
    assert count("min=abc&max=NaN") == 33
    assert count("low=1") == qs.filter(low_efficiency=True).count()
    assert count(f"q={world.lanshan_ent.name[:4]}") == 1
    assert count(f"q={world.lanshan_ent.uscc.lower()}") == 1
    assert count("industry=33") == qs.filter(industry_code__startswith="33").count()
    assert count("industry=3%") == 33


@pytest.mark.django_db
def test_method_form_round_trip(linyi):
    spec = current_version(2024).spec
    sections = form_fields(spec)
    names = [f["name"] for _, fields in sections for f in fields]
    assert "w__above_scale__tax_per_mu" in names and "quota__A" in names and "low__0" in names
    assert "bonus__high_tech" in names and "bonus_cap" in names and "notice_days" in names
    raw, errors, _ = apply_form(spec, {})
    assert errors == [] and raw == {**spec, "calendar": {**spec["calendar"], "public_notice_days": 5}}
    raw, errors, posted = apply_form(spec, {"bench_multiplier": "1.5", "notice_days": "7", "quota__A": "x"})
    assert raw["benchmark"]["multiplier"] == "1.5" and raw["calendar"]["public_notice_days"] == 7
    assert errors == ["A类比例：“x”不是有效的数字"] and posted["quota__A"] == "x"


def test_available_actions_follow_the_workflow():
    class Run:
        kind = "official"
        status = "draft"

    run = Run()
    assert available_actions(run) == [("open_review", "转县区审核"), ("discard", "作废")]
    run.status = "city_approval"
    assert [a for a, _ in available_actions(run)] == ["return", "approve", "discard"]
    run.status = "published"
    assert available_actions(run) == []
    run.kind, run.status = "whatif", "draft"
    assert available_actions(run) == [("discard", "作废")]
