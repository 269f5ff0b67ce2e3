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
from gongqiang.supervision.services.dispatch import file_report, user_name

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
    # No target decomposed to it (nothing to judge: full points); no meeting in the six months past.
    assert ls.facts == {"reports_due": 6, "reports_on_time": 1, "tasks_due": 1, "tasks_on_time": 0, "tasks_overdue": 1,
                        "targets_scored": 0, "targets_on_time": 0, "meeting_months": 6, "meeting_months_met": 0}
    auto = {s.indicator: s.auto_score for s in ls.scores.all()}
    # A1 25 × 1/6 = 4.17; A3 15 − 2 × 1; A5 full; A6 10 × 0/6
    assert auto == {"A1": Decimal("4.17"), "A2": Decimal("0.00"), "A3": Decimal("13.00"), "A4": None,
                    "A5": Decimal("15.00"), "A6": Decimal("0.00")}
    kj = sheets["临沂市科学技术局"]
    assert kj.facts["meeting_months"] == 0  # meetings are the counties': not applicable, full points
    assert kj.scores.get(indicator="A6").auto_score == Decimal("10.00")


@pytest.mark.django_db
def test_refusals(sheets, personas):
    with pytest.raises(AssessmentRefused, match="重复发起"):
        create_sheets(personas.city, "half", 2024, TODAY)
    with pytest.raises(AssessmentRefused, match="市级"):
        create_sheets(personas.county_a, "annual", 2024, TODAY)
    ls = sheets["兰山区"]
    manual = ls.scores.get(indicator="A4")
    with pytest.raises(AssessmentRefused, match="超过该指标满分"):
        set_score(personas.county_a, manual, "16", "成效突出")
    with pytest.raises(AssessmentRefused, match="理由"):
        set_score(personas.county_a, manual, "14", "")
    with pytest.raises(AssessmentRefused, match="不是数字"):
        set_score(personas.county_a, manual, "很好", "x")
    with pytest.raises(AssessmentRefused):
        set_score(personas.county_b, manual, "14", "x")  # not its sheet
    with pytest.raises(AssessmentRefused, match="尚未自评"):
        act(personas.county_a, ls, "submit")
    with pytest.raises(AssessmentRefused, match="不能审定"):
        act(personas.city, ls, "approve")
    ls.refresh_from_db()
    manual.refresh_from_db()
    assert ls.state == "draft" and manual.self_score is None


@pytest.fixture
def reviewer(db):
    """A 市工信局 (gxj) department user: the pack's assessment.county_reviewer does the counties' 初审."""
    from gongqiang.core.models import Department
    from gongqiang.testing.factories import Role, member

    return member(Role.DEPARTMENT, username="p-gxj", department=Department.objects.get(code="gxj"))


@pytest.mark.django_db
def test_two_level_review_grade_rank_and_export(sheets, personas, reviewer, login):
    from gongqiang.testing.factories import Role, member

    second = member(Role.CITY, username="p-city-2")
    for unit, county, score in (("兰山区", personas.county_a, "14"), ("罗庄区", personas.county_b, "10")):
        sheet = sheets[unit]
        set_score(county, sheet.scores.get(indicator="A4"), score, "成效")
        act(county, sheet, "submit")
        act(reviewer, sheet, "review")
        with pytest.raises(AssessmentRefused, match="只有市级"):
            act(reviewer, sheet, "approve")
        act(second, sheet, "approve")
        with pytest.raises(AssessmentRefused, match="已审定"):
            act(second, sheet, "approve")
        with pytest.raises(AssessmentRefused, match="已审定"):
            set_score(personas.city, sheet.scores.get(indicator="A4"), "1", "x")
    ls, lz = (AssessmentSheet.objects.get(pk=sheets[u].pk) for u in ("兰山区", "罗庄区"))
    # 兰山: A1 4.17 + A2 0 + A3 13 + A4 14 + A5 15 + A6 0 = 46.17
    assert ls.total == Decimal("46.17") and ls.grade == "较差" and ls.outcome == "约谈提醒"
    # 罗庄 filed nothing: A1 0 + A2 0 + A3 13 + A4 10 + A5 15 + A6 0 = 38
    assert lz.total == Decimal("38.00") and ls.rank == 1 and lz.rank == 2
    assert ls.reviewed_by == user_name(reviewer)
    response = login(personas.city).get("/supervision/assessments/export.xlsx?kind=half&year=2024")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:7] == ("名次", "单位", "类型", "状态", "总分", "等次", "奖惩")
    ranked = [r for r in rows[1:] if r[0]]
    assert [r[1] for r in ranked] == ["兰山区", "罗庄区"]
    county = login(personas.county_a)
    assert county.get(f"/supervision/assessments/{lz.pk}/").status_code == 404
    html = county.get("/supervision/assessments/").content.decode()
    assert "兰山区" in html and "罗庄区" not in html


