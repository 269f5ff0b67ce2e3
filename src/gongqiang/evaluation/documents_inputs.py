"""A run's input data in the format of `gongqiang evaluate --facts`: so anyone can check the published
classes without the web app (the CLI on this file gives the run's classes)."""

from __future__ import annotations

import polars as pl

from .cli_io import COLUMNS

MONEY = pl.Decimal(38, 6)


def cli_table(frame: pl.DataFrame, items: list[str]) -> pl.DataFrame:
    """The engine's input frame (stored units) as the CLI's columns (万元 for money), exactly."""
    out = []
    for col in COLUMNS:
        if col.code in ("uscc", "name", "region", "industry"):
            out.append(
                pl.col(col.code).cast(pl.String) if col.code in frame.columns else pl.lit("").alias(col.code)
            )
        elif col.code in ("above_scale", "new_above_scale"):
            source = pl.col(col.code).cast(pl.Int8) if col.code in frame.columns else pl.lit(None, pl.Int8)
            out.append(source.alias(col.code))
        elif col.code == "founded_year":
            out.append(
                pl.col(col.code) if col.code in frame.columns else pl.lit(None, pl.Int64).alias(col.code)
            )
        elif col.metric is not None:
            value = (
                pl.col(col.metric).cast(pl.Float64).map_elements(_decimal_text, return_dtype=pl.String)
                if col.metric in frame.columns
                else pl.lit(None, pl.String)
            )
            if col.factor != 1:
                value = value.cast(MONEY) / col.factor
                value = value.cast(pl.String).str.replace(r"\.?0+$", "")
            out.append(value.alias(col.code))
    out += [pl.col(i).cast(pl.Int8).alias(i) for i in items if i in frame.columns]
    return frame.select(out).sort("uscc")


def _decimal_text(value: float | None) -> str | None:
    # a float read from a decimal prints back as that decimal (see compute/exact.py)
    return None if value is None else repr(value).removesuffix(".0")


def to_csv(table: pl.DataFrame) -> bytes:
    return ("\ufeff" + table.write_csv()).encode("utf-8")
