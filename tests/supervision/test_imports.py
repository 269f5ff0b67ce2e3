"""Excel import of a task list: row/column/why errors, and nothing written when any row is wrong."""

from __future__ import annotations

from datetime import date

import pytest

from gongqiang.supervision.models import Milestone, Task
from gongqiang.supervision.services.imports import HEADER, import_tasks, template
from gongqiang.targets.services.workbooks import workbook

pytestmark = pytest.mark.django_db


def book(*rows):
    return workbook([("任务清单", HEADER, [list(r) + [""] * (len(HEADER) - len(r)) for r in rows])])


GOOD = ["T4", "T4-01", "科技型中小企业评价入库", "kjj", "2024-01-01", "2024-12-31", "", "gxj", "入库名单", "T4.1",
        "半数入库@2024-06-30；全部入库@2024-12-31"]
CHILD = ["T4", "T4-01-1", "兰山区组织入库", "371302", "2024-02-01", "2024-10-31", "T4-01"]


def test_city_imports_tasks_with_subtask_and_milestones(lines, personas):
    outcome = import_tasks(book(GOOD, CHILD), personas.city)
    assert outcome.ok, outcome.errors
    assert outcome.created == 2
    parent = Task.objects.get(code="T4-01")
    assert parent.owner_department.code == "kjj" and parent.target_ids == ["T4.1"]
    assert [d.code for d in parent.co_owners.all()] == ["gxj"]
    assert [(m.title, m.due) for m in Milestone.objects.filter(task=parent)] == [
        ("半数入库", date(2024, 6, 30)), ("全部入库", date(2024, 12, 31))]
    child = Task.objects.get(code="T4-01-1")
    assert child.parent == parent and child.owner_region.code == "371302"


def test_the_template_imports_as_it_is(lines, personas):
    assert import_tasks(template(), personas.city).created == 1


def test_errors_name_row_column_and_reason_and_nothing_is_written(lines, personas):
    rows = (
        GOOD,
        ["T99", "X-1", "无此专线", "kjj", "2024-01-01", "2024-12-31"],
        ["T4", "T4-02", "日期颠倒", "kjj", "2024-12-01", "2024-01-31"],
        ["T4", "T4-03", "坏日期", "kjj", "明年", "2024-01-31"],
        ["T4", "T4-01", "重复编号", "kjj", "2024-01-01", "2024-12-31"],
        ["T4", "T4-04", "无此单位", "某某局", "2024-01-01", "2024-12-31"],
        ["T4", "T4-05", "无此目标", "kjj", "2024-01-01", "2024-12-31", "", "", "", "T99.9"],
        ["T4", "T4-06", "孙任务", "kjj", "2024-01-01", "2024-12-31", "T4-01-1"],
        ["T4", "T4-07", "里程碑出界", "kjj", "2024-01-01", "2024-06-30", "", "", "", "", "节点@2025-01-01"],
    )
    outcome = import_tasks(book(*rows), personas.city)
    found = {(e.row, e.column) for e in outcome.errors}
    assert (3, "专线") in found
    assert (4, "完成时限") in found
    assert (5, "开始日期") in found
    assert (6, "任务编号") in found
    assert (7, "责任单位") in found
    assert (8, "关联目标") in found
    assert (9, "上级任务编号") in found
    assert (10, "里程碑") in found
    assert all(e.reason for e in outcome.errors)
    assert Task.objects.count() == 0


def test_not_a_workbook(lines, personas):
    outcome = import_tasks(b"not a workbook", personas.city)
    assert not outcome.ok and "Excel" in outcome.errors[0].reason


def test_county_cannot_import_another_countys_task(lines, personas):
    rows = (["T6", "T6-LS", "兰山园区", "371302", "2024-01-01", "2024-12-31"],
            ["T6", "T6-LZ", "罗庄园区", "371311", "2024-01-01", "2024-12-31"])
    outcome = import_tasks(book(*rows), personas.county_a)
    assert not outcome.ok and "数据范围" in outcome.errors[0].reason
    assert Task.objects.count() == 0
    assert import_tasks(book(rows[0]), personas.county_a).created == 1


def test_department_imports_only_on_its_own_lines(lines, personas):
    # 市科技局 leads T4 but not T6.
    outcome = import_tasks(book(["T6", "T6-X", "园区", "kjj", "2024-01-01", "2024-12-31"]), personas.dept)
    assert not outcome.ok and Task.objects.count() == 0
    assert import_tasks(book(GOOD), personas.dept).created == 1


def test_leader_cannot_import(lines, personas):
    outcome = import_tasks(book(GOOD), personas.leader)
    assert not outcome.ok and Task.objects.count() == 0
