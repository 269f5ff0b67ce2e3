"""Synthetic department figures for the demo city, 2021–2025, from every import source.

`gongqiang demo` calls `build_demo_facts` after the registry (`demo.build_demo`). Like the registry, it
has a pure half and a Django half:

- `plan_facts` (pure: dataclasses and `random.Random`, no Django) turns the demo enterprises into one
  `SourceYear` per (import source, year): the rows of the department's file, the long facts those rows
  give, the land parcels, and the rows whose USCC the registry does not know. Each enterprise draws from
  its own `Random(seed:uscc)`, so its figures do not depend on how many other enterprises there are.
- `render_file` writes the department-shaped file of one `SourceYear` (xlsxwriter; the power supplier's
  GBK CSV), headers and units taken from the pack's `import_sources`, so an import of the file gives
  back the same facts.
- `build_demo_facts` persists the plan in one transaction: one committed `ImportBatch` per (source,
  year) with its file, `EnterpriseYear` rows, facts in bulk, parcels and the statistics source's names.
  It is idempotent: a rerun deletes the demo batches (uploaded by "system:demo", file name "演示数据-…")
  with their facts and parcels, and writes them again.

Calibration (policy.md "public figures", read from the pack's `calibration`): industrial output ≈ 5,000
亿元 and industrial tax ≈ 250 亿元 in 2021 at the default scale (3,300 above-scale and 15,000
below-scale enterprises; proportionally less at a smaller scale). Output grows ≈ 12 %/yr (behind the
doubling by 2026), tax ≈ 15 %/yr (on time), energy per unit of output falls ≈ 3.5 %/yr (on time).
Statistics covers above-scale firms only; tax, land and power cover all; environment covers above-scale
firms and polluting sectors; science a subset with R&D.

Planted defects (so the reconciliation and error reports have something to show), in 2024:
~10 above-scale firms without land (8 absent from the land register, 2 whose only parcel is leased out:
land 0) while paying tax; 3 absent from the tax file (tax paid by a head office elsewhere); 5 values
jumping more than 10× (or below 1/10) against 2023; 5 names that the statistics source spells
differently (有限公司 / 有限责任公司), kept as `EnterpriseName` rows whose `source` is the statistics
source's name in the pack (as the importer records a differing name); 3 USCCs in
the power file that the registry does not know. Those three rows are not written as facts (a fact needs
an enterprise): the batch lists them in `assumptions["unknown_usccs"]` (uscc, name, row) and counts
them as invalid, and its error workbook names them — that is where the reconciliation finds them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gongqiang.lib.uscc import USCC_ALPHABET
from gongqiang.lib.uscc import make as make_uscc

from .demo import DEMO_ORG_PREFIX, EnterprisePlan, _display_width, sector_of

DEMO_USER = "system:demo"
FILE_PREFIX = "演示数据-"
VAT_REFUND_YEAR = 2022  # the year of the large 留抵退税 (VAT credit refunds)
BASE_YEAR = 2021  # the year the pack's calibration figures describe
DEFECT_YEAR = 2024

# The scale the calibration figures stand for: build_demo's defaults (3,300 above-scale firms stand for
# the 2021 baseline, policy.md). A smaller demo gets proportionally smaller city totals.
REFERENCE_ABOVE, REFERENCE_BELOW = 3300, 15000
# Fallbacks when the pack carries no calibration figure (元).
FALLBACK_OUTPUT_2021, FALLBACK_TAX_2021 = 5000e8, 250e8
ABOVE_SCALE_TAX_SHARE = 0.82
# Output (revenue of a small firm) per 亩 of land, 万元, median: sets how many firms sit at ≤ 3 万元/亩.
OUTPUT_PER_MU_ABOVE, OUTPUT_PER_MU_BELOW = 170, 70
EXPANSION_CHANCE = 0.12  # per firm and year: a new parcel (land grows ≈ 3 %/yr)

# The story the cockpit tells: growth of the city totals over the year before (2022, 2023, …).
OUTPUT_GROWTH = (1.13, 1.12, 1.13, 1.12)  # ≈ 12 %/yr: behind the doubling by 2026 (needs 14.9 %)
TAX_GROWTH = (1.14, 1.16, 1.17, 1.16)  # ≈ 16 %/yr: on time for ×2 and > 500 亿元
LOW_EFFICIENCY_CATCH_UP = 1.02  # per year: extra tax growth of firms at ≤ 3.5 万元/亩 (policy pressure)
ENERGY_INTENSITY_DECLINE = 0.965  # per year: energy per unit of output −3.5 %/yr (target −6 % by 2026)

# Per sector: relative size, output per employee (万元), energy (tce per 万元 of output), pollutant
# equivalents per tce, share of firms with R&D, polluting (environment covers its small firms too).
SECTORS: dict[str, tuple[float, float, float, float, float, bool]] = {
    "wood": (0.7, 70, 0.08, 4, 0.25, True),
    "food": (1.0, 90, 0.05, 15, 0.35, True),
    "petfood": (0.8, 90, 0.04, 10, 0.40, True),
    "steel": (3.0, 250, 0.45, 6, 0.50, True),
    "stainless": (1.5, 160, 0.10, 3, 0.45, True),
    "hardware": (0.7, 80, 0.03, 2, 0.45, False),
    "machinery": (1.0, 100, 0.02, 1, 0.70, False),
    "pharma": (1.3, 120, 0.05, 10, 0.85, True),
    "chemicals": (1.5, 180, 0.25, 12, 0.60, True),
    "building": (1.0, 110, 0.30, 8, 0.35, True),
    "textiles": (0.8, 50, 0.08, 20, 0.30, True),
    "gloves": (0.6, 35, 0.04, 2, 0.20, False),
    "stationery": (0.6, 70, 0.02, 1, 0.50, False),
    "other": (0.9, 90, 0.05, 2, 0.50, False),
    "utilities": (1.5, 200, 0.60, 6, 0.20, True),
}
WATER_SECTORS = {"food", "petfood", "pharma", "chemicals", "textiles"}
# Share of the equivalents per pollutant column of the pack, in its order (COD, 氨氮, SO2, NOx).
WATER_MIX, AIR_MIX, OTHER_MIX = (0.60, 0.08, 0.12, 0.20), (0.05, 0.01, 0.40, 0.54), (0.25, 0.05, 0.30, 0.40)
ROADS = ("工业大道", "经济开发区", "物流园", "创业路", "兴业路", "滨河路", "高新园区", "工业园")
STATISTICS_NAME_SOURCE = "statistics"


# ---------------------------------------------------------------------------------------------------
# The plan (pure)
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Calibration:
    output_2021: float  # 元, city industrial output at the reference scale
    tax_2021: float  # 元, city industrial tax at the reference scale
    above_threshold: float = 2e7  # 元 of revenue: the above-scale line
    mu_m2: Decimal = Decimal("666.67")  # 平方米 per 亩
    # The environment source's pollutant columns: (header, kilograms per equivalent).
    pollutants: tuple[tuple[str, Decimal], ...] = (
        ("化学需氧量", Decimal(1)),
        ("氨氮", Decimal("0.8")),
        ("二氧化硫", Decimal("0.95")),
        ("氮氧化物", Decimal("0.95")),
    )


@dataclass(frozen=True)
class County:
    code: str
    name: str
    towns: tuple[tuple[str, str], ...]  # (code, name)


@dataclass(frozen=True)
class YearRow:
    uscc: str
    year: int
    region_code: str
    town_code: str
    above_scale: bool
    industry_code: str
    status: str


@dataclass(frozen=True)
class ParcelRow:
    uscc: str
    year: int
    certificate: str
    location: str
    use: str
    land_type: str  # the land register's word: 自有 / 租入 / 租出
    tenure: str  # LandTenure value
    area_m2: Decimal
    area_mu: Decimal


@dataclass
class SourceYear:
    source: str
    year: int
    rows: list[dict[str, Any]] = field(default_factory=list)  # field → value, or (value, unit)
    facts: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (uscc, metric, value)
    parcels: list[ParcelRow] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)  # {uscc, name, row}
    unchanged: int = 0  # values the file repeats from another source (science R&D of above-scale firms)


@dataclass(frozen=True)
class Defect:
    kind: str
    year: int
    uscc: str
    name: str
    detail: str


@dataclass
class FactsPlan:
    years: list[int]
    year_rows: list[YearRow]
    sources: dict[tuple[str, int], SourceYear]
    names: list[tuple[str, str, str]]  # (uscc, name as the source spells it, source)
    defects: list[Defect]


@dataclass
class _Firm:
    e: EnterprisePlan
    sector: str
    rng: random.Random
    status: dict[int, str] = field(default_factory=dict)
    region: dict[int, tuple[str, str]] = field(default_factory=dict)  # year → (region, town)
    above: dict[int, bool] = field(default_factory=dict)
    entrant: bool = False
    mover: bool = False
    activity: dict[int, float] = field(default_factory=dict)  # 0.25 when stopped
    output: dict[int, float] = field(default_factory=dict)  # above-scale: output; below: revenue
    tax: dict[int, float] = field(default_factory=dict)
    parcels: dict[int, list[tuple[str, str, str, float]]] = field(default_factory=dict)
    tpm_2021: float = 0.0
    traits: dict[str, float] = field(default_factory=dict)
    stats_name: str = ""  # the statistics bureau's spelling, where it differs from the registry


def _dec(value: float, places: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _hundreds(value: float) -> int:
    """Money in 元 rounded to 100 元: the departments' files carry 万元 with 2 decimals, 千元 with 1."""
    return int(round(value / 100.0)) * 100


