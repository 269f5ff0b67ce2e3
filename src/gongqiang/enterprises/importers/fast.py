"""The fast path of row validation: whole columns at once, for the rows that need no judgement.

A department's big file is almost all plain rows: a valid USCC of a registered enterprise, figures as
Excel numbers or plain digits, well inside the metric's range. Those rows are checked and converted
column by column (Polars, exact decimal arithmetic on the digits); every other row (anything unusual in
any cell, a value near a range bound, a USCC seen twice, an enterprise not in the registry, a merged or
formula cell) is handed back to the row path (`rows.parse_row`), which writes the same messages as
before. So the fast path only decides "this row is plainly fine, and here are its values"; it never
writes an error.

Only sources whose metrics each come from one column, in a unit that converts by a power of ten
(元/千元/万元/亿元, 人, 吨标准煤 …), take it; aggregated sources (power, land) and per-column
divisions (pollutant equivalents, 平方米 → 亩) keep the row path for every row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest
from typing import Any

import polars as pl

from gongqiang.core.policy.schema import ImportSource, MetricSpec
from gongqiang.lib.uscc import USCC_ALPHABET

from .mapping import ColumnMapping, MappedColumn
from .results import RECORD_SCHEMA, KnownEnterprise
from .rows import InScope
from .table import RawTable
from .text import cell_text

_INDUSTRY = re.compile(r"^[A-Za-z]?\d{2,4}$")  # as rows._INDUSTRY
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CODE_SHAPE = r"^[0-9]{8}[0-9A-HJ-NP-RT-UW-Y]{10}$"
# Plain digits only: anything else (commas, full-width, brackets, exponents, dashes) takes the row path.
_PLAIN = r"^-?[0-9]+(\.[0-9]+)?$"
_ODD = "\x00odd"  # a cell the fast path does not read (bool, date, Decimal …): the row goes the row path
# A float shown with more significant digits than Excel keeps (15) is rounded by the row path; leave it to it.
_MAX_DIGITS = 15
_INT64_DIGITS = 18


@dataclass(frozen=True)
class _Metric:
    column: MappedColumn
    metric: MetricSpec
    shift: int  # the unit's factor is 10**shift


@dataclass
class FastResult:
    rows: set[int]  # row numbers validated here (no errors)
    records: pl.DataFrame  # RECORD_SCHEMA, plus "_order" (the metric column's position)


def plan(mapping: ColumnMapping, metrics: Mapping[str, MetricSpec], source: ImportSource) -> list[_Metric] | None:
    """The metric columns the fast path converts, or None when the source needs the row path."""
    if source.aggregate or source.land_types:
        return None
    columns = mapping.metric_columns
    fields = [c.field for c in columns]
    if not columns or len(set(fields)) != len(fields):
        return None
    out = []
    for c in columns:
        if c.unit is None or c.per is not None or Decimal(c.unit.divisor) != 1 or c.field not in metrics:
            return None
        factor = Decimal(c.unit.factor).normalize()
        sign, digits, exponent = factor.as_tuple()
        if digits != (1,) or not isinstance(exponent, int) or exponent < 0:
            return None
        out.append(_Metric(c, metrics[c.field], exponent))
    return out


def _texts(raw: list[object]) -> list[str | None] | pl.Series:
    """Each cell as the digits it holds (None when empty), or _ODD."""
    if raw and set(map(type, raw)) <= _FLOATS:
        return _float_texts(raw)
    out: list[str | None] = []
    append = out.append
    for c in raw:
        t = type(c)
        if t is float:
            append(repr(c))  # shortest round-trip text: equal to Excel's 15 digits when it has ≤ 15
        elif c is None:
            append(None)
        elif t is str:
            s = c.strip()  # type: ignore[union-attr]
            append(s or None)
        elif t is int:
            append(str(c))
        else:
            append(_ODD)
    return out


_FLOATS = {float, type(None)}


def _float_texts(raw: list[object]) -> pl.Series:
    """`_texts` of a column of Excel numbers (and empty cells), in one go: Polars writes a float as
    the shortest text that reads back as the same float, as `repr` does, except that `repr` switches
    to an exponent below 1e-4 and from 1e16 where Polars writes every digit out. Those few cells take
    `repr` itself (and so go the row path, as an exponent is not plain digits)."""
    values = pl.Series(raw, dtype=pl.Float64)
    texts = values.cast(pl.String)
    exponent = (((values.abs() < 1e-4) & (values != 0)) | (values.abs() >= 1e16)).fill_null(False)
    if exponent.any():
        where = exponent.arg_true()
        texts = texts.scatter(where, [repr(raw[i]) for i in where.to_list()])
    return texts


def _uscc_ok(codes: pl.Series) -> pl.Series:
    """Valid GB 32100 codes as written (no spaces, upper case, half-width): lib.uscc's rule, vectorised."""
    index = {c: i for i, c in enumerate(USCC_ALPHABET)}
    frame = pl.DataFrame({"c": codes})
    total = pl.sum_horizontal(
        pl.col("c").str.slice(i, 1).replace_strict(index, default=0, return_dtype=pl.Int64) * w
        for i, w in enumerate(_WEIGHTS)
    )
    expected = ((31 - total % 31) % 31).replace_strict(dict(enumerate(USCC_ALPHABET)), return_dtype=pl.String)
    ok = pl.col("c").str.contains(_CODE_SHAPE) & (pl.col("c").str.slice(17, 1) == expected)
    return frame.select(ok.fill_null(False).alias("ok")).get_column("ok")


