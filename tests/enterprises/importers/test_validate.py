"""Row validation: every bad cell named by row, column and reason; duplicates, scope, sums, skipped rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl

from gongqiang.enterprises.importers import KnownEnterprise
from gongqiang.lib.uscc import make

from .conftest import xlsx

A, B, C = (make(f"91371302MA{i:07d}") for i in (1, 2, 3))
LZ = make("91371311MA0000009")  # a 罗庄区 enterprise
TAX = ["统一社会信用代码", "企业名称", "实缴税金"]


def registry(*codes, region="371302"):
    return {c: KnownEnterprise(name=f"库{c[-3:]}", region_code=region) for c in codes}


def reasons(result) -> list[str]:
    return [str(e) for e in result.errors]


def value(result, uscc, metric):
    frame = result.records.filter((result.records["uscc"] == uscc) & (result.records["metric"] == metric))
    return [Decimal(v) for v in frame["value"]]


def test_each_error_names_row_column_and_reason(run):
    rows = [
        ["2024年 实缴税金", None],
        TAX,
        [A, "甲", "12a"],
        [A[:-1] + "0", "乙", 5],
        [A.lower(), "丙", None],
    ]
    r = run(xlsx(rows), "tax", known=registry(A))
    assert reasons(r.result) == [
        "第 3 行，列“实缴税金”：“12a”不是有效数字",
        f"第 4 行，列“统一社会信用代码”：统一社会信用代码校验位错误（第18位应为“{A[-1]}”）",
        "第 5 行：该行没有任何指标值",
    ]
    assert r.result.rows_invalid == 3 and r.result.rows_valid == 0


def test_full_width_digits_and_commas(run):
    rows = [
        TAX,
        [A, "甲", "１，２３４．５"],
        ["９１３７１３０２ＭＡ" + "０" * 6 + "２" + B[-1], "乙", "（12）"],
    ]
    r = run(xlsx(rows), "tax", known=registry(A, B))
    assert not r.result.errors
    assert value(r.result, A, "tax_paid") == [Decimal("12345000")]
    assert value(r.result, B, "tax_paid") == [Decimal("-120000")]  # a net refund


def test_duplicated_uscc_with_conflicting_values(run):
    rows = [TAX, [A, "甲", 10], [B, "乙", 1], [A, "甲", 12], [B, "乙", "1.00"]]
    r = run(xlsx(rows), "tax", known=registry(A, B))
    assert reasons(r.result) == [
        "第 2 行，列“统一社会信用代码”：与第 4 行的同一企业数据冲突（实缴税金：100000 元 ≠ 120000 元）",
        "第 4 行，列“统一社会信用代码”：与第 2 行的同一企业数据冲突（实缴税金：120000 元 ≠ 100000 元）",
    ]
    assert [str(s) for s in r.result.skipped] == ["第 5 行：与第 3 行同一企业重复（数据相同），已跳过"]
    assert (r.result.rows_valid, r.result.rows_invalid) == (1, 2)


def test_unknown_enterprise_rejected_or_created(run):
    rows = [TAX, [A, "甲", 1], [B, None, 2], [C, "丙", 3]]
    r = run(xlsx(rows), "tax", known=registry(A))
    assert [e.reason for e in r.result.errors] == ["企业库中没有该统一社会信用代码"] * 2
    r = run(xlsx(rows), "tax", known=registry(A), create_unknown=True)
    assert reasons(r.result) == ["第 3 行，列“统一社会信用代码”：企业库中没有该企业，新建企业须填写企业名称"]
    new = r.result.records.filter(r.result.records["new_enterprise"])
    assert list(new["uscc"]) == [C] and list(new["name"]) == ["丙"]
    assert "1 家企业不在企业库中，将新建" in r.result.assumptions


def test_county_upload_out_of_scope(run, regions):
    rows = [
        ["统一社会信用代码", "企业名称", "所属区县", "实缴税金"],
        [A, "甲", "兰山区", 1],
        [LZ, "乙", "罗庄", 2],
    ]
    known = {**registry(A), **registry(LZ, region="371311")}
    r = run(xlsx(rows), "tax", known=known, in_scope=lambda region, uscc: region == "371302")
    assert reasons(r.result) == ["第 3 行，列“统一社会信用代码”：该企业不在您的数据范围内（属地：罗庄区）"]
    # a new enterprise is placed by the file's 区县
    r = run(
        xlsx(rows), "tax", known={}, create_unknown=True, in_scope=lambda region, uscc: region == "371311"
    )
    assert reasons(r.result) == ["第 2 行，列“统一社会信用代码”：该企业不在您的数据范围内（属地：兰山区）"]
    assert list(r.result.records["region"]) == ["371311"]


def test_ranges_and_integers(run):
    rows = [["统一社会信用代码", "营业收入", "从业人员平均人数"], [A, -5, 10], [B, 5, 10.5], [C, 5, "-"]]
    r = run(xlsx(rows), "statistics", known=registry(A, B, C))
    assert reasons(r.result) == [
        "第 2 行，列“营业收入”：营业收入为 -5000 元，低于下限 0 元",
        "第 3 行，列“从业人员平均人数”：从业人员平均人数应为整数，实际为 10.5 人",
    ]
    assert value(r.result, A, "employees") == []  # a row in error is not imported, not even in part
    assert value(r.result, C, "revenue") == [Decimal(5000)] and value(r.result, C, "employees") == []
    assert r.result.rows_valid == 1


def test_formula_without_value_is_reported_missing(run):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["2024年 实缴税金"], TAX, [A, "甲", "=1+2"], [B, "乙", 4]):
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    r = run(buffer.getvalue(), "tax", known=registry(A, B))
    assert reasons(r.result) == [
        "第 3 行，列“实缴税金”：公式没有计算结果（文件保存时未计算），请在 Excel 中打开、保存后再导入，或粘贴为数值"
    ]
    assert r.result.rows_valid == 1


def test_totals_footers_blank_and_hidden_rows_are_skipped(run):
    rows = [
        TAX,
        [A, "甲", 1],
        [None, None, None],
        [B, "乙", 2],
        [None, "合  计", 3],
        ["合计", None, 3],
        ["制表人：张三", None, None],
        ["注：数据来源于金税系统", None, None],
    ]

    def hide(wb, ws):
        ws.set_row(3, None, None, {"hidden": True})

    r = run(xlsx(rows, build=hide), "tax", known=registry(A, B))
    assert [(s.row_no, s.reason) for s in r.result.skipped] == [
        (3, "空行"),
        (4, "该行在 Excel 中被隐藏，未导入"),
        (5, "合计行，不是企业数据"),
        (6, "合计行，不是企业数据"),
        (7, "表尾说明，不是企业数据"),
        (8, "表尾说明，不是企业数据"),
    ]
    assert (r.result.rows_total, r.result.rows_valid, r.result.rows_invalid) == (7, 1, 0)


def test_a_total_row_with_a_valid_code_is_data(run):
    r = run(xlsx([TAX, [A, "合计", 1]]), "tax", known=registry(A))
    assert r.result.rows_valid == 1


def test_power_accounts_summed_and_an_error_blocks_the_enterprise(run):
    rows = [
        ["户号", "统一社会信用代码", "年用电量"],
        ["1", A, "1,000"],
        ["2", A, "2,000"],
        ["3", B, 5],
        ["4", B, "x"],
        ["5", C, 7],
        ["5", C, 7],
    ]
    r = run(xlsx(rows), "power", known=registry(A, B, C))
    assert value(r.result, A, "electricity_kwh") == [Decimal(3000)]
    assert value(r.result, C, "electricity_kwh") == [Decimal(7)]  # the repeated account counted once
    assert reasons(r.result) == [
        "第 4 行，列“统一社会信用代码”：同一企业的第 5 行有错误，该企业各行均未汇总",
        "第 5 行，列“年用电量”：“x”不是有效数字",
    ]
    assert [s.reason for s in r.result.skipped] == ["与第 6 行同一户号/权证重复（数据相同），已跳过"]
    assert list(r.result.records["row_no"]) == [2, 6]


def test_land_signs_parcels_and_unknown_type(run):
    head = ["统一社会信用代码", "不动产权证号", "宗地面积", "使用类型"]
    rows = [
        head,
        [A, "甲1", 6666.7, "自有"],
        [A, "甲2", 666.67, "租出"],
        [A, "甲3", 1333.34, "租入"],
        [B, "乙1", 100, "借用"],
        [C, "丙1", 100, "租出"],
        [LZ, "丁1", 666.67, None],
    ]
    r = run(xlsx([["面积单位：平方米"], *rows]), "land", known=registry(A, B, C, LZ))
    assert value(r.result, A, "land_mu") == [Decimal(10 - 1 + 2)]
    assert value(r.result, LZ, "land_mu") == [Decimal(1)]
    assert [str(e) for e in r.result.errors] == [
        "第 6 行，列“使用类型”：使用类型“借用”不在允许的取值中（自有、出让、划拨、租入、租用、租出、出租）",
        "第 7 行，列“统一社会信用代码”：同一企业各行合计后实际用地面积为 -0.15 亩，低于下限 0 亩",
    ]
    tenure = {p.certificate: (p.tenure, p.area_mu) for p in r.result.parcels}
    assert tenure == {
        "甲1": ("owned", Decimal("10.0000")),
        "甲2": ("leased_out", Decimal("1.0000")),
        "甲3": ("leased_in", Decimal("2.0000")),
        "丁1": ("owned", Decimal("1.0000")),
    }
    assert "1 行未填使用类型，按自有计入" in r.result.assumptions


def test_environment_columns_summed_per_row(run):
    rows = [
        ["单位：千克"],
        ["统一社会信用代码", "化学需氧量", "氨氮", "二氧化硫"],
        [A, 10, 8, "-"],
        [B, None, "", None],
    ]
    r = run(xlsx(rows), "environment", known=registry(A, B))
    assert value(r.result, A, "pollutant_eq") == [Decimal(20)]
    assert reasons(r.result) == ["第 4 行：该行没有任何指标值"]


def test_merged_figure_over_two_rows_is_refused(run):
    def build(wb, ws):
        ws.write_row(0, 0, TAX)
        ws.write_row(1, 0, [A, "甲"])
        ws.write_row(2, 0, [B, "乙"])
        ws.merge_range(1, 2, 2, 2, 100)

    r = run(xlsx([], build=build), "tax", known=registry(A, B))
    assert [e.row_no for e in r.result.errors] == [3]
    assert "合并" in r.result.errors[0].reason


def test_odd_cells_never_raise(run):
    rows = [
        TAX,
        [A, "甲", dt.datetime(2024, 1, 1)],
        [True, 3.5, "1e999"],
        [12345678901234567890, "x", 1],
        ['=HYPERLINK("x")', None, 1],
        [B, "乙", 1],
    ]
    r = run(xlsx(rows), "tax", known=registry(A, B))
    assert r.result.rows_valid == 1
    assert r.result.rows_invalid == 4
    assert "“2024-01-01”是日期或时间，不是数字" in r.result.errors[0].reason
    assert any("单元格是数值格式" in e.reason for e in r.result.errors)


def test_short_csv_rows_are_fine(run):
    data = f"统一社会信用代码,企业名称,实缴税金\n{A},甲\n{B},乙,3\n".encode()
    r = run(data, "tax", known=registry(A, B), filename="a.csv")
    assert reasons(r.result) == ["第 2 行：该行没有任何指标值"]
    assert r.result.rows_valid == 1
