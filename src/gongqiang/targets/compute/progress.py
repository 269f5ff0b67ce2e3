"""Progress of one target: completion against time, projection, required growth, milestones, status.

Pure: numbers in, numbers out. The conventions (also in the pack's `progress` comment):
- completion = (current − start) ÷ (goal − start), direction-aware by construction (a decreasing
  target has a negative span); 0 at the baseline, 1 at the goal.
- time elapsed = months from the end of the baseline year to the end of the data's period ÷ months
  from the end of the baseline year to the end of the goal year. It is measured at the data's date,
  not today's: a 2023 value compared with 2024's calendar would make every target look late.
- gap = elapsed − completion; the pack's thresholds turn it into 进度正常 / 滞后 / 严重滞后.
- new_per_year targets are judged year by year: completion = this year's value ÷ the yearly goal.
- cumulative_new observations are the new ones of each period; the level is their running sum.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .model import Bound, MilestoneCheck, Point, Progress, Rules, Status, TargetDef
from .periods import Period, months_between

EPS = 1e-9
GROWTH_KINDS = frozenset({"level", "multiple_of_baseline", "stock_count"})


def meets(value: float, goal: float, comparison: str) -> bool:
    tol = EPS * max(1.0, abs(goal))
    if comparison == "gt":
        return value > goal + tol
    if comparison == "ge":
        return value >= goal - tol
    if comparison == "lt":
        return value < goal - tol
    if comparison == "le":
        return value <= goal + tol
    return abs(value - goal) <= tol


def annual_points(observations: Iterable[tuple[Period, float]], *, flow: bool) -> list[Point]:
    """One point per year: the full-year value, else the latest year-to-date one (annualised for flows)."""
    best: dict[int, tuple[int, float]] = {}
    for period, value in observations:
        months = period.months
        if period.year not in best or months > best[period.year][0]:
            best[period.year] = (months, value)
    out = []
    for year in sorted(best):
        months, value = best[year]
        if flow and months < 12:
            value = value * 12 / months
        out.append(Point(year, value, months))
    return out


def levels_of(defn: TargetDef, points: list[Point]) -> tuple[list[Point], bool]:
    """The series the status is judged on, and whether a year is missing from a running sum."""
    if defn.kind != "cumulative_new":
        return list(points), False
    levels, total, incomplete = [], 0.0, False
    expected = defn.start_year + 1
    for p in points:
        if p.year <= defn.start_year:
            continue
        incomplete = incomplete or p.year != expected
        expected = p.year + 1
        total += p.value
        levels.append(Point(p.year, total, p.months))
    return levels, incomplete


def effective_goal(defn: TargetDef, start: float | None) -> tuple[float | None, str]:
    """The goal in the target's unit: a multiple turned into an amount, raised by 'also' floors."""
    if defn.goal_value is None:
        return None, defn.comparison
    goal, comparison = defn.goal_value, defn.comparison
    if defn.kind == "multiple_of_baseline":
        if start is None:
            return None, comparison
        goal = defn.goal_value * start
    for b in defn.also:
        if defn.direction == "increase" and b.comparison in ("gt", "ge") and b.value >= goal:
            goal, comparison = b.value, b.comparison
        elif defn.direction == "decrease" and b.comparison in ("lt", "le") and b.value <= goal:
            goal, comparison = b.value, b.comparison
    return goal, comparison


def _caps_hold(defn: TargetDef, value: float) -> bool:
    """Bounds against the direction (an upper cap on an increasing target, "1–2 个") must hold too."""
    against = ("lt", "le") if defn.direction == "increase" else ("gt", "ge")
    return all(meets(value, b.value, b.comparison) for b in defn.also if b.comparison in against)


def completion(current: float, start: float, goal: float, comparison: str) -> float:
    if meets(start, goal, comparison) or abs(goal - start) <= EPS * max(1.0, abs(goal)):
        # Nothing to travel (already there at the baseline): done or not, no fraction in between.
        return 1.0 if meets(current, goal, comparison) else 0.0
    return (current - start) / (goal - start)


