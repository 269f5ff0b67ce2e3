"""Task status from dates alone: pure, no Django. Status is never typed by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "未开始"
    IN_PROGRESS = "进行中"
    DONE = "已完成"
    OVERDUE = "逾期"
    DONE_LATE = "逾期完成"


def task_status(start: date, deadline: date, completed_on: date | None, today: date) -> Status:
    """A completion reported on or before the deadline is 已完成, after it 逾期完成; a completion dated
    after `today` is not yet known. Without one: before start 未开始, up to the deadline 进行中, then 逾期."""
    if completed_on is not None and completed_on <= today:
        return Status.DONE if completed_on <= deadline else Status.DONE_LATE
    if today < start:
        return Status.NOT_STARTED
    if today <= deadline:
        return Status.IN_PROGRESS
    return Status.OVERDUE


def days_late(deadline: date, completed_on: date | None, today: date) -> int:
    """Days past the deadline: to the completion, or to today while still open."""
    end = completed_on if completed_on is not None and completed_on <= today else today
    return max(0, (end - deadline).days)


class DispatchState(StrEnum):
    NOT_DUE = "待报送"
    FILED = "已报送"
    FILED_LATE = "逾期报送"
    MISSING = "未报送"


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def dispatch_due(year: int, month: int, due_day: int) -> date:
    """The report of a month is due on `due_day` of the following month (the pack's schedule)."""
    y, m = next_month(year, month)
    return date(y, m, due_day)


def month_open(year: int, month: int, today: date) -> bool:
    """A month's report may be filed from the first day of that month on."""
    return (year, month) <= (today.year, today.month)


def dispatch_state(year: int, month: int, due_day: int, filed_on: date | None, today: date) -> DispatchState:
    due = dispatch_due(year, month, due_day)
    if filed_on is not None:
        return DispatchState.FILED if filed_on <= due else DispatchState.FILED_LATE
    return DispatchState.MISSING if today > due else DispatchState.NOT_DUE


def report_months(start: date, deadline: date, completed_on: date | None, today: date) -> list[tuple[int, int]]:
    """The months a task reports on: from its start month to the month it is completed; an open task keeps
    reporting past its deadline (it is overdue, and a delay must be explained). Only months already open."""
    last = completed_on if completed_on is not None and completed_on <= today else max(deadline, today)
    last = min(last, today)
    months = []
    y, m = start.year, start.month
    while (y, m) <= (last.year, last.month):
        months.append((y, m))
        y, m = next_month(y, m)
    return months


# --- assessments (阶段评估 / 绩效评估) -------------------------------------------------------------------


@dataclass(frozen=True)
class UnitFacts:
    reports_due: int  # monthly reports whose due day has passed in the period
    reports_on_time: int
    tasks_due: int  # tasks whose deadline falls in the period or before it
    tasks_on_time: int  # of those, completed by the deadline
    tasks_overdue: int  # open past the deadline at the period's end


def auto_score(rule: str, points: float, per_item: float, facts: UnitFacts) -> float | None:
    """The automatic score of one indicator (None for a manual one). Nothing due counts as fully met."""
    if rule == "dispatch_punctuality":
        share = facts.reports_on_time / facts.reports_due if facts.reports_due else 1.0
        return round(points * share, 2)
    if rule == "tasks_on_time":
        share = facts.tasks_on_time / facts.tasks_due if facts.tasks_due else 1.0
        return round(points * share, 2)
    if rule == "tasks_overdue":
        return round(max(0.0, points - per_item * facts.tasks_overdue), 2)
    return None


class SheetState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    APPROVED = "approved"


STATE_LABELS = {SheetState.DRAFT: "自评中", SheetState.SUBMITTED: "待初审", SheetState.REVIEWED: "待审定",
                SheetState.APPROVED: "已审定"}
ACTION_LABELS = {"submit": "提交自评", "review": "初审通过", "approve": "审定", "return": "退回"}
TRANSITIONS: dict[tuple[str, SheetState], SheetState] = {
    ("submit", SheetState.DRAFT): SheetState.SUBMITTED,
    ("review", SheetState.SUBMITTED): SheetState.REVIEWED,
    ("approve", SheetState.REVIEWED): SheetState.APPROVED,
    ("return", SheetState.SUBMITTED): SheetState.DRAFT,
    ("return", SheetState.REVIEWED): SheetState.DRAFT,
}


class IllegalTransition(ValueError):
    """The message is Chinese and shown as it is."""


def transition(state: SheetState, action: str) -> SheetState:
    new = TRANSITIONS.get((action, state))
    if new is None:
        label = ACTION_LABELS.get(action, action)
        if state is SheetState.APPROVED:
            raise IllegalTransition(f"考核表已审定，不能再{label}")
        raise IllegalTransition(f"考核表当前为“{STATE_LABELS[state]}”，不能{label}")
    return new


def grade_for(total: float, grades: list[tuple[str, float, str]]) -> tuple[str, str]:
    """(grade, outcome) for a total; `grades` from the highest minimum down, the last at 0."""
    for name, minimum, outcome in grades:
        if total >= minimum:
            return name, outcome
    return grades[-1][0], grades[-1][2]


def competition_rank(totals: dict[int, float]) -> dict[int, int]:
    """1, 2, 2, 4: equal totals share a rank."""
    ordered = sorted(totals.items(), key=lambda kv: -kv[1])
    ranks: dict[int, int] = {}
    for n, (key, total) in enumerate(ordered, start=1):
        previous = ordered[n - 2] if n > 1 else None
        ranks[key] = ranks[previous[0]] if previous and previous[1] == total else n
    return ranks
