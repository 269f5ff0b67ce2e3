"""Factories for the evaluation app's tests: a published run with results, and low-efficiency entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory

from gongqiang.evaluation.models import (
    EvaluationRun,
    ListStatus,
    LowEfficiencyEntry,
    Result,
    RunKind,
    RunStatus,
)

from .factories import EnterpriseFactory


def published_run(year: int, *, version: int = 1, status: str = RunStatus.PUBLISHED) -> EvaluationRun:
    """An official run of `year` with the pack's method of that year, published (no results yet)."""
    from gongqiang.evaluation.services.methods import current_version

    method = current_version(year)
    return EvaluationRun.objects.create(
        year=year,
        version=version,
        kind=RunKind.OFFICIAL,
        status=status,
        method=method,
        method_spec=method.spec,
        method_hash=method.sha256,
        snapshot_hash="0" * 64,
        published_at=dt.datetime(year + 1, 7, 20, tzinfo=dt.UTC) if status == RunStatus.PUBLISHED else None,
    )


def result(
    run: EvaluationRun,
    enterprise: Any,
    *,
    group: str | None = None,
    status: str = "evaluated",
    klass: str = "C",
    low: bool = False,
    land: str | None = "10",
    tax: str | None = "5",
    reason: str = "",
) -> Result:
    group = group or ("above_scale" if enterprise.above_scale else "below_scale")
    return Result.objects.create(
        run=run,
        enterprise=enterprise,
        region=enterprise.region,
        unit=enterprise.region.code,
        group=group,
        status=status,
        computed_class=klass,
        final_class=klass,
        total=Decimal("60"),
        low_efficiency=low,
        low_efficiency_reason=reason or ("规上企业亩均税收3万元及以下" if low else ""),
        land_mu=Decimal(land) if land is not None else None,
        tax_per_mu=Decimal(tax) if tax is not None else None,
    )


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LowEfficiencyEntry

    enterprise = factory.SubFactory(EnterpriseFactory)
    region = factory.LazyAttribute(lambda o: o.enterprise.region)
    cohort_year = 2021
    group = factory.LazyAttribute(lambda o: "above_scale" if o.enterprise.above_scale else "below_scale")
    reason = "规上企业亩均税收3万元及以下"
    land_mu = Decimal("20")
    tax_per_mu = Decimal("2.5")
    status = ListStatus.LISTED
    status_date = dt.date(2022, 7, 15)


def walk_rows(world: Any) -> dict[str, LowEfficiencyEntry]:
    """One entry per county of the scope walk's world (兰山, 罗庄, 河东) and a published run with their
    results, so that the list pages have something own and something foreign to (not) show."""
    run = published_run(2021)
    out = {}
    for key in ("lanshan_ent", "lanshan_below", "luozhuang_ent", "hedong_ent"):
        ent = getattr(world, key)
        result(run, ent, low=ent.above_scale, klass="D", land="15", tax="2")
        out[key] = EntryFactory(enterprise=ent, first_run=run, first_batch=True)
    return out


__all__ = ["EntryFactory", "published_run", "result", "walk_rows"]
