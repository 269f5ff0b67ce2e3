"""The inputs of the bulletin's county ranking and of the target-based assessment indicator.

Targets are read through `gongqiang.targets.services` only; the evaluation app (low-efficiency clearance) through
its service `evaluation.services.lists.clearance_by_region`, looked up when called, so supervision works without it. The weighing itself is pure
(`compute.rank_counties`).
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from gongqiang.core.services.policy import active_spec

from ..compute import RANKING_COMPONENTS, CountyRank, rank_counties

# The evaluation app's service for the clearance component: clearance_by_region(as_of) → {county code: % of the
# baseline low-efficiency cohort cleared, or None}. Optional: without it the component is 暂无数据.
EVALUATION_MODULE = "gongqiang.evaluation.services.lists"
EVALUATION_HOOK = "clearance_by_region"

# Statuses of the targets app that count as on time (进度正常, 已达成); tracked-only targets are not scored.
ON_TIME = {"achieved", "on_track"}
NOT_SCORED = {"tracked"}


def _status(row: Any) -> str:
    status = row.progress.status
    return str(getattr(status, "value", status))


def targets_by_county(user: Any, as_of: dt.date) -> dict[int, tuple[int, int]]:
    """County region id → (targets on time, targets scored) over its decomposed targets."""
    from gongqiang.targets.services.catalog import catalog
    from gongqiang.targets.services.progress import county_rows

    out: dict[int, tuple[int, int]] = {}
    for row in county_rows(user, as_of, catalog()):
        status = _status(row)
        if status in NOT_SCORED:
            continue
        on, total = out.get(row.region.pk, (0, 0))
        out[row.region.pk] = (on + (status in ON_TIME), total + 1)
    return out


def targets_by_department(user: Any, as_of: dt.date) -> dict[str, tuple[int, int]]:
    """Department code → (targets on time, targets scored) over the city-level targets it owns (leads)."""
    from gongqiang.targets.services.catalog import catalog
    from gongqiang.targets.services.progress import city_rows

    out: dict[str, tuple[int, int]] = {}
    for row in city_rows(user, as_of, catalog()):
        status = _status(row)
        if status in NOT_SCORED:
            continue
        on, total = out.get(row.info.spec.owner, (0, 0))
        out[row.info.spec.owner] = (on + (status in ON_TIME), total + 1)
    return out


def evaluation_progress(as_of: dt.date) -> dict[str, float | None] | None:
    """Low-efficiency clearance progress per county code (0–100) from the evaluation app, or None when that app
    (or its `clearance_by_region`) is not there: then the component is 暂无数据 and its weight goes to the others.
    City-wide figures: only the city generates bulletins."""
    try:
        module = importlib.import_module(EVALUATION_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name and EVALUATION_MODULE.startswith(exc.name):
            return None
        raise
    hook = getattr(module, EVALUATION_HOOK, None)
    if hook is None:
        return None
    return {code: None if value is None else max(0.0, min(100.0, round(float(value), 1)))
            for code, value in hook(as_of).items()}


def assessment_points(user: Any, as_of: dt.date) -> dict[int, float]:
    """County region id → the total of its latest approved sheet whose period ended by `as_of`, as 0–100."""
    from ..models import AssessmentKind, AssessmentSheet

    spec = active_spec()
    if spec is None or spec.assessment is None:
        return {}
    full = spec.assessment.full_marks
    latest: dict[int, tuple[dt.date, float]] = {}
    sheets = AssessmentSheet.objects.visible_to(user).filter(state="approved", region__isnull=False,
                                                             total__isnull=False, year__lte=as_of.year)
    for s in sheets.only("region_id", "kind", "year", "total"):
        end = dt.date(s.year, 6, 30) if s.kind == AssessmentKind.HALF_YEAR else dt.date(s.year, 12, 31)
        if end <= as_of and (s.region_id not in latest or end > latest[s.region_id][0]):
            latest[s.region_id] = (end, round(100 * float(s.total) / full, 2))
    return {region: points for region, (_, points) in latest.items()}


def _pct(pair: tuple[int, int] | None) -> float | None:
    if pair is None or not pair[1]:
        return None
    return round(100 * pair[0] / pair[1], 1)


def county_ranking(user: Any, counties: list[Any], punctuality: dict[str, float | None],
                   as_of: dt.date) -> tuple[list[CountyRank], dict[str, float]]:
    """The bulletin's ranking of `counties` (Region rows) and the weights used. Without the pack's
    `supervision.bulletin_ranking` the ranking is dispatch punctuality alone."""
    spec = active_spec()
    config = spec.supervision.bulletin_ranking if spec is not None else None
    weights = config.model_dump() if config is not None else {"dispatch_punctuality": 100.0}
    targets = targets_by_county(user, as_of) if weights.get("targets_on_time") else {}
    evaluation = (evaluation_progress(as_of) if weights.get("evaluation_progress") else None) or {}
    points = assessment_points(user, as_of) if weights.get("assessment_points") else {}
    values = {c.name: {"targets_on_time": _pct(targets.get(c.pk)),
                       "dispatch_punctuality": punctuality.get(c.name),
                       "evaluation_progress": evaluation.get(c.code),
                       "assessment_points": points.get(c.pk)} for c in counties}
    return rank_counties(values, weights), weights


def weights_text(weights: dict[str, float]) -> str:
    return "、".join(f"{RANKING_COMPONENTS[c]} {w:g}%" for c, w in weights.items() if w > 0)
