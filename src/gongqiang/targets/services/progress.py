"""Progress of the targets for one user: load the rows the user may see, compute, attach overrides.

One query for the observations, one for the overrides, whatever the number of targets (no N+1).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongqiang.core.models import Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS

from ..compute import (
    STATUS_COLOURS,
    STATUS_LABELS,
    Period,
    Progress,
    Status,
    annual_points,
    county_def,
    evaluate,
    with_override,
)
from ..models import Allocation, Observation, StatusOverride
from .access import visible_targets
from .catalog import Catalog, TargetInfo, catalog

Series = dict[tuple[str, int], list[tuple[Period, float]]]


@dataclass
class TargetRow:
    info: TargetInfo
    progress: Progress
    region: Region
    override: StatusOverride | None = None
    allocation: Allocation | None = None
    sources: set[str] = field(default_factory=set)

    @property
    def spark(self) -> list[float]:
        return [p.value for p in self.progress.levels]


def period_of(key: str, year: int, months: int) -> Period:
    kind = "quarter" if "Q" in key else ("month" if "-" in key else "year")
    return Period(year, months, kind)


def city_region() -> Region:
    # scope: reviewed — the city node is the anchor of the city totals, which every member may read.
    return Region.objects.get(kind="city")


def load_series(user: Any, *, targets: list[str] | None = None, regions: list[int] | None = None,
                county_level: bool = False) -> tuple[Series, dict[tuple[str, int], set[str]]]:
    """Current observations the user may see → (target, region id) → [(period, value)], and their sources."""
    qs = Observation.objects.visible_to(user).filter(is_current=True)
    if targets is not None:
        qs = qs.filter(target__in=targets)
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    if county_level:
        qs = qs.filter(region__kind__in=COUNTY_LEVEL_KINDS)
    series: Series = defaultdict(list)
    sources: dict[tuple[str, int], set[str]] = defaultdict(set)
    for target, region_id, key, year, months, value, source in qs.values_list(
        "target", "region_id", "period", "year", "months", "value", "source"
    ):
        series[(target, region_id)].append((period_of(key, year, months), float(value)))
        sources[(target, region_id)].add(source)
    return series, sources


def load_overrides(user: Any, targets: list[str] | None = None) -> dict[tuple[str, int], StatusOverride]:
    qs = StatusOverride.objects.visible_to(user).filter(is_current=True)
    if targets is not None:
        qs = qs.filter(target__in=targets)
    return {(o.target, o.region_id): o for o in qs}


def progress_of(info: TargetInfo, cat: Catalog, observations: list[tuple[Period, float]], today: dt.date,
                override: StatusOverride | None = None, allocation: Allocation | None = None) -> Progress:
    defn = info.defn
    if allocation is not None:
        start = float(allocation.start_value) if allocation.start_value is not None else None
        defn = county_def(defn, start, float(allocation.goal_value))
    if cat.rules is None:
        return Progress(Status.no_data, "政策包未给出进度判定规则（progress）")
    p = evaluate(defn, annual_points(observations, flow=defn.flow), cat.rules, today)
    if override is not None and override.status in Status.__members__:
        with_override(p, Status(override.status), override.reason)
    return p


def city_rows(user: Any, today: dt.date, cat: Catalog | None = None) -> list[TargetRow]:
    """Every target the user may see, with the city total's progress."""
    cat = cat or catalog()
    city = city_region()
    infos = visible_targets(user, cat)
    ids = [i.id for i in infos]
    series, sources = load_series(user, targets=ids, regions=[city.pk])
    overrides = load_overrides(user, ids)
    rows = []
    for info in infos:
        key = (info.id, city.pk)
        override = overrides.get(key)
        rows.append(TargetRow(info, progress_of(info, cat, series.get(key, []), today, override), city, override,
                              sources=sources.get(key, set())))
    return rows


def county_rows(user: Any, today: dt.date, cat: Catalog | None = None, target: str | None = None) -> list[TargetRow]:
    """Every decomposed (target, county) the user may see, with the county's progress against its share."""
    cat = cat or catalog()
    visible = {i.id for i in visible_targets(user, cat)}
    allocations = Allocation.objects.visible_to(user).filter(is_current=True).select_related("region")
    if target is not None:
        allocations = allocations.filter(target=target)
    allocations = [a for a in allocations if a.target in visible and a.target in cat.by_id]
    ids = sorted({a.target for a in allocations})
    series, sources = load_series(user, targets=ids, county_level=True)
    overrides = load_overrides(user, ids)
    rows = []
    for a in allocations:
        info = cat.by_id[a.target]
        key = (a.target, a.region_id)
        p = progress_of(info, cat, series.get(key, []), today, overrides.get(key), a)
        rows.append(TargetRow(info, p, a.region, overrides.get(key), a, sources.get(key, set())))
    rows.sort(key=lambda r: (r.info.order, r.region.sort_order))
    return rows


def group_summary(rows: list[TargetRow], cat: Catalog) -> list[dict[str, Any]]:
    """Per goal group: the counts by status, in the pack's order of groups."""
    groups: dict[str, dict[str, Any]] = {
        g.id: {"id": g.id, "name": g.name, "section": g.section, "counts": {s: 0 for s in Status}, "total": 0}
        for g in cat.spec.goal_groups
    }
    for row in rows:
        g = groups[row.info.spec.group]
        g["counts"][row.progress.status] += 1
        g["total"] += 1
    out = []
    for g in groups.values():
        if not g["total"]:
            continue
        c = g["counts"]
        g["on_time"] = c[Status.achieved] + c[Status.on_track]
        g["behind"] = c[Status.behind] + c[Status.seriously_behind]
        g["no_data"] = c[Status.no_data]
        g["tracked"] = c[Status.tracked]
        g["colour"] = STATUS_COLOURS[next((s for s in (Status.seriously_behind, Status.behind, Status.no_data)
                                           if c[s]), Status.achieved)]
        out.append(g)
    return out


def status_counts(rows: list[TargetRow]) -> list[tuple[Status, str, int]]:
    counts = {s: 0 for s in Status}
    for r in rows:
        counts[r.progress.status] += 1
    return [(s, STATUS_LABELS[s], counts[s]) for s in Status]


def as_decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 6)))
