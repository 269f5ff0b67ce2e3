"""Target values computed from the registry's current facts (a Polars frame), per city and per county.

The frame is `enterprises.services.facts.current_facts(year, metrics)`: columns uscc, enterprise_id,
region (county code in that year), above_scale, metric, value (Decimal, in the metric's stored unit).
Pure: Polars only. Each result says how many enterprises it read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Computed:
    value: Decimal
    enterprises: int


def _rows(frame: pl.DataFrame, metric: str, above_scale_only: bool) -> pl.DataFrame:
    rows = frame.filter(pl.col("metric") == metric)
    if above_scale_only:
        rows = rows.filter(pl.col("above_scale"))
    return rows


def _per_region(rows: pl.DataFrame, agg: list[pl.Expr]) -> dict[str | None, dict[str, Any]]:
    """{None: city totals, region code: county totals} of the aggregations."""
    out: dict[str | None, dict[str, Any]] = {}
    if rows.is_empty():
        return out
    out[None] = rows.select(agg).row(0, named=True)
    for r in rows.group_by("region").agg(agg).iter_rows(named=True):
        if r["region"] is not None:
            out[r["region"]] = r
    return out


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def sum_metric(frame: pl.DataFrame, metric: str, *, above_scale_only: bool, unit_divisor: Decimal
               ) -> dict[str | None, Computed]:
    rows = _rows(frame, metric, above_scale_only)
    agg = [pl.col("value").sum().alias("total"), pl.col("enterprise_id").n_unique().alias("n")]
    return {k: Computed((_dec(v["total"]) / unit_divisor).quantize(PLACES), v["n"])
            for k, v in _per_region(rows, agg).items()}


def count_enterprises(frame: pl.DataFrame, metric: str, *, above_scale_only: bool, min_value: float | None
                      ) -> dict[str | None, Computed]:
    rows = _rows(frame, metric, above_scale_only)
    if min_value is not None:
        rows = rows.filter(pl.col("value").cast(pl.Float64) > min_value)
    agg = [pl.col("enterprise_id").n_unique().alias("n")]
    return {k: Computed(Decimal(v["n"]), v["n"]) for k, v in _per_region(rows, agg).items()}


def _ratio(frame: pl.DataFrame, numerator: str, denominator: str, above_scale_only: bool
           ) -> dict[str | None, tuple[Decimal, int]]:
    """Σ numerator ÷ Σ denominator over the enterprises that report both (a firm without value added
    would otherwise inflate its county's energy intensity)."""
    num = _rows(frame, numerator, above_scale_only).select("enterprise_id", "region", pl.col("value").alias("num"))
    den = _rows(frame, denominator, above_scale_only).select("enterprise_id", pl.col("value").alias("den"))
    both = num.join(den, on="enterprise_id", how="inner").filter(pl.col("den") > 0)
    agg = [pl.col("num").sum().alias("num"), pl.col("den").sum().alias("den"),
           pl.col("enterprise_id").n_unique().alias("n")]
    return {k: (_dec(v["num"]) / _dec(v["den"]), v["n"]) for k, v in _per_region(both, agg).items() if v["den"]}


def intensity_decrease(frame: pl.DataFrame, base: pl.DataFrame, numerator: str, denominator: str, *,
                       above_scale_only: bool) -> dict[str | None, Computed]:
    """The cut in % of (Σ numerator ÷ Σ denominator) against the baseline year: (1 − now ÷ base) × 100."""
    now, then = _ratio(frame, numerator, denominator, above_scale_only), _ratio(base, numerator, denominator,
                                                                              above_scale_only)
    out = {}
    for key, (ratio, n) in now.items():
        if key in then and then[key][0]:
            out[key] = Computed(((1 - ratio / then[key][0]) * 100).quantize(PLACES), n)
    return out
