"""Task status from dates, checked by hand on fixed dates (no database, no clock)."""

from datetime import date

import pytest

from gongqiang.supervision.compute import Status, days_late, task_status

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
