"""The error workbook and the templates (which must import back without an error)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from gongqiang.enterprises.importers import error_workbook, template_workbook
from gongqiang.lib.uscc import make

from .conftest import xlsx

A, B = make("91371302MA0000001"), make("91371302MA0000002")


def sheets(data: bytes) -> dict[str, list[list[object]]]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


def test_error_workbook_has_the_original_rows(run):
    rows = [
        ["2023年 实缴税金"],
        ["统一社会信用代码", "企业名称", "实缴税金"],
        [A, "甲", "12a"],
        [B, "=cmd", 5],
        ["合计", None, 5],
    ]
    r = run(xlsx(rows), "tax", known={})
    out = sheets(error_workbook(r.table, r.result))
    errors = out["错误明细"]
    assert errors[0] == ["行号", "列", "原因", "统一社会信用代码", "企业名称", "实缴税金"]
    assert errors[1][:3] == ["", "", "文件标题为 2023 年，与所选年度 2024 年不符"]
    assert errors[2] == [3.0, "实缴税金", "“12a”不是有效数字", A, "甲", "12a"]
    assert errors[3][:3] == [3.0, "统一社会信用代码", "企业库中没有该统一社会信用代码"]
    assert errors[4][:3] == [4.0, "统一社会信用代码", "企业库中没有该统一社会信用代码"]
    assert out["跳过的行"][1][:3] == [5.0, "", "合计行，不是企业数据"]
    notes = [row[0] for row in out["识别说明"]]
    assert "“实缴税金”→ 实缴税金，单位 万元（未注明单位，按默认）" in notes
    assert notes[1] == "工作表“Sheet1”，表头在第 2 行"


def test_error_workbook_keeps_formula_like_text_as_text(run):
    rows = [["统一社会信用代码", "企业名称", "实缴税金"], ["=1+1", '=HYPERLINK("http://x")', 1]]
    r = run(xlsx(rows), "tax", known={})
    zipped = error_workbook(r.table, r.result)
    import zipfile

    sheet = zipfile.ZipFile(io.BytesIO(zipped)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet


SAMPLE_VALUES = {
    "uscc": lambda i: make(f"91371302MA{i:07d}"),
    "name": lambda i: f"临沂测试{i}有限公司",
    "region": lambda i: "兰山区",
    "industry_code": lambda i: "3311",
    "land_type": lambda i: "自有",
    "account": lambda i: f"37000{i}",
    "certificate": lambda i: f"鲁(2024)临沂市不动产权第{i}号",
    "location": lambda i: "兰山区工业大道1号",
    "use": lambda i: "工业用地",
}


@pytest.mark.parametrize("code", ["tax", "statistics", "land", "power", "environment", "science"])
def test_template_round_trip(spec, regions, run, code):
    source = spec.source(code)
    data = template_workbook(source, spec.metrics, spec.units, 2024, regions)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[source.name]
    assert ws["A1"].value == f"2024年 {source.name}"
    headers = [c.value for c in ws[2]]
    assert len(headers) == len(source.columns)
    uscc_col = next(i for i, c in enumerate(source.columns) if c.field == "uscc")
    letter = openpyxl.utils.get_column_letter(uscc_col + 1)
    assert ws.column_dimensions[letter].number_format == "@"  # codes stay text, not 9.137E+17
    assert wb["选项"].sheet_state == "hidden"
    assert wb["填表说明"]["A1"].value.startswith("本表用于报送 2024 年度")
    for i in range(1, 4):
        row = [SAMPLE_VALUES[c.field](i) if c.field in SAMPLE_VALUES else 1000 + i for c in source.columns]
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    r = run(buffer.getvalue(), code, filename="template.xlsx")
    assert r.table.sheet == source.name
    assert not r.result.errors and r.result.ok
    assert r.result.rows_valid == 3
    assert all("未注明单位" not in a for a in r.result.assumptions)  # every unit is in its header
    assert len(r.result.records) == 3 * len({c.field for c in r.mapping.metric_columns})


def test_template_headers_and_drop_downs(spec, regions):
    data = template_workbook(spec.source("tax"), spec.metrics, spec.units, 2025, regions)
    ws = openpyxl.load_workbook(io.BytesIO(data))["税务部门 实缴税金"]
    assert [c.value for c in ws[2]] == ["统一社会信用代码", "纳税人名称", "所属区县", "实缴税金合计（万元）"]
    validation = ws.data_validations.dataValidation[0]
    assert validation.type == "list" and "选项" in validation.formula1
    land = openpyxl.load_workbook(
        io.BytesIO(template_workbook(spec.source("land"), spec.metrics, spec.units, 2025, []))
    )
    assert [c.value for c in land["选项"]["G"] if c.value] == list(spec.source("land").land_types)
    power = openpyxl.load_workbook(
        io.BytesIO(template_workbook(spec.source("power"), spec.metrics, spec.units, 2025, []))
    )
    assert (
        power["供电部门 年用电量"]["D2"].value == "年用电量（千瓦时）"
    )  # the variant already states its unit
