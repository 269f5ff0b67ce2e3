"""A target row as the cockpit, the exports and the API show it: formatted once, the same everywhere."""

from __future__ import annotations

from typing import Any

from .compute import STATUS_LABELS, Progress, trajectories
from .compute.periods import Period
from .services.catalog import fmt
from .services.progress import TargetRow

SOURCE_LABELS = {"entered": "录入", "imported": "导入", "computed": "计算"}
MILESTONE_STATES = {"met": "已达到", "missed": "未达到", "no_data": "无数据", "pending": "未到期"}


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def value_text(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{fmt(value)} {unit}" if unit != "%" else f"{fmt(value)}%"


def period_text(p: Progress, flow: bool) -> str:
    if p.current_year is None:
        return ""
    months = p.current_months or 12
    if months == 12:
        return f"{p.current_year}年"
    label = Period(p.current_year, months, "quarter" if months % 3 == 0 else "month").label
    return f"{p.current_year}年1–{months}月（{'按月折算全年' if flow else label}）"


def sparkline(values: list[float], width: int = 90, height: int = 22) -> str:
    """SVG polyline points: rendered by the browser without any script."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    n = len(values)
    pts = []
    for i, v in enumerate(values):
        x = width / 2 if n == 1 else i * width / (n - 1)
        y = height - 2 - (v - lo) / span * (height - 4)
        pts.append(f"{x:.1f},{y:.1f}")
    return " ".join(pts)


def present(row: TargetRow) -> dict[str, Any]:
    p, info = row.progress, row.info
    unit = info.spec.unit
    return {
        "id": info.id,
        "name": info.spec.name,
        "group": info.spec.group,
        "group_name": info.group_name,
        "owner": info.spec.owner,
        "owner_name": info.owner_name,
        "task_line": info.spec.task_line or "",
        "task_line_name": info.task_line_name,
        "kind": info.defn.kind,
        "unit": unit,
        "region": row.region.code,
        "region_name": row.region.name,
        "status": p.status.value,
        "status_label": p.label,
        "colour": p.colour,
        "reason": p.reason,
        "override_reason": p.override_reason,
        "computed_status_label": STATUS_LABELS[p.computed_status] if p.computed_status else "",
        "current": p.current,
        "current_text": value_text(p.current, unit),
        "current_period": period_text(p, info.defn.flow),
        "goal": p.goal,
        "goal_text": info.goal_text() if row.allocation is None else value_text(p.goal, unit),
        "start_text": value_text(p.start, unit),
        "start_year": p.start_year,
        "completion": p.completion,
        "elapsed": p.elapsed,
        "gap": p.gap,
        "completion_pct": pct(p.completion),
        "elapsed_pct": pct(p.elapsed),
        "completion_bar": max(0.0, min(100.0, (p.completion or 0) * 100)),
        "elapsed_bar": max(0.0, min(100.0, (p.elapsed or 0) * 100)),
        "projected": p.projected,
        "projected_text": value_text(p.projected, unit),
        "projected_meets": p.projected_meets,
        "pace_text": value_text(p.pace, unit),
        "required_pace_text": value_text(p.required_pace, unit),
        "required_growth": p.required_growth,
        "achieved_growth": p.achieved_growth,
        "required_growth_now": p.required_growth_now,
        "required_growth_pct": pct(p.required_growth),
        "achieved_growth_pct": pct(p.achieved_growth),
        "required_growth_now_pct": pct(p.required_growth_now),
        "incomplete": p.incomplete,
        "spark": sparkline([x.value for x in p.levels]),
        "sources": "、".join(SOURCE_LABELS[s] for s in sorted(row.sources)),
        "tracked_only": info.spec.tracked_only,
        "milestones": [
            {"year": m.year, "value": value_text(m.value, unit), "state": m.state,
             "state_label": MILESTONE_STATES[m.state], "observed": value_text(m.observed, unit), "note": m.note}
            for m in p.milestones
        ],
    }


def chart_option(row: TargetRow) -> dict[str, Any]:
    """ECharts option: observations against the straight line and the required-growth path, milestones."""
    p, info = row.progress, row.info
    paths = trajectories(info.defn, p)
    years = sorted({x.year for x in p.levels} | {y for y, _ in paths.get("straight", [])}
                   | ({info.defn.goal_year} if p.goal is not None else set()))
    if not years:
        return {}
    actual = {x.year: x.value for x in p.levels}
    series: list[dict[str, Any]] = [{
        "name": "实际值", "type": "line", "connectNulls": False, "symbolSize": 8,
        "data": [_r(actual.get(y)) for y in years],
    }]
    names = {"straight": "直线进度轨迹", "growth": "按所需增速轨迹"}
    for key, data in paths.items():
        values = dict(data)
        series.append({"name": names[key], "type": "line", "symbol": "none",
                       "lineStyle": {"type": "dashed" if key == "straight" else "dotted"},
                       "data": [_r(values.get(y)) for y in years]})
    if p.goal is not None:
        series.append({"name": "目标值", "type": "scatter", "symbol": "diamond", "symbolSize": 14,
                       "data": [_r(p.goal) if y == info.defn.goal_year else None for y in years]})
    if p.milestones:
        ms = {m.year: m.value for m in p.milestones}
        series.append({"name": "阶段目标", "type": "scatter", "symbol": "triangle", "symbolSize": 12,
                       "data": [_r(ms.get(y)) for y in years]})
    if p.projected is not None and p.levels and info.defn.kind != "new_per_year":
        last = p.levels[-1]
        series.append({"name": "按近期速度预测", "type": "line", "symbol": "none", "lineStyle": {"type": "dotted"},
                       "data": [_r(last.value) if y == last.year else (_r(p.projected) if y == info.defn.goal_year
                                                                         else None) for y in years],
                       "connectNulls": True})
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": [str(y) for y in years]},
        "yAxis": {"type": "value", "name": info.spec.unit, "scale": True},
        "series": series,
    }


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)
