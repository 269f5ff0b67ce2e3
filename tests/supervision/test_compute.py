"""Task status from dates, checked by hand on fixed dates (no database, no clock)."""

from datetime import date

import pytest

from gongqiang.supervision.compute import Status, UnitFacts, auto_score, days_late, task_status

START, DEADLINE = date(2024, 3, 1), date(2024, 6, 30)


@pytest.mark.parametrize(("completed", "today", "expected"), [
    (None, date(2024, 2, 29), Status.NOT_STARTED),       # the day before the start
    (None, date(2024, 3, 1), Status.IN_PROGRESS),        # the start day itself
    (None, date(2024, 6, 30), Status.IN_PROGRESS),       # the deadline day is still on time
    (None, date(2024, 7, 1), Status.OVERDUE),            # the day after
    (date(2024, 6, 30), date(2024, 7, 10), Status.DONE),  # completed on the deadline
    (date(2024, 7, 2), date(2024, 7, 10), Status.DONE_LATE),
    (date(2024, 2, 20), date(2024, 2, 25), Status.DONE),  # completed early, even before the start
    (date(2024, 7, 5), date(2024, 7, 3), Status.OVERDUE),  # a completion dated in the future is not known yet
])
def test_task_status(completed, today, expected):
    assert task_status(START, DEADLINE, completed, today) is expected


def test_days_late():
    assert days_late(DEADLINE, None, date(2024, 6, 30)) == 0
    assert days_late(DEADLINE, None, date(2024, 7, 3)) == 3
    assert days_late(DEADLINE, date(2024, 7, 2), date(2024, 12, 31)) == 2
    assert days_late(DEADLINE, date(2024, 6, 1), date(2024, 12, 31)) == 0


def test_compute_imports_no_django():
    import ast
    from pathlib import Path

    import gongqiang.supervision.compute as module

    tree = ast.parse(Path(module.__file__).read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.startswith("django")]


def test_dispatch_due_and_states():
    from gongqiang.supervision.compute import DispatchState as D
    from gongqiang.supervision.compute import dispatch_due, dispatch_state, month_open

    assert dispatch_due(2024, 3, 5) == date(2024, 4, 5)
    assert dispatch_due(2024, 12, 5) == date(2025, 1, 5)
    assert dispatch_state(2024, 3, 5, None, date(2024, 4, 5)) is D.NOT_DUE
    assert dispatch_state(2024, 3, 5, None, date(2024, 4, 6)) is D.MISSING
    assert dispatch_state(2024, 3, 5, date(2024, 4, 5), date(2024, 5, 1)) is D.FILED
    assert dispatch_state(2024, 3, 5, date(2024, 4, 6), date(2024, 5, 1)) is D.FILED_LATE
    assert month_open(2024, 3, date(2024, 3, 1)) and not month_open(2024, 4, date(2024, 3, 31))


def test_report_months():
    from gongqiang.supervision.compute import report_months

    assert report_months(date(2024, 1, 15), date(2024, 3, 31), None, date(2024, 2, 10)) == [(2024, 1), (2024, 2)]
    # completed in February: no report after it
    assert report_months(date(2024, 1, 15), date(2024, 6, 30), date(2024, 2, 3), date(2024, 9, 1)) == [
        (2024, 1), (2024, 2)]
    # overdue and open: keeps reporting past the deadline, up to this month
    assert report_months(date(2024, 11, 1), date(2024, 12, 31), None, date(2025, 2, 1)) == [
        (2024, 11), (2024, 12), (2025, 1), (2025, 2)]


def test_working_days_with_holidays_and_fallback():
    from gongqiang.lib.workdays import is_workday, next_workday_after, working_days_before

    assert not is_workday(date(2024, 10, 1))  # National Day
    assert is_workday(date(2024, 9, 29))  # a Sunday made a working day (调休)
    # 2024-10-08 (Tue) minus 3 working days skips the holiday week: 9-30 (Mon), 9-29 (Sun, 调休), 9-27 (Fri)
    assert working_days_before(date(2024, 10, 8), 3) == date(2024, 9, 27)
    assert next_workday_after(date(2024, 9, 30)) == date(2024, 10, 8)
    # a year the library does not know: Monday–Friday
    assert not is_workday(date(2040, 1, 7)) and is_workday(date(2040, 1, 2))


# --- the bulletin's county ranking, checked by hand ---------------------------------------------------------

WEIGHTS = {"targets_on_time": 30, "dispatch_punctuality": 30, "evaluation_progress": 20, "assessment_points": 20}