def _asof(defn: TargetDef, p: Point) -> int:
    """Months from the end of the baseline year to the point. A flow's annualised year sits at year end."""
    return months_between(defn.start_year, p.year, 12 if defn.flow else p.months)


def evaluate(defn: TargetDef, points: list[Point], rules: Rules, today: dt.date) -> Progress:
    """The progress of `defn` given its yearly points (see annual_points)."""
    if defn.goal_value is None:
        status = Status.tracked if defn.tracked_only else Status.no_data
        latest = points[-1] if points else None
        return Progress(status, "仅跟踪，无考核目标值" if defn.tracked_only else "未设目标值",
                        current=latest.value if latest else None, current_year=latest.year if latest else None,
                        current_months=latest.months if latest else None, levels=list(points))
    usable = [p for p in points if defn.start_year <= p.year <= defn.goal_year]
    levels, incomplete = levels_of(defn, usable)
    start, start_year = defn.start_value, defn.start_year
    if defn.kind in ("new_per_year", "cumulative_new"):
        start = 0.0 if start is None else start
    elif start is None and levels:
        # No baseline in the pack: the first full year observed stands in for it.
        first = next((p for p in levels if p.months == 12), None)
        if first is not None:
            start, start_year = first.value, first.year
    defn = _with_start(defn, start_year)
    after = [p for p in levels if p.year > start_year or defn.kind == "new_per_year"]
    milestones = check_milestones(defn, levels, today)
    if not after:
        reason = "暂无数据" if not levels else "缺少基期值，需至少两期数据"
        p = Progress(Status.no_data, reason, start=start, start_year=start_year, levels=levels,
                     milestones=milestones, incomplete=incomplete)
        goal, comparison = effective_goal(defn, start)
        if levels and goal is not None:
            # One value and no baseline: no pace to judge, but a goal already reached is reached.
            last = levels[-1]
            p.current, p.current_year, p.current_months, p.goal = last.value, last.year, last.months, goal
            if meets(last.value, goal, comparison) and _caps_hold(defn, last.value):
                p.status, p.reason, p.completion = Status.achieved, "已达到目标值", 1.0
        return p
    goal, comparison = effective_goal(defn, start)
    latest = after[-1]
    progress = Progress(Status.no_data, goal=goal, start=start, start_year=start_year, current=latest.value,
                        current_year=latest.year, current_months=latest.months, levels=levels,
                        milestones=milestones, incomplete=incomplete)
    if goal is None or start is None:
        progress.reason = "缺少基期值，无法换算目标"
        return progress
    if defn.kind == "new_per_year":
        progress.elapsed = latest.months / 12
        progress.completion = completion(latest.value, 0.0, goal, comparison)
    else:
        total = (defn.goal_year - start_year) * 12
        progress.elapsed = min(1.0, max(0.0, months_between(start_year, latest.year, latest.months) / total))
        progress.completion = completion(latest.value, start, goal, comparison)
    progress.gap = progress.elapsed - progress.completion
    achieved = (meets(latest.value, goal, comparison) and _caps_hold(defn, latest.value)
                and (not defn.flow or latest.months == 12))
    progress.status, progress.reason = _status(defn, progress, achieved, rules)
    _project(defn, progress, after, start, goal, comparison, rules)
    _growth(defn, progress, latest, start, goal)
    return progress


def _with_start(defn: TargetDef, start_year: int) -> TargetDef:
    from dataclasses import replace

    return defn if start_year == defn.start_year else replace(defn, start_year=start_year)


