"""Validate every row of a mapped table: what can be imported, what cannot and why, what was skipped.

Never raises on row content: a row that cannot be read becomes that row's error. File-level problems
that still let rows be checked (a title for another year) go to `file_errors`; `ok` is False then.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext

import polars as pl

from gongqiang.core.policy.schema import ImportSource, MetricSpec, UnitSpec

from .fast import FastResult, fast_rows, plan
from .groups import Totals, aggregate, dedupe
from .mapping import ColumnMapping, year_in_title
from .results import RECORD_SCHEMA, KnownEnterprise, Parcel, RowError, Validated, plain
from .rows import InScope, ParsedRow, RowContext, parse_row, skip_reason
from .table import RawTable
from .text import fold
from .units import PRECISION

__all__ = ["KnownEnterprise", "RowError", "Validated", "validate"]


def validate(
    table: RawTable,
    mapping: ColumnMapping,
    *,
    source: ImportSource,
    metrics: list[MetricSpec],
    units: list[UnitSpec],
    year: int,
    known: Mapping[str, KnownEnterprise],
    in_scope: InScope | None = None,
    create_unknown: bool = False,
    regions: Mapping[str, str] | None = None,
    fast: bool = True,
) -> Validated:
    """Check every row of `table` for `year`.

    `known`: the registry (uscc → KnownEnterprise). `in_scope(region_code, uscc)`: whether the user may
    import the enterprise (county uploads); the region is the registry's, or the file's for a new one.
    `regions` (code → name) resolves the file's 区县 column and names the county in scope errors.
    `units` is not needed beyond what `mapping` resolved; it is accepted so callers pass the pack whole.
    `fast=False` sends every row through the row path (the fast path must give the same result; tests
    compare the two).
    """
    used = {c.field for c in mapping.metric_columns}
    metric_map = {m.code: m for m in metrics if m.code in used}
    ctx = RowContext(
        mapping=mapping,
        metrics=metric_map,
        land_types={fold(k): (k, v) for k, v in source.land_types.items()},
        known=known,
        in_scope=in_scope,
        create_unknown=create_unknown,
        regions=regions,
        missing_formulas=table.missing_formulas,
        merged_cells=table.merged_cells,
    )
    file_errors, assumptions = _year_check(table, year), list(mapping.assumptions)
    skipped = [RowError(n, None, "该行在 Excel 中被隐藏，未导入") for n in table.hidden_rows]
    quick = _fast(table, mapping, source, metric_map, known, in_scope, year) if fast else None
    done = quick.rows if quick else set()
    parsed: list[ParsedRow] = []
    for row_no, cells in table.rows:
        if row_no in done:
            continue
        try:
            reason = skip_reason(cells, mapping)
            if reason:
                skipped.append(RowError(row_no, None, reason))
                continue
            parsed.append(parse_row(row_no, cells, ctx))
        except Exception as exc:  # a row must never stop the file: it becomes that row's error
            broken = ParsedRow(row_no)
            broken.error(None, f"无法处理该行（{type(exc).__name__}: {exc}）")
            parsed.append(broken)
    if done:
        done, parsed = _demote(done, parsed, table, ctx)
    uscc_col = mapping.key("uscc")
    header = uscc_col.header if uscc_col else None
    totals: Totals | None = None
    if source.aggregate:
        parsed, more, totals = aggregate(parsed, metric_map, header)
    else:
        parsed, more = dedupe(parsed, metric_map, header)
    skipped += more
    assumptions += _notes(parsed, mapping, ctx, year, table)
    valid = {r.row_no for r in parsed if not r.errors} | done
    invalid = {r.row_no for r in parsed if r.errors}
    errors = sorted((e for r in parsed for e in r.errors), key=lambda e: e.row_no or 0)
    records = _records(parsed, totals, metric_map, year)
    if done and quick is not None:
        records = _merge(records, quick, done, mapping)
    return Validated(
        records=records,
        parcels=_parcels(parsed, mapping, metric_map) if source.land_types else [],
        errors=errors,
        skipped=sorted(skipped, key=lambda e: e.row_no or 0),
        file_errors=file_errors,
        assumptions=assumptions,
        rows_total=len(table.rows) + len(table.hidden_rows),
        rows_valid=len(valid),
        rows_invalid=len(invalid),
        valid_rows=valid,
    )


def _fast(
    table: RawTable,
    mapping: ColumnMapping,
    source: ImportSource,
    metrics: dict[str, MetricSpec],
    known: Mapping[str, KnownEnterprise],
    in_scope: InScope | None,
    year: int,
) -> FastResult | None:
    columns = plan(mapping, metrics, source)
    if columns is None:
        return None
    try:
        return fast_rows(table, mapping, columns, known=known, in_scope=in_scope, year=year)
    except Exception:  # the row path handles every row correctly, only slower: never fail a file here
        return None


def _demote(
    done: set[int], parsed: list[ParsedRow], table: RawTable, ctx: RowContext
) -> tuple[set[int], list[ParsedRow]]:
    """A fast row whose USCC also appears on a row-path row goes the row path too (duplicates and
    conflicts are judged there, with every row of the enterprise)."""
    seen = {r.uscc for r in parsed if r.uscc}
    if not seen:
        return done, parsed
    uscc_col = ctx.mapping.key("uscc")
    assert uscc_col is not None  # fast rows exist only with a USCC column
    back = {
        row_no
        for row_no, cells in table.rows
        if row_no in done and uscc_col.index < len(cells) and cells[uscc_col.index] in seen
    }
    if not back:
        return done, parsed
    for row_no, cells in table.rows:
        if row_no in back:
            try:
                parsed.append(parse_row(row_no, cells, ctx))
            except Exception as exc:  # as in validate(): the row's error, never the file's
                broken = ParsedRow(row_no)
                broken.error(None, f"无法处理该行（{type(exc).__name__}: {exc}）")
                parsed.append(broken)
    parsed.sort(key=lambda r: r.row_no)
    return done - back, parsed


def _merge(records: pl.DataFrame, quick: FastResult, done: set[int], mapping: ColumnMapping) -> pl.DataFrame:
    """The row path's records and the fast path's, in file order (row, then metric column)."""
    order = {c.field: n for n, c in reversed(list(enumerate(mapping.metric_columns)))}
    fast = quick.records
    if len(done) != fast.get_column("row_no").n_unique():
        fast = fast.filter(pl.col("row_no").is_in(list(done)))
    slow = records.with_columns(
        pl.col("metric").replace_strict(order, default=len(order), return_dtype=pl.Int64).alias("_order")
    )
    return pl.concat([slow, fast.select(slow.columns)]).sort("row_no", "_order").drop("_order")


def _year_check(table: RawTable, year: int) -> list[str]:
    found = year_in_title(table.title_lines)
    if found is not None and found != year:
        return [f"文件标题为 {found} 年，与所选年度 {year} 年不符"]
    return []


def _notes(
    parsed: list[ParsedRow], mapping: ColumnMapping, ctx: RowContext, year: int, table: RawTable
) -> list[str]:
    notes = []
    if year_in_title(table.title_lines) is None:
        notes.append(f"文件标题中没有年度，按所选年度 {year} 年导入")
    if ctx.land_types:
        if mapping.key("land_type") is None:
            notes.append("文件没有使用类型列，各宗地面积均按自有计入")
        elif untyped := sum(1 for r in parsed if not r.errors and r.land_type is None):
            notes.append(f"{untyped} 行未填使用类型，按自有计入")
    new = {r.uscc for r in parsed if not r.errors and r.new_enterprise}
    if new:
        notes.append(f"{len(new)} 家企业不在企业库中，将新建")
    return notes


def _rounded(value: Decimal, metric: MetricSpec) -> str:
    """The pack's `decimals` is the stored precision; sums and quotients are rounded to it once, at the end."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return plain(value.quantize(Decimal(1).scaleb(-metric.decimals), rounding=ROUND_HALF_UP))