def test_ranking_redistributes_a_missing_component_and_shares_ties():
    from gongqiang.supervision.compute import rank_counties

    values = {
        # evaluation missing for all: its 20 goes to the other three in proportion (÷ 80 instead of ÷ 100)
        "乙县": {"targets_on_time": 50, "dispatch_punctuality": 100, "evaluation_progress": None, "assessment_points": 80},
        "甲县": {"targets_on_time": 100, "dispatch_punctuality": 50, "evaluation_progress": None, "assessment_points": 80},
        # also no approved sheet: (0×30 + 100×30) ÷ 60 = 50
        "丙县": {"targets_on_time": 0, "dispatch_punctuality": 100, "evaluation_progress": None, "assessment_points": None},
        "丁县": {"targets_on_time": None, "dispatch_punctuality": None, "evaluation_progress": None,
                 "assessment_points": None},
    }
    ranks = rank_counties(values, WEIGHTS)
    # 甲: (100×30 + 50×30 + 80×20) ÷ 80 = 6100 ÷ 80 = 76.25; 乙: (50×30 + 100×30 + 80×20) ÷ 80 = 76.25 too
    assert [(r.unit, r.score, r.rank) for r in ranks] == [
        ("乙县", 76.25, 1), ("甲县", 76.25, 1), ("丙县", 50.0, 3), ("丁县", None, None)]
    assert ranks[0].missing == ("evaluation_progress",)
    assert ranks[2].missing == ("evaluation_progress", "assessment_points")
    assert ranks[3].missing == tuple(WEIGHTS)


def test_ranking_all_components_and_zero_weights():
    from gongqiang.supervision.compute import rank_counties

    full = {"A": {"targets_on_time": 80, "dispatch_punctuality": 90, "evaluation_progress": 40, "assessment_points": 75},
            "B": {"targets_on_time": 80, "dispatch_punctuality": 90, "evaluation_progress": 41, "assessment_points": 75}}
    ranks = rank_counties(full, WEIGHTS)
    # A: 24 + 27 + 8 + 15 = 74; B: 24 + 27 + 8.2 + 15 = 74.2
    assert [(r.unit, r.score, r.rank, r.missing) for r in ranks] == [("B", 74.2, 1, ()), ("A", 74.0, 2, ())]
    # Without the pack's block: punctuality alone; other components are not even looked at.
    alone = rank_counties(full, {"dispatch_punctuality": 100})
    assert [(r.unit, r.score, r.rank) for r in alone] == [("A", 90.0, 1), ("B", 90.0, 1)]
    assert alone[0].parts == {"dispatch_punctuality": 90}


def test_new_assessment_rules_and_meeting_months():
    from gongqiang.supervision.compute import meeting_months

    facts = UnitFacts(reports_due=0, reports_on_time=0, tasks_due=0, tasks_on_time=0, tasks_overdue=0,
                      targets_scored=4, targets_on_time=3, meeting_months=6, meeting_months_met=4)
    assert auto_score("targets_on_time", 15, 0, facts) == 11.25
    assert auto_score("meetings", 10, 0, facts) == 6.67
    # Nothing to judge (no decomposed target; a department: no meeting month) → full points.
    assert auto_score("targets_on_time", 15, 0, UnitFacts(0, 0, 0, 0, 0)) == 15.0
    assert auto_score("meetings", 10, 0, UnitFacts(0, 0, 0, 0, 0)) == 10.0
    # Months over by the day: on 20 July the half year's six; on 15 March only January and February.
    assert meeting_months(date(2024, 1, 1), date(2024, 6, 30), date(2024, 7, 20)) == [(2024, m) for m in range(1, 7)]
    assert meeting_months(date(2024, 1, 1), date(2024, 6, 30), date(2024, 3, 15)) == [(2024, 1), (2024, 2)]
    assert meeting_months(date(2024, 1, 1), date(2024, 6, 30), date(2024, 7, 1)) == [(2024, m) for m in range(1, 7)]


def test_pack_schema_checks_the_ranking_weights():
    from pydantic import ValidationError

    from gongqiang.core.policy.schema import Assessment, BulletinRanking

    assert BulletinRanking(targets_on_time=30, dispatch_punctuality=30, evaluation_progress=20,
                           assessment_points=20).dispatch_punctuality == 30
    assert BulletinRanking(dispatch_punctuality=100).targets_on_time == 0  # a component may be left out
    with pytest.raises(ValidationError, match="合计 90，须为 100"):
        BulletinRanking(targets_on_time=30, dispatch_punctuality=30, evaluation_progress=10, assessment_points=20)
    with pytest.raises(ValidationError):
        BulletinRanking(dispatch_punctuality=100, punctuality=0)  # unknown component: a typo is refused
    scheme = Assessment(full_marks=100, indicators=[{"id": "A", "name": "会议", "points": 100, "rule": "meetings"}],
                        grades=[{"name": "合格", "min_score": 0}])
    assert scheme.county_reviewer == "gxj"  # the bureau unless the pack names another department
    with pytest.raises(ValidationError):
        Assessment(full_marks=100, indicators=[{"id": "A", "name": "x", "points": 100, "rule": "targets_late"}],
                   grades=[{"name": "合格", "min_score": 0}])
