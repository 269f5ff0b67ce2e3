"""`gongqiang demo_targets`: observations 2021–2025 that tell the demo's story (see demo_story.py).

Computed from the registry's demo facts where they exist (G1.1, G1.2, G5.1, per county too), entered or
imported otherwise; county shares of four targets with county figures whose pace differs by county (so
the ranking ranks), one unassigned remainder (flagged), and one manual status override. Idempotent: the
demo's own rows (written by "system:demo") are replaced on every run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gongqiang.core.models import Department, Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS

from .computations import run as run_computations
from .compute import parse_period
from .compute.periods import closes_on
from .demo_story import COMPUTED_FALLBACK, IMPORTED, NOTES, OVERRIDES, SERIES, SPLITS
from .models import Allocation, ImportKind, ImportStatus, Observation, Source, StatusOverride, TargetImport
from .services.catalog import Catalog, TargetInfo, catalog

ACTOR = "system:demo"
Q6 = Decimal("0.000001")


def _d(value: float) -> Decimal:
    return Decimal(str(round(value, 6))).quantize(Q6)


def build_demo_targets(*, seed: int = 2026, today: dt.date | None = None, stdout: Any = None) -> dict[str, int]:
    today = today or timezone.localdate()
    cat = catalog()
    # scope: reviewed — a system job writing the demo for the whole city.
    regions = list(Region.objects.filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order"))
    city = Region.objects.get(kind="city")
    with transaction.atomic():
        StatusOverride.objects.filter(created_by_name=ACTOR).delete()
        Allocation.objects.filter(created_by_name=ACTOR).delete()
        Observation.objects.filter(created_by_name=ACTOR).delete()
        TargetImport.objects.filter(uploaded_by_name=ACTOR).delete()
    computed = run_computations(today=today, cat=cat)
    computed_ids = {o for o in Observation.objects.filter(source=Source.COMPUTED, region=city)
                    .values_list("target", flat=True).distinct()}
    series = dict(SERIES)
    for target, values in COMPUTED_FALLBACK.items():
        if target not in computed_ids:
            series[target] = values
    batch = _demo_batch(city)
    rows = []
    for target, values in series.items():
        info = cat.by_id.get(target)
        if info is None:
            continue
        for period, value in values.items():
            rows.append(_obs(cat, info, city, period, value, batch if target in IMPORTED else None, today))
    county_rows, allocations = _counties(cat, city, regions, series, seed, today)
    with transaction.atomic():
        Observation.objects.bulk_create(rows + county_rows)
        Allocation.objects.bulk_create(allocations)
        batch.rows = batch.written = sum(1 for r in rows if r.batch_id)
        batch.save(update_fields=["rows", "written"])
        for target, (status, reason) in OVERRIDES.items():
            StatusOverride.objects.create(target=target, region=city, status=status, reason=reason,
                                          department=_dept(cat.by_id[target]), created_by_name=ACTOR)
    counts = {"computed": computed.written, "entered": len(rows), "county": len(county_rows),
              "allocations": len(allocations)}
    if stdout is not None:
        stdout.write(f"目标演示数据：计算 {computed.written} 条，填报/导入 {len(rows)} 条，县区 {len(county_rows)} 条，"
                     f"分解 {len(allocations)} 条。{computed.describe()}")
    return counts


def _dept(info: TargetInfo) -> Department:
    # scope: reviewed — departments are public reference data.
    return Department.objects.get(code=info.spec.owner)


def _demo_batch(city: Region) -> TargetImport:
    name = "演示数据-各部门目标季报.xlsx"
    return TargetImport.objects.create(
        kind=ImportKind.OBSERVATIONS, region=city, file_name=name, file_hash=hashlib.sha256(name.encode()).hexdigest(),
        status=ImportStatus.COMMITTED, uploaded_by_name=ACTOR,
    )


def _obs(cat: Catalog, info: TargetInfo, region: Region, period_key: str, value: float,
         batch: TargetImport | None, today: dt.date, note: str = "") -> Observation:
    period = parse_period(period_key)
    schedule = cat.spec.supervision.schedule
    due = closes_on(period, schedule.monthly_dispatch_due_day, schedule.annual_assessment_due)
    return Observation(
        target=info.id, region=region, department=_dept(info), period=period.key, year=period.year,
        months=period.months, value=_d(value), unit=info.spec.unit, entered_value=_d(value),
        entered_unit=info.spec.unit, source=Source.IMPORTED if batch else Source.ENTERED,
        note=note or NOTES.get(info.id, "演示数据：责任部门报送"), batch=batch, created_by_name=ACTOR,
        late=period.key == "2024" and info.id == "T4.2" and today > due,  # one late report, audited as such
        pack_version=cat.pack_version, pack_hash=cat.pack_hash,
    )


def _weights(regions: list[Region]) -> dict[int, float]:
    """The counties' shares of the city: by their enterprises when the registry has them, else equal."""
    # scope: reviewed — the demo apportions city figures over all counties.
    counts = dict(Region.objects.filter(pk__in=[r.pk for r in regions]).annotate(n=Count("enterprises"))
                  .values_list("pk", "n"))
    # At least one each: a county without enterprises in a small demo still gets a (small) share.
    sizes = {r.pk: max(counts.get(r.pk, 0), 1) for r in regions}
    total = sum(sizes.values())
    return {pk: n / total for pk, n in sizes.items()}