def plan_facts(
    enterprises: Sequence[EnterprisePlan],
    counties: Sequence[County],
    *,
    seed: int,
    years: Iterable[int],
    calibration: Calibration,
) -> FactsPlan:
    """The figures of every enterprise for `years` (all ≥ 2021), deterministic for a seed."""
    years = sorted(set(years))
    if not years or years[0] < BASE_YEAR:
        raise ValueError(f"演示数据的年度须从 {BASE_YEAR} 年起。")
    span = list(range(BASE_YEAR, years[-1] + 1))
    cal = calibration
    county_of = {c.code: c for c in counties}
    rng = random.Random(f"gongqiang-demo-facts:{seed}")
    firms = [
        _Firm(e, sector_of(e.industry_code), random.Random(f"{seed}:{e.uscc}"), traits=_traits(seed, e.uscc))
        for e in sorted(enterprises, key=lambda e: e.uscc)
    ]
    _life_events(firms, span, counties, rng)
    _outputs(firms, span, cal)
    _taxes_and_land(firms, span, cal, county_of)
    plan = FactsPlan(years=years, year_rows=[], sources={}, names=[], defects=[])
    for f in firms:
        for y in years:
            region, town = f.region[y]
            plan.year_rows.append(
                YearRow(f.e.uscc, y, region, town, f.above[y], f.e.industry_code, f.status[y])
            )
    defect_year = DEFECT_YEAR if DEFECT_YEAR in years else years[-1]
    defects = _plant_defects(firms, years, defect_year, rng, plan)
    _emit(firms, years, cal, county_of, defects, plan, rng, defect_year)
    return plan


def _life_events(firms: list[_Firm], span: list[int], counties: Sequence[County], rng: random.Random) -> None:
    """Status, county and scale of every firm in every year: closures, stops, entries, moves."""
    later = span[1:] or span
    for f in firms:
        closed_from = rng.choice(later) if f.e.status == "closed" else None
        stopped_from = rng.choice(span[-2:]) if f.e.status == "stopped" else None
        for y in span:
            if closed_from is not None and y >= closed_from:
                f.status[y] = "closed"
            elif stopped_from is not None and y >= stopped_from:
                f.status[y] = "stopped"
            else:
                f.status[y] = "operating"
            f.activity[y] = 0.25 if f.status[y] == "stopped" else 1.0
            f.region[y] = (f.e.region_code, f.e.town_code)
            f.above[y] = f.e.above_scale
    operating = [f for f in firms if f.e.status == "operating"]
    above = [f for f in operating if f.e.above_scale]
    if len(span) > 1:
        # A few firms cross the above-scale line in a year (they were small before).
        for f in rng.sample(above, min(len(above), max(1, round(len(above) * 0.01)))):
            entry = rng.choice(later)
            f.entrant = True
            for y in span:
                f.above[y] = y >= entry
        # A few moved county: the registry's county is the new one; before the move, the old one.
        others = [f for f in operating if not f.entrant]
        for f in rng.sample(others, min(len(others), max(1, round(len(firms) * 0.001)))):
            moved_in = rng.choice(later)
            old = rng.choice([c for c in counties if c.code != f.e.region_code] or list(counties))
            town = rng.choice(old.towns)[0] if old.towns else ""
            f.mover = True
            for y in span:
                if y < moved_in:
                    f.region[y] = (old.code, town)


def _outputs(firms: list[_Firm], span: list[int], cal: Calibration) -> None:
    """Output of above-scale firms (revenue of below-scale ones), scaled to the city's trajectory."""
    n_above = sum(1 for f in firms if f.e.above_scale)
    for f in firms:
        r, size = f.rng, SECTORS[f.sector][0]
        trend = r.gauss(0, 0.04)
        if f.entrant:
            entry = min(y for y in span if f.above[y])
            for y in span:
                if y >= entry:
                    f.output[y] = r.uniform(2.15e7, 2.8e7) * 1.12 ** (y - entry)
                else:
                    f.output[y] = r.uniform(1.5e7, 1.9e7) / 1.15 ** (entry - 1 - y)
        elif f.e.above_scale:
            value = 2.2e7 * math.exp(abs(r.gauss(0, 1.6))) * size
            for y in span:
                if y > span[0]:
                    value *= math.exp(trend + r.gauss(0, 0.09))
                f.output[y] = value
        else:
            value = min(1.9e7, 4e6 * math.exp(r.gauss(0, 0.8)))
            for y in span:
                if y > span[0]:
                    value = min(1.95e7, value * math.exp(0.06 + trend + r.gauss(0, 0.1)))
                f.output[y] = value
    growth = 1.0
    for n, y in enumerate(span):
        growth *= OUTPUT_GROWTH[min(n, len(OUTPUT_GROWTH)) - 1] if n else 1.0
        target = cal.output_2021 * n_above / REFERENCE_ABOVE * growth
        live = [f for f in firms if f.above[y] and f.status[y] != "closed"]
        fixed = sum(f.output[y] * f.activity[y] for f in live if f.entrant)
        scaled = [f for f in live if not f.entrant]
        total = sum(f.output[y] * f.activity[y] for f in scaled)
        scale = (target - fixed) / total if total else 1.0
        floor = cal.above_threshold * 1.12  # revenue stays above the line (revenue ≥ output / 1.1)
        for f in scaled:
            f.output[y] = max(f.output[y] * scale, floor)


