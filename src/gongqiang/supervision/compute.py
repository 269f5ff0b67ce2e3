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
    targets_scored: int = 0  # the unit's targets with a status (tracked-only ones left out)
    targets_on_time: int = 0  # of those, on track or met
    meeting_months: int = 0  # months of the period already over (counties; 0 for a department: not applicable)
    meeting_months_met: int = 0  # of those, months with at least the pack's minimum of meetings


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def auto_score(rule: str, points: float, per_item: float, facts: UnitFacts) -> float | None:
    """The automatic score of one indicator (None for a manual one). Nothing due counts as fully met."""
    if rule == "dispatch_punctuality":
        return round(points * _share(facts.reports_on_time, facts.reports_due), 2)
    if rule == "tasks_on_time":
        return round(points * _share(facts.tasks_on_time, facts.tasks_due), 2)
    if rule == "targets_on_time":
        return round(points * _share(facts.targets_on_time, facts.targets_scored), 2)
    if rule == "meetings":
        return round(points * _share(facts.meeting_months_met, facts.meeting_months), 2)
    if rule == "tasks_overdue":
        return round(max(0.0, points - per_item * facts.tasks_overdue), 2)
    return None


def meeting_months(start: date, end: date, today: date) -> list[tuple[int, int]]:
    """The months of a period that are over by `today` (a month still running is not judged yet)."""
    months = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        ny, nm = next_month(y, m)
        if date(ny, nm, 1) <= today:
            months.append((y, m))
        y, m = ny, nm
    return months


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


# --- the bulletin's county ranking (季通报排名) --------------------------------------------------------

RANKING_COMPONENTS = {
    "targets_on_time": "目标按时序进度",
    "dispatch_punctuality": "调度按时报送",
    "evaluation_progress": "低效企业出清进度",
    "assessment_points": "考核得分",
}


@dataclass(frozen=True)
class CountyRank:
    unit: str
    score: float | None  # 0–100, two decimals; None when the county has no component with data
    rank: int | None
    parts: dict[str, float | None]  # component → its 0–100 score, None for 暂无数据
    missing: tuple[str, ...]  # components with a weight and no data for this county


def rank_counties(values: dict[str, dict[str, float | None]], weights: dict[str, float]) -> list[CountyRank]:
    """Weighted county ranking. `values`: county → component → 0–100 score or None (no data); `weights`:
    component → weight (the pack's, summing to 100; components of weight 0 are ignored).

    A county's score = Σ w·s ÷ Σ w over the components it has data for: a missing component's weight goes to
    the others in proportion (and is listed in `missing`). Scores are rounded to two decimals before ranking;
    equal scores share a rank (1, 2, 2, 4) and are listed by name; a county without any data comes last, unranked.
    """
    used = {c: w for c, w in weights.items() if w > 0}
    rows = []
    for unit, parts in values.items():
        have = {c: parts[c] for c in used if parts.get(c) is not None}
        weight = sum(used[c] for c in have)
        score = round(sum(used[c] * float(v) for c, v in have.items() if v is not None) / weight, 2) if weight else None
        missing = tuple(c for c in used if c not in have)
        rows.append((unit, score, {c: parts.get(c) for c in used}, missing))
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), r[0]))
    out: list[CountyRank] = []
    rank, previous = 0, None
    for n, (unit, score, parts, missing) in enumerate(rows, start=1):
        if score is not None and score != previous:
            rank, previous = n, score
        out.append(CountyRank(unit, score, rank if score is not None else None, parts, missing))
    return out