def _convert(frame: pl.DataFrame, src: str, m: _Metric) -> pl.DataFrame:
    """Adds `v<src>` (the plain value text in the metric's unit, rounded half up to its decimals) and
    `ok<src>` (the cell is plainly fine) for the digits in column `t<src>`. Exact: the digits are
    shifted by the unit's power of ten and rounded as text. Built in steps (each intermediate column
    once): nested expressions would recompute their parts."""
    d, k = m.metric.decimals, m.shift
    s = k + d
    t = pl.col(f"t{src}")
    parts = t.str.strip_prefix("-").str.split_exact(".", 1)
    f = frame.with_columns(
        t.str.starts_with("-").alias("_neg"),
        parts.struct.field("field_0").alias("_int"),
        parts.struct.field("field_1").fill_null("").alias("_frac"),
    ).with_columns(pl.col("_frac").str.pad_end(s + 1, "0").alias("_pad"))
    f = f.with_columns(
        (pl.col("_int") + pl.col("_pad").str.slice(0, s)).str.strip_chars_start("0").alias("_kept"),
        (pl.col("_int") + pl.col("_frac")).str.strip_chars_start("0").str.len_chars().alias("_sig"),
        ((pl.col("_int") + pl.col("_frac")).str.strip_chars("0") == "").alias("_zero"),
        (t.cast(pl.Float64, strict=False) * float(10**k)).alias("_float"),
    ).with_columns(
        (
            pl.when(pl.col("_kept") == "").then(pl.lit("0")).otherwise(pl.col("_kept")).cast(pl.Int64, strict=False)
            + (pl.col("_pad").str.slice(s, 1) >= "5").cast(pl.Int64)
        ).alias("_n")
    )
    ok = (
        t.str.contains(_PLAIN)
        & (pl.col("_sig") <= _MAX_DIGITS)
        & (pl.col("_int").str.len_chars() + s <= _INT64_DIGITS)
        & pl.col("_n").is_not_null()
    )
    for bound, below in ((m.metric.min, True), (m.metric.max, False)):
        if bound is None:
            continue
        margin = 1e-9 * max(1.0, abs(bound))
        value = pl.col("_float")
        inside = (value >= bound + margin) if below else (value <= bound - margin)
        if below and bound == 0:
            inside = inside | ~pl.col("_neg") | pl.col("_zero")
        ok = ok & inside
    if m.metric.integer:
        ok = ok & (pl.col("_frac").str.slice(k).str.strip_chars_end("0") == "")
    f = f.with_columns(
        ok.fill_null(False).alias(f"ok{src}"),
        pl.col("_n").abs().cast(pl.String).str.pad_start(d + 1, "0").alias("_digits"),
    )
    if d:
        f = f.with_columns(
            pl.col("_digits").str.slice(0, pl.col("_digits").str.len_chars() - d).alias("_whole"),
            pl.col("_digits").str.slice(-d).str.strip_chars_end("0").alias("_part"),
        ).with_columns(
            pl.when(pl.col("_part") == "")
            .then(pl.col("_whole"))
            .otherwise(pl.col("_whole") + "." + pl.col("_part"))
            .alias("_digits")
        )
    shown = (
        pl.when(pl.col("_n") == 0)
        .then(pl.lit("0"))
        .when(pl.col("_neg"))
        .then("-" + pl.col("_digits"))
        .otherwise(pl.col("_digits"))
    )
    f = f.with_columns(shown.alias(f"v{src}"))
    return f.drop("_neg", "_int", "_frac", "_pad", "_kept", "_sig", "_zero", "_float", "_n", "_digits",
                  *(("_whole", "_part") if d else ()))


