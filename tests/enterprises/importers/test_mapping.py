"""Header mapping: variants, units (header > title > default) and another department's file."""

from __future__ import annotations

import pytest

from gongqiang.enterprises.importers import FileRejected, RawTable, guess_source, map_columns, year_in_title
from gongqiang.enterprises.importers.read import read_table


def table(headers, titles=(), parents=None) -> RawTable:
    return RawTable("s", list(titles), len(titles) + 1, list(headers), [], "xlsx", parents=parents or [])


def mapped(spec, source, headers, titles=(), parents=None):
    return map_columns(
        table(headers, titles, parents),
        spec.source(source),
        spec.units,
        spec.metrics,
        sources=spec.import_sources,
    )


def units_of(mapping) -> dict[str, str]:
    return {c.header: c.unit.name for c in mapping.metric_columns}


def test_header_unit_beats_title_unit_beats_default(spec):
    m = mapped(spec, "tax", ["信用代码", "实缴税金（元）"], ["单位：万元"])
    assert units_of(m) == {"实缴税金（元）": "元"}
    assert m.assumptions[-1] == "“实缴税金（元）”→ 实缴税金，单位 元（列名）"
    assert units_of(mapped(spec, "tax", ["信用代码", "实缴税金"], ["单位：元"])) == {"实缴税金": "元"}
    m = mapped(spec, "tax", ["信用代码", "实缴税金"])
    assert units_of(m) == {"实缴税金": "万元"}
    assert m.assumptions[-1] == "“实缴税金”→ 实缴税金，单位 万元（未注明单位，按默认）"


@pytest.mark.parametrize(
    "header",
    [
        "实缴税金(千元)",
        "实缴税金（千元）",
        "实缴税金 （ 千元 ）",
        "实缴税金(单位:千元)",
        "实缴税金/千元",
        "税收（千元）",
    ],
)
def test_unit_in_header_variants(spec, header):
    assert units_of(mapped(spec, "tax", ["统一社会信用代码", header])) == {header: "千元"}


def test_title_unit_applies_only_to_columns_of_its_base(spec):
    m = mapped(
        spec,
        "statistics",
        ["统一社会信用代码", "营业收入", "从业人员平均人数", "综合能源消费量"],
        ["金额单位：千元"],
    )
    assert units_of(m) == {"营业收入": "千元", "从业人员平均人数": "人", "综合能源消费量": "吨标准煤"}
    m = mapped(
        spec,
        "statistics",
        ["统一社会信用代码", "营业收入", "综合能源消费量"],
        ["金额单位：万元；能耗：万吨标准煤"],
    )
    assert units_of(m) == {"营业收入": "万元", "综合能源消费量": "万吨标准煤"}


def test_unit_of_a_merged_parent_header(spec):
    m = mapped(spec, "environment", ["统一社会信用代码", "氨氮"], parents=["", "排放量（吨）"])
    assert units_of(m) == {"氨氮": "吨"}


def test_full_width_spaces_and_case_are_folded(spec):
    m = mapped(spec, "environment", [" 统一社会信用代码 ", "ＣＯＤ", "so2", "NOx（千克）"])
    assert [c.field for c in m.columns] == ["uscc", "pollutant_eq", "pollutant_eq", "pollutant_eq"]
    assert [c.per for c in m.metric_columns] == [1, 0.95, 0.95]


def test_a_unit_that_does_not_convert_is_refused(spec):
    with pytest.raises(FileRejected, match="单位“人”不能换算"):
        mapped(spec, "tax", ["统一社会信用代码", "实缴税金（人）"])


def test_unknown_bracket_is_not_taken_for_the_metric(spec):
    with pytest.raises(FileRejected, match="缺少必需的列“实缴税金合计”"):
        mapped(spec, "tax", ["统一社会信用代码", "实缴税金（万美元）"])


def test_another_departments_file(samples, spec):
    data = (samples / "statistics-2024.xlsx").read_bytes()
    t = read_table(data, "statistics-2024.xlsx")
    with pytest.raises(FileRejected) as info:
        map_columns(t, spec.source("tax"), spec.units, spec.metrics, sources=spec.import_sources)
    assert info.value.reason == "这像是“统计部门 规上工业企业主要指标”的文件，而不是“税务部门 实缴税金”的文件"


def test_missing_required_column_lists_what_is_accepted(spec):
    with pytest.raises(FileRejected) as info:
        mapped(spec, "power", ["户号", "户名", "年度电费"])
    assert info.value.reason.startswith("缺少必需的列“统一社会信用代码”（可接受的列名：统一社会信用代码、")


def test_no_metric_column_is_refused(spec):
    with pytest.raises(FileRejected, match="没有“科技部门 研发投入”的任何指标列"):
        mapped(spec, "science", ["统一社会信用代码", "企业名称", "备注"])


def test_duplicate_and_unknown_columns_are_listed(spec):
    m = mapped(spec, "tax", ["纳税人识别号", "统一社会信用代码", "税收", "序号"])
    assert m.unmatched == ["统一社会信用代码", "序号"]
    assert m.assumptions[-1] == "未使用的列：统一社会信用代码、序号"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("tax-2024.xlsx", "tax"),
        ("statistics-2024.xlsx", "statistics"),
        ("land-register.xlsx", "land"),
        ("power-2024-gbk.csv", "power"),
        ("environment-2024.xlsx", "environment"),
    ],
)
def test_guess_source_of_each_sample(samples, spec, name, code):
    assert guess_source(read_table((samples / name).read_bytes(), name), spec.import_sources) == code


@pytest.mark.parametrize(
    ("lines", "year"),
    [
        (["2024年度规模以上工业企业实缴税金明细表", "单位：万元"], 2024),
        (["2023年规模以上工业企业主要经济指标"], 2023),
        (["填报日期：2025年3月1日", "2024年度 用电量"], 2024),
        (["填报日期：2025年3月1日"], None),
        (["工业企业土地使用权登记台账"], None),
        ([], None),
    ],
)
def test_year_in_title(lines, year):
    assert year_in_title(lines) == year