def _taxes_and_land(firms: list[_Firm], span: list[int], cal: Calibration, county_of: dict) -> None:
    """Tax scaled to the city's trajectory; land from size, so tax per mu spreads like a real city's."""
    n_above = sum(1 for f in firms if f.e.above_scale)
    n_below = len(firms) - n_above
    first = span[0]
    rates = {}
    for f in firms:
        big = f.above[first] or f.e.above_scale
        rates[f.e.uscc] = (0.038 if big else 0.05) * math.exp(f.rng.gauss(0, 0.55))
    growth = 1.0
    for n, y in enumerate(span):
        growth *= TAX_GROWTH[min(n, len(TAX_GROWTH)) - 1] if n else 1.0
        target = cal.tax_2021 * growth
        for is_above, share, count, ref in (
            (True, ABOVE_SCALE_TAX_SHARE, n_above, REFERENCE_ABOVE),
            (False, 1 - ABOVE_SCALE_TAX_SHARE, n_below, REFERENCE_BELOW),
        ):
            group = [f for f in firms if f.above[y] == is_above and f.status[y] != "closed"]
            raw = {}
            for f in group:
                boost = 1.0
                if n and f.tpm_2021 and f.tpm_2021 <= 3.5:  # low-efficiency firms pushed to improve
                    boost = LOW_EFFICIENCY_CATCH_UP**n
                raw[f.e.uscc] = f.output[y] * f.activity[y] * rates[f.e.uscc] * boost
                raw[f.e.uscc] *= math.exp(f.rng.gauss(0, 0.08)) if n else 1.0
                if y == VAT_REFUND_YEAR and f.rng.random() < 0.01:
                    # 留抵退税: a few firms got more VAT back than they paid (before the scaling, so
                    # the city total stays on its trajectory)
                    raw[f.e.uscc] = -raw[f.e.uscc] * f.rng.uniform(0.1, 0.4)
            total = sum(raw.values())
            scale = target * share * count / ref / total if total else 0.0
            for f in group:
                f.tax[y] = raw[f.e.uscc] * scale
        if n == 0:
            for f in firms:
                _first_parcels(f, cal, county_of)
                land = sum(_signed(p) for p in f.parcels[first])
                f.tpm_2021 = f.tax.get(first, 0.0) / 1e4 / land if land > 0 else 0.0
        else:
            for f in firms:
                _next_parcels(f, y, cal, county_of)


def _signed(parcel: tuple[str, str, str, float]) -> float:
    return -parcel[3] if parcel[2] == "租出" else parcel[3]


def _certificate(r: random.Random, county: County | None, year: int) -> str:
    place = "临沂市" if county is None or county.name.endswith("区") else county.name
    return f"鲁({year}){place}不动产权第{r.randint(1000000, 9999999):07d}号"


def _location(r: random.Random, county: County | None, town_code: str) -> str:
    town = dict(county.towns).get(town_code, "") if county else ""
    return f"{county.name if county else '临沂市'}{town}{r.choice(ROADS)}{r.randint(1, 399)}号"


def _first_parcels(f: _Firm, cal: Calibration, county_of: dict) -> None:
    r, first = f.rng, min(f.output)
    region, town = f.region[first]
    county = county_of.get(region)
    if f.e.above_scale:
        base = max(f.output.values()) if f.entrant else f.output[first]
        mu = min(300.0, max(20.0, base / 1e4 / (OUTPUT_PER_MU_ABOVE * math.exp(r.gauss(0, 0.6)))))
    else:
        mu = min(30.0, max(3.0, f.output[first] / 1e4 / (OUTPUT_PER_MU_BELOW * math.exp(r.gauss(0, 0.6)))))
    parts = 1 if r.random() < 0.75 else (2 if r.random() < 0.8 else 3)
    weights = [r.uniform(0.5, 1.5) for _ in range(parts)]
    parcels = []
    for n, w in enumerate(weights):
        kind = "租入" if n and r.random() < 0.5 else "自有"
        m2 = round(mu * w / sum(weights) * float(cal.mu_m2), 2)
        parcels.append((_certificate(r, county, r.randint(2006, 2020)), _location(r, county, town), kind, m2))
    f.parcels[first] = parcels


def _next_parcels(f: _Firm, y: int, cal: Calibration, county_of: dict) -> None:
    """Mostly unchanged; sometimes a new parcel (growth) or a part leased out (low-efficiency firms)."""
    r = f.rng
    parcels = list(f.parcels[y - 1])
    owned = sum(_signed(p) for p in parcels)
    county = county_of.get(f.region[y][0])
    if f.region[y] != f.region[y - 1]:  # a move: the land register of the new county
        parcels = [
            (_certificate(r, county, y), _location(r, county, f.region[y][1]), p[2], p[3])
            if p[2] != "租出"
            else p
            for p in parcels
        ]
    roll = r.random()
    if roll < EXPANSION_CHANCE:
        m2 = round(owned * r.uniform(0.15, 0.35), 2)
        kind = "自有" if r.random() < 0.6 else "租入"
        parcels.append((_certificate(r, county, y), _location(r, county, f.region[y][1]), kind, m2))
    elif (
        f.e.above_scale
        and f.tpm_2021
        and f.tpm_2021 <= 3
        and roll < EXPANSION_CHANCE + 0.08
        and not any(p[2] == "租出" for p in parcels)
    ):
        m2 = round(owned * r.uniform(0.2, 0.4), 2)
        parcels.append(_leased_out(parcels[0], m2))
    f.parcels[y] = parcels


def _leased_out(parcel: tuple[str, str, str, float], m2: float) -> tuple[str, str, str, float]:
    """Part of a registered parcel let to another firm: the register lists the lease without a
    certificate of its own (the importer reads a repeated certificate as a duplicate line)."""
    return ("", f"{parcel[1]}（部分出租）", "租出", m2)