def _counties(cat: Catalog, city: Region, regions: list[Region], series: dict[str, dict[str, float]], seed: int,
              today: dt.date) -> tuple[list[Observation], list[Allocation]]:
    rng = random.Random(seed)
    weights = _weights(regions)
    # scope: reviewed — the demo reads back the county values its computation just wrote.
    computed = {(o.target, o.region_id, o.period): float(o.value) for o in Observation.objects.filter(
        source=Source.COMPUTED, is_current=True, region__in=regions)}
    observations, allocations = [], []
    for target, options in SPLITS.items():
        info = cat.by_id[target]
        goal = info.defn.goal_value * (info.defn.start_value or 1) if info.defn.kind == "multiple_of_baseline" \
            else info.defn.goal_value
        if goal is None:
            continue
        base_year = str(info.defn.start_year)
        # Without registry facts the computed targets fall back to entered figures, shared out like the rest.
        has_computed = any(k[0] == target for k in computed)
        starts = {r.pk: computed.get((target, r.pk, base_year)) for r in regions}
        total_start = sum(v for v in starts.values() if v) or 0
        share_of = {r.pk: (starts[r.pk] / total_start if total_start and starts[r.pk] else weights[r.pk])
                    for r in regions}
        factor = options.get("mismatch", 1.0)
        for r in regions:
            allocations.append(Allocation(
                target=target, region=r, department=_dept(info), goal_value=_d(goal * share_of[r.pk] * factor),
                start_value=_d(starts[r.pk]) if starts[r.pk] else None, unit=info.spec.unit,
                note="演示：按2021年占比分解" if starts[r.pk] else "演示：按企业数占比分解", created_by_name=ACTOR))
        if has_computed:
            continue  # the counties' values are the registry's
        # Per-county pace: the city figure of each period shared out with a county-specific drift.
        pace = {r.pk: rng.uniform(0.75, 1.25) for r in regions}
        for period, value in series.get(target, {}).items():
            year = parse_period(period).year
            raw = {r.pk: share_of[r.pk] * pace[r.pk] ** (year - 2021) for r in regions}
            norm = sum(raw.values())
            for r in regions:
                county_value = round(value * raw[r.pk] / norm)
                observations.append(_obs(cat, info, r, period, county_value, None, today, note="演示数据：县区报送"))
        _fix_rounding(observations, target, series.get(target, {}))
    return observations, allocations


def _fix_rounding(observations: list[Observation], target: str, city: dict[str, float]) -> None:
    """Counties' rounded counts add up to the city's figure exactly (the largest county takes the rest)."""
    for period, value in city.items():
        key = parse_period(period).key
        rows = [o for o in observations if o.target == target and o.period == key]
        if not rows:
            continue
        diff = _d(value) - sum((o.value for o in rows), Decimal(0))
        largest = max(rows, key=lambda o: o.value)
        largest.value += diff
        largest.entered_value = largest.value
