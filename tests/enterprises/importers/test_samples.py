"""Every sample file imports without a manual edit; expected values are computed from the file itself
(openpyxl's cached values, the csv module), independently of the importer."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest

from gongqiang.lib.uscc import normalise


def sheet_rows(path, first_data_row: int = 4):
    ws = openpyxl.load_workbook(path, data_only=True).active
    return [r for r in ws.iter_rows(min_row=first_data_row, values_only=True)]


def dec(x) -> Decimal:
    return Decimal(repr(x)) if isinstance(x, float) else Decimal(x)


def values(result, metric: str) -> dict[str, Decimal]:
    frame = result.records.filter(result.records["metric"] == metric)
    return {u: Decimal(v) for u, v in zip(frame["uscc"], frame["value"], strict=True)}


def test_tax(samples, run):
    r = run((samples / "tax-2024.xlsx").read_bytes(), "tax")
    rows = [row for row in sheet_rows(samples / "tax-2024.xlsx") if row[1]]
    v = r.result
    assert (v.rows_total, v.rows_valid, v.rows_invalid) == (53, 50, 0)
    assert v.ok and not v.errors
    assert {s.reason for s in v.skipped} == {"合计行，不是企业数据", "空行", "表尾说明，不是企业数据"}
    # the cached totals carry binary noise (1178.6399999999999): compare at the pack's 2 decimals
    expected = {row[1]: (dec(row[4]) * 10000).quantize(Decimal("0.01"), ROUND_HALF_UP) for row in rows}
    assert values(v, "tax_paid") == expected
    assert "“实缴税金合计”→ 实缴税金，单位 万元（标题行“单位：万元”）" in v.assumptions
    assert any(a.startswith("未使用的列：序号") for a in v.assumptions)


def test_statistics(samples, run):
    r = run((samples / "statistics-2024.xlsx").read_bytes(), "statistics")
    rows = sheet_rows(samples / "statistics-2024.xlsx")
    v = r.result
    assert (v.rows_total, v.rows_valid, v.rows_invalid) == (50, 50, 0)
    assert values(v, "revenue") == {normalise(row[0]): dec(row[3]) * 1000 for row in rows}
    assert values(v, "revenue")["91371311MA8CKAAYN9"] == Decimal(83_443_000)
    assert values(v, "employees") == {normalise(row[0]): dec(row[6]) for row in rows}
    assert values(v, "energy_tce") == {normalise(row[0]): dec(row[7]) for row in rows}
    lower = [row[0] for row in rows if row[0] != row[0].upper()]
    assert lower and all(normalise(c) in values(v, "revenue") for c in lower)
    assert set(v.records["industry_code"]) <= {"2021", "1391", "3311", "3482", "2710"}
    assert "“营业收入”→ 营业收入，单位 千元（标题行“金额单位：千元”）" in v.assumptions
    assert "“综合能源消费量”→ 综合能源消费量，单位 吨标准煤（标题行“能耗：吨标准煤”）" in v.assumptions
    assert "“从业人员平均人数(人)”→ 从业人员平均人数，单位 人（列名）" in v.assumptions


def test_land(samples, run, spec):
    r = run((samples / "land-register.xlsx").read_bytes(), "land")
    rows = sheet_rows(samples / "land-register.xlsx")
    signs = spec.source("land").land_types
    v = r.result
    assert (v.rows_total, v.rows_valid, v.rows_invalid) == (len(rows), len(rows), 0)
    m2: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        m2[row[1]] += dec(row[5]) * signs[row[6]]
    expected = {u: (a / Decimal("666.67")).quantize(Decimal("0.0001"), ROUND_HALF_UP) for u, a in m2.items()}
    assert values(v, "land_mu") == expected
    assert len(v.parcels) == len(rows)
    assert {p.tenure for p in v.parcels} <= {"owned", "leased_in"}
    leased = [row for row in rows if row[6] == "租入"]
    assert len([p for p in v.parcels if p.tenure == "leased_in"]) == len(leased)
    assert len(v.records) == len(m2) < len(rows)  # several parcels summed per enterprise
    assert "“宗地面积”→ 实际用地面积，单位 平方米（标题行“面积单位：平方米”）" in v.assumptions


def test_power_gbk_summed_per_enterprise(samples, run):
    data = (samples / "power-2024-gbk.csv").read_bytes()
    r = run(data, "power", filename="power-2024-gbk.csv")
    rows = list(csv.reader(io.StringIO(data.decode("gbk"))))[1:]
    kwh: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        kwh[row[2]] += Decimal(row[3].replace(",", ""))
    v = r.result
    assert (v.rows_total, v.rows_valid, v.rows_invalid) == (len(rows), len(rows), 0)
    assert values(v, "electricity_kwh") == dict(kwh)
    assert len(kwh) < len(rows)
    assert "“年用电量（千瓦时）”→ 年用电量，单位 千瓦时（列名）" in v.assumptions


def test_environment_pollutant_equivalents(samples, run, spec):
    r = run((samples / "environment-2024.xlsx").read_bytes(), "environment")
    rows = sheet_rows(samples / "environment-2024.xlsx")
    per = [Decimal(repr(c.per)) for c in spec.source("environment").columns if c.per]
    expected = {
        row[1]: sum((dec(kg) / p for kg, p in zip(row[2:6], per, strict=True)), Decimal(0)).quantize(
            Decimal("0.0001"), ROUND_HALF_UP
        )
        for row in rows
    }
    v = r.result
    assert (v.rows_total, v.rows_valid) == (40, 40)
    assert values(v, "pollutant_eq") == expected
    assert any(
        "“氨氮”→ 主要污染物排放当量，单位 千克（标题行“单位：千克”），每 0.8 千克" in a for a in v.assumptions
    )


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("tax-2024.xlsx", "tax"),
        ("statistics-2024.xlsx", "statistics"),
        ("environment-2024.xlsx", "environment"),
    ],
)
def test_sample_title_year_is_checked(samples, run, name, source):
    r = run((samples / name).read_bytes(), source, year=2023)
    assert r.result.file_errors == ["文件标题为 2024 年，与所选年度 2023 年不符"]
    assert not r.result.ok
