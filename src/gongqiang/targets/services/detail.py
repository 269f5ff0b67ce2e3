"""One target's page: the city's progress, its history with sources, the counties' shares and values."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from gongqiang.core.models.org import COUNTY_LEVEL_KINDS

from ..compute import check_sum
from ..models import Observation
from .access import sees_all_counties
from .catalog import Catalog, TargetInfo
from .progress import TargetRow, city_region, county_rows, load_overrides, load_series, progress_of


def city_row(user: Any, cat: Catalog, info: TargetInfo, today: dt.date) -> TargetRow:
    city = city_region()
    series, sources = load_series(user, targets=[info.id], regions=[city.pk])
    override = load_overrides(user, [info.id]).get((info.id, city.pk))
    key = (info.id, city.pk)
    return TargetRow(info, progress_of(info, cat, series.get(key, []), today, override), city, override,
                     sources=sources.get(key, set()))


def history(user: Any, info: TargetInfo) -> list[Observation]:
    """Every row of the target the user may see, current and replaced, newest first within a period."""
    return list(
        Observation.objects.visible_to(user).filter(target=info.id)
        .select_related("region", "batch").order_by("region__path", "-year", "-months", "-created_at")
    )


def county_table(user: Any, cat: Catalog, info: TargetInfo, today: dt.date, rows: list[Observation]
                 ) -> tuple[list[dict[str, Any]], list[TargetRow]]:
    """Per county: its share (if decomposed), its latest value and its progress."""
    allocated = county_rows(user, today, cat, target=info.id)
    by_region = {r.region.pk: r for r in allocated}
    latest: dict[int, Observation] = {}
    regions = {}
    for o in rows:
        if o.is_current and o.region.kind in COUNTY_LEVEL_KINDS:
            regions[o.region_id] = o.region
            if o.region_id not in latest or (o.year, o.months) > (latest[o.region_id].year, latest[o.region_id].months):
                latest[o.region_id] = o
    for r in allocated:
        regions[r.region.pk] = r.region
    table = []
    for region in sorted(regions.values(), key=lambda r: r.sort_order):
        table.append({"region": region, "row": by_region.get(region.pk), "latest": latest.get(region.pk)})
    return table, allocated


def sum_checks(user: Any, cat: Catalog, info: TargetInfo, city: TargetRow, allocated: list[TargetRow],
               rows: list[Observation]) -> dict[str, Any]:
    """Do the counties add up to the city? Shown only to those who see every county, for additive targets."""
    if not info.additive or not sees_all_counties(user) or cat.progress is None:
        return {}
    tol = cat.progress.decomposition_tolerance
    out: dict[str, Any] = {}
    if allocated and info.spec.target is not None:
        goal = city.progress.goal if city.progress.goal is not None else info.spec.target.value
        out["split"] = check_sum(goal, [float(r.allocation.goal_value) for r in allocated if r.allocation], tol)
    city_values: dict[str, float] = {}
    county_values: dict[str, list[float]] = defaultdict(list)
    for o in rows:
        if not o.is_current:
            continue
        if o.region.kind == "city":
            city_values[o.period] = float(o.value)
        elif o.region.kind in COUNTY_LEVEL_KINDS:
            county_values[o.period].append(float(o.value))
    out["values"] = [
        (period, check_sum(city_values.get(period), values, tol))
        for period, values in sorted(county_values.items()) if period in city_values
    ]
    return out
