"""Assessments: automatic scores from the data, scores capped at full marks, the two-level review refusing
illegal steps, grades and ranking, the Excel result sheet."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from gongqiang.supervision.compute import (
    IllegalTransition,
    SheetState,
    UnitFacts,
    auto_score,
    competition_rank,
    grade_for,
    transition,
)
from gongqiang.supervision.models import AssessmentSheet
from gongqiang.supervision.services.assessments import AssessmentRefused, act, create_sheets, set_score
from gongqiang.supervision.services.dispatch import file_report

TODAY = date(2024, 7, 20)


def test_auto_scores_by_hand():
    facts = UnitFacts(reports_due=4, reports_on_time=3, tasks_due=2, tasks_on_time=1, tasks_overdue=1)
    assert auto_score("dispatch_punctuality", 30, 0, facts) == 22.5
    assert auto_score("tasks_on_time", 30, 0, facts) == 15.0
    assert auto_score("tasks_overdue", 20, 2, facts) == 18.0
    assert auto_score("tasks_overdue", 20, 25, facts) == 0.0
    assert auto_score("manual", 20, 0, facts) is None
    assert auto_score("tasks_on_time", 30, 0, UnitFacts(0, 0, 0, 0, 0)) == 30.0


def test_state_machine():
    s = transition(SheetState.DRAFT, "submit")
    assert s is SheetState.SUBMITTED
    assert transition(s, "return") is SheetState.DRAFT
    assert transition(transition(s, "review"), "approve") is SheetState.APPROVED
    with pytest.raises(IllegalTransition, match="已审定"):
        transition(SheetState.APPROVED, "approve")
    with pytest.raises(IllegalTransition, match="不能审定"):
        transition(SheetState.DRAFT, "approve")
    with pytest.raises(IllegalTransition):
        transition(SheetState.SUBMITTED, "submit")


def test_grade_and_rank():
    grades = [("优秀", 90, "通报表扬"), ("良好", 80, ""), ("一般", 60, ""), ("较差", 0, "约谈提醒")]
    assert grade_for(90, grades) == ("优秀", "通报表扬")
    assert grade_for(89.99, grades) == ("良好", "")
    assert grade_for(0, grades) == ("较差", "约谈提醒")
    assert competition_rank({1: 80, 2: 95, 3: 80, 4: 70}) == {2: 1, 1: 2, 3: 2, 4: 4}


@pytest.fixture
def sheets(tasks, personas, db):
    file_report(personas.county_a, tasks["lanshan"], 2024, 1, {"progress": "x"}, {}, date(2024, 2, 2))
    file_report(personas.county_a, tasks["lanshan"], 2024, 2, {"progress": "x"}, {}, date(2024, 3, 9))
    create_sheets(personas.city, "half", 2024, TODAY)
    return {s.unit_name: s for s in AssessmentSheet.objects.select_related("region", "department")}


@pytest.mark.django_db
def test_sheets_from_the_data(sheets):
    assert "兰山区" in sheets and "临沂市科学技术局" in sheets and len([s for s in sheets.values() if s.region]) == 15
    ls = sheets["兰山区"]
    # January on time, February late, March–June missing (June's was due on 5 July); the task (deadline
    # 30 June) is open: not on time, overdue.
    assert ls.facts == {"reports_due": 6, "reports_on_time": 1, "tasks_due": 1, "tasks_on_time": 0, "tasks_overdue": 1}
    auto = {s.indicator: s.auto_score for s in ls.scores.all()}
    assert auto == {"A1": Decimal("5.00"), "A2": Decimal("0.00"), "A3": Decimal("18.00"), "A4": None}


@pytest.mark.django_db
def test_refusals(sheets, personas):
    with pytest.raises(AssessmentRefused, match="重复发起"):
        create_sheets(personas.city, "half", 2024, TODAY)
    with pytest.raises(AssessmentRefused, match="市级"):
        create_sheets(personas.county_a, "annual", 2024, TODAY)
    ls = sheets["兰山区"]
    manual = ls.scores.get(indicator="A4")
    with pytest.raises(AssessmentRefused, match="超过该指标满分"):
        set_score(personas.county_a, manual, "25", "成效突出")
    with pytest.raises(AssessmentRefused, match="理由"):
        set_score(personas.county_a, manual, "15", "")
    with pytest.raises(AssessmentRefused, match="不是数字"):
        set_score(personas.county_a, manual, "很好", "x")
    with pytest.raises(AssessmentRefused):
        set_score(personas.county_b, manual, "15", "x")  # not its sheet
    with pytest.raises(AssessmentRefused, match="尚未自评"):
        act(personas.county_a, ls, "submit")
    with pytest.raises(AssessmentRefused, match="不能审定"):
        act(personas.city, ls, "approve")
    ls.refresh_from_db()
    manual.refresh_from_db()
    assert ls.state == "draft" and manual.self_score is None


@pytest.mark.django_db
def test_two_level_review_grade_rank_and_export(sheets, personas, login):
    from gongqiang.testing.factories import Role, member

    second = member(Role.CITY, username="p-city-2")
    for unit, county, score in (("兰山区", personas.county_a, "18"), ("罗庄区", personas.county_b, "10")):
        sheet = sheets[unit]
        set_score(county, sheet.scores.get(indicator="A4"), score, "成效")
        act(county, sheet, "submit")
        act(personas.city, sheet, "review")
        with pytest.raises(AssessmentRefused, match="另一位"):
            act(personas.city, sheet, "approve")
        act(second, sheet, "approve")
        with pytest.raises(AssessmentRefused, match="已审定"):
            act(second, sheet, "approve")
        with pytest.raises(AssessmentRefused, match="已审定"):
            set_score(personas.city, sheet.scores.get(indicator="A4"), "1", "x")
    ls, lz = (AssessmentSheet.objects.get(pk=sheets[u].pk) for u in ("兰山区", "罗庄区"))
    assert ls.total == Decimal("41.00") and ls.grade == "较差" and ls.outcome == "约谈提醒"
    # 罗庄 filed nothing: A1 0 + A2 0 + A3 18 + A4 10 = 28
    assert lz.total == Decimal("28.00") and ls.rank == 1 and lz.rank == 2
    response = login(personas.city).get("/supervision/assessments/export.xlsx?kind=half&year=2024")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:7] == ("名次", "单位", "类型", "状态", "总分", "等次", "奖惩")
    ranked = [r for r in rows[1:] if r[0]]
    assert [r[1] for r in ranked] == ["兰山区", "罗庄区"]
    county = login(personas.county_a)
    assert county.get(f"/supervision/assessments/{lz.pk}/").status_code == 404
    html = county.get("/supervision/assessments/").content.decode()
    assert "兰山区" in html and "罗庄区" not in html
