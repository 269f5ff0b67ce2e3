"""The policy pack's schema (pydantic). Pure: no Django import, so packs are checked anywhere.

A pack is a YAML file under policies/. Everything the policy fixes (organisation, goals, targets, task
lines, schedules, thresholds) is data here; code reads it, never restates it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .evaluation import EvaluationSection

Code = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.\-]+$")]
Year = Annotated[int, Field(ge=1990, le=2100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegionKind(StrEnum):
    district = "district"
    county = "county"
    zone = "zone"


class Comparison(StrEnum):
    gt = "gt"  # 超过 / 突破
    ge = "ge"  # 以上 / 不少于
    lt = "lt"  # 低于
    le = "le"  # 不超过
    eq = "eq"


class Direction(StrEnum):
    increase = "increase"
    decrease = "decrease"


class TargetKind(StrEnum):
    level = "level"  # a level to reach (工业产值 > 1 万亿)
    multiple_of_baseline = "multiple_of_baseline"  # 较2021年翻一番
    share = "share"  # a percentage (工业增加值占比 ≥ 39%)
    stock_count = "stock_count"  # a number held at a date (≥ 500 专精特新)
    new_per_year = "new_per_year"  # so many new each year (≥ 1,000 技改项目/年)
    cumulative_new = "cumulative_new"  # so many new over the period (≥ 22 new listings by 2026)
    decrease_vs_baseline = "decrease_vs_baseline"  # a cut against the baseline (能耗 −6%)
    composite = "composite"  # a count of members passing a threshold (4 clusters each > 1,000 亿)


class City(Strict):
    code: Annotated[str, Field(pattern=r"^\d{6}$")]
    name: str


class RegionSpec(Strict):
    code: Annotated[str, Field(pattern=r"^\d{6}$")]
    name: str
    short_name: str = ""
    kind: RegionKind
    towns: int | None = Field(None, ge=0, description="number of towns and sub-districts, where known")
    specialty: str = Field("", description="the county's specialty or leading industry named by the policy")


class DepartmentSpec(Strict):
    code: Code
    name: str
    short_name: str = ""
    supplies_data: bool = False
    data_sources: list[str] = Field(default_factory=list, description="the kinds of data it supplies")


class Organisation(Strict):
    city: City
    regions: list[RegionSpec] = Field(min_length=1)
    departments: list[DepartmentSpec] = Field(min_length=1)


class Threshold(Strict):
    id: Code
    name: str
    value: float
    unit: str
    comparison: Comparison | None = None
    note: str = ""


class Bound(Strict):
    """A number with its unit and how it is compared ("> 500 亿元")."""

    value: float
    unit: str
    comparison: Comparison = Comparison.ge


class Baseline(Strict):
    year: Year
    value: float | None = None
    unit: str | None = None
    note: str = ""


class TargetValue(Strict):
    year: Year
    value: float
    comparison: Comparison = Comparison.ge


class Milestone(Strict):
    year: Year
    value: float
    comparison: Comparison = Comparison.ge
    note: str = ""


class Component(Strict):
    id: Code
    name: str


class ComputationName(StrEnum):
    """Computations the targets app knows (targets/computations.py); the pack names one per target."""

    sum_metric = "sum_metric"  # Σ metric over the registry's enterprises ÷ unit_divisor
    intensity_decrease = "intensity_decrease"  # (1 − (Σmetric/Σdenominator) ÷ the same in the baseline year) × 100
    count_enterprises = "count_enterprises"  # enterprises with a current value of metric above min_value


class ComputationSpec(Strict):
    """How a target's value is computed from the system's own data (the registry's current facts)."""

    name: ComputationName
    metric: Code
    denominator: Code | None = None
    above_scale_only: bool = False
    # The stored facts are in the metric's unit (元); the target's unit may be 亿元: value ÷ unit_divisor.
    unit_divisor: Annotated[str, Field(pattern=r"^\d+(\.\d+)?$")] = "1"
    min_value: float | None = None
    # Also compute one value per county-level region (the region column of the facts).
    by_region: bool = True
    note: str = ""

    @model_validator(mode="after")
    def _needs(self) -> ComputationSpec:
        if self.name == ComputationName.intensity_decrease and self.denominator is None:
            raise ValueError("intensity_decrease 须给出分母指标 denominator")
        return self


class TargetSpec(Strict):
    id: Code
    name: str
    group: Code
    unit: str
    kind: TargetKind
    direction: Direction = Direction.increase
    baseline: Baseline | None = None
    target: TargetValue | None = None
    milestones: list[Milestone] = Field(default_factory=list)
    # For multiple_of_baseline targets with a floor, e.g. "翻一番、过500亿元".
    also: list[Bound] = Field(default_factory=list)
    # For composite targets: what each member must pass, and the named members where the policy names them.
    member_threshold: Bound | None = None
    components: list[Component] = Field(default_factory=list)
    owner: Code
    co_owners: list[Code] = Field(default_factory=list)
    data_source: Code | None = None
    task_line: Code | None = None
    tracked_only: bool = Field(False, description="the policy names it without a number: tracked, not scored")
    periodicity: Literal["year", "quarter", "month"] = "year"
    text: str = Field("", description="the policy's own words")
    # Where the system computes the value from its own data; entered values stay possible.
    computation: ComputationSpec | None = None

    @model_validator(mode="after")
    def _kind_rules(self) -> TargetSpec:
        if not self.tracked_only and self.target is None:
            raise ValueError("缺少目标值 target（仅跟踪的目标请设 tracked_only: true）")
        if self.kind == TargetKind.composite and not self.tracked_only and self.member_threshold is None:
            raise ValueError("组合型目标须给出 member_threshold（每个成员须达到的值）")
        if self.kind in (TargetKind.multiple_of_baseline, TargetKind.decrease_vs_baseline) and self.baseline is None:
            raise ValueError(f"{self.kind.value} 型目标须给出基期 baseline")
        if self.kind == TargetKind.decrease_vs_baseline and self.direction != Direction.decrease:
            raise ValueError("decrease_vs_baseline 型目标的 direction 须为 decrease")
        if self.kind == TargetKind.share and self.target is not None and not 0 <= self.target.value <= 100:
            raise ValueError("占比型目标的目标值须在 0–100 之间")
        if self.target is not None:
            for m in self.milestones:
                if m.year > self.target.year:
                    raise ValueError(f"阶段目标年份 {m.year} 晚于目标年份 {self.target.year}")
        return self


class GoalGroup(Strict):
    id: Code
    name: str
    section: str = ""


class Schedule(Strict):
    """When the supervision cycle is due. Day numbers are of the month after the period ends."""

    monthly_dispatch_due_day: Annotated[int, Field(ge=1, le=28)]
    quarterly_bulletin_due_day: Annotated[int, Field(ge=1, le=28)]
    half_year_assessment_due: Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")]  # MM-DD of the same year
    annual_assessment_due: Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")]  # MM-DD of the next year
    reminder_days_before: Annotated[int, Field(ge=0, le=15)] = 3
    meetings_per_month_min: Annotated[int, Field(ge=0)] = 0


class TaskLine(Strict):
    id: Code
    number: Annotated[int, Field(ge=1)]
    name: str
    owner: Code
    co_owners: list[Code] = Field(default_factory=list)
    summary: str = ""
    schedule: Schedule | None = None  # overrides the pack's default schedule
    lists: list[str] = Field(default_factory=list, description="the libraries the line keeps")


class BulletinRanking(Strict):
    """Weights (percent, summing to 100) of the county ranking in the quarterly bulletin. Each component is a
    0–100 score: targets_on_time = share of the county's decomposed targets on track or met; dispatch_punctuality
    = share of the quarter's reports filed on time; evaluation_progress = low-efficiency clearance progress (the
    evaluation app); assessment_points = the latest approved assessment total ÷ full marks."""

    targets_on_time: Annotated[float, Field(ge=0, le=100)] = 0
    dispatch_punctuality: Annotated[float, Field(ge=0, le=100)] = 0
    evaluation_progress: Annotated[float, Field(ge=0, le=100)] = 0
    assessment_points: Annotated[float, Field(ge=0, le=100)] = 0

    @model_validator(mode="after")
    def _sums_to_100(self) -> BulletinRanking:
        total = sum(self.model_dump().values())
        if abs(total - 100) > 1e-9:
            raise ValueError(f"bulletin_ranking 各项权重合计 {total:g}，须为 100")
        return self


class Supervision(Strict):
    schedule: Schedule
    mechanisms: list[str] = Field(default_factory=list)
    # Without it the bulletin ranks counties by dispatch punctuality alone.
    bulletin_ranking: BulletinRanking | None = None


class CalibrationFigure(Strict):
    id: Code
    name: str
    year: Year
    value: float
    unit: str
    source: str = ""


class Industry(Strict):
    """A division (大类) of GB/T 4754-2017; enterprises carry 2- to 4-digit codes under it."""

    code: Annotated[str, Field(pattern=r"^\d{2}$")]
    name: str
    section: Annotated[str, Field(pattern=r"^[A-T]$")]


class UnitSpec(Strict):
    """A unit the departments write, and how to turn it into the metric's stored unit.

    value_in_base = value × factor ÷ divisor (exact, as decimals): 万元 → 元 is factor 10000;
    平方米 → 亩 is divisor 666.67.
    """

    name: str
    base: str
    factor: Annotated[str, Field(pattern=r"^\d+(\.\d+)?$")] = "1"
    divisor: Annotated[str, Field(pattern=r"^\d+(\.\d+)?$")] = "1"
    aliases: list[str] = Field(default_factory=list)


class MetricSpec(Strict):
    """One figure the registry keeps per enterprise and year (or month), stored in `unit`."""

    code: Code
    name: str
    unit: str
    source: Code  # the department that supplies it
    periodicity: Literal["year", "month"] = "year"
    min: float | None = None
    max: float | None = None
    integer: bool = False
    decimals: Annotated[int, Field(ge=0, le=6)] = 2
    note: str = ""


class SourceColumn(Strict):
    """A column of a department's file: which headers name it and what it feeds.

    `field` is a metric code or one of the key fields (uscc, name, region, industry_code, land_type,
    account, certificate, location, use). `unit` is assumed when neither the header nor the title rows
    name one. `per` divides the value before it is added to the metric (pollutant kg ÷ equivalent kg).
    """

    field: Code
    headers: list[str] = Field(min_length=1)
    unit: str | None = None
    required: bool = False
    per: float | None = Field(None, gt=0)


class ImportSource(Strict):
    code: Code
    name: str
    department: Code
    periodicity: Literal["year", "month"] = "year"
    columns: list[SourceColumn] = Field(min_length=2)
    # several rows per enterprise (power accounts, land parcels) are summed into one value per metric
    aggregate: bool = False
    # the values of a `land_type` column and the sign each gives to the area (自有 +1, 租出 −1)
    land_types: dict[str, int] = Field(default_factory=dict)
    # a file from this source lists the year's above-scale enterprises (statistics)
    marks_above_scale: bool = False
    note: str = ""


class StatusWeights(Strict):
    """What each status counts for in the county ranking (share of decomposed targets on time)."""

    achieved: Annotated[float, Field(ge=0, le=1)]
    on_track: Annotated[float, Field(ge=0, le=1)]
    behind: Annotated[float, Field(ge=0, le=1)]
    seriously_behind: Annotated[float, Field(ge=0, le=1)]
    no_data: Annotated[float, Field(ge=0, le=1)]


class ProgressRules(Strict):
    """How the targets app judges progress. Gaps are fractions: time elapsed − completion."""

    behind_gap: Annotated[float, Field(gt=0, lt=1)]  # above it: 滞后
    seriously_behind_gap: Annotated[float, Field(gt=0, lt=1)]  # above it: 严重滞后
    projection_periods: Annotated[int, Field(ge=1, le=10)]  # the pace of the last N periods
    decomposition_tolerance: Annotated[float, Field(ge=0, lt=1)]  # |Σ counties − city| ÷ city
    unit_check_ratio: Annotated[float, Field(gt=1)]  # value ÷ previous beyond this: wrong unit?
    status_weights: StatusWeights
    target_weights: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ordered(self) -> ProgressRules:
        if self.seriously_behind_gap <= self.behind_gap:
            raise ValueError("seriously_behind_gap 须大于 behind_gap")
        return self


AssessmentRule = Literal["dispatch_punctuality", "tasks_on_time", "tasks_overdue", "targets_on_time", "meetings",
                         "manual"]


class AssessmentIndicator(Strict):
    """One line of the half-year / annual assessment sheet. Automatic rules score from the data:
    dispatch_punctuality = points × share of reports filed on time; tasks_on_time = points × share of due tasks
    completed by their deadline; tasks_overdue = points − per_item × overdue tasks (not below 0); targets_on_time =
    points × share of the unit's targets on track or met (a county: its decomposed targets; a department: the
    targets it owns); meetings = points × share of the period's months with at least `meetings_per_month_min`
    industry meetings (counties; a department's sheet gets the points, not applicable); manual = scored by hand
    with a reason."""

    id: Code
    name: str
    points: Annotated[float, Field(gt=0)]
    rule: AssessmentRule
    per_item: Annotated[float, Field(ge=0)] = 0


class AssessmentGrade(Strict):
    name: str
    min_score: Annotated[float, Field(ge=0)]
    outcome: str = ""  # the reward or penalty the grade carries (奖惩)


class Assessment(Strict):
    full_marks: Annotated[float, Field(gt=0)]
    # The department whose staff do the first review (初审) of the county sheets; a department's sheet is
    # reviewed by the city. Approval (审定) is always the city's.
    county_reviewer: Code = "gxj"
    indicators: list[AssessmentIndicator] = Field(min_length=1)
    grades: list[AssessmentGrade] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Assessment:
        ids = [i.id for i in self.indicators]
        if len(ids) != len(set(ids)):
            raise ValueError("assessment.indicators 的 id 有重复")
        total = sum(i.points for i in self.indicators)
        if abs(total - self.full_marks) > 1e-9:
            raise ValueError(f"assessment 各指标分值合计 {total:g} 与满分 {self.full_marks:g} 不一致")
        mins = [g.min_score for g in self.grades]
        if mins != sorted(mins, reverse=True) or mins[-1] != 0:
            raise ValueError("assessment.grades 须按 min_score 从高到低排列，最后一档为 0")
        return self


class PackHeader(Strict):
    code: Code
    version: Annotated[str, Field(min_length=1, max_length=30)]
    title: str
    issuer: str = ""
    document: str = ""
    baseline_year: Year
    horizon_year: Year
    valid_from: Year | None = None


class PolicyPackSpec(Strict):
    pack: PackHeader
    organisation: Organisation
    thresholds: list[Threshold] = Field(default_factory=list)
    goal_groups: list[GoalGroup] = Field(min_length=1)
    targets: list[TargetSpec] = Field(min_length=1)
    task_lines: list[TaskLine] = Field(min_length=1)
    supervision: Supervision
    calibration: list[CalibrationFigure] = Field(default_factory=list)
    industries: list[Industry] = Field(default_factory=list)
    units: list[UnitSpec] = Field(default_factory=list)
    metrics: list[MetricSpec] = Field(default_factory=list)
    import_sources: list[ImportSource] = Field(default_factory=list)
    lists: dict[str, list[str]] = Field(
        default_factory=dict, description="named lists the policy gives: target chains, specialties, …"
    )
    progress: ProgressRules | None = None
    assessment: Assessment | None = None
    evaluation: EvaluationSection | None = None

    @model_validator(mode="after")
    def _progress_references(self) -> PolicyPackSpec:
        ids = {t.id for t in self.targets}
        if self.progress is not None:
            unknown = sorted(set(self.progress.target_weights) - ids)
            if unknown:
                raise ValueError(f"progress.target_weights 中有未知的目标：{'、'.join(unknown)}")
        metrics = {m.code for m in self.metrics}
        for t in self.targets:
            c = t.computation
            if c is None:
                continue
            for code in (c.metric, c.denominator):
                if code is not None and code not in metrics:
                    raise ValueError(f"目标 {t.id} 的计算引用了未知的指标“{code}”（须在 metrics 中定义）")
        if self.assessment is not None and self.assessment.county_reviewer not in self.department_codes():
            raise ValueError(f"assessment.county_reviewer 引用了未知的部门“{self.assessment.county_reviewer}”")
        if self.evaluation is not None:
            for method in self.evaluation.methods:
                errors = method.check_references(metrics=metrics, items=self.evaluation.item_kinds())
                if errors:
                    raise ValueError(f"评价方法 {method.version}：" + "；".join(errors))
            for name, target in self.evaluation.targets.model_dump().items():
                if target is not None and target not in ids:
                    raise ValueError(f"evaluation.targets.{name} 引用了未知的目标“{target}”")
        return self

    def department_codes(self) -> set[str]:
        return {d.code for d in self.organisation.departments}

    def target(self, target_id: str) -> TargetSpec:
        return next(t for t in self.targets if t.id == target_id)

    def metric(self, code: str) -> MetricSpec:
        return next(m for m in self.metrics if m.code == code)

    def source(self, code: str) -> ImportSource:
        return next(s for s in self.import_sources if s.code == code)

    def industry_names(self) -> dict[str, str]:
        return {i.code: i.name for i in self.industries}

    def threshold(self, threshold_id: str) -> Threshold:
        return next(t for t in self.thresholds if t.id == threshold_id)
