"""Imports, the Django side: stage → preview → commit → rollback, history, scope and the current-value view.

Sample files are the departments' own (/work/shared/samples); small cases are CSV files written here.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from gongqiang.enterprises.models import (
    BatchStatus,
    CommitMode,
    Enterprise,
    EnterpriseName,
    EnterpriseYear,
    Fact,
    ImportBatch,
    LandParcel,
)
from gongqiang.enterprises.services import imports
from gongqiang.enterprises.services.facts import current_facts
from gongqiang.enterprises.services.imports import ImportRefused
from gongqiang.testing.factories import uscc_for

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
YEAR = 2024


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def tax_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    """A tax file: (uscc, name, county, tax in 万元)."""
    lines = ["统一社会信用代码,企业名称,所属区县,实缴税金（万元）"]
    lines += [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def stage_and_commit(
    data: bytes,
    user,
    *,
    source: str = "tax",
    mode=CommitMode.VALID_ROWS,
    create_unknown: bool = False,
    name: str = "tax.csv",
) -> ImportBatch:
    batch = imports.stage(
        data, name, source=source, year=YEAR, user=user, mode=mode, create_unknown=create_unknown
    )
    assert batch.status == BatchStatus.VALIDATED, batch.message
    return imports.commit(batch, user)


def current(enterprise, metric: str = "tax_paid") -> Decimal:
    return Fact.objects.get(enterprise=enterprise, year=YEAR, metric=metric, is_current=True).value


# ---------------------------------------------------------------------------------------------------
# The departments' sample files
# ---------------------------------------------------------------------------------------------------
SAMPLE_FILES = [
    # file, source, metric, values written (enterprises not placeable: no county column, none registered)
    ("tax-2024.xlsx", "tax", "tax_paid", 50),
    ("statistics-2024.xlsx", "statistics", "revenue", 45),
    ("land-register.xlsx", "land", "land_mu", 50),
    ("power-2024-gbk.csv", "power", "electricity_kwh", 50),
    ("environment-2024.xlsx", "environment", "pollutant_eq", 40),
]


@pytest.mark.django_db
def test_every_sample_file_stages_and_commits(personas):
    for file, source, metric, expected in SAMPLE_FILES:
        data = (SAMPLES / file).read_bytes()
        batch = imports.stage(
            data,
            file,
            source=source,
            year=YEAR,
            user=personas.city,
            mode=CommitMode.VALID_ROWS,
            create_unknown=True,
        )
        assert batch.status == BatchStatus.VALIDATED, (file, batch.message)
        assert batch.file_hash and len(batch.file_hash) == 64
        assert batch.department.code and batch.pack_version and batch.uploaded_by == personas.city
        assert batch.assumptions["notes"], file
        batch = imports.commit(batch, personas.city)
        assert batch.status == BatchStatus.COMMITTED and batch.committed_at
        assert Fact.objects.filter(batch=batch, metric=metric).count() == expected, file
    # the tax file registered its 50 enterprises (with their county); later files found them
    assert Enterprise.objects.filter(uscc__startswith="9137").count() >= 50
    assert LandParcel.objects.filter(is_current=True).count() == 60
    assert EnterpriseYear.objects.filter(year=YEAR, above_scale=True).count() == 45


@pytest.mark.django_db
def test_tax_sample_values_are_exact_yuan(personas):
    data = (SAMPLES / "tax-2024.xlsx").read_bytes()
    batch = stage_and_commit(data, personas.city, create_unknown=True, name="tax-2024.xlsx")
    assert batch.counts["skipped"] >= 2  # the 合计 row and the 制表单位 footer are not enterprises
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True).active
    checked = 0
    for row in ws.iter_rows(min_row=4, values_only=True):
        if row[1] and row[4] is not None and str(row[1]).startswith("91"):
            expected = (Decimal(str(row[4])) * 10000).quantize(Decimal("0.01"))
            fact = Fact.objects.get(enterprise__uscc=row[1], metric="tax_paid", is_current=True)
            assert fact.value == expected
            checked += 1
    assert checked == 50
    region = Enterprise.objects.get(uscc=ws.cell(4, 2).value).region
    assert region.name == ws.cell(4, 4).value  # created in the county the file names


# ---------------------------------------------------------------------------------------------------
# History, preview, rollback
# ---------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_reimport_supersedes_and_keeps_history(personas, world):
    a, b = world.lanshan_ent, world.lanshan_below
    first = stage_and_commit(
        tax_csv([(a.uscc, a.name, "兰山区", "12.5"), (b.uscc, b.name, "兰山区", "3")]), personas.city
    )
    assert current(a) == Decimal("125000") and current(b) == Decimal("30000")

    second = imports.stage(
        tax_csv([(a.uscc, a.name, "兰山区", "13.25"), (b.uscc, b.name, "兰山区", "3.00")]),
        "tax2.csv",
        source="tax",
        year=YEAR,
        user=personas.city,
        mode=CommitMode.VALID_ROWS,
    )
    assert (second.counts["changed"], second.counts["unchanged"], second.counts["new"]) == (1, 1, 0)
    preview = imports.preview_rows(second)
    assert preview[0]["status"] == "changed" and preview[0]["uscc"] == a.uscc
    assert preview[0]["old_value"] == Decimal("125000") and preview[0]["new_value"] == Decimal("132500")
    assert (preview[0]["old"], preview[0]["new"], preview[0]["metric_name"]) == ("125000", "132500", "实缴税金")
    second = imports.commit(second, personas.city)

    history = Fact.objects.filter(enterprise=a, metric="tax_paid").order_by("id")
    assert [(f.value, f.is_current, f.batch_id, f.superseded_by_id) for f in history] == [
        (Decimal("125000"), False, first.pk, second.pk),
        (Decimal("132500"), True, second.pk, None),
    ]
    # unchanged values are not written again: the earlier fact stays current, from its own batch
    assert Fact.objects.filter(enterprise=b).count() == 1 and Fact.objects.get(enterprise=b).batch == first
    assert second.counts["written"] == 1 and second.counts["unchanged"] == 1


@pytest.mark.django_db
def test_rollback_restores_and_refuses_while_a_later_batch_stands(personas, world):
    a = world.lanshan_ent
    first = stage_and_commit(tax_csv([(a.uscc, a.name, "兰山区", "1")]), personas.city)
    second = stage_and_commit(tax_csv([(a.uscc, a.name, "兰山区", "2")]), personas.city)
    third = stage_and_commit(tax_csv([(a.uscc, a.name, "兰山区", "3")]), personas.city)
    assert current(a) == Decimal("30000")

    with pytest.raises(ImportRefused, match=f"请先撤销其后的批次 #{third.pk}"):
        imports.rollback(second, personas.city)
    assert current(a) == Decimal("30000")

    imports.rollback(third, personas.city)
    third.refresh_from_db()
    assert (
        third.status == BatchStatus.ROLLED_BACK and third.rolled_back_at and third.rolled_back_by == "p-city"
    )
    assert current(a) == Decimal("20000")
    imports.rollback(second, personas.city)
    assert current(a) == Decimal("10000")
    assert Fact.objects.filter(enterprise=a).count() == 3  # nothing deleted
    with pytest.raises(ImportRefused, match="只有已入库的批次"):
        imports.rollback(third, personas.city)
    first.refresh_from_db()
    assert first.status == BatchStatus.COMMITTED


@pytest.mark.django_db
def test_rollback_of_a_first_import_leaves_no_current_value(personas, world):
    a = world.lanshan_ent
    batch = stage_and_commit(tax_csv([(a.uscc, a.name, "兰山区", "1")]), personas.city)
    imports.rollback(batch, personas.city)
    assert not Fact.objects.filter(enterprise=a, is_current=True).exists()
    assert Fact.objects.filter(enterprise=a, batch=batch).exists()


@pytest.mark.django_db
def test_rollback_scope(personas, world):
    a = world.lanshan_ent
    batch = stage_and_commit(tax_csv([(a.uscc, a.name, "兰山区", "1")]), personas.county_a)
    for outsider in (personas.county_b, personas.dept, personas.leader):
        with pytest.raises(PermissionDenied):
            imports.rollback(batch, outsider)
    imports.rollback(batch, personas.county_a)


# ---------------------------------------------------------------------------------------------------
# Commit modes
# ---------------------------------------------------------------------------------------------------
def _one_bad_row(world) -> bytes:
    a, b, c = world.lanshan_ent, world.lanshan_below, world.luozhuang_ent
    return tax_csv(
        [(a.uscc, a.name, "兰山区", "5"), (b.uscc, b.name, "兰山区", "abc"), (c.uscc, c.name, "罗庄区", "7")]
    )


@pytest.mark.django_db
def test_all_or_nothing_with_one_bad_row_writes_nothing(personas, world):
    batch = imports.stage(
        _one_bad_row(world),
        "bad.csv",
        source="tax",
        year=YEAR,
        user=personas.city,
        mode=CommitMode.ALL_OR_NOTHING,
    )
    assert batch.status == BatchStatus.VALIDATED and batch.counts["invalid"] == 1
    with pytest.raises(ImportRefused, match="有 1 行错误"):
        imports.commit(batch, personas.city)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and "有 1 行错误" in batch.message
    assert not Fact.objects.exists()


@pytest.mark.django_db
def test_valid_rows_writes_the_others_and_reports_the_bad_one(personas, world):
    batch = imports.stage(
        _one_bad_row(world),
        "bad.csv",
        source="tax",
        year=YEAR,
        user=personas.city,
        mode=CommitMode.VALID_ROWS,
    )
    errors = imports.error_rows(batch)
    assert [(e["row_no"], e["column"]) for e in errors] == [(3, "实缴税金（万元）")]
    assert "abc" in errors[0]["reason"]
    assert batch.error_report
    with batch.error_report.open("rb") as handle:
        ws = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    cells = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert any("abc" in c for c in cells) and world.lanshan_below.uscc in cells
    batch = imports.commit(batch, personas.city)
    assert set(Fact.objects.values_list("enterprise_id", flat=True)) == {
        world.lanshan_ent.pk,
        world.luozhuang_ent.pk,
    }


@pytest.mark.django_db
def test_a_bad_file_fails_and_writes_nothing_else(personas):
    batch = imports.stage(
        b"MZ\x90\x00 not a spreadsheet",
        "virus.xlsx",
        source="tax",
        year=YEAR,
        user=personas.city,
        mode=CommitMode.VALID_ROWS,
    )
    assert batch.status == BatchStatus.FAILED and batch.message
    assert not batch.error_report and batch.counts == {}
    with pytest.raises(ImportRefused):
        imports.commit(batch, personas.city)
    assert not Fact.objects.exists()


@pytest.mark.django_db
def test_unknown_enterprise_created_only_when_asked(personas, world):
    new = uscc_for("371312", 777)
    data = tax_csv([(new, "河东新建机械有限公司", "河东区", "8")])
    refused = imports.stage(
        data, "t.csv", source="tax", year=YEAR, user=personas.city, mode=CommitMode.VALID_ROWS
    )
    assert refused.counts["invalid"] == 1
    batch = stage_and_commit(data, personas.city, create_unknown=True)
    enterprise = Enterprise.objects.get(uscc=new)
    assert enterprise.region.code == "371312" and enterprise.name == "河东新建机械有限公司"
    assert batch.counts["enterprises_created"] == 1 and current(enterprise) == Decimal("80000")


@pytest.mark.django_db
def test_commit_is_refused_twice_and_discard_writes_nothing(personas, world):
    a = world.lanshan_ent
    batch = stage_and_commit(tax_csv([(a.uscc, a.name, "兰山区", "1")]), personas.city)
    with pytest.raises(ImportRefused, match="不能入库"):
        imports.commit(batch, personas.city)
    other = imports.stage(
        tax_csv([(a.uscc, a.name, "兰山区", "9")]),
        "t.csv",
        source="tax",
        year=YEAR,
        user=personas.city,
        mode=CommitMode.VALID_ROWS,
    )
    imports.discard(other, personas.city)
    assert other.status == BatchStatus.DISCARDED
    with pytest.raises(ImportRefused):
        imports.commit(other, personas.city)
    assert current(a) == Decimal("10000")


@pytest.mark.django_db
def test_commit_async_runs_inline_without_a_broker(personas, world):
    a = world.lanshan_ent
    batch = imports.stage(
        tax_csv([(a.uscc, a.name, "兰山区", "4")]),
        "t.csv",
        source="tax",
        year=YEAR,
        user=personas.city,
        mode=CommitMode.VALID_ROWS,
    )
    batch = imports.commit_async(batch, personas.city)
    assert batch.status == BatchStatus.COMMITTED and batch.progress == 100
    assert current(a) == Decimal("40000")


# ---------------------------------------------------------------------------------------------------
# Who may import what
# ---------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_county_rows_of_another_county_are_errors(personas, world):
    a, lz = world.lanshan_ent, world.luozhuang_ent
    data = tax_csv([(a.uscc, a.name, "兰山区", "5"), (lz.uscc, lz.name, "罗庄区", "6")])
    batch = imports.stage(
        data, "t.csv", source="tax", year=YEAR, user=personas.county_a, mode=CommitMode.VALID_ROWS
    )
    assert batch.region.code == "371302"
    errors = imports.error_rows(batch)
    assert [e["row_no"] for e in errors] == [3]
    assert "不在您的数据范围" in errors[0]["reason"] and "罗庄区" in errors[0]["reason"]
    imports.commit(batch, personas.county_a)
    assert current(a) == Decimal("50000")
    assert not Fact.objects.filter(enterprise=lz).exists()


@pytest.mark.django_db
def test_county_scope_follows_the_region_of_the_year(personas, world):
    """An enterprise that moved counts, for each year, for the county it belonged to that year: its
    new county may not import the years before the move, its old county may (and the commit's scope
    recheck agrees with the validation)."""
    from gongqiang.testing.factories import region

    moved_in, moved_out = world.lanshan_ent, world.luozhuang_ent
    # moved_in: in 兰山区 now, but in 罗庄区 in 2024; moved_out: in 罗庄区 now, but in 兰山区 in 2024
    EnterpriseYear.objects.create(enterprise=moved_in, year=YEAR, region=region("371311"))
    EnterpriseYear.objects.create(enterprise=moved_out, year=YEAR, region=region("371302"))
    data = tax_csv([(moved_in.uscc, moved_in.name, "兰山区", "5"), (moved_out.uscc, moved_out.name, "罗庄区", "6")])
    batch = imports.stage(
        data, "t.csv", source="tax", year=YEAR, user=personas.county_a, mode=CommitMode.VALID_ROWS
    )
    errors = imports.error_rows(batch)
    assert [(e["row_no"], e["column"]) for e in errors] == [(2, "统一社会信用代码")]
    assert "不在您的数据范围" in errors[0]["reason"] and "罗庄区" in errors[0]["reason"]
    imports.commit(batch, personas.county_a)
    assert current(moved_out) == Decimal("60000")
    assert not Fact.objects.filter(enterprise=moved_in).exists()

    # 2025: no year record, so each counts for its current county
    batch = imports.stage(
        data, "t.csv", source="tax", year=YEAR + 1, user=personas.county_a, mode=CommitMode.VALID_ROWS
    )
    assert [e["row_no"] for e in imports.error_rows(batch)] == [3]


@pytest.mark.django_db
def test_county_may_not_create_an_enterprise_in_another_county(personas):
    data = tax_csv([(uscc_for("371311", 991), "罗庄新企业有限公司", "罗庄区", "1")])
    batch = imports.stage(
        data,
        "t.csv",
        source="tax",
        year=YEAR,
        user=personas.county_a,
        mode=CommitMode.VALID_ROWS,
        create_unknown=True,
    )
    assert batch.counts["invalid"] == 1 and "不在您的数据范围" in imports.error_rows(batch)[0]["reason"]
    imports.commit(batch, personas.county_a)
    assert not Enterprise.objects.filter(name="罗庄新企业有限公司").exists()


@pytest.mark.django_db
def test_department_imports_only_its_own_sources(personas, world):
    a = world.lanshan_ent
    with pytest.raises(PermissionDenied, match="不属于您所在部门"):
        imports.stage(
            tax_csv([(a.uscc, a.name, "兰山区", "1")]),
            "t.csv",
            source="tax",
            year=YEAR,
            user=personas.dept,
            mode=CommitMode.VALID_ROWS,
        )
    assert not ImportBatch.objects.exists()
    science = (
        f"统一社会信用代码,企业名称,研发经费支出（万元）,研发人员数\n{a.uscc},{a.name},12.34,15\n".encode()
    )
    batch = stage_and_commit(science, personas.dept, source="science", name="kjj.csv")
    assert current(a, "rd_spending") == Decimal("123400") and current(a, "rd_staff") == 15
    assert imports.may_import(personas.dept, "science") and not imports.may_import(personas.dept, "tax")
    assert batch.department.code == "kjj"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["leader", "ent_user", "nobody"])
def test_readers_and_enterprises_never_import(personas, world, who):
    a = world.lanshan_ent
    user = getattr(personas, who)
    assert not imports.may_import(user, "tax")
    with pytest.raises(PermissionDenied):
        imports.stage(
            tax_csv([(a.uscc, a.name, "兰山区", "1")]),
            "t.csv",
            source="tax",
            year=YEAR,
            user=user,
            mode=CommitMode.VALID_ROWS,
        )
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_commit_by_someone_else_is_scoped(personas, world):
    a = world.lanshan_ent
    batch = imports.stage(
        tax_csv([(a.uscc, a.name, "兰山区", "1")]),
        "t.csv",
        source="tax",
        year=YEAR,
        user=personas.county_a,
        mode=CommitMode.VALID_ROWS,
    )
    with pytest.raises(PermissionDenied):
        imports.commit(batch, personas.county_b)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and not Fact.objects.exists()


# ---------------------------------------------------------------------------------------------------
# Statistics, names, land
# ---------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_statistics_marks_above_scale_and_records_a_differing_name(personas, world):
    below = world.lanshan_below
    Enterprise.objects.filter(pk=below.pk).update(industry_code="")
    data = (
        "统一社会信用代码,单位详细名称,行业代码,营业收入（千元）,从业人员平均人数(人)\n"
        f"{below.uscc},兰山小微五金有限责任公司,3311,25000,40\n"
    ).encode()
    stage_and_commit(data, personas.city, source="statistics", name="tjj.csv")
    year = EnterpriseYear.objects.get(enterprise=below, year=YEAR)
    assert year.above_scale and year.region_id == below.region_id and year.industry_code == "3311"
    below.refresh_from_db()
    assert below.name == "兰山小微五金厂" and below.industry_code == "3311"  # the registry keeps its name
    names = EnterpriseName.objects.filter(enterprise=below)
    assert [(n.name, n.source) for n in names] == [
        ("兰山小微五金有限责任公司", "统计部门 规上工业企业主要指标")
    ]
    assert current(below, "revenue") == Decimal("25000000")
    stage_and_commit(data.replace(b"25000", b"26000"), personas.city, source="statistics", name="tjj.csv")
    assert EnterpriseName.objects.filter(enterprise=below).count() == 1  # recorded once per source


@pytest.mark.django_db
def test_land_parcels_replace_and_roll_back(personas, world):
    a = world.lanshan_ent
    header = "统一社会信用代码,权利人,不动产权证号,宗地面积（平方米）,使用类型\n"
    first = stage_and_commit(
        (header + f"{a.uscc},{a.name},证1,6666.7,自有\n{a.uscc},{a.name},证2,666.67,租出\n").encode(),
        personas.city,
        source="land",
        name="land.csv",
    )
    assert current(a, "land_mu") == Decimal("9.0000")  # 10 亩 owned − 1 亩 leased out
    assert sorted(LandParcel.objects.filter(is_current=True).values_list("certificate", "tenure")) == [
        ("证1", "owned"),
        ("证2", "leased_out"),
    ]
    second = stage_and_commit(
        (header + f"{a.uscc},{a.name},证3,13333.4,租入\n").encode(),
        personas.city,
        source="land",
        name="land.csv",
    )
    assert list(LandParcel.objects.filter(is_current=True).values_list("certificate", "batch")) == [
        ("证3", second.pk)
    ]
    assert LandParcel.objects.filter(enterprise=a).count() == 3
    imports.rollback(second, personas.city)
    assert sorted(LandParcel.objects.filter(is_current=True).values_list("certificate", "batch")) == [
        ("证1", first.pk),
        ("证2", first.pk),
    ]
    assert current(a, "land_mu") == Decimal("9.0000")


# ---------------------------------------------------------------------------------------------------
# The current-value view
# ---------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_current_facts_frame_and_scope(personas, world):
    a, lz = world.lanshan_ent, world.luozhuang_ent
    stage_and_commit(
        tax_csv([(a.uscc, a.name, "兰山区", "1.5"), (lz.uscc, lz.name, "罗庄区", "-2")]), personas.city
    )
    stage_and_commit(tax_csv([(a.uscc, a.name, "兰山区", "2.5")]), personas.city)
    # a moved enterprise counts for the county it belonged to that year
    EnterpriseYear.objects.create(
        enterprise=lz, year=YEAR, region=world.lanshan_ent.region, above_scale=False
    )

    frame = current_facts(YEAR)
    assert frame.columns == ["uscc", "enterprise_id", "region", "above_scale", "metric", "month", "value"]
    rows = {r["uscc"]: r for r in frame.iter_rows(named=True)}
    assert len(rows) == 2 and frame.height == 2
    assert rows[a.uscc]["value"] == Decimal("25000") and rows[a.uscc]["region"] == "371302"
    assert rows[lz.uscc]["value"] == Decimal("-20000")
    assert rows[lz.uscc]["region"] == "371302" and rows[lz.uscc]["above_scale"] is False

    assert current_facts(YEAR, ["revenue"]).is_empty()
    assert current_facts(YEAR - 1).is_empty()
    scoped = current_facts(YEAR, ["tax_paid"], user=personas.county_b)
    assert scoped.get_column("uscc").to_list() == [lz.uscc]  # the registry's region decides who sees it
    assert current_facts(YEAR, user=personas.nobody).is_empty()
    assert current_facts(YEAR, user=personas.city).height == 2


@pytest.mark.django_db
def test_deleting_an_enterprise_removes_its_facts(personas, world):
    """Fact.enterprise has no database-level constraint (bulk loads): the ORM's CASCADE still holds."""
    a = world.lanshan_ent
    stage_and_commit(tax_csv([(a.uscc, a.name, "兰山区", "5")]), personas.city)
    assert Fact.objects.filter(enterprise_id=a.pk).exists()
    pk = a.pk
    a.delete()
    assert not Fact.objects.filter(enterprise_id=pk).exists()
