"""`gongqiang demo` figures: five years from every source, calibrated, deterministic, idempotent, with
defects the reconciliation report finds. Built at a small scale (60 above-scale, 200 below-scale)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from django.core.management import call_command

from gongqiang.core.models import User
from gongqiang.core.services.policy import active_pack, active_spec
from gongqiang.enterprises import demo
from gongqiang.enterprises.demo_facts import (
    ABOVE_SCALE_TAX_SHARE,
    REFERENCE_ABOVE,
    REFERENCE_BELOW,
    Calibration,
    County,
    build_demo_facts,
    plan_facts,
)
from gongqiang.enterprises.models import (
    BatchStatus,
    Enterprise,
    EnterpriseName,
    EnterpriseYear,
    Fact,
    ImportBatch,
    LandParcel,
)
from gongqiang.enterprises.reconcile import KINDS
from gongqiang.enterprises.services.reconciliation import (
    FALLBACK_JUMP_FACTOR,
    jump_factor,
    reconciliation_report,
    report_workbook,
    unresolved_blockers,
)

PACK = Path(__file__).resolve().parents[2] / "policies" / "linyi-2022.yaml"
YEARS = [2021, 2022, 2023, 2024, 2025]
SOURCES = ("tax", "statistics", "land", "power", "environment", "science")
ABOVE, BELOW = 60, 200


@pytest.fixture
def built(linyi, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return demo.build_demo(seed=2026, above=ABOVE, below=BELOW)


def snapshot() -> list[tuple]:
    return sorted(
        Fact.objects.filter(is_current=True).values_list(
            "enterprise__uscc", "year", "month", "metric", "value", "batch__source"
        )
    )


def totals(metric: str, without: set[str] = frozenset()) -> dict[int, Decimal]:
    out: dict[int, Decimal] = defaultdict(Decimal)
    rows = Fact.objects.filter(metric=metric, is_current=True).exclude(enterprise__uscc__in=without)
    for year, value in rows.values_list("year", "value"):
        out[year] += value
    return out


# ---------------------------------------------------------------------------------------------------
def test_five_years_one_committed_batch_per_source_and_year(built, settings):
    spec = active_spec()
    batches = list(ImportBatch.objects.select_related("department"))
    assert sorted((b.source, b.year) for b in batches) == sorted((s, y) for s in SOURCES for y in YEARS)
    for b in batches:
        source = spec.source(b.source)
        assert b.status == BatchStatus.COMMITTED and b.committed_at and b.progress == 100
        assert b.department.code == source.department
        assert b.uploaded_by_name == "system:demo"
        assert b.file_name.startswith("演示数据-") and str(b.year) in b.file_name
        assert b.pack_version == active_pack().version and len(b.pack_hash) == 64
        assert b.counts["new"] == b.facts.count() > 0
        assert b.counts["rows"] == b.counts["valid"] + b.counts["invalid"]
        assert b.file and Path(b.file.path).stat().st_size > 1000  # a real file, not a placeholder
        assert b.file.name == f"imports/demo/{b.file_name}"
    tax = next(b for b in batches if (b.source, b.year) == ("tax", 2024))
    assert tax.file_name == "演示数据-税务-2024.xlsx"
    assert Fact.objects.filter(is_current=False).count() == 0
    assert set(Fact.objects.values_list("year", flat=True).distinct()) == set(YEARS)
    assert built.facts is not None and [s.year for s in built.facts.summaries] == YEARS


def test_the_files_give_back_the_facts(built):
    tax = ImportBatch.objects.get(source="tax", year=2024)
    sheet = openpyxl.load_workbook(tax.file.path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "2024" in rows[0][0] and "万元" in rows[1][0]
    header = list(rows[2])
    col = header.index("实缴税金合计")
    in_file = sum(Decimal(str(r[col])) for r in rows[3:] if r[col] is not None) * 10000
    assert in_file == sum(tax.facts.values_list("value", flat=True))

    power = ImportBatch.objects.get(source="power", year=2024)
    assert power.file_name.endswith(".csv")
    lines = list(csv.reader(io.StringIO(power.file.read().decode("gbk"))))
    unknown = {u["uscc"] for u in power.assumptions["unknown_usccs"]}
    code, amount = lines[0].index("统一社会信用代码"), lines[0].index("年用电量（千瓦时）")
    kwh = sum(int(r[amount].replace(",", "")) for r in lines[1:] if r[code] not in unknown)
    assert kwh == sum(power.facts.values_list("value", flat=True))
    assert [lines[u["row"] - 1][code] for u in power.assumptions["unknown_usccs"]] == [
        u["uscc"] for u in power.assumptions["unknown_usccs"]
    ]
    assert power.counts["invalid"] == 3 and power.error_report

    land = ImportBatch.objects.get(source="land", year=2023)
    sheet = openpyxl.load_workbook(land.file.path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "平方米" in rows[1][0]
    header = list(rows[2])
    area, kind = header.index("宗地面积"), header.index("使用类型")
    m2 = sum(Decimal(str(r[area])) * (-1 if r[kind] == "租出" else 1) for r in rows[3:])
    mu = sum(land.facts.values_list("value", flat=True))
    assert abs(m2 / Decimal("666.67") - mu) < Decimal("0.01") * land.facts.count()


def test_values_are_in_stored_units(built):
    above = set(Enterprise.objects.filter(above_scale=True).values_list("uscc", flat=True))
    for value in Fact.objects.filter(metric__in=["tax_paid", "revenue", "output", "rd_spending"]).values_list(
        "value", flat=True
    ):
        assert value % 100 == 0  # 元, rounded as 万元 with 2 decimals
    outputs = [
        v for u, v in Fact.objects.filter(metric="output", year=2023).values_list("enterprise__uscc", "value")
    ]
    assert min(outputs) >= Decimal("5e6") and sorted(outputs)[len(outputs) // 2] > Decimal(
        "2e7"
    )  # 元, not 万元
    land = defaultdict(list)
    for uscc, value in Fact.objects.filter(metric="land_mu", year=2021).values_list(
        "enterprise__uscc", "value"
    ):
        land[uscc in above].append(value)
    assert all(20 <= v <= 300 for v in land[True])
    assert all(3 <= v <= 30 for v in land[False])
    employees = Fact.objects.filter(metric="employees").values_list("value", flat=True)
    assert all(v == int(v) and v >= 20 for v in employees)
    # R&D: 1–3 % of revenue where there is any, zero for many
    rd = dict(
        Fact.objects.filter(metric="rd_spending", year=2022, batch__source="statistics").values_list(
            "enterprise_id", "value"
        )
    )
    revenue = dict(Fact.objects.filter(metric="revenue", year=2022).values_list("enterprise_id", "value"))
    shares = [rd[k] / revenue[k] for k in rd if rd[k] > 0]
    assert 0 < len(shares) < len(rd) and 0.01 < sorted(shares)[len(shares) // 2] < 0.03
    assert LandParcel.objects.filter(year=2024).count() > ABOVE


def test_calibrated_totals_at_small_scale(built):
    """City totals are the pack's figures per enterprise: 5,000 亿元 of output for 3,300 above-scale
    firms, 250 亿元 of tax for 3,300 + 15,000 firms, growing ≈ 12 %/yr and ≈ 16 %/yr."""
    output, tax = totals("output"), totals("tax_paid")
    expected_output = Decimal(5000e8) * ABOVE / REFERENCE_ABOVE
    share = Decimal(repr(ABOVE_SCALE_TAX_SHARE))
    expected_tax = Decimal(250e8) * (share * ABOVE / REFERENCE_ABOVE + (1 - share) * BELOW / REFERENCE_BELOW)
    assert abs(output[2021] / expected_output - 1) < Decimal("0.05"), output[2021]
    assert abs(tax[2021] / expected_tax - 1) < Decimal("0.05"), tax[2021]
    assert 1.5 < output[2025] / output[2021] < 1.7  # behind the doubling by 2026
    assert 1.7 < tax[2025] / tax[2021] < 1.9  # on time for ×2
    # year on year, apart from the planted defects (3 of 60 firms missing from the 2024 tax file
    # weigh heavily at this scale)
    planted = {d.uscc for d in built.facts.defects}
    output, tax = totals("output", planted), totals("tax_paid", planted)
    for y in YEARS[1:]:
        assert output[y] > output[y - 1] and tax[y] > tax[y - 1], y
    # output concentrated in above-scale firms: only they report it, and the largest tenth holds much of it
    values = sorted(Fact.objects.filter(metric="output", year=2021).values_list("value", flat=True))
    assert sum(values[-len(values) // 10 :]) > sum(values) * Decimal("0.3")


def test_year_rows_moves_and_entries(built):
    assert EnterpriseYear.objects.count() == (ABOVE + BELOW) * 5
    rows = list(EnterpriseYear.objects.select_related("enterprise", "region"))
    moved = {r.enterprise_id for r in rows if r.region_id != r.enterprise.region_id}
    entered = {r.enterprise_id for r in rows if r.enterprise.above_scale and not r.above_scale}
    assert moved and entered
    for r in rows:
        if r.enterprise_id in entered and not r.above_scale:
            assert not Fact.objects.filter(
                enterprise_id=r.enterprise_id, year=r.year, metric="output"
            ).exists()
    closed = [r for r in rows if r.status == "closed"]
    assert all(not Fact.objects.filter(enterprise=r.enterprise, year=r.year).exists() for r in closed)


def test_idempotent_and_deterministic(built, settings):
    before = snapshot()
    counts = (
        ImportBatch.objects.count(),
        EnterpriseYear.objects.count(),
        EnterpriseName.objects.count(),
        LandParcel.objects.count(),
    )
    files = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    report = build_demo_facts(seed=2026)
    assert report.deleted_batches == 30
    assert snapshot() == before
    assert counts == (
        ImportBatch.objects.count(),
        EnterpriseYear.objects.count(),
        EnterpriseName.objects.count(),
        LandParcel.objects.count(),
    )
    assert Fact.objects.filter(is_current=False).count() == 0
    assert sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()) == files
    build_demo_facts(seed=7)
    assert snapshot() != before


def test_plan_is_pure_and_seeded():
    data = yaml.safe_load(PACK.read_text())
    counties = [
        demo.County(r["code"], r["name"], r.get("short_name") or r["name"], r["kind"], r.get("towns"))
        for r in data["organisation"]["regions"]
    ]
    towns = demo.plan_towns(counties)
    plans = demo.plan_enterprises(counties, towns, seed=3, above=40, below=80)
    places = [
        County(c.code, c.name, tuple((t.code, t.name) for t in towns if t.county_code == c.code))
        for c in counties
    ]
    cal = Calibration(5000e8, 250e8)

    def facts(seed: int, ents) -> dict:
        plan = plan_facts(ents, places, seed=seed, years=range(2021, 2026), calibration=cal)
        return {k: sorted(v.facts) for k, v in plan.sources.items()}

    first = facts(1, plans)
    assert first == facts(1, list(reversed(plans)))
    assert first != facts(2, plans)
    with pytest.raises(ValueError):
        plan_facts(plans, places, seed=1, years=[2020], calibration=cal)


def test_defects_show_in_the_reconciliation_report(built):
    city = User.objects.get(username="city")
    report = reconciliation_report(2024, user=city)
    found = Counter(f.kind for f in report.findings)
    assert set(found) == set(KINDS), found
    assert found["tax_without_land"] == 10 and found["unknown_uscc"] == 3 and found["name_mismatch"] == 5
    assert found["jump"] == 5 and found["missing"] == 3
    assert report.blockers == 13 == unresolved_blockers(2024)
    # the other years are clean, apart from the names (every year) and 2025's way back from the jumps
    assert unresolved_blockers(2022) == 0
    clean = Counter(f.kind for f in reconciliation_report(2023, user=city).findings)
    assert clean == Counter({"name_mismatch": 5})
    assert report.jump_factor == FALLBACK_JUMP_FACTOR or report.jump_factor_from_pack
    content = report_workbook(report)
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == ["汇总", *KINDS.values()]
    rows = list(book["有税收无用地"].iter_rows(values_only=True))
    assert rows[0][:3] == ("严重程度", "统一社会信用代码", "企业名称") and len(rows) == 11
    assert {r[0] for r in rows[1:]} == {"阻断"}


def test_a_county_sees_its_own_findings_only(built):
    city = reconciliation_report(2024, user=User.objects.get(username="city"))
    lanshan = reconciliation_report(2024, user=User.objects.get(username="lanshan"))
    assert lanshan.scope == "兰山区"
    assert {f.region for f in lanshan.findings} <= {"371302"}
    assert [f for f in city.findings if f.region == "371302"] == lanshan.findings
    nobody = reconciliation_report(2024, user=User.objects.get(username="ent-demo"))
    assert nobody.findings == []


def test_jump_factor_comes_from_the_pack_when_it_has_one():
    class Threshold:
        id, value = "reconcile_jump_factor", 8

    class Spec:
        thresholds = [Threshold()]

    assert jump_factor(Spec()) == (8.0, True)
    assert jump_factor(type("Empty", (), {"thresholds": []})()) == (FALLBACK_JUMP_FACTOR, False)


def test_command_without_facts(linyi, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", "--above", "10", "--below", "10", "--no-facts", stdout=io.StringIO())
    assert Enterprise.objects.count() == 20
    assert not Fact.objects.exists() and not ImportBatch.objects.exists()
    out = io.StringIO()
    call_command("demo", "--above", "10", "--below", "10", stdout=out)
    assert "2024 年：工业总产值" in out.getvalue() and ImportBatch.objects.count() == 30