def _plant_defects(
    firms: list[_Firm], years: list[int], year: int, rng: random.Random, plan: FactsPlan
) -> dict[str, Any]:
    around = [y for y in (year - 1, year, year + 1) if y in years]
    eligible = [
        f
        for f in firms
        if not f.entrant and not f.mover and all(f.above[y] and f.status[y] == "operating" for y in around)
    ]
    rng.shuffle(eligible)
    land, tax_missing, jumps = eligible[:10], eligible[10:13], eligible[13:18]
    jumps.sort(key=lambda f: f.output[year])
    jump_kinds = ("output", "energy_tce", "electricity_kwh", "pollutant_eq", "tax_paid")
    jump_factor = {"output": 15.0, "energy_tce": 20.0, "electricity_kwh": 18.0, "pollutant_eq": 25.0}
    jump_factor["tax_paid"] = 1e-4
    defects: dict[str, Any] = {
        "land_absent": {f.e.uscc for f in land[:8]},
        "land_zero": {f.e.uscc for f in land[8:]},
        "tax_missing": {f.e.uscc for f in tax_missing},
        "jumps": {f.e.uscc: (kind, jump_factor[kind]) for f, kind in zip(jumps, jump_kinds, strict=False)},
    }
    for f in land[:8]:
        plan.defects.append(
            Defect("land_missing", year, f.e.uscc, f.e.name, "自然资源部门用地台账中没有该企业")
        )
    for f in land[8:]:
        plan.defects.append(Defect("land_zero", year, f.e.uscc, f.e.name, "唯一宗地全部租出，用地面积为 0"))
    for f in tax_missing:
        plan.defects.append(
            Defect("tax_missing", year, f.e.uscc, f.e.name, "税务文件中没有该企业（总部汇总纳税）")
        )
    words = {
        "output": "工业总产值多录一位（约为正常值的 15 倍）",
        "energy_tce": "综合能源消费量录入错误（约为正常值的 20 倍）",
        "electricity_kwh": "电表倍率录入错误（约为正常值的 18 倍）",
        "pollutant_eq": "排放量以克误作千克（约为正常值的 25 倍）",
        "tax_paid": "实缴税金以万元数填入元栏（约为正常值的万分之一）",
    }
    for f, kind in zip(jumps, jump_kinds, strict=False):
        plan.defects.append(Defect("jump", year, f.e.uscc, f.e.name, f"{kind}：{words[kind]}"))
    # Names the statistics bureau spells differently: 有限公司 ↔ 有限责任公司.
    taken = {f.e.uscc for f in eligible[:18]}
    candidates = [
        f
        for f in firms
        if f.e.above_scale
        and f.e.uscc not in taken
        and f.e.status == "operating"
        and f.e.name.endswith("有限公司")
        and not f.e.name.endswith("股份有限公司")
    ]
    for f in rng.sample(candidates, min(5, len(candidates))):
        variant = (
            f.e.name[: -len("有限责任公司")] + "有限公司"
            if f.e.name.endswith("有限责任公司")
            else f.e.name[: -len("有限公司")] + "有限责任公司"
        )
        f.stats_name = variant
        plan.names.append((f.e.uscc, variant, STATISTICS_NAME_SOURCE))
        plan.defects.append(Defect("name", year, f.e.uscc, f.e.name, f"统计部门登记为“{variant}”"))
    return defects


def _emit(
    firms: list[_Firm],
    years: list[int],
    cal: Calibration,
    county_of: dict,
    defects: dict[str, Any],
    plan: FactsPlan,
    rng: random.Random,
    defect_year: int,
) -> None:
    """The department files' rows and the facts they give, per source and year."""
    pollutants = cal.pollutants
    for y in years:
        sy = {s: SourceYear(s, y) for s in ("tax", "statistics", "land", "power", "environment", "science")}
        plan.sources.update({(s, y): v for s, v in sy.items()})
        for f in firms:
            if f.status[y] == "closed":
                continue
            _emit_firm(f, y, cal, county_of, defects if y == defect_year else None, sy, pollutants)
        if y == defect_year:
            _unknown_power_rows(firms, sy["power"], county_of, rng, plan)


