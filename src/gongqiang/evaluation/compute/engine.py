"""One evaluation year: facts in, one row per enterprise out, every step of the method as a column.

Input frame (one row per enterprise):
  uscc, region (unit code), above_scale (bool); optional name, industry (GB/T 4754 code),
  new_above_scale (bool), founded_year (int); one Float64/Decimal column per metric the method reads
  (stored units: 元, 亩, 吨标准煤 …; null = missing); one 0/1 column per bonus, penalty and veto item.

Output columns (see `EvaluationResult.frame`):
  status      evaluated | T | exception | excluded
  group, unit the evaluation group and the unit (region, or region|industry division)
  <ind>_value, _benchmark (display units), _benchmark_year, _ratio, _score (hundredths of a point, Int64),
  _rule       normal | capped | floored | zero_den_average | zero_den_zero | missing_numerator |
              benchmark_nonpositive
  bonus, penalty, total (hundredths, Int64), veto (bool), veto_items, rank (among non-vetoed),
  class (A–D, T), n, places_A … places_D, low_efficiency (bool), low_efficiency_reason, reason.

Floats are used for speed; every score whose float lies within a hair of a rounding boundary, and every
value near a low-efficiency threshold, is recomputed exactly (`exact.py`), so results are those of
exact decimal arithmetic.

Texts (status, group, class, rules, veto_items, low_efficiency_reason, reason) are Polars Enums: they compare
with strings and read back as strings, and cost a million integers rather than a million texts; callers
that write them out cast them to String (`as_text`).

Speed (a million enterprises): unit × group is an integer key (`_Keys`), so per-unit tables (benchmarks,
averages, quotas) are gathered by key rather than joined on strings; statuses, rules and classes are
computed as integer codes and turned into text by one gather; texts are built only for the rows that
need words; indicator scores are computed in numpy, one indicator per thread (`_score_all`); the rank is
one sort of packed integers (see `_rank`).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import polars as pl

from gongqiang.core.policy.evaluation import EvaluationMethod, Indicator, ZeroDenominator

from . import exact
from .quotas import Quota, quotas_for

EXACT_SUM = pl.Decimal(38, 6)
STATUS_EVALUATED, STATUS_T, STATUS_EXCEPTION, STATUS_EXCLUDED = "evaluated", "T", "exception", "excluded"


@dataclass
class EvaluationResult:
    frame: pl.DataFrame
    quotas: dict[tuple[str, str], Quota]
    method: EvaluationMethod
    year: int

    def indicator_codes(self) -> list[str]:
        return indicator_codes(self.method)

    def as_text(self) -> pl.DataFrame:
        """The frame with its Enum columns as plain String (for writing out)."""
        return as_text(self.frame)


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(c).cast(pl.String) for c, t in frame.schema.items() if isinstance(t, pl.Enum)
    )


def indicator_codes(method: EvaluationMethod) -> list[str]:
    seen: dict[str, None] = {}
    for g in method.groups:
        for i in g.indicators:
            seen[i.code] = None
    return list(seen)


def _indicator(method: EvaluationMethod, code: str) -> Indicator:
    return next(i for g in method.groups for i in g.indicators if i.code == code)


# -- 1. who is evaluated, in which group and unit ----------------------------------------------------
def _prepare(frame: pl.DataFrame, method: EvaluationMethod, year: int) -> pl.DataFrame:
    metrics = method.metrics()
    items = method.item_codes()
    add: list[pl.Expr] = []
    for m in metrics:
        add.append(pl.col(m).cast(pl.Float64) if m in frame.columns else pl.lit(None, pl.Float64).alias(m))
    for it in items:
        add.append(
            (pl.col(it).cast(pl.Float64).fill_null(0) > 0) if it in frame.columns else pl.lit(False).alias(it)
        )
    for col, dtype in (
        ("industry", pl.String),
        ("new_above_scale", pl.Boolean),
        ("founded_year", pl.Int64),
        ("name", pl.String),
    ):
        if col not in frame.columns:
            add.append(pl.lit(None, dtype).alias(col))
    df = frame.with_columns(add).with_columns(
        pl.col("uscc").cast(pl.String),
        pl.col("region").cast(pl.String),
        pl.col("above_scale").cast(pl.Boolean).fill_null(False),
        pl.col("industry").cast(pl.String),
    )
    above = next((g for g in method.groups if g.above_scale), None)
    below = next((g for g in method.groups if not g.above_scale), None)
    groups = pl.Enum([g.code for g in method.groups])
    group = (
        pl.when(pl.col("above_scale"))
        .then(pl.lit(above.code if above else None, groups))
        .otherwise(pl.lit(below.code if below else None, groups))
    )
    land = pl.col("land_mu")
    too_small = pl.lit(False)
    if below is not None and below.min_land_mu is not None:
        limit = float(below.min_land_mu)
        short = (land < limit) if below.min_land_inclusive else (land <= limit)
        too_small = (~pl.col("above_scale")) & (land.is_null() | short)
    t_flag = pl.any_horizontal([c.fill_null(False) for c, _ in _t_rules(method, year)])
    exception_flag = pl.any_horizontal(
        [pl.lit(False)] + [c.fill_null(False) for c, _ in _exception_rules(method)]
    )
    unit = pl.col("region")
    if method.grouping == "region_industry":
        unit = pl.concat_str(
            [pl.col("region"), pl.col("industry").str.slice(0, 2).fill_null("00")], separator="|"
        )
    status = (
        pl.when(pl.col("group").is_null() | pl.col("_too_small"))
        .then(pl.lit(3, pl.UInt32))
        .when(t_flag)
        .then(pl.lit(1, pl.UInt32))
        .when(exception_flag)
        .then(pl.lit(2, pl.UInt32))
        .otherwise(pl.lit(0, pl.UInt32))
    )
    df = df.with_columns(group.alias("group"), too_small.alias("_too_small"))
    df = df.with_columns(status.alias("_st"))
    return df.with_columns(
        pl.lit(pl.Series(_STATUSES, dtype=STATUS_DTYPE)).gather(pl.col("_st")).alias("status"),
        unit.alias("unit"),
    )


_STATUSES = [STATUS_EVALUATED, STATUS_T, STATUS_EXCEPTION, STATUS_EXCLUDED]
STATUS_DTYPE = pl.Enum(_STATUSES)
CLASS_DTYPE = pl.Enum(["A", "B", "C", "D", "T"])


def _texts(texts: list[str]) -> pl.Series:
    """A few texts, one per code, as an Enum: gathering a million rows of them then moves integers."""
    return pl.Series(texts, dtype=pl.Enum(list(dict.fromkeys(texts))))


def _t_rules(method: EvaluationMethod, year: int) -> list[tuple[pl.Expr, str]]:
    """(condition, reason) of each T rule: a row is T when any condition is true."""
    t = method.t_class
    rules = [(_in_divisions(t.industry_divisions), "电力、热力、燃气及水生产和供应业")]
    if t.newly_above_scale:
        rules.append((pl.col("above_scale") & pl.col("new_above_scale").fill_null(False), "当年新升规"))
    if t.startup_years:
        rules.append(
            (pl.lit(year) - pl.col("founded_year") < t.startup_years, f"投产不满{t.startup_years}年")
        )
    return rules


def _in_divisions(divisions: list[str]) -> pl.Expr:
    """The industry code starts with one of the two-digit divisions: as ranges of codes ("44" ≤ code <
    "47" for 44–46), two comparisons a range, where slicing a million codes writes a million texts."""
    numbers = sorted({int(d) for d in divisions})
    ranges: list[list[int]] = []
    for n in numbers:
        if ranges and ranges[-1][1] == n:
            ranges[-1][1] = n + 1
        else:
            ranges.append([n, n + 1])
    code = pl.col("industry")
    # a code is digits, so "45…" < "46" and "4" < "44": the comparison of texts is the one of prefixes
    return pl.any_horizontal(
        [pl.lit(False)]
        + [
            (code >= f"{low:02d}") & (code < f"{high:02d}") if high < 100 else code >= f"{low:02d}"
            for low, high in ranges
        ]
    )


def _exception_rules(method: EvaluationMethod) -> list[tuple[pl.Expr, str]]:
    """(condition, reason) of each zero denominator that makes an enterprise not evaluable (land 0)."""
    rules = []
    for g in method.groups:
        for i in g.indicators:
            if i.on_zero_denominator == ZeroDenominator.exception:
                bad = pl.col(i.denominator).is_null() | (pl.col(i.denominator) <= 0)
                # the group is decided by the scale alone (`_prepare`): no comparison of a million texts
                in_group = pl.col("above_scale") if g.above_scale else ~pl.col("above_scale")
                rules.append((in_group & bad, f"{_metric_label(i.denominator)}为0或缺失"))
    return rules


def _status_texts(method: EvaluationMethod, year: int) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """T reason, exception reason and exclusion reason (read only for the rows that need words)."""
    t_reason = pl.concat_str(
        [pl.when(c).then(pl.lit(text)) for c, text in _t_rules(method, year)],
        separator="；",
        ignore_nulls=True,
    )
    parts = [pl.when(c).then(pl.lit(text)) for c, text in _exception_rules(method)]
    exception_reason = (
        pl.concat_str(parts, separator="；", ignore_nulls=True) if parts else pl.lit(None, pl.String)
    )
    below = next((g for g in method.groups if not g.above_scale), None)
    land = pl.col("land_mu")
    excluded_reason = pl.when(pl.col("group").is_null()).then(pl.lit("不在任何评价分组"))
    if below is not None and below.min_land_mu is not None:
        op = "不足" if below.min_land_inclusive else "不超过"
        excluded_reason = excluded_reason.when(pl.col("_too_small") & land.is_null()).then(
            pl.lit("规下企业用地面积缺失，不参评")
        )
        excluded_reason = excluded_reason.when(pl.col("_too_small")).then(
            pl.concat_str(
                [
                    pl.lit("规下企业用地"),
                    land.round(2).cast(pl.String).fill_null("缺失"),
                    pl.lit(f"亩，{op}{below.min_land_mu}亩，不参评"),
                ]
            )
        )
    return t_reason, exception_reason, excluded_reason


_LABELS = {
    "land_mu": "用地面积",
    "energy_tce": "综合能耗",
    "pollutant_eq": "污染物排放当量",
    "revenue": "营业收入",
    "employees": "从业人员",
    "tax_paid": "实缴税金",
    "value_added": "工业增加值",
    "rd_spending": "研发经费",
}


def _metric_label(code: str) -> str:
    return _LABELS.get(code, code)


# -- 2. integer keys: unit × group ------------------------------------------------------------------
@dataclass
class _Keys:
    """Integer codes of the evaluation groups (index in method.groups) and of unit × group. A row with a
    missing unit gets a key of its own (`invalid`), which no benchmark, average or quota table matches
    (as a join on a missing key matches nothing)."""

    units: list[str | None]  # unit code → unit; the last is None (a missing unit)
    n_groups: int

    def key(self, u: int, g: int) -> int:
        return g * len(self.units) + u

    def size(self) -> int:
        return self.n_groups * len(self.units)

    def unit_group(self, key: int, method: EvaluationMethod) -> tuple[str | None, str]:
        g, u = divmod(key, len(self.units))
        return self.units[u], method.groups[g].code

    def valid(self) -> list[bool]:
        return [self.units[k % len(self.units)] is not None for k in range(self.size())]


def _units(df: pl.DataFrame) -> set[str]:
    return {u for u in df.get_column("unit").unique().to_list() if u is not None}


def _make_keys(units: set[str], method: EvaluationMethod) -> _Keys:
    return _Keys(units=[*sorted(units), None], n_groups=len(method.groups))


def _with_keys(df: pl.DataFrame, method: EvaluationMethod, keys: _Keys) -> pl.DataFrame:
    index = {g.code: n for n, g in enumerate(method.groups)}
    above = next((g for g in method.groups if g.above_scale), None)
    below = next((g for g in method.groups if not g.above_scale), None)
    g = (
        pl.when(pl.col("above_scale"))
        .then(pl.lit(index[above.code] if above else None, pl.UInt32))
        .otherwise(pl.lit(index[below.code] if below else None, pl.UInt32))
    )
    real = keys.units[:-1]
    u = (
        # the unit's place among the sorted units: an Enum's integer codes (cheaper than a replace)
        pl.col("unit").cast(pl.Enum(real), strict=False).to_physical().cast(pl.UInt32).fill_null(len(real))
        if real
        else pl.lit(0, pl.UInt32)
    )
    return df.with_columns(g.alias("_g"), u.alias("_u")).with_columns(
        (pl.col("_g") * len(keys.units) + pl.col("_u")).alias("_k"),
        (pl.col("_st") == 0).alias("_ev"),
    )


# -- 3. benchmarks per unit, group and indicator ----------------------------------------------------
def _benchmark_query(
    df: pl.DataFrame, method: EvaluationMethod, codes: list[str], only: list[int] | None = None
) -> pl.LazyFrame:
    """code → one row per key over the evaluated enterprises with a positive denominator: sum_n, sum_d
    (in millionths of the stored unit: Int64, wrapping on overflow), the same summed as floats and their
    largest magnitudes (to make the Int64 sums exact: see `_exact_sum`), mean_ratio (float) and count;
    `only` restricts the keys.

    Every value is masked (0 where not usable) before one group-by sum: filtering inside the aggregation
    and summing Decimals cost several times more on a large year."""
    lazy = df.lazy()
    if only is not None:
        lazy = lazy.filter(pl.col("_k").is_in(only))
    columns: list[pl.Expr] = []
    for code in codes:
        ind = _indicator(method, code)
        n, d = pl.col(ind.numerator), pl.col(ind.denominator)
        usable = (pl.col("_ev") & (d > 0)).fill_null(False)  # a mask, not a filter: no copy of the rows
        for side, x in (("sum_n", n.fill_null(0)), ("sum_d", d)):
            micro = (pl.when(usable).then(x).otherwise(0.0) * 1e6).round()
            columns += [
                micro.cast(pl.Int64, strict=False).alias(f"{code}|{side}"),
                micro.alias(f"{code}|{side}|float"),
            ]
        if method.benchmark.average == "mean":
            columns.append(pl.when(usable).then(n.fill_null(0) / d).otherwise(0.0).alias(f"{code}|ratio_sum"))
        columns.append(usable.cast(pl.UInt32).alias(f"{code}|count"))
    sides = [f"{c}|{side}" for c in codes for side in ("sum_n", "sum_d")]
    sums = (
        lazy.select("_k", *columns)
        .group_by("_k")
        .agg(pl.all().sum(), *(pl.col(c).abs().max().alias(f"{c}|max") for c in sides))
    )
    mean = [
        (pl.col(f"{c}|ratio_sum") / pl.col(f"{c}|count")).alias(f"{c}|mean_ratio")
        if method.benchmark.average == "mean"
        else pl.lit(None, pl.Float64).alias(f"{c}|mean_ratio")
        for c in codes
    ]
    return sums.with_columns(mean)


_INT64_SAFE = 9.2e18  # count × largest magnitude below this (< 2⁶³) proves an Int64 sum did not overflow
_FLOAT_EXACT = 2.0**53  # millionths below this are exact in a float: rint(x · 10⁶) is the decimal's


def _unwrapped(wrapped: int, approximate: float) -> int:
    """The exact sum from its Int64 sum, which wraps modulo 2⁶⁴ (Polars adds integers as Rust does in
    release builds; a test holds it to that), and a float sum of the same integers, whose error is many
    orders below 2⁶³: the multiple of 2⁶⁴ that brings the wrapped sum nearest to the float one."""
    return wrapped + ((int(approximate) - wrapped + 2**63) // 2**64) * 2**64


def _decimal_sums(
    df: pl.DataFrame, method: EvaluationMethod, code: str, side: str, table: pl.DataFrame
) -> pl.DataFrame:
    """One column of sums again in Decimal(38, 6), when a value is too large for its millionths to be
    exact in a float (tens of billions of 元): rare, a column or two of a large year at most."""
    ind = _indicator(method, code)
    column = ind.numerator if side == "sum_n" else ind.denominator
    x = pl.col(column).fill_null(0).cast(pl.Float64)
    rows = df.lazy().filter(
        pl.col("_ev") & (pl.col(ind.denominator) > 0) & pl.col("_k").is_in(table["_k"].to_list())
    )
    sums = rows.group_by("_k").agg(x.cast(EXACT_SUM).sum().alias("s")).collect(engine="in-memory")
    totals = {k: int(v.scaleb(6)) for k, v in sums.iter_rows()}
    exact_sums = [totals.get(k, 0) for k in table["_k"].to_list()]
    return table.with_columns(pl.Series(f"{code}|{side}", exact_sums, dtype=pl.Object))


def _exact_sum(
    df: pl.DataFrame, method: EvaluationMethod, code: str, side: str, table: pl.DataFrame
) -> pl.DataFrame:
    """Make one column of Int64 sums exact: as they are when count × largest value proves they did not
    overflow, unwrapped when they may have, again in Decimal when a value's millionths are not exact."""
    largest = table[f"{code}|{side}|max"].cast(pl.Float64)
    if not largest.max() < _FLOAT_EXACT:  # type: ignore[operator]
        return _decimal_sums(df, method, code, side, table)
    bound = (largest * table[f"{code}|count"].cast(pl.Float64)).max()
    if bound < _INT64_SAFE:  # type: ignore[operator]
        return table
    sums = [
        _unwrapped(w, f)
        for w, f in zip(
            table[f"{code}|{side}"].to_list(), table[f"{code}|{side}|float"].to_list(), strict=True
        )
    ]
    return table.with_columns(pl.Series(f"{code}|{side}", sums, dtype=pl.Object))


