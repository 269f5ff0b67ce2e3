"""Writing a run's results: one set-based insert of the engine's frame (`enterprises.services.bulk.insert_frame`:
COPY on PostgreSQL, one json_each INSERT on SQLite), the trace as JSON built by Polars. The ORM's bulk_create
spends seconds on 18,000 wide rows."""

from __future__ import annotations

import polars as pl

from gongqiang.core.models import Region
from gongqiang.enterprises.services.bulk import insert_frame

from ..compute.engine import EvaluationResult
from ..models import EvaluationRun, Result


def hundredths_text(col: str) -> pl.Expr:
    """Integer hundredths → exact decimal text ("-2.05"), null stays null."""
    v = pl.col(col)
    whole = (v.abs() // 100).cast(pl.String)
    part = (v.abs() % 100).cast(pl.String).str.zfill(2)
    sign = pl.when(v < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return (
        pl.when(v.is_null())
        .then(pl.lit(None, pl.String))
        .otherwise(pl.concat_str([sign, whole, pl.lit("."), part]))
    )


def _fixed(col: str, places: int = 4) -> pl.Expr:
    v = pl.col(col).cast(pl.Float64)
    ok = v.is_not_null() & v.is_finite()
    return pl.when(ok).then(v.round(places).cast(pl.String)).otherwise(pl.lit(None, pl.String))


def _detail(result: EvaluationResult, frame: pl.DataFrame) -> pl.Expr:
    method = result.method
    codes = result.indicator_codes()

    def per(suffix: str, expr) -> pl.Expr:  # type: ignore[no-untyped-def]
        return pl.struct([expr(f"{c}_{suffix}").alias(c) for c in codes])

    return pl.struct(
        per("score", hundredths_text).alias("scores"),
        per("value", _fixed).alias("values"),
        per("benchmark", _fixed).alias("benchmarks"),
        per("benchmark_year", pl.col).alias("benchmark_years"),
        per("ratio", _fixed).alias("ratios"),
        per("rule", pl.col).alias("rules"),
        hundredths_text("bonus").alias("bonus"),
        hundredths_text("penalty").alias("penalty"),
        pl.col("veto_items"),
        pl.concat_list([pl.when(pl.col(i)).then(pl.lit(i)) for i in method.item_codes()])
        .list.drop_nulls()
        .alias("items")
        if method.item_codes()
        else pl.lit([], pl.List(pl.String)).alias("items"),
        pl.struct([_fixed(m) for m in method.metrics()]).alias("inputs"),
        pl.col("n"),
        pl.struct([pl.col(f"places_{c}").alias(c) for c in "ABCD"]).alias("places"),
    ).struct.json_encode()


def result_rows(run: EvaluationRun, result: EvaluationResult) -> pl.DataFrame:
    """The engine's frame as rows of the `Result` table (columns named as the table's)."""
    # scope: reviewed — county-level regions are reference data for the whole city.
    regions = pl.DataFrame(
        list(Region.objects.filter(kind__in=["district", "county", "zone"]).values_list("code", "pk")),
        schema={"region": pl.String, "region_id": pl.Int64},
        orient="row",
    )
    frame = result.as_text().join(regions, on="region", how="inner")
    tax_per_mu = "tax_per_mu_value" if "tax_per_mu_value" in frame.columns else None
    return frame.select(
        pl.lit(run.pk, pl.Int64).alias("run_id"),
        pl.col("enterprise_id").cast(pl.Int64),
        "region_id",
        pl.col("unit"),
        pl.col("group").fill_null("").alias("group"),
        pl.col("status"),
        pl.col("industry").fill_null("").str.slice(0, 4).alias("industry_code"),
        pl.col("class").fill_null("").alias("computed_class"),
        pl.lit("").alias("adjusted_class"),
        pl.lit("").alias("adjust_reason"),
        pl.col("class").fill_null("").alias("final_class"),
        hundredths_text("total").alias("total"),
        pl.col("rank"),
        pl.col("veto").fill_null(False),
        pl.col("low_efficiency").fill_null(False),
        pl.col("low_efficiency_reason").fill_null("").str.slice(0, 200),
        pl.col("reason").fill_null(""),
        _fixed("land_mu").alias("land_mu"),
        (_fixed(tax_per_mu) if tax_per_mu else pl.lit(None, pl.String)).alias("tax_per_mu"),
        _detail(result, frame).alias("detail"),
    )


def persist(run: EvaluationRun, result: EvaluationResult) -> int:
    return insert_frame(Result._meta.db_table, result_rows(run, result))