def _emit_firm(
    f: _Firm,
    y: int,
    cal: Calibration,
    county_of: dict,
    defects: dict[str, Any] | None,
    sy: dict[str, SourceYear],
    pollutants: tuple[tuple[str, Decimal], ...],
) -> None:
    e, r, uscc = f.e, f.rng, f.e.uscc
    params = SECTORS[f.sector]
    act = f.activity[y]
    jump_metric, jump = (defects or {}).get("jumps", {}).get(uscc, (None, 1.0))
    county = county_of.get(f.region[y][0])
    n = y - BASE_YEAR
    out = f.output[y] * act
    above = f.above[y]
    # Energy and electricity follow output (revenue of a small firm), energy intensity falling.
    intensity = params[2] * math.exp(_stable(f, "intensity", 0.35)) * ENERGY_INTENSITY_DECLINE**n
    energy = out / 1e4 * intensity * math.exp(r.gauss(0, 0.04))
    kwh = energy * 1000 / 0.1229 * (0.25 + 0.3 * _stable_uniform(f, "elec"))
    # Tax
    if not (defects and uscc in defects["tax_missing"]):
        tax = _hundreds(f.tax.get(y, 0.0) * (jump if jump_metric == "tax_paid" else 1.0))
        if jump_metric == "tax_paid":
            tax = max(tax, 100)
        sy["tax"].rows.append(
            {"uscc": uscc, "name": e.name, "region": county.name if county else "", "tax_paid": (tax, "元")}
        )
        sy["tax"].facts.append((uscc, "tax_paid", Decimal(tax)))
    # Statistics (above-scale firms of the year)
    rd = 0
    if above:
        revenue = _hundreds(out / (0.95 + 0.15 * _stable_uniform(f, "o_ratio")))
        output = _hundreds(out * (jump if jump_metric == "output" else 1.0))
        va = _hundreds(out * (0.20 + 0.15 * _stable_uniform(f, "va")) * math.exp(r.gauss(0, 0.03)))
        margin = _stable_margin(f) * math.exp(r.gauss(0, 0.15))
        profit = _hundreds(revenue * margin)
        productivity = params[1] * 1e4 * math.exp(_stable(f, "prod", 0.4)) * 1.06**n
        employees = max(20, round(f.output[y] / productivity * (0.4 if act < 1 else 1.0)))
        has_rd = _stable_uniform(f, "has_rd") < params[4]
        if has_rd:
            ratio = min(0.05, max(0.005, 0.018 * math.exp(_stable(f, "rd", 0.35))))
            rd = _hundreds(revenue * ratio * math.exp(r.gauss(0, 0.1)))
        energy_t = _dec(energy * (jump if jump_metric == "energy_tce" else 1.0), 2)
        name = f.stats_name or e.name
        row = {
            "uscc": uscc,
            "name": name,
            "industry_code": e.industry_code,
            "revenue": (revenue, "元"),
            "output": (output, "元"),
            "value_added": (va, "元"),
            "profit": (profit, "元"),
            "employees": (employees, "人"),
            "energy_tce": (energy_t, "吨标准煤"),
            "rd_spending": (rd, "元"),
        }
        sy["statistics"].rows.append(row)
        for metric in (
            "revenue",
            "output",
            "value_added",
            "profit",
            "employees",
            "energy_tce",
            "rd_spending",
        ):
            value = row[metric][0]
            sy["statistics"].facts.append(
                (uscc, metric, value if isinstance(value, Decimal) else Decimal(value))
            )
    # Land
    absent = defects and uscc in defects["land_absent"]
    if not absent:
        parcels = f.parcels[y]
        if defects and uscc in defects["land_zero"]:
            first = parcels[0]
            parcels = [first, _leased_out(first, first[3])]
        total_m2 = Decimal(0)
        for cert, loc, kind, m2 in parcels:
            area = _dec(m2, 2)
            sign = -1 if kind == "租出" else 1
            total_m2 += sign * area
            sy["land"].rows.append(
                {
                    "name": e.name,
                    "uscc": uscc,
                    "certificate": cert,
                    "location": loc,
                    "use": "工业用地",
                    "land_mu": (area, "平方米"),
                    "land_type": kind,
                }
            )
            if e.above_scale or _stable_uniform(f, "parcels") < 0.1:  # parcels kept for a sample
                sy["land"].parcels.append(
                    ParcelRow(uscc, y, cert, loc, "工业用地", kind, _TENURE[kind], area, _mu(area, cal))
                )
        sy["land"].facts.append((uscc, "land_mu", _mu(total_m2, cal)))
    # Power: one to three meter accounts
    accounts = 1 if _stable_uniform(f, "accounts") < 0.7 else (2 if _stable_uniform(f, "acc3") < 0.67 else 3)
    kwh_total = int(round(kwh * (jump if jump_metric == "electricity_kwh" else 1.0)))
    left = kwh_total
    for k in range(accounts):
        part = left if k == accounts - 1 else int(kwh_total * (0.6 if k == 0 else 0.25))
        left -= part
        sy["power"].rows.append(
            {"account": _account(f, k), "name": e.name, "uscc": uscc, "electricity_kwh": (part, "千瓦时")}
        )
    sy["power"].facts.append((uscc, "electricity_kwh", Decimal(kwh_total)))
    # Environment: above-scale firms and polluting sectors
    if above or params[5]:
        eq = (
            energy * params[3] * math.exp(_stable(f, "pollution", 0.4)) * 0.96**n * math.exp(r.gauss(0, 0.05))
        )
        eq *= jump if jump_metric == "pollutant_eq" else 1.0
        mix = WATER_MIX if f.sector in WATER_SECTORS else (AIR_MIX if params[5] else OTHER_MIX)
        row: dict[str, Any] = {"name": e.name, "uscc": uscc}
        total_eq = Decimal(0)
        for k, (header, per) in enumerate(pollutants):
            share = mix[k] if k < len(mix) else 1 / len(pollutants)
            kg = _dec(max(eq * share * float(per), 0.1), 1)
            row[header] = (kg, "千克")
            total_eq += kg / per
        sy["environment"].rows.append(row)
        sy["environment"].facts.append((uscc, "pollutant_eq", total_eq.quantize(Decimal("0.0001"))))
    # Science: firms with R&D that registered with the science bureau
    if above and rd and _stable_uniform(f, "science") < 0.7:
        staff = max(3, round(employees * (0.06 + 0.09 * _stable_uniform(f, "rd_staff"))))
        sy["science"].rows.append(
            {"name": e.name, "uscc": uscc, "rd_spending": (rd, "元"), "rd_staff": (staff, "人")}
        )
        sy["science"].facts.append((uscc, "rd_staff", Decimal(staff)))
        sy["science"].unchanged += 1  # its R&D spending repeats the statistics figure: not written twice
    elif not above and f.sector in ("machinery", "other", "stationery", "pharma", "hardware", "chemicals"):
        if _stable_uniform(f, "science_small") < 0.06:
            rd_small = _hundreds(
                out * (0.02 + 0.03 * _stable_uniform(f, "rd_small")) * math.exp(r.gauss(0, 0.1))
            )
            staff = 2 + int(10 * _stable_uniform(f, "rd_staff"))
            sy["science"].rows.append(
                {"name": e.name, "uscc": uscc, "rd_spending": (rd_small, "元"), "rd_staff": (staff, "人")}
            )
            sy["science"].facts.append((uscc, "rd_spending", Decimal(rd_small)))
            sy["science"].facts.append((uscc, "rd_staff", Decimal(staff)))


_TENURE = {"自有": "owned", "租入": "leased_in", "租出": "leased_out"}


def _mu(m2: Decimal, cal: Calibration) -> Decimal:
    return (m2 / cal.mu_m2).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# A firm's own traits, drawn once (the same every year, independent of the yearly draws).
UNIFORM_TRAITS = (
    "elec",
    "o_ratio",
    "va",
    "has_rd",
    "parcels",
    "accounts",
    "acc3",
    "science",
    "rd_staff",
    "science_small",
    "rd_small",
    "margin",
)
NORMAL_TRAITS = ("intensity", "prod", "rd", "pollution")


def _traits(seed: int, uscc: str) -> dict[str, float]:
    r = random.Random(f"{seed}:{uscc}:traits")
    traits = {key: r.random() for key in UNIFORM_TRAITS}
    traits.update({key: r.gauss(0, 1) for key in NORMAL_TRAITS})
    traits.update({f"account{k}": float(r.randint(10**9, 10**10 - 1)) for k in range(3)})
    return traits


def _stable(f: _Firm, key: str, sigma: float) -> float:
    return f.traits[key] * sigma


def _stable_uniform(f: _Firm, key: str) -> float:
    return f.traits[key]


def _account(f: _Firm, k: int) -> str:
    return f"37{int(f.traits[f'account{k}'])}"


def _stable_margin(f: _Firm) -> float:
    """Profit margin: 2–10 % for most, a persistent loss for about one firm in twenty-five."""
    u = _stable_uniform(f, "margin")
    return -0.01 - 0.05 * (u / 0.04) if u < 0.04 else 0.02 + 0.08 * (u - 0.04) / 0.96


def _unknown_power_rows(
    firms: list[_Firm], power: SourceYear, county_of: dict, rng: random.Random, plan: FactsPlan
) -> None:
    """Three meter accounts under USCCs the registry does not know (a newly registered firm, a typo)."""
    known = {f.e.uscc for f in firms}
    codes = sorted(county_of)[:3] or ["371302"]
    words = ("新材料", "包装制品", "机械配件")
    for n, division in enumerate(codes):
        while True:
            org = DEMO_ORG_PREFIX + "".join(rng.choices(USCC_ALPHABET, k=5))
            uscc = make_uscc(f"91{division}{org}")
            if uscc not in known:
                break
        name = f"临沂{''.join(rng.sample('鑫源华泰达盛丰宇金恒', 2))}{words[n % 3]}有限公司"
        position = rng.randint(0, len(power.rows))
        power.rows.insert(
            position,
            {
                "account": "37" + str(rng.randint(10**9, 10**10 - 1)),
                "name": name,
                "uscc": uscc,
                "electricity_kwh": (rng.randint(80_000, 900_000), "千瓦时"),
            },
        )
        plan.defects.append(
            Defect("unknown_uscc", power.year, uscc, name, "供电部门文件中的信用代码不在企业库中")
        )
    unknown = {d.uscc for d in plan.defects if d.kind == "unknown_uscc" and d.year == power.year}
    header_rows = 1  # the CSV's header line; data rows are numbered from 2 as a spreadsheet shows them
    power.unknown = [
        {"uscc": row["uscc"], "name": row["name"], "row": i + 1 + header_rows}
        for i, row in enumerate(power.rows)
        if row["uscc"] in unknown
    ]


