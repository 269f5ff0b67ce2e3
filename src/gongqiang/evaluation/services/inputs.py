"""The engine's input for one year, read from the registry: one row per enterprise, metrics as columns.

The county and scale are those of the year (`EnterpriseYear`), facts the current ones
(`enterprises.services.facts.current_facts`), items from `ItemFlag`. The frame is the run's data
snapshot: stored with the run, so a what-if or a diff reads exactly what the run read.
"""

from __future__ import annotations

import hashlib
import io

import polars as pl

from gongqiang.core.policy.evaluation import EvaluationMethod
from gongqiang.enterprises.models import Enterprise, EnterpriseYear
from gongqiang.enterprises.services.facts import current_facts

from ..models import ItemFlag


def load_year(year: int, method: EvaluationMethod) -> pl.DataFrame:
    metrics = method.metrics()
    facts = current_facts(year, metrics)
    # scope: reviewed — the evaluation is a city-wide computation; results are read through the scope.
    years = pl.DataFrame(
        list(
            EnterpriseYear.objects.filter(year=year).values_list(
                "enterprise_id", "region__code", "above_scale", "industry_code", "status"
            )
        ),
        schema={
            "enterprise_id": pl.Int64,
            "region": pl.String,
            "above_scale": pl.Boolean,
            "industry": pl.String,
            "year_status": pl.String,
        },
        orient="row",
    )
    prev = pl.DataFrame(
        # scope: reviewed — as above.
        list(EnterpriseYear.objects.filter(year=year - 1).values_list("enterprise_id", "above_scale")),
        schema={"enterprise_id": pl.Int64, "above_prev": pl.Boolean},
        orient="row",
    )
    if facts.is_empty() and years.is_empty():
        return pl.DataFrame()
    wide = (
        facts.select("enterprise_id", "metric", pl.col("value").cast(pl.Float64)).pivot(
            on="metric", index="enterprise_id", values="value", aggregate_function="first"
        )
        if not facts.is_empty()
        else pl.DataFrame(schema={"enterprise_id": pl.Int64})
    )
    ids = pl.concat([years.select("enterprise_id"), wide.select("enterprise_id")]).unique()
    # scope: reviewed — as above.
    ents = pl.DataFrame(
        list(
            Enterprise.objects.filter(pk__in=ids["enterprise_id"].to_list()).values_list(
                "pk", "uscc", "name", "region__code", "above_scale", "industry_code"
            )
        ),
        schema={
            "enterprise_id": pl.Int64,
            "uscc": pl.String,
            "name": pl.String,
            "e_region": pl.String,
            "e_above": pl.Boolean,
            "e_industry": pl.String,
        },
        orient="row",
    )
    frame = (
        ents.join(ids, on="enterprise_id", how="semi")
        .join(years, on="enterprise_id", how="left")
        .join(prev, on="enterprise_id", how="left")
        .join(wide, on="enterprise_id", how="left")
        .with_columns(
            pl.coalesce("region", "e_region").alias("region"),
            pl.coalesce("above_scale", "e_above").alias("above_scale"),
            pl.coalesce(pl.col("industry").replace("", None), "e_industry").alias("industry"),
            # newly above scale: above this year, known and below last year
            (pl.coalesce("above_scale", "e_above") & pl.col("above_prev").not_()).alias("new_above_scale"),
        )
        # enterprises that had closed or moved away in the year are not evaluated for it
        .filter(~pl.col("year_status").is_in(["closed", "moved", "merged"]).fill_null(False))
    )
    for m in metrics:
        if m not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Float64).alias(m))
    items = method.item_codes()
    if items:
        # scope: reviewed — as above.
        flags = list(ItemFlag.objects.filter(year=year, item__in=items).values_list("enterprise_id", "item"))
        flag_frame = pl.DataFrame(flags, schema={"enterprise_id": pl.Int64, "item": pl.String}, orient="row")
        for it in items:
            hit = flag_frame.filter(pl.col("item") == it)["enterprise_id"]
            frame = frame.with_columns(pl.col("enterprise_id").is_in(hit.implode()).cast(pl.Int8).alias(it))
    keep = [
        "enterprise_id",
        "uscc",
        "name",
        "region",
        "above_scale",
        "industry",
        "new_above_scale",
        *metrics,
        *items,
    ]
    return frame.select(keep).sort("uscc")


def to_bytes(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_parquet(buf, compression="zstd")
    return buf.getvalue()


def from_bytes(data: bytes | memoryview | None) -> pl.DataFrame | None:
    if not data:
        return None
    return pl.read_parquet(io.BytesIO(bytes(data)))


def snapshot_hash(current: pl.DataFrame, previous: pl.DataFrame | None) -> str:
    h = hashlib.sha256(current.sort("uscc").write_csv().encode())
    if previous is not None and not previous.is_empty():
        h.update(previous.sort("uscc").write_csv().encode())
    return h.hexdigest()
