"""Pages: lines, the filtered list and its export, a task, the import; county users see only their own."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from gongqiang.supervision.models import Task, TaskLine
from gongqiang.supervision.services.imports import HEADER
from gongqiang.targets.services.workbooks import workbook

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [r for r in book.worksheets[0].iter_rows(values_only=True)]


def test_lines_are_synced_on_first_use(login, personas, linyi):
    assert not TaskLine.objects.exists()
    html = login(personas.city).get("/supervision/lines/").content.decode()
    assert TaskLine.objects.count() == 10
    assert "淘汰一批落后企业" in html and "临沂市科学技术局" in html


def test_city_lists_filters_and_exports(login, personas, tasks):
    client = login(personas.city)
    html = client.get("/supervision/tasks/").content.decode()
    assert "兰山文体用品特色园区建设" in html and "罗庄不锈钢制品园区建设" in html
    html = client.get("/supervision/tasks/?owner=371311").content.decode()
    assert "罗庄不锈钢制品园区建设" in html and "兰山文体用品特色园区建设" not in html
    html = client.get("/supervision/tasks/?line=T4").content.decode()
    assert "科技型中小企业评价入库" in html and "罗庄" not in html.split("<tbody>")[-1]
    rows = sheet_rows(client.get("/supervision/tasks/export.xlsx?line=T6"))
    assert rows[0][:4] == ("专线", "任务编号", "上级任务", "任务名称")
    assert sorted(r[1] for r in rows[1:]) == ["T6-LS", "T6-LZ"]


def test_status_filter_uses_the_derived_status(login, personas, tasks):
    Task.objects.filter(pk=tasks["lanshan"].pk).update(completed_on=date(2024, 6, 1))
    html = login(personas.city).get("/supervision/tasks/?status=已完成").content.decode()
    assert "兰山文体用品特色园区建设" in html and "罗庄不锈钢制品园区建设" not in html


def test_county_sees_only_its_own(login, personas, tasks):
    client = login(personas.county_a)
    html = client.get("/supervision/tasks/").content.decode()
    assert "兰山文体用品特色园区建设" in html and "罗庄" not in html.split("<tbody>")[-1]
    assert client.get(f"/supervision/tasks/{tasks['luozhuang'].pk}/").status_code == 404
    page = client.get(f"/supervision/tasks/{tasks['lanshan'].pk}/").content.decode()
    assert "园区规划获批" in page
    rows = sheet_rows(client.get("/supervision/tasks/export.xlsx"))
    assert [r[1] for r in rows[1:]] == ["T6-LS"]
    lines_page = client.get("/supervision/lines/").content.decode()
    assert "罗庄" not in lines_page


def test_department_sees_the_tasks_of_its_lines(login, personas, tasks):
    client = login(personas.dept)
    html = client.get("/supervision/tasks/").content.decode()
    assert "科技型中小企业评价入库" in html and "兰山文体用品特色园区建设" not in html
    assert client.get(f"/supervision/tasks/{tasks['lanshan'].pk}/").status_code == 404


def test_import_page_reports_errors_in_chinese(login, personas, lines):
    client = login(personas.city)
    bad = workbook([("任务清单", HEADER, [["T4", "T4-01", "x", "无此单位", "2024-01-01", "2024-12-31"]])])
    upload = io.BytesIO(bad)
    upload.name = "plan.xlsx"
    html = client.post("/supervision/tasks/import/", {"file": upload}).content.decode()
    assert "未写入任何任务" in html and "找不到单位" in html
    assert not Task.objects.exists()
    upload = io.BytesIO(b"garbage")
    upload.name = "plan.xlsx"
    response = client.post("/supervision/tasks/import/", {"file": upload})
    assert response.status_code == 200 and "不是有效的 Excel" in response.content.decode()
    assert client.post("/supervision/tasks/import/", {}).status_code == 200


def test_roles(login, personas, lines):
    assert login(personas.leader).get("/supervision/tasks/import/").status_code == 403
    assert login(personas.ent_user).get("/supervision/tasks/").status_code == 403
    assert login(personas.nobody).get("/supervision/tasks/").status_code == 403
    assert login(personas.city).get("/supervision/tasks/import/template.xlsx").status_code == 200


def test_api_lists_are_scoped(login, personas, tasks):
    client = login(personas.county_a)
    rows = client.get("/api/supervision/tasks").json()
    assert [r["code"] for r in rows] == ["T6-LS"] and rows[0]["status"] == "逾期"
    assert client.get("/api/supervision/tasks?line=T4").json() == []
    city = login(personas.city)
    assert {r["code"] for r in city.get("/api/supervision/dispatch?month=2024-03").json()} == {"T6-LS", "T6-LZ", "T4-01"}
    response = city.get("/api/supervision/dispatch?month=bad")
    assert response.status_code == 400 and "格式不正确" in response.json()["detail"]
