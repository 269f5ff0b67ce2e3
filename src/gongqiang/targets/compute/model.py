"""The plain data the progress computation works on. No Django, no pack objects: numbers and strings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    achieved = "achieved"
    on_track = "on_track"
    behind = "behind"
    seriously_behind = "seriously_behind"
    no_data = "no_data"
    # Targets the policy names without a number: listed, never scored (the pack's tracked_only).
    tracked = "tracked"


STATUS_LABELS = {
    Status.achieved: "已达成",
    Status.on_track: "进度正常",
    Status.behind: "滞后",
    Status.seriously_behind: "严重滞后",
    Status.no_data: "无数据",
    Status.tracked: "仅跟踪",
}
# Bootstrap colour of each status (cockpit badges, bars, the PDF).
STATUS_COLOURS = {
    Status.achieved: "success",
    Status.on_track: "primary",
    Status.behind: "warning",
    Status.seriously_behind: "danger",
    Status.no_data: "secondary",
    Status.tracked: "light",
}
# "On time" for counts and rankings.
ON_TIME = frozenset({Status.achieved, Status.on_track})


@dataclass(frozen=True)
class Rules:
    """The pack's `progress` thresholds, as fractions."""

    behind_gap: float
    seriously_behind_gap: float
    projection_periods: int


@dataclass(frozen=True)
class Bound:
    value: float
    comparison: str  # gt ge lt le eq
    year: int | None = None
    note: str = ""


@dataclass(frozen=True)
class TargetDef:
    """One target, in its own unit.

    kind:        the pack's kind (level, multiple_of_baseline, share, stock_count, new_per_year,
                 cumulative_new, decrease_vs_baseline, composite).
    start_year:  the baseline year: time runs from its end to the end of goal_year.
    start_value: the baseline value; None when the pack has none (the first observation stands in).
    goal_value:  the target figure (for multiple_of_baseline: the multiple of the baseline).
    also:        further bounds in the target's unit ("过500亿元"; an upper cap such as "1–2 个").
    flow:        values are totals over a period (产值, new per year): a partial year is annualised.
    """

    kind: str
    start_year: int
    goal_year: int
    goal_value: float | None
    comparison: str = "ge"
    direction: str = "increase"
    start_value: float | None = None
    milestones: tuple[Bound, ...] = ()
    also: tuple[Bound, ...] = ()
    flow: bool = False
    tracked_only: bool = False


@dataclass(frozen=True)
class Point:
    """The value of one year: a full-year value (months=12) or the latest year-to-date one."""

    year: int
    value: float
    months: int = 12


@dataclass(frozen=True)
class MilestoneCheck:
    year: int
    value: float
    comparison: str
    state: str  # met | missed | no_data | pending
    observed: float | None = None
    note: str = ""


@dataclass
class Progress:
    status: Status
    reason: str = ""
    goal: float | None = None  # the effective goal in the target's unit
    start: float | None = None
    start_year: int | None = None
    current: float | None = None  # the level the status is judged on (cumulative for cumulative_new)
    current_year: int | None = None
    current_months: int | None = None
    completion: float | None = None  # 0 at the baseline, 1 at the goal
    elapsed: float | None = None  # share of the time from baseline to deadline, at the data's date
    gap: float | None = None  # elapsed − completion
    projected: float | None = None  # the level at the deadline at the recent pace
    projected_meets: bool | None = None
    pace: float | None = None  # recent change per year
    required_pace: float | None = None  # change per year needed from now on
    required_growth: float | None = None  # average annual growth needed from baseline to goal
    achieved_growth: float | None = None  # average annual growth from baseline to now
    required_growth_now: float | None = None  # average annual growth needed from now on
    levels: list[Point] = field(default_factory=list)  # the series the status is judged on
    milestones: list[MilestoneCheck] = field(default_factory=list)
    incomplete: bool = False  # a year is missing in a cumulated series
    override_reason: str = ""  # set when a person overrode the computed status
    computed_status: Status | None = None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]