# ---------------------------------------------------------------------------------------------------
# What the plan adds up to (pure): the per-year figures the command prints and the tests check
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class YearSummary:
    year: int
    output: Decimal  # 元, above-scale industrial output (statistics)
    tax: Decimal  # 元, tax paid by every enterprise in the tax file
    enterprises: int  # with a tax or land figure
    above_scale: int  # in the statistics file
    facts: int
    low_efficiency_share: float | None  # above-scale firms at ≤ 3 万元/亩 among those with land

    def line(self) -> str:
        share = "—" if self.low_efficiency_share is None else f"{self.low_efficiency_share:.1%}"
        return (
            f"  {self.year} 年：工业总产值 {self.output / Decimal(10**8):,.1f} 亿元，税收 "
            f"{self.tax / Decimal(10**8):,.1f} 亿元；企业 {self.enterprises} 家（规上 {self.above_scale}），"
            f"指标值 {self.facts} 条；亩均税收 ≤ 3 万元的规上企业 {share}"
        )


def summarise(plan: FactsPlan, low_line_wan_per_mu: float = 3.0) -> list[YearSummary]:
    out = []
    for y in plan.years:
        stats = plan.sources[("statistics", y)].facts
        tax = {u: v for u, m, v in plan.sources[("tax", y)].facts}
        land = {u: v for u, m, v in plan.sources[("land", y)].facts}
        above = {u for u, m, _ in stats if m == "output"}
        with_land = [u for u in above if land.get(u, 0) > 0 and u in tax]
        low = [u for u in with_land if tax[u] / 10000 / land[u] <= Decimal(repr(low_line_wan_per_mu))]
        out.append(
            YearSummary(
                year=y,
                output=sum((v for _, m, v in stats if m == "output"), Decimal(0)),
                tax=sum(tax.values(), Decimal(0)),
                enterprises=len(set(tax) | set(land)),
                above_scale=len(above),
                facts=sum(len(plan.sources[(s, yy)].facts) for s, yy in plan.sources if yy == y),
                low_efficiency_share=len(low) / len(with_land) if with_land else None,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------
# The department files (pure): headers and units from the pack's import sources
# ---------------------------------------------------------------------------------------------------
# The power supplier sends a GBK CSV (as in the shared samples); the other departments send workbooks.
CSV_SOURCES = frozenset({"power"})
UNIT_KINDS = {
    "元": "金额",
    "亩": "面积",
    "吨标准煤": "能耗",
    "千瓦时": "电量",
    "千克": "排放量",
    "人": "人数",
}


def source_label(source: Any) -> str:
    """The department's short word for file names: "税务部门 实缴税金" → "税务"."""
    return source.name.split("部门")[0].split()[0] if "部门" in source.name else source.code


def file_name(source: Any, year: int) -> str:
    suffix = ".csv" if source.code in CSV_SOURCES else ".xlsx"
    return f"{FILE_PREFIX}{source_label(source)}-{year}{suffix}"


def _unit_table(units: Sequence[Any]) -> dict[str, tuple[str, Decimal, Decimal]]:
    table = {}
    for u in units:
        for name in (u.name, *u.aliases):
            table[name] = (u.base, Decimal(u.factor), Decimal(u.divisor))
    return table


def _convert(value: Any, unit: str, to: str | None, table: Mapping[str, tuple[str, Decimal, Decimal]]) -> Any:
    if to is None or to == unit or unit not in table or to not in table:
        return value
    _, f1, d1 = table[unit]
    _, f2, d2 = table[to]
    return (Decimal(value) * f1 / d1 * d2 / f2).quantize(Decimal("0.0001")).normalize()


def _columns(source: Any) -> list[tuple[str, str, str | None]]:
    """(header, row key, unit) per column: the pack's first header; a field named twice (pollutants)
    is keyed by its header."""
    fields = [c.field for c in source.columns]
    return [
        (c.headers[0], c.field if fields.count(c.field) == 1 else c.headers[0], c.unit)
        for c in source.columns
    ]


def _cell(row: Mapping[str, Any], key: str, unit: str | None, table: Mapping) -> Any:
    value = row.get(key)
    if isinstance(value, tuple):
        value = _convert(value[0], value[1], unit, table)
    return value


def render_file(source: Any, units: Sequence[Any], sy: SourceYear) -> tuple[str, bytes]:
    """The file of one source and year, shaped as the department sends it; returns (name, bytes)."""
    table = _unit_table(units)
    columns = _columns(source)
    name = file_name(source, sy.year)
    if source.code in CSV_SOURCES:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([h for h, _, _ in columns])
        for row in sy.rows:
            cells = [_cell(row, key, unit, table) for _, key, unit in columns]
            # numbers arrive as text with thousands separators
            writer.writerow(
                [f"{c:,}" if isinstance(c, int | Decimal) else ("" if c is None else c) for c in cells]
            )
        return name, buffer.getvalue().encode("gbk")
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    ws = wb.add_worksheet(source.name.split()[-1][:31])
    bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "font_size": 14})
    head = wb.add_format(
        {"bold": True, "border": 1, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"}
    )
    number = wb.add_format({"num_format": "#,##0.####"})
    ws.merge_range(0, 0, 0, len(columns) - 1, f"{sy.year}年度{source.name.split()[-1]}（演示数据）", bold)
    kinds: dict[str, str] = {}
    for _, _, unit in columns:
        if unit and unit in table:
            kinds.setdefault(UNIT_KINDS.get(table[unit][0], ""), unit)
    ws.write_string(1, 0, "；".join(f"{k}单位：{u}" for k, u in kinds.items()))
    for c, (header, _, _) in enumerate(columns):
        ws.write_string(2, c, header, head)
        ws.set_column(c, c, max(10, min(36, _display_width(header) + 4)))
    for r, row in enumerate(sy.rows, start=3):
        for c, (_, key, unit) in enumerate(columns):
            value = _cell(row, key, unit, table)
            if isinstance(value, int | Decimal):
                ws.write_number(r, c, float(value), number)
            elif value not in (None, ""):
                ws.write_string(r, c, str(value))
    wb.close()
    return name, out.getvalue()


def error_workbook(source: Any, units: Sequence[Any], sy: SourceYear) -> bytes:
    """The rows the registry does not know: original row, row number, column, reason."""
    import xlsxwriter

    table = _unit_table(units)
    columns = _columns(source)
    by_row = {u["row"]: u for u in sy.unknown}
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("错误行")
    head = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    for c, h in enumerate(["行号", "列", "原因", *[h for h, _, _ in columns]]):
        ws.write_string(0, c, h, head)
    r = 1
    for n, row in enumerate(sy.rows, start=2):
        if n not in by_row:
            continue
        ws.write_number(r, 0, n)
        ws.write_string(r, 1, columns[[k for _, k, _ in columns].index("uscc")][0])
        ws.write_string(r, 2, "企业库中没有该统一社会信用代码（未选择自动新建企业），该行未写入。")
        for c, (_, key, unit) in enumerate(columns, start=3):
            value = _cell(row, key, unit, table)
            if value is not None:
                ws.write(r, c, float(value) if isinstance(value, Decimal) else value)
        r += 1
    wb.close()
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------
# Persisting (Django)
# ---------------------------------------------------------------------------------------------------
@dataclass
class FactsReport:
    seed: int
    years: list[int]
    summaries: list[YearSummary]
    defects: list[Defect]
    batches: int = 0
    facts: int = 0
    parcels: int = 0
    year_rows: int = 0
    superseded: int = 0
    deleted_batches: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        kinds: dict[str, int] = {}
        for d in self.defects:
            kinds[d.kind] = kinds.get(d.kind, 0) + 1
        planted = "，".join(f"{DEFECT_LABELS.get(k, k)} {n}" for k, n in kinds.items())
        return [
            "",
            f"部门数据（{self.years[0]}–{self.years[-1]} 年，用时 {self.seconds:.1f} 秒）：导入批次 {self.batches} 个，"
            f"指标值 {self.facts} 条，宗地 {self.parcels} 宗，企业年度信息 {self.year_rows} 条；"
            f"替换旧演示批次 {self.deleted_batches} 个。",
            *[s.line() for s in self.summaries],
            f"  预置的数据问题（供核对报告演示）：{planted}。",
        ]


DEFECT_LABELS = {
    "land_missing": "用地台账缺企业",
    "land_zero": "用地面积为 0",
    "tax_missing": "税务文件缺企业",
    "jump": "与上年相比异常",
    "name": "名称不一致",
    "unknown_uscc": "库外信用代码",
}


def calibration_from(spec: Any) -> Calibration:
    """The pack's calibration figures (亿元) and thresholds; the fallbacks are policy.md's figures."""
    figures = {c.id: c for c in spec.calibration}
    thresholds = {t.id: t for t in spec.thresholds}
    output = figures.get("industrial_output_2021_est")
    tax = figures.get("industrial_tax_2021_est")
    line = thresholds.get("above_scale_revenue")
    mu = thresholds.get("mu_square_metres")
    environment = next((s for s in spec.import_sources if s.code == "environment"), None)
    pollutants = tuple(
        (c.headers[0], Decimal(repr(c.per))) for c in (environment.columns if environment else []) if c.per
    )
    return Calibration(
        output_2021=output.value * 1e8 if output else FALLBACK_OUTPUT_2021,
        tax_2021=tax.value * 1e8 if tax else FALLBACK_TAX_2021,
        above_threshold=line.value * 1e4 if line else 2e7,
        mu_m2=Decimal(repr(mu.value)) if mu else Decimal("666.67"),
        **({"pollutants": pollutants} if pollutants else {}),
    )


def _say(stdout: Any, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _raw_delete(qs: Any) -> int:
    """DELETE without fetching the rows. Django's delete() loads every row first when a post_delete
    receiver exists (the audit hook does); these are bulk rows whose batch is the record."""
    return qs._raw_delete(qs.db)


def build_demo_facts(
    *, seed: int = 2026, years: Iterable[int] = range(2021, 2026), stdout: Any = None
) -> FactsReport:
    """Write the demo enterprises' department figures: idempotent, in one transaction."""
    from django.db import transaction

    from gongqiang.core.services.policy import active_pack, active_spec

    from .demo import DemoError

    started = time.perf_counter()
    spec, pack = active_spec(), active_pack()
    if spec is None or pack is None:
        raise DemoError("尚未加载政策包：请先运行 gongqiang policy load。")
    enterprises, counties = _load_registry()
    if not enterprises:
        raise DemoError("没有演示企业：请先生成演示企业（gongqiang demo）。")
    years = sorted(set(years))
    _say(stdout, f"生成 {len(enterprises)} 家演示企业 {years[0]}–{years[-1]} 年的部门数据…")
    plan = plan_facts(enterprises, counties, seed=seed, years=years, calibration=calibration_from(spec))
    low_line = next((t.value for t in spec.thresholds if t.id == "low_efficiency_tax_per_mu"), 3.0)
    report = FactsReport(seed, years, summarise(plan, low_line), plan.defects)
    report.timings["plan"] = time.perf_counter() - started
    sources = {s.code: s for s in spec.import_sources}
    files = {
        key: render_file(sources[key[0]], spec.units, sy)
        for key, sy in plan.sources.items()
        if key[0] in sources
    }
    report.timings["files"] = time.perf_counter() - started - report.timings["plan"]
    with transaction.atomic():
        report.deleted_batches = _remove_previous()
        ids = _save_years(plan, report)
        _save_names(plan, ids, sources)
        batches = _save_batches(plan, files, sources, spec, pack, seed)
        report.batches = len(batches)
        report.superseded = _supersede(plan, batches)
        report.facts = _save_facts(plan, batches, ids, stdout)
        report.parcels = _save_parcels(plan, batches, ids)
    report.seconds = time.perf_counter() - started
    report.timings["database"] = report.seconds - report.timings["plan"] - report.timings["files"]
    return report


def _demo_ids() -> Any:
    from .demo import _demo_enterprises

    return _demo_enterprises().values("pk")


def _load_registry() -> tuple[list[EnterprisePlan], list[County]]:
    from gongqiang.core.models import Region
    from gongqiang.core.models.org import COUNTY_LEVEL_KINDS, RegionKind

    from .demo import _demo_enterprises

    rows = _demo_enterprises().values_list(
        "uscc", "name", "region__code", "town__code", "industry_code", "above_scale", "status"
    )
    enterprises = [EnterprisePlan(u, n, r, t or "", i, a, s) for u, n, r, t, i, a, s in rows]
    towns: dict[str, list[tuple[str, str]]] = {}
    for code, name, parent in (
        Region.objects.filter(kind=RegionKind.TOWN)
        .order_by("code")
        .values_list("code", "name", "parent__code")
    ):
        towns.setdefault(parent, []).append((code, name))
    counties = [
        County(code, name, tuple(towns.get(code, ())))
        for code, name in Region.objects.filter(kind__in=COUNTY_LEVEL_KINDS)
        .order_by("sort_order", "code")
        .values_list("code", "name")
    ]
    return enterprises, counties


def _demo_batches() -> Any:
    from .models import ImportBatch

    return ImportBatch.objects.filter(uploaded_by_name=DEMO_USER, file_name__startswith=FILE_PREFIX)


def _remove_previous() -> int:
    """The demo batches of an earlier build, with their facts, parcels and files."""
    from .models import Fact, LandParcel

    old = list(_demo_batches())
    if not old:
        return 0
    _raw_delete(Fact.objects.filter(batch__in=old))
    _raw_delete(LandParcel.objects.filter(batch__in=old))
    Fact.objects.filter(superseded_by__in=old).update(superseded_by=None)
    for batch in old:
        for f in (batch.file, batch.error_report):
            if f:
                f.delete(save=False)
        batch.delete()
    return len(old)


def _save_years(plan: FactsPlan, report: FactsReport) -> dict[str, int]:
    from gongqiang.core.models import Region

    from .models import EnterpriseYear

    ids = dict(_demo_ids().values_list("uscc", "pk"))
    regions = dict(Region.objects.values_list("code", "pk"))
    _raw_delete(EnterpriseYear.objects.filter(enterprise_id__in=_demo_ids(), year__in=plan.years))
    rows = [
        EnterpriseYear(
            enterprise_id=ids[r.uscc],
            year=r.year,
            region_id=regions[r.region_code],
            town_id=regions.get(r.town_code),
            above_scale=r.above_scale,
            industry_code=r.industry_code,
            status=r.status,
        )
        for r in plan.year_rows
    ]
    EnterpriseYear.objects.bulk_create(rows, batch_size=2000)
    report.year_rows = len(rows)
    return ids


def _save_names(plan: FactsPlan, ids: Mapping[str, int], sources: Mapping[str, Any]) -> None:
    """The names a source spells differently, recorded as the importer records them: an EnterpriseName
    whose `source` is the pack's name of the import source."""
    from .models import EnterpriseName

    label = {code: s.name[:60] for code, s in sources.items()}
    codes = {c for _, _, c in plan.names} | {STATISTICS_NAME_SOURCE}
    written = {label.get(c, c) for c in codes} | codes
    _raw_delete(EnterpriseName.objects.filter(enterprise_id__in=_demo_ids(), source__in=written))
    EnterpriseName.objects.bulk_create(
        [EnterpriseName(enterprise_id=ids[u], name=n, source=label.get(c, c)) for u, n, c in plan.names]
    )


# The demo's files live in a folder of their own under fixed names: a rebuild overwrites them (a
# database rolled back or dropped, as in the tests, leaves no trail of orphaned copies), and nothing an
# upload stores can be overwritten (uploads go to imports/<year>/<month>/).
DEMO_FILE_DIR = "imports/demo"


def _store(name: str, data: bytes) -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    path = f"{DEMO_FILE_DIR}/{name}"
    if default_storage.exists(path):
        default_storage.delete(path)
    return default_storage.save(path, ContentFile(data))


def _save_batches(
    plan: FactsPlan,
    files: Mapping[tuple[str, int], tuple[str, bytes]],
    sources: Mapping,
    spec: Any,
    pack: Any,
    seed: int,
) -> dict[tuple[str, int], Any]:
    from django.utils import timezone

    from gongqiang.core.models import Department

    from .models import BatchStatus, CommitMode, ImportBatch

    departments = {d.code: d for d in Department.objects.all()}
    now = timezone.now()
    batches = {}
    for key, sy in plan.sources.items():
        source = sources.get(key[0])
        if source is None:  # a pack without this source: nothing to import it as
            continue
        name, data = files[key]
        unknown = len(sy.unknown)
        message = (
            f"演示数据：由 gongqiang demo 生成（随机种子 {seed}），文件为按{source.name}格式生成的工作簿。"
        )
        if unknown:
            message += f"其中 {unknown} 行的统一社会信用代码不在企业库中，未写入（见错误报告）。"
        batch = ImportBatch(
            source=source.code,
            department=departments[source.department],
            year=sy.year,
            file_name=name,
            file_hash=hashlib.sha256(data).hexdigest(),
            uploaded_by_name=DEMO_USER,
            mode=CommitMode.VALID_ROWS if unknown else CommitMode.ALL_OR_NOTHING,
            status=BatchStatus.COMMITTED,
            progress=100,
            message=message,
            counts={
                "rows": len(sy.rows),
                "valid": len(sy.rows) - unknown,
                "invalid": unknown,
                "new": len(sy.facts),
                "changed": 0,
                "unchanged": sy.unchanged,
                "enterprises_created": 0,
                "enterprises": len({u for u, _, _ in sy.facts}),
            },
            assumptions={
                "demo": True,
                "columns": [
                    {"header": h, "field": c.field, "unit": c.unit or "", "reason": "默认（政策包模板）"}
                    for c in source.columns
                    for h in c.headers[:1]
                ],
                "unknown_usccs": sy.unknown,
            },
            pack_version=pack.version,
            pack_hash=pack.content_hash,
            committed_at=now,
        )
        batch.file.name = _store(name, data)
        if unknown:
            report_name = name.rsplit(".", 1)[0] + "-错误报告.xlsx"
            batch.error_report.name = _store(report_name, error_workbook(source, spec.units, sy))
        batch.save()
        batches[key] = batch
    return batches


def _supersede(plan: FactsPlan, batches: Mapping[tuple[str, int], Any]) -> int:
    """Current facts of demo enterprises that did not come from the demo (an import over the demo)
    make way, as a re-import would: kept in history, superseded by the demo batch."""
    from .models import Fact

    count = 0
    for key, batch in batches.items():
        metrics = {m for _, m, _ in plan.sources[key].facts}
        count += Fact.objects.filter(
            year=key[1], month=0, metric__in=metrics, is_current=True, enterprise_id__in=_demo_ids()
        ).update(is_current=False, superseded_by=batch)
    return count


def _save_facts(
    plan: FactsPlan, batches: Mapping[tuple[str, int], Any], ids: Mapping[str, int], stdout: Any
) -> int:
    rows = [
        (ids[u], key[1], 0, m, v, batch.pk, True)
        for key, batch in batches.items()
        for u, m, v in plan.sources[key].facts
    ]
    insert_facts(rows, stdout)
    return len(rows)


FACT_COLUMNS = ("enterprise_id", "year", "month", "metric", "value", "batch_id", "is_current")


def insert_facts(rows: Sequence[tuple[Any, ...]], stdout: Any = None) -> None:
    """Insert fact rows (FACT_COLUMNS) without building model instances: `bulk_create` spends most
    of its time making 460,000 objects and sends ≈ 140 rows per INSERT on SQLite (issue 3 measured
    the ORM path at 16 s for 800,000 rows). PostgreSQL takes COPY; SQLite an executemany of
    the same parameters the ORM would send (Decimal adapted by Django's sqlite backend)."""
    from django.db import connection

    from .models import Fact

    quote = connection.ops.quote_name
    table, columns = quote(Fact._meta.db_table), ", ".join(quote(c) for c in FACT_COLUMNS)
    step = 50000
    with connection.cursor() as cursor:
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(FACT_COLUMNS))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", chunk)
            _say(stdout, f"  写入指标值 {min(start + step, len(rows))}/{len(rows)}")


def _save_parcels(plan: FactsPlan, batches: Mapping[tuple[str, int], Any], ids: Mapping[str, int]) -> int:
    from .models import LandParcel

    rows = [
        LandParcel(
            enterprise_id=ids[p.uscc],
            year=p.year,
            certificate=p.certificate,
            location=p.location,
            use=p.use,
            tenure=p.tenure,
            area_mu=p.area_mu,
            batch_id=batch.pk,
            is_current=True,
        )
        for key, batch in batches.items()
        for p in plan.sources[key].parcels
    ]
    LandParcel.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
