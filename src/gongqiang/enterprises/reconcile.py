"""Reconciliation of one year's department figures (pure: Polars, no Django).

`reconcile` compares what the sources delivered with the registry and with the year before, and
returns one `Finding` per problem, in Chinese, for the clerk who has to chase it:

- `missing`: an above-scale enterprise of the year (operating or stopped) without any fact from a
  source it is expected in. `sources_expected` maps each such source to the severity of its absence
  (the service: statistics, tax and land are blockers, power and environment warnings).
- `tax_without_land`: tax paid > 0 and land 0 or missing — the 亩产效益 evaluation cannot score it.
  A blocker for an above-scale enterprise, a warning for a below-scale one (a small firm may rent a
  workshop). It replaces the `missing` finding of the land source for the same enterprise.
- `jump`: a value more than `jump_factor` times, or less than 1/`jump_factor` of, last year's (both
  positive; a negative or zero value has no meaningful ratio). A warning.
- `unknown_uscc`: a USCC a source delivered that the registry does not know. A warning.
- `name_mismatch`: a name a source uses that differs from the registry's. A warning.

Frames (column: type):
  facts, previous: uscc, source, metric, value (numeric) — current yearly facts of the year / year − 1
  registry:        uscc, name, region, region_name, above_scale (bool), status (optional, str)
  names:           uscc, source, name
  unknown_usccs:   uscc, source, name (optional), region (optional; else the division code in the USCC)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

BLOCKER, WARNING = "blocker", "warning"
SEVERITY_NAMES = {BLOCKER: "阻断", WARNING: "提示"}
KINDS: dict[str, str] = {
    "missing": "部门数据缺失",
    "tax_without_land": "有税收无用地",
    "jump": "与上年相比异常",
    "unknown_uscc": "企业库外的信用代码",
    "name_mismatch": "企业名称不一致",
}
# An enterprise is expected in the sources while it operates or is stopped (a stopped firm still
# holds land and may pay tax); closed, moved-away and merged ones are not.
ACTIVE_STATUSES = ("operating", "stopped")


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str  # "blocker" | "warning"
    uscc: str
    name: str
    region: str  # county-level code of the enterprise in that year
    region_name: str
    source: str  # import source code ("" when the finding is about no single source)
    metric: str  # metric code ("" when none)
    detail: str  # in Chinese
    values: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def reconcile(
    facts: pl.DataFrame,
    registry: pl.DataFrame,
    names: pl.DataFrame,
    year: int,
    *,
    previous: pl.DataFrame | None = None,
    sources_expected: Mapping[str, str],
    unknown_usccs: pl.DataFrame | None = None,
    jump_factor: float,
    tax_metric: str = "tax_paid",
    land_metric: str = "land_mu",
    land_source: str = "land",
    source_names: Mapping[str, str] | None = None,
    metric_names: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Every finding of `year`, blockers first, then by kind, county and USCC."""
    if jump_factor <= 1:
        raise ValueError("jump_factor must be greater than 1")
    src = dict(source_names or {})
    met = dict(metric_names or {})
    reg = _registry(registry)
    active = reg.filter(pl.col("status").is_in(ACTIVE_STATUSES))
    found: list[Finding] = []
    no_land = _tax_without_land(facts, active, year, tax_metric, land_metric, land_source, src, found)
    _missing(facts, active, year, sources_expected, no_land, land_source, src, found)
    if previous is not None:
        _jumps(facts, previous, reg, year, jump_factor, src, met, found)
    if unknown_usccs is not None:
        _unknown(unknown_usccs, reg, year, src, found)
    _names(names, reg, src, found)
    order = list(KINDS)
    found.sort(
        key=lambda f: (f.severity != BLOCKER, order.index(f.kind), f.region, f.uscc, f.source, f.metric)
    )
    return found


def _registry(registry: pl.DataFrame) -> pl.DataFrame:
    reg = registry
    if "status" not in reg.columns:
        reg = reg.with_columns(pl.lit("operating").alias("status"))
    if "region_name" not in reg.columns:
        reg = reg.with_columns(pl.lit("").alias("region_name"))
    return reg.select("uscc", "name", "region", "region_name", "above_scale", "status").unique(
        "uscc", keep="first"
    )


def _label(names: Mapping[str, str], code: str) -> str:
    return names.get(code, code)


def _tax_without_land(
    facts: pl.DataFrame,
    active: pl.DataFrame,
    year: int,
    tax_metric: str,
    land_metric: str,
    land_source: str,
    src: Mapping[str, str],
    found: list[Finding],
) -> set[str]:
    def total(metric: str, alias: str) -> pl.DataFrame:
        return (
            facts.filter(pl.col("metric") == metric)
            .group_by("uscc")
            .agg(pl.col("value").cast(pl.Float64).sum().alias(alias))
        )

    rows = (
        active.join(total(tax_metric, "tax"), on="uscc", how="inner")
        .join(total(land_metric, "land"), on="uscc", how="left")
        .filter((pl.col("tax") > 0) & (pl.col("land").is_null() | (pl.col("land") <= 0)))
    )
    flagged = set()
    for r in rows.iter_rows(named=True):
        flagged.add(r["uscc"])
        missing = r["land"] is None
        why = f"{_label(src, land_source)}无该企业用地记录" if missing else "用地面积为 0"
        found.append(
            Finding(
                kind="tax_without_land",
                severity=BLOCKER if r["above_scale"] else WARNING,
                uscc=r["uscc"],
                name=r["name"],
                region=r["region"],
                region_name=r["region_name"],
                source=land_source,
                metric=land_metric,
                detail=f"{year} 年实缴税金大于 0，但{why}：亩均效益评价无法计算，请核实用地面积。",
                values={"实缴税金（元）": r["tax"], "用地面积（亩）": r["land"]},
            )
        )
    return flagged