def _status(defn: TargetDef, p: Progress, achieved: bool, rules: Rules) -> tuple[Status, str]:
    if achieved:
        return Status.achieved, "已达到目标值"
    if defn.kind != "new_per_year" and p.elapsed is not None and p.elapsed >= 1:
        return Status.seriously_behind, "目标期已到，未达成"
    gap = p.gap or 0.0
    if gap <= rules.behind_gap:
        return Status.on_track, f"完成度不落后于时间进度 {rules.behind_gap:.0%} 以上"
    if gap <= rules.seriously_behind_gap:
        return Status.behind, f"完成度落后时间进度 {gap:.0%}"
    return Status.seriously_behind, f"完成度落后时间进度 {gap:.0%}"


def _project(defn: TargetDef, p: Progress, after: list[Point], start: float, goal: float, comparison: str,
             rules: Rules) -> None:
    """At the pace of the last N periods, where will the target stand at the deadline?"""
    k = rules.projection_periods
    if defn.kind == "new_per_year":
        recent = after[-k:]
        p.projected = sum(x.value for x in recent) / len(recent)
        p.required_pace = goal
        p.projected_meets = meets(p.projected, goal, comparison)
        return
    series = [(0, start)] + [(_asof(defn, x), x.value) for x in after]
    window = series[-(k + 1):]
    if len(window) < 2 or window[-1][0] == window[0][0]:
        return
    slope = (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0])  # per month
    total = (defn.goal_year - defn.start_year) * 12
    left = total - window[-1][0]
    p.pace = slope * 12
    p.projected = window[-1][1] + slope * max(left, 0)
    p.projected_meets = meets(p.projected, goal, comparison) and _caps_hold(defn, p.projected)
    if left > 0:
        p.required_pace = (goal - window[-1][1]) / (left / 12)


def _growth(defn: TargetDef, p: Progress, latest: Point, start: float, goal: float) -> None:
    """Average annual growth: needed from baseline to goal, achieved so far, needed from now on."""
    if defn.kind not in GROWTH_KINDS or start <= 0 or goal <= 0 or latest.value <= 0:
        return
    years_total = defn.goal_year - defn.start_year
    done = _asof(defn, latest) / 12
    left = years_total - done
    p.required_growth = (goal / start) ** (1 / years_total) - 1
    if done > 0:
        p.achieved_growth = (latest.value / start) ** (1 / done) - 1
    if left > 0:
        p.required_growth_now = (goal / latest.value) ** (1 / left) - 1


def check_milestones(defn: TargetDef, levels: list[Point], today: dt.date) -> list[MilestoneCheck]:
    """Each milestone on its own date: met or missed by the full-year value of its year."""
    full = {p.year: p.value for p in levels if p.months == 12}
    out = []
    for m in defn.milestones:
        assert m.year is not None
        if m.year in full:
            state = "met" if meets(full[m.year], m.value, m.comparison) else "missed"
            out.append(MilestoneCheck(m.year, m.value, m.comparison, state, full[m.year], m.note))
        elif dt.date(m.year, 12, 31) >= today:
            out.append(MilestoneCheck(m.year, m.value, m.comparison, "pending", note=m.note))
        else:
            out.append(MilestoneCheck(m.year, m.value, m.comparison, "no_data", note=m.note))
    return out


def trajectories(defn: TargetDef, p: Progress) -> dict[str, list[tuple[int, float]]]:
    """The straight line from baseline to goal, and the constant-growth path, one value a year."""
    if p.start is None or p.goal is None or p.start_year is None or defn.kind == "new_per_year":
        return {}
    sy, gy = p.start_year, defn.goal_year
    years = range(sy, gy + 1)
    out = {"straight": [(y, p.start + (p.goal - p.start) * (y - sy) / (gy - sy)) for y in years]}
    if p.required_growth is not None:
        out["growth"] = [(y, p.start * (1 + p.required_growth) ** (y - sy)) for y in years]
    return out


def with_override(p: Progress, status: Status, reason: str) -> Progress:
    """A person's judgement replaces the computed status; both stay visible."""
    p.computed_status = p.status
    p.status = status
    p.override_reason = reason
    return p


__all__ = ["Bound", "annual_points", "check_milestones", "completion", "effective_goal", "evaluate", "meets",
           "trajectories", "with_override"]
