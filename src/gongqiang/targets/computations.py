"""Targets computed from the registry: the computation the pack names, run over the current facts.

`run` writes one observation per year (and per county when `by_region`) with source "computed", the
computation's name and what it read (metric, years, number of enterprises). The computed value is the
default: it replaces an earlier computed value that differs, and fills a period without a value; a
value a person entered or imported for the same period stands (it was a deliberate choice), and the
run reports it as kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from gongqiang.core.models import Department, Region

from .compute import registry
from .models import Observation, Source
from .services.catalog import Catalog, TargetInfo, catalog

ACTOR = "system:computation"


@dataclass
class RunReport:
    written: int = 0
    unchanged: int = 0
    kept_manual: int = 0
    years_without_facts: dict[str, list[int]] = field(default_factory=dict)

    def describe(self) -> str:
        missing = "；".join(f"{t}：{'、'.join(map(str, ys))}年无企业库数据"
                           for t, ys in self.years_without_facts.items() if ys)
        return (f"计算写入 {self.written} 条，未变化 {self.unchanged} 条，保留人工值 {self.kept_manual} 条"
                + (f"；{missing}" if missing else "") + "。")


def load_facts(year: int, metrics: list[str]) -> pl.DataFrame:
    from gongqiang.enterprises.services.facts import current_facts

    return current_facts(year, metrics)


def compute_target(info: TargetInfo, year: int, facts: Any) -> dict[str | None, registry.Computed]:
    """`facts(year, metrics) -> frame` is injected, so this is testable with a fake frame."""
    c = info.spec.computation
    assert c is not None
    if c.name == "sum_metric":
        return registry.sum_metric(facts(year, [c.metric]), c.metric, above_scale_only=c.above_scale_only,
                                   unit_divisor=Decimal(c.unit_divisor))
    if c.name == "count_enterprises":
        return registry.count_enterprises(facts(year, [c.metric]), c.metric, above_scale_only=c.above_scale_only,
                                          min_value=c.min_value)
    assert c.denominator is not None
    metrics = [c.metric, c.denominator]
    return registry.intensity_decrease(facts(year, metrics), facts(info.defn.start_year, metrics), c.metric,
                                       c.denominator, above_scale_only=c.above_scale_only)


def _inputs(info: TargetInfo, year: int, n: int) -> dict[str, Any]:
    c = info.spec.computation
    assert c is not None
    years = [info.defn.start_year, year] if c.name == "intensity_decrease" else [year]
    return {"description": c.note or c.name, "metric": c.metric, "denominator": c.denominator,
            "above_scale_only": c.above_scale_only, "unit_divisor": c.unit_divisor, "years": years,
            "enterprises": n, "source": "企业库现行数据（enterprises.current_facts）"}


def run(targets: list[str] | None = None, years: list[int] | None = None, *, today: dt.date | None = None,
        facts: Any = load_facts, cat: Catalog | None = None, actor: str = ACTOR) -> RunReport:
    """Compute the pack's computed targets for the given (or every closed) year and persist them."""
    cat = cat or catalog()
    today = today or timezone.localdate()
    report = RunReport()
    # scope: reviewed — a system job: it writes city and county totals for everyone.
    regions = {r.code: r for r in Region.objects.filter(kind__in=["city", "district", "county", "zone"])}
    city = next(r for r in regions.values() if r.kind == "city")
    cache: dict[tuple[int, tuple[str, ...]], pl.DataFrame] = {}

    def cached(year: int, metrics: list[str]) -> pl.DataFrame:
        key = (year, tuple(metrics))
        if key not in cache:
            cache[key] = facts(year, metrics)
        return cache[key]

    for info in cat.targets:
        if info.spec.computation is None or (targets is not None and info.id not in targets):
            continue
        span = years or [y for y in range(info.first_year, info.last_year + 1) if dt.date(y, 12, 31) < today]
        missing = report.years_without_facts.setdefault(info.id, [])
        for year in span:
            values = compute_target(info, year, cached)
            if not values:
                missing.append(year)
                continue
            by_region = {city: values[None]} if None in values else {}
            if info.spec.computation.by_region:
                by_region.update({regions[k]: v for k, v in values.items() if k is not None and k in regions})
            _persist(cat, info, year, by_region, report, actor)
    return report


def record_computed(target_id: str, year: int, values: dict[str | None, Decimal], *, computation: str,
                    inputs: dict[str, Any], actor: str = "system:evaluation") -> int:
    """Persist figures another app computed (the evaluation's task-one figures) as computed observations
    of `target_id` for `year`: {region code or None for the city: value}. Returns rows written."""
    cat = catalog()
    info = cat.get(target_id)
    # scope: reviewed — a system job, see run().
    regions = {r.code: r for r in Region.objects.filter(kind__in=["city", "district", "county", "zone"])}
    city = next(r for r in regions.values() if r.kind == "city")
    by_region = {(city if k is None else regions[k]): registry.Computed(value=v, enterprises=0)
                 for k, v in values.items() if k is None or k in regions}
    report = RunReport()
    _persist(cat, info, year, by_region, report, actor, computation=computation, inputs=inputs)
    return report.written


def _persist(cat: Catalog, info: TargetInfo, year: int, values: dict[Region, registry.Computed], report: RunReport,
             actor: str, *, computation: str | None = None, inputs: dict[str, Any] | None = None) -> None:
    # scope: reviewed — a system job, see run().
    department = Department.objects.get(code=info.spec.owner)
    now = timezone.now()
    with transaction.atomic():
        current = {o.region_id: o for o in Observation.objects.filter(
            target=info.id, period=str(year), is_current=True, region__in=list(values))}
        new, replaced = [], []
        for region, computed in values.items():
            old = current.get(region.pk)
            if old is not None and old.source != Source.COMPUTED:
                report.kept_manual += 1
                continue
            if old is not None and old.value == computed.value:
                report.unchanged += 1
                continue
            if old is not None:
                replaced.append(old.pk)
            new.append(Observation(
                target=info.id, region=region, department=department, period=str(year), year=year, months=12,
                value=computed.value, unit=info.spec.unit, source=Source.COMPUTED,
                computation=computation or info.spec.computation.name,
                inputs=inputs if inputs is not None else _inputs(info, year, computed.enterprises),
                created_by_name=actor, pack_version=cat.pack_version, pack_hash=cat.pack_hash,
            ))
        # Bulk: the rows themselves are the record (who: the actor, what: the computation and its inputs).
        Observation.objects.filter(pk__in=replaced).update(is_current=False, superseded_at=now,
                                                           superseded_by_name=actor)
        Observation.objects.bulk_create(new)
        report.written += len(new)
