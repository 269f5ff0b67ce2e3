"""Importing target values and county splits from Excel: all or nothing, errors by row and column."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongqiang.targets.services.workbooks import workbook

pytestmark = pytest.mark.django_db
HEADER = ["目标编号", "目标名称", "区域代码", "区域名称", "期间", "数值", "单位", "说明"]


def upload(client, rows, kind="observations", header=HEADER):
    data = workbook([("目标数据", header, rows)])
    return client.post("/targets/import/", {"kind": kind, "file": SimpleUploadedFile("上报.xlsx", data)})


def test_template_lists_what_the_user_may_enter(login, personas, targets_data):
    response = login(personas.dept).get("/targets/import/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    ids = {row[0] for row in book["目标数据"].iter_rows(min_row=2, values_only=True)}
    assert ids == {"T4.1", "T4.2", "T4.3", "T4.4", "T4.5"}
    assert "填表说明" in book.sheetnames


def test_good_file_is_written_with_provenance(login, personas, targets_data):
    from gongqiang.targets.models import Observation

    client = login(personas.city)
    response = upload(client, [["G1.2", "", "371300", "", "2024", "4200000", "万元", "税务局年报"],
                               ["G1.2", "", 371300, "", 2023, 380, "亿元", ""],
                               ["G3.2", "", "371300", "", "2024", "", "", "空行不导入"]])
    assert response.status_code == 302
    obs = Observation.objects.get(target="G1.2", period="2024")
    assert obs.value == 420 and obs.source == "imported" and obs.batch.file_name == "上报.xlsx"
    assert obs.inputs == {"row": 2} and obs.entered_unit == "万元" and obs.note == "税务局年报"
    detail = client.get(response["Location"]).content.decode()
    assert "已入库" in detail and "G1.2" in detail


def test_bad_rows_write_nothing_and_are_reported(login, personas, targets_data):
    from gongqiang.targets.models import Observation, TargetImport

    before = Observation.objects.count()
    client = login(personas.city)
    response = upload(client, [
        ["G1.2", "", "371300", "", "2024", "abc", "亿元", ""],  # not a number
        ["G4.1", "", "371300", "", "2024", "120", "%", ""],  # share above 100
        ["G1.2", "", "371300", "", "2031", "400", "亿元", ""],  # outside the span
        ["G1.2", "", "371300", "", "2023", "400", "亿元", ""],
        ["G1.2", "", "371300", "", "2023", "401", "亿元", ""],  # duplicate period in the file
        ["X9", "", "371300", "", "2023", "1", "", ""],  # unknown target
        ["G1.2", "", "999999", "", "2023", "1", "", ""],  # unknown region
        ["G1.2", "", "371300", "", "2022", "300", "吨", ""],  # wrong unit
    ])
    assert Observation.objects.count() == before
    batch = TargetImport.objects.latest("pk")
    assert batch.status == "rejected"
    errors = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert "不是有效数字" in errors[(2, "数值")]
    assert "超过 100%" in errors[(3, "数值")]
    assert "不在目标期内" in errors[(4, "期间")]
    assert "与第 5 行重复" in errors[(6, "期间")]
    assert "未知的目标编号" in errors[(7, "目标编号")]
    assert "区域代码" in errors[(8, "区域代码")]
    assert "不适用于本目标" in errors[(9, "单位")]
    report = client.get(f"/targets/imports/{batch.pk}/errors.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][:3] == ("行号", "列", "原因") and lines[1][0] == 2 and lines[1][3] == "G1.2"
    assert "错误" in client.get(response["Location"]).content.decode()


def test_not_a_workbook_and_no_header(login, personas, targets_data):
    from gongqiang.targets.models import TargetImport

    client = login(personas.city)
    client.post("/targets/import/", {"kind": "observations", "file": SimpleUploadedFile("x.xlsx", b"not excel")})
    assert "不是有效的 Excel" in TargetImport.objects.latest("pk").errors[0]["reason"]
    upload(client, [["a", "b"]], header=["甲", "乙"])
    assert "找不到表头行" in TargetImport.objects.latest("pk").errors[0]["reason"]


def test_split_import_and_check(login, personas, targets_data):
    from gongqiang.targets.models import Allocation

    client = login(personas.city)
    header = ["目标编号", "目标名称", "县区代码", "县区名称", "基期值", "目标值", "说明"]
    template = client.get("/targets/import/split-template.xlsx")
    assert template.status_code == 200
    bad = upload(client, [["T3.1", "", "371302", "", "", "十", ""], ["T3.1", "", "371300", "", "", "5", ""]],
                 kind="split", header=header)
    assert bad.status_code == 302 and not Allocation.objects.filter(target="T3.1").exists()
    upload(client, [["T3.1", "", "371302", "", "", "600", ""], ["T3.1", "", "371311", "", "", "400", ""]],
           kind="split", header=header)
    assert Allocation.objects.filter(target="T3.1", is_current=True).count() == 2
    page = client.get("/targets/T3.1/")
    assert page.context["checks"]["split"].ok is True  # 600 + 400 = 1000
    assert login(personas.county_a).post("/targets/import/", {"kind": "split", "file": SimpleUploadedFile(
        "s.xlsx", workbook([("s", header, [["T3.1", "", "371302", "", "", "1", ""]])]))}).status_code == 403