def _benchmark_rows(
    table: pl.DataFrame, df: pl.DataFrame, method: EvaluationMethod, keys: _Keys, codes: list[str], year: int
) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    for code in codes:
        for side in ("sum_n", "sum_d"):
            if table.height:
                table = _exact_sum(df, method, code, side, table)
        groups = [gi for gi, _ in _scored_by(method, code)]
        out[code] = table.filter(
            (pl.col(f"{code}|count") > 0) & (pl.col("_k") // len(keys.units)).is_in(groups)
        ).select(
            "_k",
            *(pl.col(f"{code}|{c}").alias(c) for c in ("sum_n", "sum_d", "mean_ratio", "count")),
            pl.lit(year, pl.Int64).alias("year"),
        )
    return out


def _keys_of(code: str, method: EvaluationMethod, keys: _Keys) -> set[int]:
    """The keys (real units only) of the groups that score the indicator."""
    valid = keys.valid()
    groups = {gi for gi, _ in _scored_by(method, code)}
    return {k for k in range(keys.size()) if valid[k] and k // len(keys.units) in groups}


def _previous_tables(
    previous: pl.DataFrame, method: EvaluationMethod, keys: _Keys, year: int
) -> dict[str, list[dict[str, Any]]]:
    """code → the previous year's usable rows (positive Σ denominator) of the benchmark table."""
    codes = indicator_codes(method)
    summed = _benchmark_query(previous, method, codes).collect(engine="in-memory")
    prev = _benchmark_rows(summed, previous, method, keys, codes, year - 1)
    return {code: [r for r in prev[code].iter_rows(named=True) if r["sum_d"] > 0] for code in codes}


def _current_rows(
    current: pl.DataFrame, method: EvaluationMethod, keys: _Keys, year: int, only: list[int] | None
) -> dict[str, dict[int, dict[str, Any]]]:
    """code → key → the year's own benchmark row, for the keys `only` (all when None)."""
    codes = indicator_codes(method)
    summed = _benchmark_query(current, method, codes, only).collect(engine="in-memory")
    own = _benchmark_rows(summed, current, method, keys, codes, year)
    return {code: {r["_k"]: r for r in own[code].iter_rows(named=True)} for code in codes}


def _new_unit_keys(keys: _Keys, new_units: set[str]) -> list[int]:
    """The keys of units the previous year does not have at all (their fallback is certain)."""
    return [k for k in range(keys.size()) if keys.units[k % len(keys.units)] in new_units]


def _benchmark_tables(
    current: pl.DataFrame,
    previous: dict[str, list[dict[str, Any]]] | None,
    method: EvaluationMethod,
    keys: _Keys,
    year: int,
    early: tuple[list[int], dict[str, dict[int, dict[str, Any]]]] | None = None,
) -> dict[str, dict[int, dict[str, Any]]]:
    """code → key → {sum_n, sum_d, mean_ratio, count, year, base (float)}: the previous year's table
    (`_previous_tables`, None when the method takes the year's own data), falling back to the year's own
    rows for the units it lacks (only those are summed; `early` holds those already summed, for units
    new this year, while the previous year's were). sum_n and sum_d are exact integers in millionths;
    the float base is their quotient, correctly rounded."""
    codes = indicator_codes(method)
    tables: dict[str, list[dict[str, Any]]] = {
        code: list(previous[code]) if previous else [] for code in codes
    }
    if previous is None:
        own = _current_rows(current, method, keys, year, None)
        for code in codes:
            tables[code] += own[code].values()
    elif method.benchmark.fallback_to_current:
        lacking = {code: _keys_of(code, method, keys) - {r["_k"] for r in tables[code]} for code in codes}
        done, own = early or ([], {code: {} for code in codes})
        rest = sorted(set().union(*lacking.values()) - set(done))
        if rest:
            more = _current_rows(current, method, keys, year, rest)
            own = {code: own[code] | more[code] for code in codes}
        for code in codes:
            tables[code] += [r for k, r in own[code].items() if k in lacking[code]]
    valid = keys.valid()
    out: dict[str, dict[int, dict[str, Any]]] = {}
    for code in codes:
        rows: dict[int, dict[str, Any]] = {}
        for r in tables[code]:
            if not valid[r["_k"]]:
                continue  # a missing unit matches no enterprise (as a join on a missing key)
            if method.benchmark.average == "aggregate":
                base = _divide(float(r["sum_n"]), float(r["sum_d"]))
            else:
                base = r["mean_ratio"]
            rows[r["_k"]] = r | {"base": base}
        out[code] = rows
    return out


def _divide(a: float, b: float) -> float:
    """a / b as Polars divides floats (IEEE: ±inf or NaN for a zero divisor)."""
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _benchmark_base(row: dict[str, Any], average: str) -> Fraction:
    """The unit's average of numerator ÷ denominator, exactly (before the multiplier and the scale)."""
    if average == "aggregate":
        sum_d = Fraction(row["sum_d"])
        return Fraction(row["sum_n"]) / sum_d if sum_d else Fraction(0)
    return exact.exact(row["mean_ratio"]) if row["mean_ratio"] is not None else Fraction(0)


# -- 4. indicator scores ----------------------------------------------------------------------------
RULES = [
    "normal",
    "capped",
    "floored",
    "missing_numerator",
    "benchmark_nonpositive",
    "zero_den_average",
    "zero_den_zero",
    "zero_den_exception",
]
_RULE = {name: n for n, name in enumerate(RULES)}
_ZERO_RULES = {
    ZeroDenominator.unit_average: "zero_den_average",
    ZeroDenominator.zero: "zero_den_zero",
    ZeroDenominator.exception: "zero_den_exception",
}


def _by_key(values: list[Any], dtype: pl.DataType) -> pl.Expr:
    # the cast keeps the dtype should the query optimiser take two all-null tables for one
    return pl.lit(pl.Series(str(dtype), values, dtype=dtype)).gather(pl.col("_k")).cast(dtype)


@dataclass
class _Rows:
    """The year's rows as numpy arrays, shared by the indicators' threads (read only)."""

    k: np.ndarray  # unit × group key; keys.size() for a row without one
    g: np.ndarray  # group; n_groups for a row without one
    g64: np.ndarray  # g × 64, the rule table's row (see `_rule_table`)
    ev: np.ndarray  # evaluated
    values: dict[str, np.ndarray]  # metric → floats, NaN where missing
    missing: dict[str, np.ndarray]  # metric → missing
    filled: dict[str, np.ndarray]  # metric → floats, 0 where missing (numerators)
    in_group: dict[tuple[bool, ...], np.ndarray]  # groups that score an indicator → evaluated in them


def _rows(df: pl.DataFrame, method: EvaluationMethod, keys: _Keys) -> _Rows:
    """The arrays every indicator reads (made while the previous year's benchmarks are summed)."""
    indicators = [_indicator(method, c) for c in indicator_codes(method)]
    g = df["_g"].fill_null(keys.n_groups).to_numpy().astype(np.intp)
    values = {m: df[m].cast(pl.Float64).to_numpy() for i in indicators for m in (i.numerator, i.denominator)}
    missing = {m: np.isnan(v) for m, v in values.items()}
    ev = df["_ev"].fill_null(False).to_numpy()
    rows = _Rows(
        k=df["_k"].fill_null(keys.size()).to_numpy().astype(np.intp),
        g=g,
        g64=(g * 64).astype(np.uint16 if keys.n_groups < 1023 else np.intp),
        ev=ev,
        values=values,
        missing=missing,
        filled={i.numerator: np.where(missing[i.numerator], 0.0, values[i.numerator]) for i in indicators},
        in_group={},
    )
    for i in indicators:
        member = _members(method, i.code)
        if member not in rows.in_group:
            rows.in_group[member] = ev & np.array([*member, False])[g]
    return rows


def _score_all(
    df: pl.DataFrame,
    rows: _Rows,
    method: EvaluationMethod,
    keys: _Keys,
    benches: dict[str, dict[int, dict[str, Any]]],
) -> tuple[pl.DataFrame, np.ndarray]:
    """Every indicator's value, benchmark, ratio, score and rule, in numpy: a few passes over whole
    arrays per indicator, the indicators side by side on a small thread pool (numpy lets go of the GIL
    on whole arrays), where a chain of conditional columns made many more. Nulls are set at the end by
    Polars, which only combines validity masks for that."""
    indicators = [_indicator(method, c) for c in indicator_codes(method)]

    def one(ind: Indicator) -> tuple[list[pl.Expr], np.ndarray]:
        return _score_indicator(ind, method, keys, benches[ind.code], rows)

    workers = max(1, min(len(indicators), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(one, indicators))
    score_sum = np.zeros(df.height, dtype=np.int64)
    for _, score in parts:
        score_sum += score  # 0 outside the indicator's group: the sum is the total's indicator part
    return df.with_columns(e for exprs, _ in parts for e in exprs), score_sum


def _scored_by(method: EvaluationMethod, code: str) -> list[tuple[int, Indicator]]:
    """(group number, the indicator as that group weighs it) for each group that scores `code`."""
    return [(gi, i) for gi, group in enumerate(method.groups) for i in group.indicators if i.code == code]


def _members(method: EvaluationMethod, code: str) -> tuple[bool, ...]:
    scoring = {gi for gi, _ in _scored_by(method, code)}
    return tuple(gi in scoring for gi in range(len(method.groups)))


_NO_RULE = len(RULES)  # rows outside the indicator's group: no rule (null once named)
# an Enum: naming a million rows gathers integers, where a String column would write a million texts
RULE_DTYPE = pl.Enum(RULES)
# the last slot (no rule) reads as the first name and is masked to null after: gathering from a table
# without nulls is several times faster than gathering a null
_RULE_NAMES = pl.Series([*RULES, RULES[0]], dtype=RULE_DTYPE)
# bits of the conditions that decide an enterprise's rule for an indicator (see `_rule_table`)
_BELOW_FLOOR, _ABOVE_CAP, _NO_NUMERATOR, _BAD_BENCHMARK, _BAD_DENOMINATOR, _OUTSIDE = (
    1 << b for b in range(6)
)


def _rule_table(zero_rules: np.ndarray) -> np.ndarray:
    """rule code for every (group, condition bits): index group × 64 + bits, first condition wins."""
    table = np.empty(len(zero_rules) * 64, dtype=np.uint8)
    for gi, zero in enumerate(zero_rules):
        for bits in range(64):
            if bits & _OUTSIDE:
                rule = _NO_RULE
            elif bits & _BAD_DENOMINATOR:
                rule = int(zero)
            elif bits & _BAD_BENCHMARK:
                rule = _RULE["benchmark_nonpositive"]
            elif bits & _NO_NUMERATOR:
                rule = _RULE["missing_numerator"]
            elif bits & _ABOVE_CAP:
                rule = _RULE["capped"]
            elif bits & _BELOW_FLOOR:
                rule = _RULE["floored"]
            else:
                rule = _RULE["normal"]
            table[gi * 64 + bits] = rule
    return table


def _bit(mask: np.ndarray, bit: int) -> np.ndarray:
    return mask.view(np.uint8) * np.uint8(bit)


def _score_indicator(
    ind: Indicator, method: EvaluationMethod, keys: _Keys, bench: dict[int, dict[str, Any]], rows: _Rows
) -> tuple[list[pl.Expr], np.ndarray]:
    code = ind.code
    scale, mult = float(ind.scale), float(method.benchmark.multiplier)
    cap, floor = float(method.score.cap), float(method.score.floor)
    # per-key and per-group tables with one slot more, for the rows without a key or a group
    valid = keys.valid()
    base_k = np.full(keys.size() + 1, np.nan)
    year_k = np.zeros(keys.size() + 1, dtype=np.int64)
    has_year_k = np.zeros(keys.size() + 1, dtype=bool)
    for key, row in bench.items():
        if valid[key]:
            base_k[key] = np.nan if row["base"] is None else row["base"] * mult
            year_k[key], has_year_k[key] = row["year"], True
    w100_g = np.zeros(keys.n_groups + 1)
    zero_g = np.full(keys.n_groups + 1, _NO_RULE, dtype=np.uint8)
    for gi, i in _scored_by(method, code):
        w100_g[gi] = float(i.weight) * 100
        zero_g[gi] = _RULE[_ZERO_RULES[i.on_zero_denominator]]
    k, g = rows.k, rows.g
    n, d = rows.values[ind.numerator], rows.values[ind.denominator]
    missing_n = rows.missing[ind.numerator]
    in_group = rows.in_group[_members(method, code)]
    positive_den = d > 0
    base = base_k[k]
    bench_ok = base > 0
    scored = in_group & positive_den & bench_ok
    # Fresh arrays cost page faults (a million rows are 8 MB): the steps below work in place where the
    # result is not an output column.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        value = rows.filled[ind.numerator] / d
        ratio = value / base
        half = np.clip(ratio, floor, cap)
    weights = {w for w, z in zip(w100_g, zero_g, strict=True) if z != _NO_RULE}
    half *= weights.pop() if len(weights) == 1 else w100_g[g]  # one weight: no gather
    half += 0.5
    rounded = np.floor(half)
    rest = np.subtract(half, rounded, out=half)  # frac(x) is near ½ when this is near 0 or 1
    rest -= 0.5
    near = scored & (np.abs(rest, out=rest) > 0.5 - exact.NEAR_HALF)
    with np.errstate(invalid="ignore"):  # rows not scored may hold NaN: zeroed just below
        score = rounded.astype(np.int64)
    score *= scored
    positions = np.flatnonzero(near)
    if len(positions):
        score[positions] = _exact_scores(method, ind, bench, keys, n, d, k, g, positions)
    bits = _bit(ratio < floor, _BELOW_FLOOR)
    bits |= _bit(ratio > cap, _ABOVE_CAP)
    bits |= _bit(missing_n, _NO_NUMERATOR)
    bits |= _bit(~bench_ok, _BAD_BENCHMARK)
    bits |= _bit(~positive_den, _BAD_DENOMINATOR)
    bits |= _bit(~in_group, _OUTSIDE)
    rule = _rule_table(zero_g)[rows.g64 + bits]
    if (zero_g == _RULE["zero_den_average"]).any():
        _zero_denominator_average(score, rule, scored, k, keys)
    value *= scale
    base *= scale
    rule_codes = pl.Series(f"_rc_{code}", rule)

    def masked(mask: np.ndarray, values: np.ndarray | pl.Series, name: str) -> pl.Expr:
        return pl.when(pl.lit(pl.Series(mask))).then(pl.lit(pl.Series(values))).alias(name)

    return [
        masked(in_group & has_year_k[k], year_k[k], f"{code}_benchmark_year"),
        masked(in_group & positive_den, value, f"{code}_value"),
        masked(in_group & bench_ok, base, f"{code}_benchmark"),
        masked(scored, ratio, f"{code}_ratio"),
        masked(in_group, score, f"{code}_score"),
        masked(in_group, _RULE_NAMES.gather(rule_codes), f"{code}_rule"),
        pl.lit(rule_codes),
    ], score


def _exact_scores(
    method: EvaluationMethod,
    ind: Indicator,
    bench: dict[int, dict[str, Any]],
    keys: _Keys,
    n: np.ndarray,
    d: np.ndarray,
    k: np.ndarray,
    g: np.ndarray,
    positions: np.ndarray,
) -> np.ndarray:
    """The exact scores of the rows whose float score lies within a hair of a rounding boundary."""
    mult = Fraction(method.benchmark.multiplier)
    bench_num = np.zeros(keys.size() + 1, dtype=object)
    bench_den = np.ones(keys.size() + 1, dtype=object)
    for key, r in bench.items():
        b = mult * _benchmark_base(r, method.benchmark.average)
        bench_num[key], bench_den[key] = b.numerator, b.denominator
    weight_num = np.zeros(keys.n_groups + 1, dtype=object)
    weight_den = np.ones(keys.n_groups + 1, dtype=object)
    for gi, i in _scored_by(method, ind.code):
        w = Fraction(i.weight)
        weight_num[gi], weight_den[gi] = w.numerator, w.denominator
    rk, rg = k[positions], g[positions]
    numerators = n[positions]
    return exact.scores_hundredths(
        np.where(np.isnan(numerators), 0.0, numerators),
        d[positions],
        (bench_num[rk], bench_den[rk]),
        (weight_num[rg], weight_den[rg]),
        floor=Fraction(method.score.floor),
        cap=Fraction(method.score.cap),
    )


def _zero_denominator_average(
    score: np.ndarray, rule: np.ndarray, scored: np.ndarray, k: np.ndarray, keys: _Keys
) -> None:
    """Enterprises whose denominator is 0 or missing under the unit_average rule get the unit's average
    of the rounded scores of the enterprises scored normally (a positive denominator and benchmark: the
    rules normal, capped, floored and missing numerator), rounded half up (in place; `score` is 0 where
    not scored)."""
    averaged = rule == _RULE["zero_den_average"]
    if not averaged.any():
        return
    size = keys.size() + 1
    # integer scores summed as floats: exact far beyond any unit's size (sums below 2⁵³)
    sums = np.bincount(k, weights=score, minlength=size).astype(np.int64)
    counts = np.bincount(k, weights=scored, minlength=size).astype(np.int64)
    usable = (counts > 0) & np.array([*keys.valid(), False])
    average = np.where(usable, (2 * sums + counts) // np.maximum(2 * counts, 1), 0)
    score[averaged] = average[k[averaged]]


# -- 5. bonus, penalty, veto, total ------------------------------------------------------------------
def _hundredths(value: Decimal) -> int:
    return exact.round_half_up(Fraction(value) * 100)


def _points(df: pl.DataFrame, section: Any) -> np.ndarray:
    total = np.zeros(df.height, dtype=np.int64)
    for p in section.items:
        total += df[p.item].to_numpy() * np.int64(_hundredths(p.points))
    if section.cap is not None:
        np.minimum(total, _hundredths(section.cap), out=total)
    return total


def _totals(
    df: pl.DataFrame, method: EvaluationMethod, rows: _Rows, score_sum: np.ndarray
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """Bonus, penalty, veto, total (and the veto's items) in numpy; the totals (0 where not evaluated)
    and the vetoes also come back as arrays for the rank."""
    ev = rows.ev
    bonus, penalty = _points(df, method.bonus), _points(df, method.penalty)
    veto = np.zeros(df.height, dtype=bool)
    for v in method.veto:
        veto |= df[v].to_numpy()
    veto &= ev
    total = score_sum + bonus
    total -= penalty
    total *= ev
    evaluated = pl.lit(pl.Series(ev))
    if 0 < len(method.veto) <= 10:
        # which veto items are set, as bits: the text of each combination is written once and gathered
        bits = np.zeros(df.height, dtype=np.uint32)
        for n, v in enumerate(method.veto):
            bits |= df[v].to_numpy().astype(np.uint32) << np.uint32(n)
        texts = [
            ",".join(v for n, v in enumerate(method.veto) if m >> n & 1) for m in range(1 << len(method.veto))
        ]
        veto_items = pl.lit(_texts(texts).gather(pl.Series(bits)))
    elif method.veto:
        veto_names = [pl.when(pl.col(v)).then(pl.lit(v)) for v in method.veto]
        veto_items = pl.concat_str(veto_names, separator=",", ignore_nulls=True)
    else:
        veto_items = pl.lit("")
    df = df.with_columns(
        pl.when(evaluated).then(pl.lit(pl.Series(bonus))).alias("bonus"),
        pl.when(evaluated).then(pl.lit(pl.Series(penalty))).alias("penalty"),
        pl.lit(pl.Series(veto)).alias("veto"),
        pl.when(evaluated).then(pl.lit(pl.Series(total))).alias("total"),
        veto_items.alias("veto_items"),
    )
    return df, total, veto


# -- 5. rank and class -------------------------------------------------------------------------------
def _descending_key(values: pl.Series) -> np.ndarray:
    """uint64 keys whose ascending order is the order of `values` sorted descending with nulls last, as
    Polars sorts floats (NaN largest, -0.0 equal to 0.0)."""
    x = values.cast(pl.Float64).fill_null(0.0).to_numpy() + 0.0  # + 0.0 turns -0.0 into 0.0
    nan = np.isnan(x)
    if nan.any():
        x[nan] = np.nan  # one NaN
    # IEEE order as unsigned integers: set the sign bit of positives, flip every bit of negatives
    flip = (x.view(np.int64) >> np.int64(63)).view(np.uint64) | np.uint64(1 << 63)
    ascending = x.view(np.uint64) ^ flip
    if values.null_count():
        ascending[values.is_null().to_numpy()] = 0
    return np.invert(ascending, out=ascending)


def _rank(
    df: pl.DataFrame, method: EvaluationMethod, key: np.ndarray, chosen: np.ndarray, totals: np.ndarray
) -> pl.DataFrame:
    """Rank among the non-vetoed of each unit and group: total, then the tie-breakers, descending,
    then the USCC ascending, then the input order.

    One sort of integers over all rows: the key (one past the last for rows not ranked, so they sort
    after every ranked row), the total and the leading bits of the first tie-breaker packed into an Int64
    whose lowest bits hold the row's place, so a plain sort of values (much faster than an argsort)
    yields the order. Rows whose packed values are equal (exact ties, or tie-breakers alike in their
    leading bits) are few; they alone are sorted on every key (the tie-breakers, the USCC and the
    position)."""
    breakers = method.classes.tie_breakers
    ranked = int(np.count_nonzero(chosen))
    if not ranked:
        return df.with_columns(pl.lit(None, pl.Int64).alias("rank"))
    ks = key.astype(np.int64)
    np.copyto(ks, np.max(ks, where=chosen, initial=-1) + 1, where=~chosen)
    top = np.iinfo(np.int64).max
    low, high = (
        int(np.min(totals, where=chosen, initial=top)),
        int(np.max(totals, where=chosen, initial=-top)),
    )
    totals = np.clip(totals, low, high)  # rows not ranked: any total in range will do
    span = high - low + 1
    place_bits = max(1, (df.height - 1).bit_length())
    first_bits = ((int(ks.max()) + 1) * span).bit_length()
    shift = 63 - place_bits - first_bits
    if shift < 0:  # a key space too wide to pack (not met in practice): sort on the columns
        shift, place_bits = 0, 0
    # in place where the array is ours: fresh 8 MB arrays cost page faults
    composite = ks
    composite *= span
    composite += np.subtract(high, totals, out=totals)
    if shift > 0:
        composite <<= np.int64(shift)
        if breakers:
            lead = _descending_key(df[breakers[0]])
            lead >>= np.uint64(64 - shift)
            composite |= lead.view(np.int64)
    if place_bits:
        composite <<= np.int64(place_bits)
        composite |= np.arange(df.height, dtype=np.int64)
        packed = np.sort(composite)[:ranked]
        order = packed & np.int64((1 << place_bits) - 1)
        packed >>= np.int64(place_bits)
    else:
        order = pl.Series(composite).arg_sort().to_numpy().astype(np.int64)[:ranked]
        packed = composite[order]
    tied_next = packed[1:] == packed[:-1]
    in_tie = np.zeros(len(packed), dtype=bool)
    in_tie[1:] |= tied_next
    in_tie[:-1] |= tied_next
    if in_tie.any():
        run = np.cumsum(np.concatenate(([True], ~tied_next)))
        slots = np.flatnonzero(in_tie)
        rows = pl.Series("_pos", order[slots])
        tied = df.select(*breakers, "uscc")[rows].with_columns(pl.Series("_run", run[slots]), rows)
        resolved = (
            tied.with_row_index("_i")
            .sort(
                ["_run", *breakers, "uscc", "_pos"],
                descending=[False, *([True] * len(breakers)), False, False],
                nulls_last=[False, *([True] * len(breakers)), False, False],
            )["_i"]
            .to_numpy()
        )
        order[slots] = order[slots][resolved]
    sorted_keys = packed  # the key is the packed value's leading part: no gather
    sorted_keys >>= np.int64(shift)
    sorted_keys //= span
    starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
    lengths = np.diff(np.concatenate((starts, [len(order)])))
    within = np.arange(len(order)) - np.repeat(starts, lengths) + 1
    ranks = np.zeros(df.height, dtype=np.int64)
    ranks[order] = within
    return df.with_columns(pl.when(pl.lit(pl.Series(chosen))).then(pl.lit(pl.Series(ranks))).alias("rank"))


def _quota_columns(
    df: pl.DataFrame, method: EvaluationMethod, keys: _Keys
) -> tuple[dict[tuple[str | None, str], Quota], list[pl.Series]]:
    """Each unit's quotas, and n and places_A … places_D for every row (they need the vetoes, not the
    rank, so they are made while the rank is)."""
    counts = (
        df.lazy()
        .filter(pl.col("_ev"))
        .group_by("_k")
        .agg(pl.len().alias("n"), pl.col("veto").sum().alias("vetoed"))
        .collect(engine="in-memory")
    )
    quotas: dict[tuple[str | None, str], Quota] = {}
    valid = keys.valid()
    table: dict[str, list[int | None]] = {
        c: [None] * keys.size() for c in ("n", *(f"places_{c}" for c in "ABCD"))
    }
    for k, n, vetoed in counts.select("_k", "n", "vetoed").iter_rows():
        q = quotas_for(n, vetoed, method.classes)
        quotas[keys.unit_group(k, method)] = q
        if valid[k]:
            table["n"][k] = n
            for c in "ABCD":
                table[f"places_{c}"][k] = q.places[c]
    columns = df.select(_by_key(values, pl.Int64).alias(name) for name, values in table.items())
    return quotas, columns.get_columns()


def _classify(df: pl.DataFrame, method: EvaluationMethod, places: list[pl.Series]) -> pl.DataFrame:
    df = df.with_columns(places)
    evaluated = pl.col("_ev")
    if method.classes.mode == "quota":
        a = pl.col("places_A")
        b = a + pl.col("places_B")
        c = b + pl.col("places_C")
        by_rank = (
            pl.when(pl.col("rank") <= a)
            .then(pl.lit(0, pl.UInt32))
            .when(pl.col("rank") <= b)
            .then(pl.lit(1, pl.UInt32))
            .when(pl.col("rank") <= c)
            .then(pl.lit(2, pl.UInt32))
            .otherwise(pl.lit(3, pl.UInt32))
        )
    else:
        mins = {t.klass: _hundredths(t.min_total) for t in method.classes.thresholds}
        by_rank = (
            pl.when(pl.col("total") >= mins["A"])
            .then(pl.lit(0, pl.UInt32))
            .when(pl.col("total") >= mins["B"])
            .then(pl.lit(1, pl.UInt32))
            .when(pl.col("total") >= mins["C"])
            .then(pl.lit(2, pl.UInt32))
            .otherwise(pl.lit(3, pl.UInt32))
        )
    klass = (
        pl.when(pl.col("_st") == 1)
        .then(pl.lit(4, pl.UInt32))
        .when(~evaluated)
        .then(pl.lit(None, pl.UInt32))
        .when(pl.col("veto"))
        .then(pl.lit(3, pl.UInt32))
        .otherwise(by_rank)
    )
    classes = pl.Series(["A", "B", "C", "D", "T"], dtype=CLASS_DTYPE)
    return df.with_columns(pl.lit(classes).gather(klass).alias("class"))


# -- 6. low efficiency ------------------------------------------------------------------------------
def _threshold_hits(df: pl.DataFrame, method: EvaluationMethod) -> dict[int, pl.Series]:
    """rule number → hit, for the low-efficiency rules on an indicator's value (they need no class, so
    they are made while the totals and the rank are). Values within a hair of the line are compared
    exactly (`_fix_threshold`)."""
    evaluated = pl.col("_ev")
    hits: dict[int, pl.Series] = {}
    for n, rule in enumerate(method.low_efficiency):
        if rule.classes:
            continue
        ind = _indicator(method, rule.indicator)  # type: ignore[arg-type]
        limit = float(rule.at_most)  # type: ignore[arg-type]
        value = pl.col(f"{ind.code}_value")
        index = next((gi for gi, g in enumerate(method.groups) if g.code == rule.group), None)
        in_group = pl.col("_g") == index if rule.group else pl.lit(True)
        near = (value - limit).abs() <= 1e-9 * max(1.0, abs(limit))
        rows = df.with_columns((evaluated & in_group & value.is_not_null() & near).alias(f"_le_near_{n}"))
        rows = _fix_threshold(rows, ind, rule.at_most, rule.inclusive, n)  # type: ignore[arg-type]
        cmp = (value <= limit) if rule.inclusive else (value < limit)
        hit = (
            evaluated
            & in_group
            & value.is_not_null()
            & (pl.when(pl.col(f"_le_near_{n}")).then(pl.col(f"_le_exact_{n}")).otherwise(cmp))
        )
        hits[n] = rows.select(hit.fill_null(False).alias(f"_le_{n}")).to_series()
    return hits


def _low_efficiency(
    df: pl.DataFrame, method: EvaluationMethod, thresholds: dict[int, pl.Series]
) -> pl.DataFrame:
    evaluated = pl.col("_ev")
    hits = [
        pl.lit(thresholds[n])
        if n in thresholds
        else (evaluated & pl.col("class").is_in(rule.classes)).fill_null(False)
        for n, rule in enumerate(method.low_efficiency)
    ]
    if not hits:
        return df.with_columns(
            pl.lit(False).alias("low_efficiency"), pl.lit("").alias("low_efficiency_reason")
        )
    labels = [rule.label for rule in method.low_efficiency]
    if len(labels) <= 10:
        # which rules hit, as bits: the reason of each combination is written once and gathered
        bits = pl.sum_horizontal([h.cast(pl.UInt32) * (1 << n) for n, h in enumerate(hits)])
        texts = ["；".join(t for n, t in enumerate(labels) if m >> n & 1) for m in range(1 << len(labels))]
        reason = pl.lit(_texts(texts)).gather(bits)
        listed = pl.lit(pl.Series([t != "" for t in texts], dtype=pl.Boolean)).gather(bits)
        df = df.with_columns(reason.alias("low_efficiency_reason"), listed.alias("low_efficiency"))
    else:
        reason = pl.concat_str(
            [pl.when(h).then(pl.lit(t)) for h, t in zip(hits, labels, strict=True)],
            separator="；",
            ignore_nulls=True,
        )
        df = df.with_columns(reason.alias("low_efficiency_reason"))
        df = df.with_columns((pl.col("low_efficiency_reason") != "").alias("low_efficiency"))
    return df


def _fix_threshold(
    df: pl.DataFrame, ind: Indicator, at_most: Decimal, inclusive: bool, n: int
) -> pl.DataFrame:
    positions = df[f"_le_near_{n}"].arg_true()
    near = df.select(
        pl.col(ind.numerator).gather(positions).fill_null(0.0), pl.col(ind.denominator).gather(positions)
    )
    results = exact.at_most_many(
        near[ind.numerator].to_numpy(),
        near[ind.denominator].to_numpy(),
        scale=Fraction(ind.scale),
        limit=Fraction(at_most),
        inclusive=inclusive,
    )
    column = pl.repeat(None, df.height, dtype=pl.Boolean, eager=True).alias(f"_le_exact_{n}")
    column.scatter(positions, pl.Series(results, dtype=pl.Boolean))
    return df.with_columns(column)


# -- 7. reasons -------------------------------------------------------------------------------------
def _reasons(df: pl.DataFrame, method: EvaluationMethod, item_names: dict[str, str], year: int) -> pl.Series:
    notes = []
    for code in indicator_codes(method):
        ind = _indicator(method, code)
        rule = pl.col(f"{code}_rule")
        notes.append(
            pl.when(rule == "zero_den_average").then(
                pl.lit(f"{_metric_label(ind.denominator)}为0或缺失，{ind.name}按本单位平均得分计")
            )
        )
        notes.append(
            pl.when(rule == "zero_den_zero").then(
                pl.lit(f"{_metric_label(ind.denominator)}为0或缺失，{ind.name}得0分")
            )
        )
        notes.append(
            pl.when(rule == "missing_numerator").then(
                pl.lit(f"缺少{_metric_label(ind.numerator)}数据，按0计")
            )
        )
    veto_text = pl.col("veto_items")
    veto_text = veto_text.cast(pl.String)
    for code in method.veto:
        veto_text = veto_text.str.replace(code, item_names.get(code, code), literal=True)
    t_reason, exception_reason, excluded_reason = _status_texts(method, year)
    reason = (
        pl.when(pl.col("status") == STATUS_T)
        .then(pl.concat_str([pl.lit("暂不评价（T类）："), t_reason]))
        .when(pl.col("status") == STATUS_EXCEPTION)
        .then(pl.concat_str([pl.lit("无法评价，请县区核实："), exception_reason]))
        .when(pl.col("status") == STATUS_EXCLUDED)
        .then(excluded_reason)
        .when(pl.col("veto"))
        .then(pl.concat_str([pl.lit("一票否决："), veto_text.str.replace_all(",", "、")]))
        .otherwise(pl.concat_str(notes, separator="；", ignore_nulls=True))
    )
    # Most enterprises need no words: build the text only for the rows that do, and put it back by
    # position (string building is the costly part of this step on a large year).
    noted = ["zero_den_average", "zero_den_zero", "missing_numerator"]
    needs = (
        ~pl.col("_ev")
        | pl.col("veto")
        | pl.any_horizontal(
            [pl.col(f"_rc_{c}").is_in([_RULE[r] for r in noted]) for c in indicator_codes(method)]
        )
    ).fill_null(False)
    positions = df.select(needs).to_series().arg_true()
    # What decides a row's words: its status, veto items, rules, which T and exception conditions hold,
    # and the land of a too-small enterprise. Rows alike in all of these read alike, so the text is
    # built once for each such signature (a few hundred in a large year) and gathered.
    conditions = [c for c, _ in _t_rules(method, year)] + [c for c, _ in _exception_rules(method)]
    signature = [
        pl.col("_st"),
        pl.col("veto").fill_null(False),
        pl.col("veto_items"),
        *(pl.col(f"_rc_{c}") for c in indicator_codes(method)),
        *(c.fill_null(False) for c in conditions),
        pl.col("group").is_null(),
        pl.col("_too_small"),
        pl.when(pl.col("_too_small")).then(pl.col("land_mu").round(2)),
    ]
    signature = [e.alias(f"_sig{n}") for n, e in enumerate(signature)]
    read = dict.fromkeys(
        reason.fill_null("").meta.root_names() + [c for e in signature for c in e.meta.root_names()]
    )
    rows = pl.DataFrame([df.get_column(c).gather(positions) for c in read])
    kinds = (
        rows.select(signature)
        .with_row_index("_i")
        .group_by([e.meta.output_name() for e in signature])
        .agg(pl.col("_i"))
        .select("_i")
        .with_row_index("_kind")
    )
    texts = rows[kinds["_i"].list.first()].select(reason.fill_null("")).to_series().append(pl.Series([""]))
    texts = texts.cast(pl.Enum(texts.unique(maintain_order=True)))
    members = kinds.explode("_i")
    kind_of = np.empty(len(positions), dtype=np.uint32)
    kind_of[members["_i"].to_numpy()] = members["_kind"].to_numpy()
    # every row points at its kind's text, or at the empty one after them: one gather writes the column
    index = np.full(df.height, len(kinds), dtype=np.uint32)
    index[positions.to_numpy()] = kind_of
    return texts.gather(index).alias("reason")


def evaluate(
    frame: pl.DataFrame,
    method: EvaluationMethod,
    *,
    year: int,
    previous: pl.DataFrame | None = None,
    item_names: dict[str, str] | None = None,
) -> EvaluationResult:
    """Evaluate one year. `previous` (same shape, the year before) supplies the benchmarks when the
    method takes them from the previous year; without it the year's own data is used."""
    use_prev = previous is not None and not previous.is_empty() and method.benchmark.year != "current"
    # The previous year and the reasons do not wait on the rest: a second thread takes them (Polars and
    # numpy let go of the GIL, and many of their steps use one core).
    with ThreadPoolExecutor(max_workers=1) as side:

        def prepared(f: pl.DataFrame, y: int) -> tuple[pl.DataFrame, set[str]]:
            df = _prepare(f, method, y)
            return df, _units(df)

        prev_done = side.submit(prepared, previous, year - 1) if use_prev else None
        df, units = prepared(frame, year)
        prev, prev_units = prev_done.result() if prev_done else (None, set())
        keys = _make_keys(units | prev_units, method)
        tables_done = (
            side.submit(lambda: _previous_tables(_with_keys(prev, method, keys), method, keys, year))
            if prev is not None
            else None
        )
        df = _with_keys(df, method, keys)
        rows = _rows(df, method, keys)
        early = None
        if prev is not None and method.benchmark.fallback_to_current and units - prev_units:
            new = _new_unit_keys(keys, units - prev_units)
            early = (new, _current_rows(df, method, keys, year, new))
        previous_rows = tables_done.result() if tables_done else None
        benches = _benchmark_tables(df, previous_rows, method, keys, year, early)
        df, score_sum = _score_all(df, rows, method, keys, benches)
        thresholds = side.submit(_threshold_hits, df, method)
        df, totals, veto = _totals(df, method, rows, score_sum)
        places = side.submit(_quota_columns, df, method, keys)
        reasons = side.submit(_reasons, df, method, item_names or {}, year)
        # every row whose unit is missing ranks in one key of its own, past every real one
        null_unit = len(keys.units) - 1
        rank_key = np.where(rows.k % len(keys.units) == null_unit, keys.size(), rows.k)
        df = _rank(df, method, rank_key, rows.ev & ~veto, totals)
        quotas, place_columns = places.result()
        df = _classify(df, method, place_columns)
        df = _low_efficiency(df, method, thresholds.result())
        df = df.with_columns(reasons.result())
    df = df.drop([c for c in df.columns if c.startswith("_")])
    return EvaluationResult(frame=df, quotas=quotas, method=method, year=year)
