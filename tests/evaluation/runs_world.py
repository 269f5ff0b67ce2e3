"""Evaluation runs for page and service tests, built from a hand-made data frame (no registry import):
ten enterprises per county (兰山, 罗庄, 河东) plus the world's, published through the whole workflow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from gongqiang.evaluation.models import EvaluationRun, RunKind
from gongqiang.evaluation.services import runs
from gongqiang.evaluation.services.methods import current_version, to_method

COUNTIES = ("371302", "371311", "371312")
METRICS = (
    "land_mu",
    "tax_paid",
    "revenue",
    "energy_tce",
    "pollutant_eq",
    "rd_spending",
    "value_added",
    "employees",
)


def enterprises(world: Any, per_county: int = 10) -> list[Any]:
    from gongqiang.testing.factories import EnterpriseFactory, region

    ents = [world.lanshan_ent, world.luozhuang_ent, world.hedong_ent]
    for code in COUNTIES:
        for n in range(per_county):
            ents.append(
                EnterpriseFactory(region=region(code), name=f"{code}测试企业{n:02d}", industry_code="3311")
            )
    return ents


def frame(
    ents: list[Any],
    *,
    year: int = 2024,
    bump: dict[int, dict[str, float]] | None = None,
    items: dict[int, list[str]] | None = None,
) -> pl.DataFrame:
    """One row per enterprise; the n-th of each county pays more tax per 亩 than the (n-1)-th."""
    method = to_method(current_version(year).spec)
    codes = method.item_codes()
    rows = []
    for n, e in enumerate(ents):
        k = n % 13 + 1
        row = {
            "enterprise_id": e.pk,
            "uscc": e.uscc,
            "name": e.name,
            "region": e.region.code,
            "above_scale": True,
            "industry": e.industry_code or "3311",
            "new_above_scale": False,
            "land_mu": 10.0,
            "tax_paid": 100000.0 * k,
            "revenue": 5000000.0 * k,
            "energy_tce": 100.0,
            "pollutant_eq": 10.0,
            "rd_spending": 50000.0 * k,
            "value_added": 1000000.0 * k,
            "employees": 50.0,
        }
        row.update((bump or {}).get(e.pk, {}))
        for c in codes:
            row[c] = 1 if c in (items or {}).get(e.pk, []) else 0
        rows.append(row)
    schema = {
        "enterprise_id": pl.Int64,
        "uscc": pl.String,
        "name": pl.String,
        "region": pl.String,
        "above_scale": pl.Boolean,
        "industry": pl.String,
        "new_above_scale": pl.Boolean,
        **{m: pl.Float64 for m in METRICS},
        **{c: pl.Int8 for c in codes},
    }
    return pl.DataFrame(rows, schema=schema).sort("uscc")


def draft(
    frame_: pl.DataFrame,
    user: Any,
    *,
    year: int = 2024,
    based_on: EvaluationRun | None = None,
    reason: str = "测试评价",
) -> EvaluationRun:
    version = current_version(year)
    return runs._create(
        year,
        RunKind.OFFICIAL,
        version,
        to_method(version.spec),
        frame_,
        None,
        user,
        based_on=based_on,
        reason=reason,
        waiver_reason="",
        blockers=0,
    )


def publish(run: EvaluationRun, user: Any) -> EvaluationRun:
    year = run.year
    run = runs.step(run, "open_review", user, today=dt.date(year + 1, 7, 2))
    for region in runs.pending_reviews(run):
        runs.confirm_unit(run, region, user, "同意")
    run = runs.step(run, "submit", user, today=dt.date(year + 1, 7, 8))
    run = runs.step(run, "approve", user, today=dt.date(year + 1, 7, 10))
    return runs.step(run, "publish", user, today=dt.date(year + 1, 7, 20))


def published(world: Any, user: Any, *, year: int = 2024) -> tuple[EvaluationRun, list[Any]]:
    ents = enterprises(world)
    return publish(draft(frame(ents, year=year), user, year=year), user), ents
