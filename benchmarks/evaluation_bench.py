"""The 亩产效益 engine on 1,000,000 synthetic enterprises, against pandas and row-at-a-time Python.

Run: .venv/bin/python benchmarks/evaluation_bench.py [--n 1000000] [--rowwise-n 100000] [--runs 3]
Generates one evaluation year of N enterprises in 16 units (both groups) and the year before, with every
rule of the Linyi default method exercised: zero and missing denominators, land 0 (exception), T classes
(industry 44–46, newly above scale, start-ups), below-scale land under, at and above 3 亩, negative tax
(floor), very high ratios (cap), bonuses over the cap, penalties, vetoes (one unit with more vetoes than D
places), exact ties on total, tax and revenue, scores exactly on a rounding boundary (x.xx5) and tax per
亩 exactly on the 3 万元/亩 line. Times `evaluate` (median of --runs, previous year included), the pandas
implementation on the same N, and the row-at-a-time Fraction implementation on the first --rowwise-n
(scaled to a million), and counts enterprises whose class or total differs. Target: ≤ 0.5 s for 1 M.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
UNITS = [f"3713{i:02d}" for i in range(16)]
NO_PREVIOUS = {14, 15}  # units without last year's data: benchmarks fall back to the year's own
VETO_HEAVY = 13  # a unit whose vetoes exceed its D places (C, then B, give up places)


def load_method():  # noqa: ANN201 - EvaluationMethod, imported late so `--help` needs no project
    import yaml

    sys.path.insert(0, str(ROOT / "src"))
    from gongqiang.core.policy.schema import PolicyPackSpec

    spec = PolicyPackSpec.model_validate(yaml.safe_load((ROOT / "policies" / "linyi-2022.yaml").read_text()))
    assert spec.evaluation is not None
    method = spec.evaluation.method_for(YEAR)
    assert method is not None
    return method, {i.code: i.name for i in spec.evaluation.items}


def _targets(unit: np.ndarray) -> dict[str, np.ndarray]:
    """Last year's ratio per unit (in stored units): every previous-year row has exactly these, so the
    benchmark (2 × Σ numerators ÷ Σ denominators) is known and boundary scores can be built on purpose."""
    return {
        "tax": 20000 + 5000 * unit,  # 元/亩: 2 … 9.5 万元/亩
        "energy": 20000 + 1000 * unit,  # 元/吨标准煤
        "pollutant": 5 * (20000 + 1000 * unit),  # 元/当量 (so pollutant = energy ÷ 5 exactly)
        "rd": 1 + unit % 4,  # per cent of revenue
        "labour": 200000 + 10000 * unit,  # 元/人
    }


def _uscc(idx: np.ndarray, year_digit: int) -> pl.Series:
    return pl.Series("uscc", idx).map_elements(lambda i: f"9137{year_digit}{i:013d}", return_dtype=pl.String)


def previous_year(n: int, seed: int = 2) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    idx = np.arange(n)
    unit = idx % 16
    keep = ~np.isin(unit, list(NO_PREVIOUS))
    idx, unit = idx[keep], unit[keep]
    m = len(idx)
    t = _targets(unit)
    land_h = rng.integers(300, 100_000, m)  # hundredths of 亩, ≥ 3 亩 so every row is evaluated
    energy_h = rng.integers(1, 100_000, m)
    employees = rng.integers(5, 2000, m)
    revenue_h = t["energy"] * energy_h  # hundredths of 元
    return pl.DataFrame(
        {
            "uscc": pl.Series("u", idx).cast(pl.String),
            "region": np.array(UNITS)[unit],
            "above_scale": rng.random(m) < 0.6,
            "industry": np.full(m, "1310"),
            "founded_year": np.full(m, 2000),
            "land_mu": land_h / 100,
            "tax_paid": t["tax"] * land_h / 100,
            "revenue": revenue_h / 100,
            "energy_tce": energy_h / 100,
            "pollutant_eq": energy_h / 500,
            "rd_spending": revenue_h * t["rd"] / 10_000,
            "value_added": (t["labour"] * employees).astype(np.float64),
            "employees": employees.astype(np.float64),
        }
    )


def current_year(n: int, seed: int = 1) -> pl.DataFrame:
    """Every value is an integer ÷ a power of ten computed as one float division, i.e. the nearest
    float to a decimal with at most 4 places: what reading a department's file gives."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n)
    unit = idx % 16
    t = _targets(unit)
    u = rng.random((16, n))  # independent uniforms, one row per rule
    above = u[0] < 0.6
    industries = np.array(["1310", "2211", "2614", "3311", "3411", "3911", "4411", "4512", "4610"])
    industry = industries[
        np.where(u[1] < 0.015, 6 + (u[1] * 1000).astype(int) % 3, (u[1] * 600).astype(int) % 6)
    ]
    founded = np.where(
        u[2] < 0.01, YEAR - 1, np.where(u[2] < 0.015, YEAR - 2, 1985 + (u[2] * 1000).astype(int) % 35)
    )
    new_above = above & (u[3] < 0.01)

    land_h = rng.integers(300, 100_000, n).astype(np.int64)
    small = ~above & (u[4] < 0.05)
    land_h = np.where(small, 100 + (u[4] * 1e6).astype(np.int64) % 199, land_h)  # 1.00 … 2.98 亩
    land_h = np.where(~above & (u[4] >= 0.05) & (u[4] < 0.06), 300, land_h)  # exactly 3 亩
    land_h = np.where(~above & (u[4] >= 0.06) & (u[4] < 0.065), 299, land_h)  # just under
    land = land_h / 100
    land = np.where(above & (u[4] < 0.001), 0.0, land)  # land 0: exception

    # tax: lognormal around the unit's ratio, in hundredths of 元
    tax_h = np.round(t["tax"] * land_h * np.exp(rng.normal(-0.2, 0.9, n))).astype(np.int64)
    tax_h = np.where(u[5] < 0.005, -tax_h // 50, tax_h)  # refunds: negative tax → floor 0
    tax_h = np.where((u[5] >= 0.005) & (u[5] < 0.01), t["tax"] * land_h * 7, tax_h)  # far above: cap 2
    tax_h = np.where((u[5] >= 0.01) & (u[5] < 0.03), 300 * land_h * 100, tax_h)  # exactly 3 万元/亩
    tax_h = np.where((u[5] >= 0.03) & (u[5] < 0.035), 300 * land_h * 100 + 1, tax_h)  # just above it
    tax = tax_h / 100
    # exactly half a hundredth of a point: 40 × 100 × v ÷ (2t) = k + ½ → v = (2k+1)·t ÷ 4000 (above
    # scale, weight 40) or (2k+1)·t ÷ 10000 (below scale, weight 100); tax = v × land, in 1e-4 元
    k = (u[6] * 1e7).astype(np.int64) % 5000
    divisor = np.where(above, 4000, 10000)
    boundary_tax = ((2 * k + 1) * t["tax"] * land_h * 100 // divisor) / 10_000
    boundary = (u[5] >= 0.035) & (u[5] < 0.06) & ~np.isin(unit, list(NO_PREVIOUS))
    tax = np.where(boundary, boundary_tax, tax)
    tax = np.where((u[5] >= 0.06) & (u[5] < 0.062), np.nan, tax)  # missing numerator

    energy_h = rng.integers(1, 100_000, n)
    energy = energy_h / 100
    energy = np.where(u[7] < 0.01, 0.0, np.where(u[7] < 0.015, np.nan, energy))
    revenue = np.round(t["energy"] * energy_h * np.exp(rng.normal(0, 0.7, n)) / 100)
    revenue = np.where(u[8] < 0.005, 0.0, revenue)
    pollutant = rng.integers(1, 500_000, n) / 1000
    pollutant = np.where(u[9] < 0.01, 0.0, pollutant)
    rd = np.round(revenue * u[10] * 0.05)
    employees = rng.integers(5, 2000, n).astype(np.float64)
    employees = np.where(u[11] < 0.005, 0.0, employees)
    value_added = np.round(employees * t["labour"] * np.exp(rng.normal(0, 0.6, n)))

    veto_rate = np.where(unit == VETO_HEAVY, 0.03, 0.001)
    columns = {
        "above_scale": above,
        "industry": industry,
        "new_above_scale": new_above,
        "founded_year": founded,
        "land_mu": land,
        "tax_paid": tax,
        "revenue": revenue,
        "energy_tce": energy,
        "pollutant_eq": pollutant,
        "rd_spending": rd,
        "value_added": value_added,
        "employees": employees,
        "high_tech": (u[12] < 0.10).astype(np.int8),
        "srdi_provincial": (u[13] < 0.06).astype(np.int8),
        "admin_penalty": (u[14] < 0.02).astype(np.int8),
        "safety_accident": (u[15] < veto_rate).astype(np.int8),
        "env_incident": ((u[15] >= veto_rate) & (u[15] < 2 * veto_rate)).astype(np.int8),
        "dishonest": ((u[15] >= 2 * veto_rate) & (u[15] < 3 * veto_rate)).astype(np.int8),
    }
    # exact ties: 1 % of rows copy every figure of the enterprise 16 rows earlier (same unit), so total,
    # tax and revenue tie and the USCC decides
    copy = np.flatnonzero((rng.random(n) < 0.01) & (idx >= 16))
    for values in columns.values():
        values[copy] = values[copy - 16]
    return pl.DataFrame(
        {
            "uscc": _uscc(idx, 1),
            "name": pl.Series("name", idx).cast(pl.String),
            "region": np.array(UNITS)[unit],
        }
        | columns
    ).with_columns(pl.col("tax_paid").fill_nan(None), pl.col("energy_tce").fill_nan(None))


def to_pandas(frame: pl.DataFrame):  # noqa: ANN201 - pandas.DataFrame (pyarrow is not installed)
    import pandas as pd

    return pd.DataFrame({name: frame[name].to_numpy() for name in frame.columns})


def timed(fn, runs: int) -> tuple[float, object]:  # noqa: ANN001
    samples, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), value


def numpy_floor(frame: pl.DataFrame) -> float:
    """Seconds for one numpy pass over the indicator columns (each ratio and its sum): the memory floor."""
    pairs = [
        ("tax_paid", "land_mu"),
        ("revenue", "energy_tce"),
        ("revenue", "pollutant_eq"),
        ("rd_spending", "revenue"),
        ("value_added", "employees"),
    ]
    arrays = {c: frame[c].to_numpy() for pair in pairs for c in pair}
    started = time.perf_counter()
    with np.errstate(divide="ignore", invalid="ignore"):
        for n, d in pairs:
            np.nansum(arrays[n] / arrays[d])
    return time.perf_counter() - started


def engine_outcome(frame: pl.DataFrame) -> dict[str, tuple[str | None, int | None, bool]]:
    return {
        u: (c, t, bool(low))
        for u, c, t, low in frame.select("uscc", "class", "total", "low_efficiency").iter_rows()
    }


def mismatches(a: dict, b: dict) -> int:
    assert a.keys() == b.keys()
    return sum(1 for k in a if a[k] != b[k])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--rowwise-n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    method, names = load_method()
    from evaluation_reference import rowwise, with_pandas

    from gongqiang.evaluation.compute import evaluate

    started = time.perf_counter()
    current, previous = current_year(args.n), previous_year(args.n)
    figures: dict[str, object] = {"n": args.n, "generate_s": round(time.perf_counter() - started, 2)}

    def run_engine():  # noqa: ANN202
        return evaluate(current, method, year=YEAR, previous=previous, item_names=names)

    run_engine()  # warm-up: Polars' thread pool and the method's first use
    cpu = time.process_time()
    eval_s, result = timed(run_engine, args.runs)
    figures["eval_1m_cpu_s"] = round((time.process_time() - cpu) / args.runs * 1_000_000 / args.n, 3)
    figures["numpy_floor_1m_s"] = round(numpy_floor(current) * 1_000_000 / args.n, 4)
    figures["load_avg_1min"] = round(os.getloadavg()[0], 2)
    frame = result.frame
    engine = engine_outcome(frame)
    rules = {
        "status": dict(frame["status"].value_counts().iter_rows()),
        "class": {str(k): v for k, v in frame["class"].value_counts().iter_rows()},
        "veto": int(frame["veto"].sum()),
        "low_efficiency": int(frame["low_efficiency"].sum()),
        **{
            f"{code}_rule": {str(k): v for k, v in frame[f"{code}_rule"].value_counts().iter_rows() if k}
            for code in result.indicator_codes()
        },
    }
    figures["eval_1m_s"] = round(eval_s * 1_000_000 / args.n, 3)

    cur_pd, prev_pd = to_pandas(current), to_pandas(previous)
    pandas_s, by_pandas = timed(lambda: with_pandas(cur_pd, prev_pd, method, YEAR), 1)
    figures["pandas_1m_s"] = round(pandas_s * 1_000_000 / args.n, 3)
    pandas_outcome = {
        u: (c if isinstance(c, str) else None, None if t != t else int(t), bool(low))
        for u, c, t, low in zip(
            by_pandas.index, by_pandas["class"], by_pandas["total"], by_pandas["low_efficiency"], strict=True
        )
    }
    figures["pandas_mismatches"] = mismatches(engine, pandas_outcome)

    small_cur, small_prev = current.head(args.rowwise_n), previous.head(args.rowwise_n)
    rows, prev_rows = small_cur.to_dicts(), small_prev.to_dicts()
    rowwise_s, by_rows = timed(lambda: rowwise(rows, prev_rows, method, YEAR), 1)
    small = engine_outcome(evaluate(small_cur, method, year=YEAR, previous=small_prev).frame)
    figures["rowwise_n"] = args.rowwise_n
    figures["rowwise_per_1m_s"] = round(rowwise_s * 1_000_000 / args.rowwise_n, 2)
    figures["rowwise_mismatches"] = mismatches(small, by_rows)
    figures["ratio_vs_rowwise"] = round(figures["rowwise_per_1m_s"] / figures["eval_1m_s"], 1)
    figures["ratio_vs_pandas"] = round(figures["pandas_1m_s"] / figures["eval_1m_s"], 2)

    print(f"rules exercised: {json.dumps(rules, ensure_ascii=False)}")
    print(
        f"engine: {figures['eval_1m_s']} s per 1 M (median of {args.runs}, previous year included; target ≤ 0.5 s), "
        f"{figures['eval_1m_cpu_s']} CPU-s; numpy floor {figures['numpy_floor_1m_s']} s; "
        f"load average {figures['load_avg_1min']} on {os.cpu_count()} CPUs"
    )
    print(f"pandas: {figures['pandas_1m_s']} s per 1 M, {figures['pandas_mismatches']} enterprises differ")
    print(
        f"row at a time (Fraction): {figures['rowwise_per_1m_s']} s per 1 M (on {args.rowwise_n:,}), "
        f"{figures['rowwise_mismatches']} enterprises differ"
    )
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
