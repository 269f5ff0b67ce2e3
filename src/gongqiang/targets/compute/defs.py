"""From the pack's TargetSpec to the plain TargetDef the progress computation reads.

The schema module is pure (pydantic, no Django), so this stays pure too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .model import Bound, TargetDef

MONEY_UNITS = frozenset({"元", "千元", "万元", "亿元"})
# Kinds whose county values add up to the city's (a county's share does not).
NON_ADDITIVE_KINDS = frozenset({"share", "decrease_vs_baseline", "composite"})


def is_flow(kind: str, unit: str) -> bool:
    """Totals over a period (output, tax, new ones per year): a year-to-date value is annualised."""
    return kind == "new_per_year" or (kind in ("level", "multiple_of_baseline") and unit in MONEY_UNITS)


def is_additive(kind: str, unit: str) -> bool:
    return kind not in NON_ADDITIVE_KINDS and unit != "%" and "/" not in unit


def target_def(spec: Any, pack_baseline_year: int) -> TargetDef:
    """`spec` is a core.policy.schema.TargetSpec."""
    base = spec.baseline
    start_year = base.year if base is not None else pack_baseline_year
    start_value = base.value if base is not None else None
    direction = spec.direction.value if hasattr(spec.direction, "value") else str(spec.direction)
    kind = spec.kind.value if hasattr(spec.kind, "value") else str(spec.kind)
    if kind == "decrease_vs_baseline":
        # Observations are the achieved cut in % (the target's unit): 0 at the baseline, rising to the goal.
        start_value, direction = 0.0, "increase"
    goal = spec.target
    return TargetDef(
        kind=kind,
        start_year=start_year,
        goal_year=goal.year if goal is not None else pack_baseline_year,
        goal_value=goal.value if goal is not None else None,
        comparison=str(goal.comparison.value if goal is not None else "ge"),
        direction=direction,
        start_value=start_value,
        milestones=tuple(Bound(m.value, m.comparison.value, m.year, m.note) for m in spec.milestones),
        # Only bounds in the target's own unit take part ("过500亿元"); restatements in another unit
        # ("≤ 94 %（2021年=100）" beside "−6 %") say the same thing and are shown, not computed.
        also=tuple(Bound(b.value, b.comparison.value) for b in spec.also if b.unit == spec.unit),
        flow=is_flow(kind, spec.unit),
        tracked_only=spec.tracked_only,
    )


def county_def(city: TargetDef, start_value: float | None, goal_value: float) -> TargetDef:
    """A county's share of a city target: an amount to reach, measured the same way."""
    kind = "level" if city.kind == "multiple_of_baseline" else city.kind
    if city.kind == "decrease_vs_baseline":
        start_value = 0.0
    return replace(city, kind=kind, start_value=start_value, goal_value=goal_value, also=(), milestones=())