def _missing(
    facts: pl.DataFrame,
    active: pl.DataFrame,
    year: int,
    sources_expected: Mapping[str, str],
    no_land: set[str],
    land_source: str,
    src: Mapping[str, str],
    found: list[Finding],
) -> None:
    above = active.filter(pl.col("above_scale"))
    present = facts.select("uscc", "source").unique()
    for source, severity in sources_expected.items():
        have = present.filter(pl.col("source") == source).select("uscc")
        absent = above.join(have, on="uscc", how="anti")
        for r in absent.iter_rows(named=True):
            if source == land_source and r["uscc"] in no_land:
                continue  # already a tax-without-land finding, which says more
            found.append(
                Finding(
                    kind="missing",
                    severity=severity,
                    uscc=r["uscc"],
                    name=r["name"],
                    region=r["region"],
                    region_name=r["region_name"],
                    source=source,
                    metric="",
                    detail=f"{year} 年规上企业，{_label(src, source)}的数据中没有该企业。",
                )
            )


def _jumps(
    facts: pl.DataFrame,
    previous: pl.DataFrame,
    reg: pl.DataFrame,
    year: int,
    factor: float,
    src: Mapping[str, str],
    met: Mapping[str, str],
    found: list[Finding],
) -> None:
    now = facts.select("uscc", "source", "metric", pl.col("value").cast(pl.Float64))
    before = previous.group_by("uscc", "metric").agg(pl.col("value").cast(pl.Float64).sum().alias("before"))
    rows = (
        now.join(before, on=["uscc", "metric"], how="inner")
        .filter((pl.col("value") > 0) & (pl.col("before") > 0))
        .with_columns((pl.col("value") / pl.col("before")).alias("ratio"))
        .filter((pl.col("ratio") > factor) | (pl.col("ratio") < 1 / factor))
        .join(reg, on="uscc", how="inner")
    )
    for r in rows.iter_rows(named=True):
        ratio = r["ratio"]
        said = f"是上年的 {ratio:,.1f} 倍" if ratio > 1 else f"只有上年的 1/{1 / ratio:,.0f}"
        found.append(
            Finding(
                kind="jump",
                severity=WARNING,
                uscc=r["uscc"],
                name=r["name"],
                region=r["region"],
                region_name=r["region_name"],
                source=r["source"],
                metric=r["metric"],
                detail=(
                    f"{year} 年{_label(met, r['metric'])}{said}（超过 {factor:g} 倍的变动），"
                    f"请向{_label(src, r['source'])}核实单位或录入。"
                ),
                values={"本年": r["value"], "上年": r["before"], "倍数": round(ratio, 4)},
            )
        )


def _unknown(
    unknown: pl.DataFrame, reg: pl.DataFrame, year: int, src: Mapping[str, str], found: list[Finding]
) -> None:
    frame = unknown
    if "name" not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias("name"))
    if "region" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("region"))
    # Where the batch says nothing, the county is the division code the USCC was registered under.
    frame = frame.with_columns(
        pl.coalesce(pl.col("region"), pl.col("uscc").str.slice(2, 6)).alias("region")
    ).join(reg.select("uscc"), on="uscc", how="anti")
    region_names = dict(reg.select("region", "region_name").unique("region").iter_rows())
    for r in frame.unique(["uscc", "source"], keep="first", maintain_order=True).iter_rows(named=True):
        found.append(
            Finding(
                kind="unknown_uscc",
                severity=WARNING,
                uscc=r["uscc"],
                name=r["name"] or "",
                region=r["region"],
                region_name=region_names.get(r["region"], ""),
                source=r["source"],
                metric="",
                detail=(
                    f"{year} 年{_label(src, r['source'])}的数据中有此统一社会信用代码，企业库中没有："
                    "请核对代码，或在企业库中建档后重新导入。"
                ),
                values={"部门所报名称": r["name"] or ""},
            )
        )


def normalise_name(name: str) -> str:
    """Names compared as a clerk would: full-width brackets and letters folded, spaces dropped."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _names(names: pl.DataFrame, reg: pl.DataFrame, src: Mapping[str, str], found: list[Finding]) -> None:
    if names.is_empty():
        return
    rows = (
        names.select("uscc", "source", pl.col("name").alias("reported"))
        .unique()
        .join(reg, on="uscc", how="inner")
        .sort("uscc", "source", "reported")
    )
    for r in rows.iter_rows(named=True):
        if normalise_name(r["reported"]) == normalise_name(r["name"]):
            continue
        found.append(
            Finding(
                kind="name_mismatch",
                severity=WARNING,
                uscc=r["uscc"],
                name=r["name"],
                region=r["region"],
                region_name=r["region_name"],
                source=r["source"],
                metric="",
                detail=f"{_label(src, r['source'])}所报名称“{r['reported']}”与企业库名称“{r['name']}”不一致。",
                values={"部门所报名称": r["reported"], "企业库名称": r["name"]},
            )
        )
