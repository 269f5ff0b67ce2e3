"""Two other implementations of the 亩产效益 method, to time the engine against and to check it by.

`rowwise`: the straightforward one, one enterprise at a time in plain Python with exact fractions (the
way the method reads: sums, ratios, clamp, round half up). `with_pandas`: what an analyst would write in
pandas, floats with a small epsilon at the rounding step. Both read the method's parameters (groups,
indicators, weights, zero-denominator rules, multiplier, cap, floor, items, T rules, quotas, tie-breakers,
low-efficiency rules) but support only the default modes: aggregate averages from the previous year with
fallback, classes by quota, grouping by region. Quota places come from the engine's `quotas_for`, which
has its own hand-checked tests.

Both return {uscc: (class or None, total in hundredths or None, low_efficiency)}.
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

Outcome = tuple[str | None, int | None, bool]


def _check(method: Any) -> None:
    assert method.benchmark.average == "aggregate" and method.benchmark.year == "previous"
    assert method.classes.mode == "quota" and method.grouping == "region"


# -- row at a time ---------------------------------------------------------------------------------------
def _exact(x: Any) -> Fraction | None:
    if x is None or x != x:  # noqa: PLR0124 - NaN
        return None
    return Fraction(Decimal(repr(float(x))))


def _half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2)) if x >= 0 else -math.floor(-x + Fraction(1, 2))


def _status(row: dict[str, Any], method: Any, year: int) -> tuple[str, Any]:
    group = next((g for g in method.groups if g.above_scale == bool(row["above_scale"])), None)
    if group is None:
        return "excluded", None
    land = row["land_mu"]
    if not group.above_scale and group.min_land_mu is not None:
        limit = float(group.min_land_mu)
        if land is None or (land < limit if group.min_land_inclusive else land <= limit):
            return "excluded", group
    t = method.t_class
    industry = row.get("industry") or ""
    if industry[:2] in t.industry_divisions:
        return "T", group
    if t.newly_above_scale and row["above_scale"] and row.get("new_above_scale"):
        return "T", group
    founded = row.get("founded_year")
    if t.startup_years and founded is not None and year - founded < t.startup_years:
        return "T", group
    for ind in group.indicators:
        if ind.on_zero_denominator.value == "exception":
            d = row[ind.denominator]
            if d is None or d != d or d <= 0:
                return "exception", group
    return "evaluated", group


def _sums(rows: list[dict[str, Any]], method: Any, year: int) -> dict[tuple[str, str, str], list[Fraction]]:
    sums: dict[tuple[str, str, str], list[Fraction]] = defaultdict(lambda: [Fraction(0), Fraction(0)])
    for row in rows:
        status, group = _status(row, method, year)
        if status != "evaluated":
            continue
        for ind in group.indicators:
            d = _exact(row[ind.denominator])
            if d is None or d <= 0:
                continue
            s = sums[(row["region"], group.code, ind.code)]
            s[0] += _exact(row[ind.numerator]) or 0
            s[1] += d
    return sums


def rowwise(
    rows: list[dict[str, Any]], previous: list[dict[str, Any]], method: Any, year: int
) -> dict[str, Outcome]:
    from gongqiang.evaluation.compute import quotas_for

    _check(method)
    own, last = _sums(rows, method, year), _sums(previous, method, year - 1)
    mult, cap, floor = (
        Fraction(method.benchmark.multiplier),
        Fraction(method.score.cap),
        Fraction(method.score.floor),
    )
    bonus_points = {p.item: _half_up(Fraction(p.points) * 100) for p in method.bonus.items}
    penalty_points = {p.item: _half_up(Fraction(p.points) * 100) for p in method.penalty.items}
    bonus_cap = None if method.bonus.cap is None else _half_up(Fraction(method.bonus.cap) * 100)
    penalty_cap = None if method.penalty.cap is None else _half_up(Fraction(method.penalty.cap) * 100)

    evaluated: list[dict[str, Any]] = []
    outcome: dict[str, Outcome] = {}
    positive: dict[tuple[str, str, str], list[int]] = defaultdict(list)  # rounded scores with a denominator
    for row in rows:
        status, group = _status(row, method, year)
        if status != "evaluated":
            outcome[row["uscc"]] = ("T" if status == "T" else None, None, False)
            continue
        scores: dict[str, int | None] = {}
        for ind in group.indicators:
            key = (row["region"], group.code, ind.code)
            d = _exact(row[ind.denominator])
            if d is None or d <= 0:
                scores[ind.code] = None if ind.on_zero_denominator.value == "unit_average" else 0
                continue
            s = last.get(key)
            if s is None or s[1] == 0:
                s = own.get(key)
            base = s[0] / s[1] if s is not None and s[1] else Fraction(0)
            if base <= 0:
                scores[ind.code] = 0
                continue
            ratio = (_exact(row[ind.numerator]) or 0) / d / (mult * base)
            scores[ind.code] = _half_up(Fraction(ind.weight) * 100 * min(max(ratio, floor), cap))
            positive[key].append(scores[ind.code])
        bonus = sum(p for item, p in bonus_points.items() if row.get(item))
        penalty = sum(p for item, p in penalty_points.items() if row.get(item))
        evaluated.append(
            {
                "row": row,
                "group": group,
                "scores": scores,
                "bonus": bonus if bonus_cap is None else min(bonus, bonus_cap),
                "penalty": penalty if penalty_cap is None else min(penalty, penalty_cap),
                "veto": any(row.get(v) for v in method.veto),
            }
        )
    units: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in evaluated:
        row, group = e["row"], e["group"]
        for code, score in e["scores"].items():
            if score is None:  # zero denominator, unit average of the others' rounded scores
                others = positive.get((row["region"], group.code, code), [])
                e["scores"][code] = (2 * sum(others) + len(others)) // (2 * len(others)) if others else 0
        e["total"] = sum(e["scores"].values()) + e["bonus"] - e["penalty"]
        units[(row["region"], group.code)].append(e)

    def order(e: dict[str, Any]) -> tuple[Any, ...]:
        key: list[Any] = [-e["total"]]
        for m in method.classes.tie_breakers:
            v = e["row"][m]
            key += [v is None, -(v or 0)]
        return (*key, e["row"]["uscc"])

    for unit_rows in units.values():
        quota = quotas_for(len(unit_rows), sum(e["veto"] for e in unit_rows), method.classes)
        a, b, c = quota.bounds()
        ranked = sorted((e for e in unit_rows if not e["veto"]), key=order)
        for rank, e in enumerate(ranked, start=1):
            e["class"] = "A" if rank <= a else "B" if rank <= b else "C" if rank <= c else "D"
        for e in unit_rows:
            if e["veto"]:
                e["class"] = "D"
            outcome[e["row"]["uscc"]] = (e["class"], e["total"], _low(e, method))
    return outcome


def _low(e: dict[str, Any], method: Any) -> bool:
    for rule in method.low_efficiency:
        if rule.classes:
            if e["class"] in rule.classes:
                return True
            continue
        if rule.group is not None and rule.group != e["group"].code:
            continue
        ind = next(i for i in e["group"].indicators if i.code == rule.indicator)
        d = _exact(e["row"][ind.denominator])
        if d is None or d <= 0:
            continue
        value = (_exact(e["row"][ind.numerator]) or 0) / d * Fraction(ind.scale)
        limit = Fraction(rule.at_most)
        if value <= limit if rule.inclusive else value < limit:
            return True
    return False


# -- pandas ----------------------------------------------------------------------------------------------
EPS = 1e-7  # hundredths of a point: lifts a float that should be exactly x.5 over the line


def _pd_status(df: Any, method: Any, year: int) -> Any:
    above = next((g for g in method.groups if g.above_scale), None)
    below = next((g for g in method.groups if not g.above_scale), None)
    df["group"] = np.where(df["above_scale"], above.code if above else None, below.code if below else None)
    t = method.t_class
    is_t = df["industry"].fillna("").str[:2].isin(t.industry_divisions)
    if t.newly_above_scale and "new_above_scale" in df:
        is_t |= df["above_scale"] & df["new_above_scale"].fillna(False).astype(bool)
    if t.startup_years:
        is_t |= (year - df["founded_year"]) < t.startup_years
    small = np.zeros(len(df), dtype=bool)
    if below is not None and below.min_land_mu is not None:
        limit = float(below.min_land_mu)
        short = df["land_mu"] < limit if below.min_land_inclusive else df["land_mu"] <= limit
        small = ~df["above_scale"] & (df["land_mu"].isna() | short)
    exception = np.zeros(len(df), dtype=bool)
    for g in method.groups:
        for ind in g.indicators:
            if ind.on_zero_denominator.value == "exception":
                d = df[ind.denominator]
                exception |= (df["group"] == g.code) & (d.isna() | (d <= 0))
    df["status"] = np.select(
        [df["group"].isna() | small, is_t, exception], ["excluded", "T", "exception"], default="evaluated"
    )
    return df


def _pd_bench(df: Any, group: Any, ind: Any) -> Any:
    d = df[ind.denominator]
    ok = df[(df["status"] == "evaluated") & (df["group"] == group.code) & (d > 0)]
    sums = ok.groupby("region")[[ind.numerator, ind.denominator]].sum(min_count=0)
    return sums[ind.numerator] / sums[ind.denominator]


def with_pandas(current: Any, previous: Any, method: Any, year: int) -> Any:
    """current, previous: pandas DataFrames in the engine's input columns. Returns a DataFrame indexed
    by uscc with class, total (hundredths), low_efficiency."""
    import pandas as pd

    from gongqiang.evaluation.compute import quotas_for

    _check(method)
    df = _pd_status(current.copy(), method, year)
    prev = _pd_status(previous.copy(), method, year - 1)
    df[[*method.item_codes()]] = df[[*method.item_codes()]].fillna(0).astype(bool)
    mult, cap, floor = float(method.benchmark.multiplier), float(method.score.cap), float(method.score.floor)
    evaluated = df["status"] == "evaluated"
    score_cols = []
    for g in method.groups:
        in_group = evaluated & (df["group"] == g.code)
        for ind in g.indicators:
            col = f"{ind.code}_score"
            if col not in df:
                df[col] = np.nan
                score_cols.append(col)
            base_prev = _pd_bench(prev, g, ind)
            base = _pd_bench(df, g, ind)
            base = base_prev[base_prev.notna()].combine_first(base)  # last year, else this year
            b = df["region"].map(base)
            d = df[ind.denominator]
            has_d = d > 0
            ratio = (df[ind.numerator].fillna(0) / d) / (b * mult)
            score = np.floor(float(ind.weight) * 100 * ratio.clip(floor, cap) + 0.5 + EPS)
            score = score.where(b > 0, 0)
            rule = ind.on_zero_denominator.value
            df.loc[in_group & has_d, col] = score[in_group & has_d]
            if rule == "unit_average":
                scored = in_group & has_d & (b > 0)
                stats = df[scored].groupby("region")[col].agg(["sum", "count"])
                avg = np.floor((2 * stats["sum"] + stats["count"]) / (2 * stats["count"]))
                df.loc[in_group & ~has_d, col] = df.loc[in_group & ~has_d, "region"].map(avg).fillna(0)
            else:
                df.loc[in_group & ~has_d, col] = 0
    bonus = sum(df[p.item] * float(p.points) * 100 for p in method.bonus.items)
    if method.bonus.cap is not None:
        bonus = np.minimum(bonus, float(method.bonus.cap) * 100)
    penalty = sum(df[p.item] * float(p.points) * 100 for p in method.penalty.items)
    if method.penalty.cap is not None:
        penalty = np.minimum(penalty, float(method.penalty.cap) * 100)
    df["total"] = (df[score_cols].fillna(0).sum(axis=1) + bonus - penalty).where(evaluated)
    df["veto"] = evaluated & df[list(method.veto)].any(axis=1)

    ranked = df[evaluated & ~df["veto"]].sort_values(
        ["region", "group", "total", *method.classes.tie_breakers, "uscc"],
        ascending=[True, True, False, *[False] * len(method.classes.tie_breakers), True],
        na_position="last",
    )
    df["rank"] = ranked.groupby(["region", "group"]).cumcount() + 1
    counts = df[evaluated].groupby(["region", "group"]).agg(n=("uscc", "size"), vetoed=("veto", "sum"))
    bounds = {
        key: quotas_for(int(r.n), int(r.vetoed), method.classes).bounds() for key, r in counts.iterrows()
    }
    limits = pd.DataFrame.from_dict(bounds, orient="index", columns=["a", "b", "c"])
    limits.index = pd.MultiIndex.from_tuples(limits.index, names=["region", "group"])
    df = df.join(limits, on=["region", "group"])
    df["class"] = np.select(
        [
            df["status"] == "T",
            ~evaluated,
            df["veto"],
            df["rank"] <= df["a"],
            df["rank"] <= df["b"],
            df["rank"] <= df["c"],
        ],
        ["T", "", "D", "A", "B", "C"],
        default="D",
    )
    df["class"] = df["class"].mask(df["class"] == "", None)
    low = np.zeros(len(df), dtype=bool)
    for rule in method.low_efficiency:
        if rule.classes:
            low |= evaluated & df["class"].isin(rule.classes)
            continue
        ind = next(i for g in method.groups for i in g.indicators if i.code == rule.indicator)
        d = df[ind.denominator]
        value = df[ind.numerator].fillna(0) / d * float(ind.scale)
        limit = float(rule.at_most)
        hit = value <= limit + 1e-9 if rule.inclusive else value < limit - 1e-9
        in_group = df["group"] == rule.group if rule.group else True
        low |= evaluated & in_group & (d > 0) & hit
    df["low_efficiency"] = low
    return df.set_index("uscc")[["class", "total", "low_efficiency"]]