def _registry(known: Mapping[str, KnownEnterprise], codes: list[str]) -> dict[str, tuple[str, str | None]]:
    """uscc → (registry name, region code) for the file's codes: a join when the registry is a frame."""
    frame = getattr(known, "frame", None)
    if isinstance(frame, pl.DataFrame):
        wanted = pl.DataFrame({"uscc": pl.Series(codes, dtype=pl.String)}).unique()
        found = wanted.join(frame, on="uscc", how="inner")
        return dict(
            zip(
                found.get_column("uscc").to_list(),
                zip(found.get_column("name").to_list(), found.get_column("region_code").to_list(), strict=True),
                strict=True,
            )
        )
    out = {}
    for code in codes:
        ref = known.get(code)
        if ref is not None:
            out[code] = (ref.name, ref.region_code)
    return out


_TEXTS = {str, type(None)}
_Picked = tuple[list[int], Any, Any, Any, Any, Any]


def _pick_by_columns(
    rows: list[tuple[int, list[object]]],
    codes: list[str | None],
    valid_code: list[bool],
    names: Sequence[object],
    odd_rows: set[int],
    known: Mapping[str, KnownEnterprise],
) -> _Picked | None:
    """`_pick_by_rows` for the usual file (no county scope, names as text, no industry codes) as one
    join with the registry frame; None when the registry is not a frame."""
    frame = getattr(known, "frame", None)
    if not isinstance(frame, pl.DataFrame):
        return None
    registry = frame.unique("uscc", keep="last").select(
        "uscc", pl.col("name").alias("_registry_name"), pl.col("region_code").alias("region")
    )
    candidates = pl.DataFrame(
        {
            "_i": pl.Series(range(len(rows)), dtype=pl.Int64),
            "row_no": pl.Series([r for r, _ in rows], dtype=pl.Int64),
            "uscc": pl.Series(codes, dtype=pl.String),
            "_ok": pl.Series(valid_code, dtype=pl.Boolean),
            # str.strip as the row path strips (Python's idea of white space, not Polars')
            "name": pl.Series([n.strip() if n else "" for n in names], dtype=pl.String),  # type: ignore[union-attr]
        }
    )
    picked = (
        candidates.filter(pl.col("_ok") & ~pl.col("row_no").is_in(list(odd_rows)))
        .join(registry, on="uscc", how="inner")
        .filter(pl.col("region").is_not_null() & (pl.col("region") != ""))
        .sort("_i")
        .with_columns(
            pl.when(pl.col("name") != "")
            .then(pl.col("name"))
            .otherwise(pl.col("_registry_name").fill_null(""))
            .alias("name")
        )
    )
    return (
        picked.get_column("_i").to_list(),
        picked.get_column("row_no"),
        picked.get_column("uscc"),
        picked.get_column("name"),
        picked.get_column("region"),
        pl.Series("industry_code", [None] * picked.height, dtype=pl.String),
    )


def _pick_by_rows(
    rows: list[tuple[int, list[object]]],
    codes: list[str | None],
    valid_code: list[bool],
    names: Sequence[object],
    industries: Sequence[object],
    odd_rows: set[int],
    known: Mapping[str, KnownEnterprise],
    in_scope: InScope | None,
) -> _Picked:
    """The rows the fast path takes (a valid code of a registered enterprise with a county, a name as
    text, a plain industry code, in scope, no merged or formula cell), and their key columns."""
    registry = _registry(known, [c for c, ok in zip(codes, valid_code, strict=True) if ok])
    row_nos: list[int] = []
    out_codes: list[str] = []
    out_names: list[str] = []
    out_regions: list[str] = []
    out_industry: list[str | None] = []
    keep: list[int] = []  # positions in `rows`
    for i, (row_no, cells) in enumerate(rows):
        if not valid_code[i] or not cells or row_no in odd_rows:
            continue
        code = codes[i]
        ref = registry.get(code)  # type: ignore[arg-type]
        if ref is None or not ref[1]:
            continue  # a new enterprise (created or refused): the row path decides
        name = names[i]
        if name is not None and type(name) is not str:
            continue
        industry = industries[i]
        if industry is not None:
            if type(industry) is bool:
                continue
            industry = cell_text(industry) or None
            if industry is not None and not _INDUSTRY.match(industry):
                continue
        if in_scope is not None and not in_scope(ref[1], code):  # type: ignore[arg-type]
            continue
        name = name.strip() if name else ""  # type: ignore[union-attr]
        keep.append(i)
        row_nos.append(row_no)
        out_codes.append(code)  # type: ignore[arg-type]
        out_names.append(name or ref[0] or "")
        out_regions.append(ref[1])
        out_industry.append(industry)
    return keep, row_nos, out_codes, out_names, out_regions, out_industry


