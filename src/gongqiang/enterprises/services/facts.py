"""The current-value view every computation reads: one row per enterprise, metric (and month) with the
value that is current now, as a Polars frame. Scoped when a user is given (the same rule as the pages)."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db.models import CharField
from django.db.models.functions import Cast

from ..models import EnterpriseYear, Fact
from .bulk import DECIMAL

SCHEMA: dict[str, Any] = {
    "uscc": pl.String,
    "enterprise_id": pl.Int64,
    "region": pl.String,
    "above_scale": pl.Boolean,
    "metric": pl.String,
    "month": pl.Int64,
    "value": DECIMAL,
}


def current_facts(
    year: int, metrics: list[str] | None = None, *, user: Any = None, month: int | None = 0
) -> pl.DataFrame:
    """Columns: uscc, enterprise_id, region (code of the county the enterprise belonged to in `year`:
    its EnterpriseYear of that year, else its current region), above_scale (likewise), metric, month,
    value (Decimal, in the metric's stored unit). `month=0` (default) gives the yearly figures,
    `month=None` every month as well. With `user`, only facts the user may see."""
    facts = Fact.objects.visible_to(user) if user is not None else Fact.objects.all()
    facts = facts.filter(year=year, is_current=True)
    if metrics is not None:
        facts = facts.filter(metric__in=list(metrics))
    if month is not None:
        facts = facts.filter(month=month)
    rows = facts.values_list(
        "enterprise__uscc",
        "enterprise_id",
        "enterprise__region__code",
        "enterprise__above_scale",
        "metric",
        "month",
        Cast("value", CharField()),
    ).order_by("enterprise__uscc", "metric", "month")
    frame = pl.DataFrame(
        list(rows),
        schema={**SCHEMA, "value": pl.String},
        orient="row",
    ).with_columns(pl.col("value").cast(DECIMAL, strict=False))
    if frame.is_empty():
        return frame
    years = pl.DataFrame(
        list(
            EnterpriseYear.objects.filter(year=year).values_list(
                "enterprise_id", "region__code", "above_scale"
            )
        ),
        schema={"enterprise_id": pl.Int64, "year_region": pl.String, "year_above": pl.Boolean},
        orient="row",
    )
    return (
        frame.join(years, on="enterprise_id", how="left")
        .with_columns(
            pl.coalesce("year_region", "region").alias("region"),
            pl.coalesce("year_above", "above_scale").alias("above_scale"),
        )
        .select(list(SCHEMA))
    )