def _records(
    parsed: list[ParsedRow], totals: Totals | None, metrics: dict[str, MetricSpec], year: int
) -> pl.DataFrame:
    out: list[dict[str, object]] = []
    valid = [r for r in parsed if not r.errors]
    if totals is None:
        per_row = [(r, r.values) for r in valid]
    else:
        firsts: dict[str, ParsedRow] = {}
        for r in valid:
            firsts.setdefault(r.uscc or "", r)
        per_row = [(_merged_keys(firsts[u], valid), values) for u, values in totals.items()]
    for row, values in per_row:
        for code, value in values.items():
            out.append(
                {
                    "uscc": row.uscc,
                    "name": row.name or "",
                    "region": row.region,
                    "industry_code": row.industry_code,
                    "year": year,
                    "metric": code,
                    "value": _rounded(value, metrics[code]),
                    "row_no": row.row_no,
                    "new_enterprise": row.new_enterprise,
                }
            )
    return pl.DataFrame(out, schema=RECORD_SCHEMA)


def _merged_keys(first: ParsedRow, rows: list[ParsedRow]) -> ParsedRow:
    """The first row of an enterprise, with the first name/region/industry any of its rows gives."""
    same = [r for r in rows if r.uscc == first.uscc]
    first.name = next((r.name for r in same if r.name), None)
    first.region = next((r.region for r in same if r.region), None)
    first.industry_code = next((r.industry_code for r in same if r.industry_code), None)
    return first


def _parcels(parsed: list[ParsedRow], mapping: ColumnMapping, metrics: dict[str, MetricSpec]) -> list[Parcel]:
    area_col = next(iter(mapping.metric_columns), None)
    if area_col is None:
        return []
    metric = metrics[area_col.field]
    parcels = []
    for r in parsed:
        if r.errors or r.uscc is None or area_col.field not in r.values:
            continue
        if r.sign < 0:
            tenure = "leased_out"
        else:  # the pack gives only a sign per land type; a 租 (lease) with a plus sign is leased in
            tenure = "leased_in" if r.land_type and "租" in r.land_type else "owned"
        parcels.append(
            Parcel(
                uscc=r.uscc,
                row_no=r.row_no,
                certificate=r.texts.get("certificate"),
                location=r.texts.get("location"),
                use=r.texts.get("use"),
                land_type=r.land_type,
                tenure=tenure,
                area_mu=Decimal(_rounded(r.values[area_col.field], metric)),
            )
        )
    return parcels