def fast_rows(
    table: RawTable,
    mapping: ColumnMapping,
    metrics: list[_Metric],
    *,
    known: Mapping[str, KnownEnterprise],
    in_scope: InScope | None,
    year: int,
) -> FastResult:
    """The rows of `table` that are plainly valid, and their long records."""
    rows = table.rows
    odd_rows = {r for r, _ in table.missing_formulas} | {r for r, _ in table.merged_cells}

    # The sheet's columns, transposed once in C (short rows padded with None).
    columns = list(zip_longest(*(cells for _, cells in rows))) if rows else []

    def column(c: MappedColumn | None) -> list[object] | tuple[object, ...]:
        if c is None or c.index >= len(columns):
            return [None] * len(rows)
        return columns[c.index]

    uscc_col = mapping.key("uscc")
    if uscc_col is None:
        return FastResult(set(), pl.DataFrame(schema={**RECORD_SCHEMA, "_order": pl.Int64}))
    codes = [c if type(c) is str else None for c in column(uscc_col)]
    valid_code = _uscc_ok(pl.Series("c", codes, dtype=pl.String)).to_list()
    names = column(mapping.key("name"))
    industry_col = mapping.key("industry_code")
    industries = column(industry_col)

    picked = None
    if in_scope is None and set(map(type, names)) <= _TEXTS and set(map(type, industries)) <= {type(None)}:
        picked = _pick_by_columns(rows, codes, valid_code, names, odd_rows, known)
    if picked is None:
        picked = _pick_by_rows(rows, codes, valid_code, names, industries, odd_rows, known, in_scope)
    keep, row_nos, out_codes, out_names, out_regions, out_industry = picked
    if not keep:
        return FastResult(set(), pl.DataFrame(schema={**RECORD_SCHEMA, "_order": pl.Int64}))

    values: dict[str, list[str | None] | pl.Series] = {}
    whole = len(keep) == len(rows)  # every row so far plainly fine: the columns as they are
    for n, m in enumerate(metrics):
        raw = column(m.column)
        values[f"t{n}"] = _texts(list(raw) if whole else [raw[i] for i in keep])
    wide = pl.DataFrame(
        {
            "row_no": pl.Series(row_nos, dtype=pl.Int64),
            "uscc": pl.Series(out_codes, dtype=pl.String),
            "name": pl.Series(out_names, dtype=pl.String),
            "region": pl.Series(out_regions, dtype=pl.String),
            "industry_code": pl.Series(out_industry, dtype=pl.String),
            **{k: pl.Series(v, dtype=pl.String) for k, v in values.items()},
        }
    )
    for n, m in enumerate(metrics):
        wide = _convert(wide, str(n), m)
    wide = wide.with_columns(
        (pl.all_horizontal(pl.col(f"t{n}").is_null() | pl.col(f"ok{n}") for n in range(len(metrics)))
         & pl.any_horizontal(pl.col(f"t{n}").is_not_null() for n in range(len(metrics)))).alias("fine")
    )
    # A USCC twice in the file is a duplicate or a conflict: the row path (groups.dedupe) judges it.
    wide = wide.filter(pl.col("fine") & ~pl.col("uscc").is_duplicated())
    long = (
        wide.select(
            "row_no",
            "uscc",
            "name",
            "region",
            "industry_code",
            *(pl.struct(value=pl.col(f"v{n}"), metric=pl.lit(m.column.field), _order=pl.lit(n))
              .alias(f"s{n}") for n, m in enumerate(metrics)),
        )
        .unpivot(index=["row_no", "uscc", "name", "region", "industry_code"], value_name="s")
        .unnest("s")
        .filter(pl.col("value").is_not_null())
        .select(
            pl.col("uscc"),
            pl.col("name"),
            pl.col("region"),
            pl.col("industry_code"),
            pl.lit(year, dtype=pl.Int32).alias("year"),
            pl.col("metric"),
            pl.col("value"),
            pl.col("row_no"),
            pl.lit(False).alias("new_enterprise"),
            pl.col("_order").cast(pl.Int64),
        )
    )
    return FastResult(set(wide.get_column("row_no").to_list()), long)
