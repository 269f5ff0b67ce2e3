"""The 亩产效益 evaluation method as data (the pack's `evaluation` section and the city's edited versions).

Pure pydantic, no Django: the engine (`gongqiang.evaluation.compute`), the pack checker and the CLI all
read a method through `EvaluationMethod`. Numbers that take part in exact arithmetic (scales, multipliers,
caps, points, shares, thresholds) are Decimals written as strings in the YAML, so "0.1" is 1/10 and not
the nearest float.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Code = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.\-]+$")]
Positive = Annotated[Decimal, Field(gt=0)]
NonNegative = Annotated[Decimal, Field(ge=0)]
CLASSES = ("A", "B", "C", "D")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemKind(StrEnum):
    bonus = "bonus"
    penalty = "penalty"
    veto = "veto"


class Item(Strict):
    code: Code
    kind: ItemKind
    name: str


class ZeroDenominator(StrEnum):
    exception = "exception"  # not evaluable: listed for the county to fix (land 0)
    unit_average = "unit_average"  # the unit's average rounded score of enterprises with a positive one
    zero = "zero"  # the indicator scores 0


class Indicator(Strict):
    code: Code
    name: str
    numerator: Code
    denominator: Code
    scale: Positive = Decimal(1)  # value shown = numerator ÷ denominator × scale (元 → 万元, × 100 for %)
    unit: str = ""
    weight: Positive
    on_zero_denominator: ZeroDenominator = ZeroDenominator.zero


class Group(Strict):
    code: Code
    name: str
    above_scale: bool
    min_land_mu: NonNegative | None = None
    min_land_inclusive: bool = True
    indicators: list[Indicator] = Field(min_length=1)

    @model_validator(mode="after")
    def _weights(self) -> Group:
        total = sum((i.weight for i in self.indicators), Decimal(0))
        if total != 100:
            raise ValueError(f"{self.name}的指标权重合计为 {total}，应为 100")
        codes = [i.code for i in self.indicators]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.name}的指标代码重复")
        return self


class Benchmark(Strict):
    multiplier: Positive = Decimal(2)
    average: Literal["aggregate", "mean"] = "aggregate"
    year: Literal["previous", "current"] = "previous"
    fallback_to_current: bool = True


class Score(Strict):
    cap: Positive = Decimal(2)
    floor: NonNegative = Decimal(0)
    decimals: Literal[2] = 2  # scores are kept as integer hundredths; other precisions need that changed


class Points(Strict):
    item: Code
    points: NonNegative


class PointsSection(Strict):
    cap: NonNegative | None = None
    items: list[Points] = Field(default_factory=list)


class Rounding(StrEnum):
    floor = "floor"
    ceil = "ceil"
    half_up = "half_up"


class Aliased(Strict):
    # "class" is the YAML key; stored packs may have been dumped by field name ("klass").
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)


class Quota(Aliased):
    klass: Literal["A", "B", "C", "D"] = Field(alias="class")
    share: Annotated[Decimal, Field(ge=0, le=100)]  # per cent of the unit's evaluated enterprises
    rounding: Rounding


class Threshold(Aliased):
    klass: Literal["A", "B", "C"] = Field(alias="class")
    min_total: Decimal


class Classes(Strict):
    mode: Literal["quota", "thresholds"] = "quota"
    quotas: list[Quota] = Field(default_factory=list)
    thresholds: list[Threshold] = Field(default_factory=list)
    veto_shrink_order: list[Literal["A", "B", "C"]] = Field(default_factory=lambda: ["C", "B", "A"])
    tie_breakers: list[Code] = Field(default_factory=list)

    @model_validator(mode="after")
    def _mode(self) -> Classes:
        if self.mode == "quota":
            named = [q.klass for q in self.quotas]
            if len(set(named)) != len(named) or len(named) != 3:
                raise ValueError("按比例分档须为 A、B、C、D 中的三类各给一个比例（其余一类取剩余名额）")
            if sum((q.share for q in self.quotas), Decimal(0)) > 100:
                raise ValueError("分档比例合计超过 100%")
        else:
            named = [t.klass for t in self.thresholds]
            if sorted(named) != ["A", "B", "C"]:
                raise ValueError("按分数线分档须给出 A、B、C 三类的最低分（其余为 D 类）")
            mins = {t.klass: t.min_total for t in self.thresholds}
            if not mins["A"] >= mins["B"] >= mins["C"]:
                raise ValueError("分数线须满足 A ≥ B ≥ C")
        if sorted(self.veto_shrink_order) != ["A", "B", "C"]:
            raise ValueError("veto_shrink_order 须列出 A、B、C 各一次")
        return self

    @property
    def remainder_class(self) -> str:
        named = {q.klass for q in self.quotas}
        return next(c for c in CLASSES if c not in named)


class LowEfficiencyRule(Strict):
    label: str
    group: Code | None = None
    indicator: Code | None = None
    at_most: Decimal | None = None
    inclusive: bool = True
    classes: list[Literal["A", "B", "C", "D"]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> LowEfficiencyRule:
        by_value = self.indicator is not None and self.at_most is not None
        if by_value == bool(self.classes):
            raise ValueError(f"低效规则“{self.label}”须二选一：indicator + at_most，或 classes")
        return self


class Surcharge(Strict):
    unit: str = "元/千瓦时"
    steps: list[NonNegative] = Field(min_length=1)  # 1st, 2nd, 3rd+ consecutive year in D


class TClass(Strict):
    industry_divisions: list[Annotated[str, Field(pattern=r"^\d{2}$")]] = Field(default_factory=list)
    newly_above_scale: bool = False
    startup_years: Annotated[int, Field(ge=0, le=10)] = 0


class Calendar(Strict):
    list_by: str = "05-31"
    data_by: str = "06-30"
    results_by: str = "07-15"
    public_notice_days: Annotated[int, Field(ge=1, le=60)] = 5


class EvaluationMethod(Strict):
    code: Code
    version: Annotated[str, Field(min_length=1, max_length=30)]
    from_year: Annotated[int, Field(ge=1990, le=2100)]
    name: str
    grouping: Literal["region", "region_industry"] = "region"
    groups: list[Group] = Field(min_length=1)
    benchmark: Benchmark = Benchmark()
    score: Score = Score()
    bonus: PointsSection = PointsSection()
    penalty: PointsSection = PointsSection()
    veto: list[Code] = Field(default_factory=list)
    t_class: TClass = TClass()
    classes: Classes
    low_efficiency: list[LowEfficiencyRule] = Field(default_factory=list)
    below_scale_low_land_classes: list[Literal["A", "B", "C", "D"]] = Field(default_factory=lambda: ["D"])
    measures: dict[Literal["A", "B", "C", "D"], str] = Field(default_factory=dict)
    electricity_surcharge: Surcharge | None = None
    calendar: Calendar = Calendar()

    @model_validator(mode="after")
    def _groups(self) -> EvaluationMethod:
        codes = [g.code for g in self.groups]
        if len(set(codes)) != len(codes):
            raise ValueError("评价分组代码重复")
        if (
            sum(1 for g in self.groups if g.above_scale) > 1
            or sum(1 for g in self.groups if not g.above_scale) > 1
        ):
            raise ValueError("规上、规下各至多一个评价分组")
        for rule in self.low_efficiency:
            if rule.group is not None and rule.group not in codes:
                raise ValueError(f"低效规则“{rule.label}”引用了未知的分组“{rule.group}”")
            if rule.indicator is not None:
                group = next((g for g in self.groups if g.code == rule.group), None)
                pool = group.indicators if group else [i for g in self.groups for i in g.indicators]
                if rule.indicator not in {i.code for i in pool}:
                    raise ValueError(f"低效规则“{rule.label}”引用了未知的指标“{rule.indicator}”")
        return self

    # -- what the engine needs ------------------------------------------------------------------
    def metrics(self) -> list[str]:
        """Every input metric the method reads (numerators, denominators, tie-breakers, land)."""
        seen: dict[str, None] = {"land_mu": None, "tax_paid": None, "revenue": None}
        for g in self.groups:
            for i in g.indicators:
                seen[i.numerator] = None
                seen[i.denominator] = None
        for m in self.classes.tie_breakers:
            seen[m] = None
        return list(seen)

    def item_codes(self) -> list[str]:
        return [p.item for p in self.bonus.items] + [p.item for p in self.penalty.items] + list(self.veto)

    def check_references(self, *, metrics: set[str], items: dict[str, ItemKind]) -> list[str]:
        """Errors (Chinese) for metrics outside the catalogue and items outside the item catalogue or
        used as the wrong kind. Empty when the method is consistent with its pack."""
        errors = [
            f"方法引用了未知的指标“{m}”（须在 metrics 中定义）" for m in self.metrics() if m not in metrics
        ]
        for kind, codes in (
            (ItemKind.bonus, [p.item for p in self.bonus.items]),
            (ItemKind.penalty, [p.item for p in self.penalty.items]),
            (ItemKind.veto, list(self.veto)),
        ):
            for code in codes:
                if code not in items:
                    errors.append(
                        f"方法引用了未知的{_KIND_NAMES[kind]}事项“{code}”（须在 evaluation.items 中定义）"
                    )
                elif items[code] != kind:
                    errors.append(
                        f"事项“{code}”是{_KIND_NAMES[items[code]]}事项，不能用作{_KIND_NAMES[kind]}"
                    )
        return errors


_KIND_NAMES = {ItemKind.bonus: "加分", ItemKind.penalty: "减分", ItemKind.veto: "否决"}


class FeedsTargets(Strict):
    """Which of the pack's targets the evaluation's figures are observations of."""

    first_batch: Code | None = None
    clearance_rate: Code | None = None
    below_scale_land_share: Code | None = None


class EvaluationSection(Strict):
    items: list[Item] = Field(default_factory=list)
    methods: list[EvaluationMethod] = Field(min_length=1)
    targets: FeedsTargets = FeedsTargets()

    @model_validator(mode="after")
    def _order(self) -> EvaluationSection:
        years = [m.from_year for m in self.methods]
        if years != sorted(set(years)):
            raise ValueError("evaluation.methods 须按 from_year 升序排列且年份不重复")
        codes = [i.code for i in self.items]
        if len(set(codes)) != len(codes):
            raise ValueError("evaluation.items 代码重复")
        return self

    def item_kinds(self) -> dict[str, ItemKind]:
        return {i.code: i.kind for i in self.items}

    def method_for(self, year: int) -> EvaluationMethod | None:
        eligible = [m for m in self.methods if m.from_year <= year]
        return eligible[-1] if eligible else None


def parse_method(raw: dict, *, metrics: set[str], items: dict[str, ItemKind]) -> EvaluationMethod:
    """Validate a method edited outside the pack (the city's version of a year). Raises ValueError with
    every problem in Chinese, one per line."""
    try:
        method = EvaluationMethod.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{where}：{msg}" if where else msg)
        raise ValueError("\n".join(lines)) from None
    errors = method.check_references(metrics=metrics, items=items)
    if errors:
        raise ValueError("\n".join(errors))
    return method
