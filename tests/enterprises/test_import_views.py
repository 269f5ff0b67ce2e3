"""The import pages: upload → preview → commit → rollback, downloads, and refusals, as a clerk uses them."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from gongqiang.enterprises.models import BatchStatus, Fact, ImportBatch

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"需要 shared/samples/{name}（与仓库并列的 shared 目录）")
    return path.read_bytes()


def upload(client, name, data, *, source="tax", year=2024, mode="valid_rows", create_unknown=True):
    form = {"source": source, "year": year, "file": io.BytesIO(data), "mode": mode}
    form["file"].name = name
    if create_unknown:
        form["create_unknown"] = "on"
    return client.post("/enterprises/imports/new/", form)


def test_city_uploads_previews_commits_and_rolls_back(login, personas, linyi):
    client = login(personas.city)
    response = upload(client, "tax-2024.xlsx", sample("tax-2024.xlsx"))
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("id")
    html = client.get(response["Location"]).content.decode()
    assert batch.status == BatchStatus.VALIDATED
    assert "单位 万元（标题行“单位：万元”）" in html  # says which unit it assumed and why
    assert "入库预览" in html and "确认入库" in html
    assert not Fact.objects.filter(batch=batch).exists()  # nothing written before the commit

    client.post(f"/enterprises/imports/{batch.pk}/commit/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert Fact.objects.filter(batch=batch, is_current=True, metric="tax_paid").count() == 50

    client.post(f"/enterprises/imports/{batch.pk}/rollback/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ROLLED_BACK
    assert not Fact.objects.filter(batch=batch, is_current=True).exists()


def test_another_departments_file_is_refused_with_the_reason(login, personas, linyi):
    client = login(personas.city)
    upload(client, "statistics-2024.xlsx", sample("statistics-2024.xlsx"), source="tax")
    batch = ImportBatch.objects.latest("id")
    assert batch.status == BatchStatus.FAILED
    html = client.get(f"/enterprises/imports/{batch.pk}/").content.decode()
    assert "统计部门" in html and "税务部门" in html
    assert not Fact.objects.filter(batch=batch).exists()


def test_garbage_file_never_500(login, personas, linyi):
    client = login(personas.city)
    response = upload(client, "evil.xlsx", b"MZ\x90\x00" + b"\x00" * 2000)
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("id")
    assert batch.status == BatchStatus.FAILED and "不是有效的 Excel 或 CSV" in batch.message
    response = upload(client, "notes.txt", b"hello")
    assert response.status_code == 200 and "只接受" in response.content.decode()


def test_error_report_download_lists_bad_rows(login, personas, linyi):
    client = login(personas.city)
    data = "统一社会信用代码,企业名称,年用电量（千瓦时）\n91371302MA3C000010,错误代码企业,100\n".encode("gbk")
    upload(client, "power.csv", data, source="power")
    batch = ImportBatch.objects.latest("id")
    assert batch.counts["invalid"] == 1
    response = client.get(f"/enterprises/imports/{batch.pk}/errors.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "校验位" in text and "错误代码企业" in text
    # all-or-nothing with an error cannot be committed
    upload(client, "power.csv", data, source="power", mode="all_or_nothing")
    strict = ImportBatch.objects.latest("id")
    client.post(f"/enterprises/imports/{strict.pk}/commit/")
    strict.refresh_from_db()
    assert strict.status == BatchStatus.VALIDATED and not Fact.objects.filter(batch=strict).exists()


def test_template_download_and_scope_of_batches(login, personas, linyi, world):
    client = login(personas.county_b)
    response = client.get("/enterprises/imports/template/tax/2024.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "填表说明" in book.sheetnames
    upload(client, "tax.xlsx", sample("tax-2024.xlsx"), create_unknown=False)
    batch = ImportBatch.objects.latest("id")
    assert batch.region.code == "371311"
    # another county cannot open, download or act on it
    other = login(personas.county_a)
    assert other.get(f"/enterprises/imports/{batch.pk}/").status_code == 404
    assert other.get(f"/enterprises/imports/{batch.pk}/file/").status_code == 404
    assert other.post(f"/enterprises/imports/{batch.pk}/commit/").status_code == 404


def test_leader_and_enterprise_cannot_upload(login, personas, linyi):
    assert login(personas.leader).get("/enterprises/imports/new/").status_code == 403
    assert login(personas.ent_user).get("/enterprises/imports/").status_code == 403


def test_reconciliation_page_and_export(login, personas, linyi, world):
    client = login(personas.city)
    response = client.get("/enterprises/reconciliation/")
    assert response.status_code == 200
    export = client.get("/enterprises/reconciliation/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