@pytest.mark.django_db
def test_first_review_by_the_lines_department(sheets, personas, reviewer, login):
    """A county's sheet: 初审 by the pack's reviewing department (市工信局), not the city, not another department;
    a department's sheet: 初审 by the city. Approval always the city's; illegal steps refused, nothing changed."""
    ls, kj = sheets["兰山区"], sheets["临沂市科学技术局"]
    set_score(personas.county_a, ls.scores.get(indicator="A4"), "12", "成效")
    act(personas.county_a, ls, "submit")
    for outsider in (personas.city, personas.dept, personas.county_a, personas.leader):
        with pytest.raises(AssessmentRefused, match="初审由市工信局进行"):
            act(outsider, ls, "review")
        with pytest.raises(AssessmentRefused):
            set_score(outsider, ls.scores.get(indicator="A4"), "11", "审核调整")
    ls.refresh_from_db()
    assert ls.state == "submitted" and ls.reviewed_by == ""
    # The reviewer sees and scores the county sheets (its scope), returns one, then passes it.
    assert login(reviewer).get(f"/supervision/assessments/{ls.pk}/").status_code == 200
    set_score(reviewer, ls.scores.get(indicator="A4"), "11", "审核调整")
    act(reviewer, ls, "return")
    assert AssessmentSheet.objects.get(pk=ls.pk).state == "draft"
    with pytest.raises(AssessmentRefused, match="不能初审通过"):
        act(reviewer, ls, "review")  # a draft cannot be reviewed
    act(personas.county_a, ls, "submit")
    act(reviewer, ls, "review")
    with pytest.raises(AssessmentRefused, match="只有市级"):
        act(reviewer, ls, "return")  # at 审定 only the city returns
    act(personas.city, ls, "approve")
    assert AssessmentSheet.objects.get(pk=ls.pk).state == "approved"
    assert ls.scores.get(indicator="A4").review_score == Decimal("11.00")
    # A department's sheet: the reviewing department has no say; the city reviews, another city user approves.
    set_score(personas.dept, kj.scores.get(indicator="A4"), "13", "成效")
    act(personas.dept, kj, "submit")
    with pytest.raises(AssessmentRefused, match="初审由市级进行"):
        act(reviewer, kj, "review")
    act(personas.city, kj, "review")
    with pytest.raises(AssessmentRefused, match="另一位"):
        act(personas.city, kj, "approve")
    # Scope: the reviewer reads the county sheets, not another department's; 市科技局 reads only its own.
    assert login(reviewer).get(f"/supervision/assessments/{kj.pk}/").status_code == 404
    assert login(personas.dept).get(f"/supervision/assessments/{ls.pk}/").status_code == 404
    from gongqiang.supervision.models import AssessmentSheet as S

    assert S.objects.visible_to(reviewer).filter(department__isnull=False).count() == 0
    assert S.objects.visible_to(reviewer).filter(region__isnull=False).count() == 15
    assert list(S.objects.visible_to(personas.dept)) == [kj]


@pytest.mark.django_db
def test_targets_and_meetings_feed_the_sheet(tasks, personas):
    """A5 from the targets app's status of each decomposed target; A6 from the months with ≥ 2 meetings."""
    from gongqiang.supervision.models import IndustryMeeting
    from gongqiang.targets.services.catalog import catalog
    from gongqiang.targets.services.overrides import set_override
    from gongqiang.targets.services.splits import save_shares
    from gongqiang.testing.factories import region

    cat = catalog()
    ls, lz = region("371302"), region("371311")
    for target in ("G1.1", "T4.1"):
        save_shares(personas.city, cat.get(target), {ls: (None, Decimal("200")), lz: (None, Decimal("100"))})
    # Statuses set by hand (the targets app's override): 兰山 one on track and one behind; 罗庄 both met.
    set_override(personas.city, cat.get("G1.1"), ls, "on_track", "人工认定")
    set_override(personas.city, cat.get("T4.1"), ls, "behind", "人工认定")
    set_override(personas.city, cat.get("G1.1"), lz, "achieved", "人工认定")
    set_override(personas.city, cat.get("T4.1"), lz, "achieved", "人工认定")
    for day in (date(2024, 1, 5), date(2024, 1, 20), date(2024, 3, 3), date(2024, 3, 9), date(2024, 4, 1),
                date(2024, 7, 2)):  # January and March meet the minimum of 2; April has one; July is outside
        IndustryMeeting.objects.create(region=ls, held_on=day, kind="study", title="专题研究", leader="书记")
    create_sheets(personas.city, "half", 2024, TODAY)
    sheet = AssessmentSheet.objects.get(region=ls)
    assert (sheet.facts["targets_scored"], sheet.facts["targets_on_time"]) == (2, 1)
    assert (sheet.facts["meeting_months"], sheet.facts["meeting_months_met"]) == (6, 2)
    auto = {s.indicator: s.auto_score for s in sheet.scores.all()}
    assert auto["A5"] == Decimal("7.50") and auto["A6"] == Decimal("3.33")  # 15 × 1/2; 10 × 2/6
    other = AssessmentSheet.objects.get(region=lz)
    assert other.scores.get(indicator="A5").auto_score == Decimal("15.00")
    assert other.scores.get(indicator="A6").auto_score == Decimal("0.00")
