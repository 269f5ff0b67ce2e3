"""Bonus, penalty and veto items: the import checks every row, the two modes, entry and removal, scope."""

from __future__ import annotations

import io

import openpyxl
import pytest

from gongqiang.evaluation.models import ItemFlag
from gongqiang.evaluation.services import items


def _book(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["加减分及否决事项导入"])
    ws.append(list(items.HEADER))
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def upload(world):
    own, foreign = world.lanshan_ent.uscc, world.luozhuang_ent.uscc
    bad = own[:-1] + ("0" if own[-1] != "0" else "1")
    return (
        own,
        foreign,
        _book(
            [
                [own, 2024, "高新技术企业", "", "国科发火〔2024〕1号"],  # row 3 ok (by name)
                [own, "2024年", "admin_penalty", "", "临环罚〔2024〕5号"],  # row 4 ok (by code)
                [bad, 2024, "高新技术企业", "", ""],  # row 5 bad check digit
                [own, 2024, "优秀企业", "", ""],  # row 6 unknown item
                [own, 2024, "高新技术企业", "", "重复"],  # row 7 duplicate of row 3
                [foreign, 2024, "dishonest", "", ""],  # row 8 other county
                [own, "二〇二四", "dishonest", "", ""],  # row 9 bad year
            ]
        ),
    )


@pytest.mark.django_db
def test_all_or_nothing_writes_nothing_and_names_row_column_reason(personas, upload):
    _, _, data = upload
    outcome = items.import_items(data, personas.county_a, valid_rows=False)
    assert ItemFlag.objects.count() == 0
    found = {(e.row, e.column) for e in outcome.errors}
    assert found == {
        (5, "统一社会信用代码"),
        (6, "事项"),
        (7, "统一社会信用代码"),
        (8, "统一社会信用代码"),
        (9, "年度"),
    }
    reasons = {e.row: e.reason for e in outcome.errors}
    assert "第 3 行重复" in reasons[7] and "不在您的管辖范围内" in reasons[8] and "优秀企业" in reasons[6]
    report = openpyxl.load_workbook(io.BytesIO(outcome.error_report)).active
    assert [c.value for c in report[1]][:3] == ["行号", "列", "原因"] and report.max_row == 6


@pytest.mark.django_db
def test_valid_rows_mode_writes_the_valid_rows_once(personas, upload):
    own, _, data = upload
    outcome = items.import_items(data, personas.county_a, valid_rows=True)
    assert outcome.written == 2 and len(outcome.errors) == 5 and outcome.error_report
    assert set(ItemFlag.objects.values_list("enterprise__uscc", "year", "item")) == {
        (own, 2024, "high_tech"),
        (own, 2024, "admin_penalty"),
    }
    again = items.import_items(data, personas.county_a, valid_rows=True)
    assert (again.written, again.duplicates) == (0, 2)


@pytest.mark.django_db
def test_the_city_may_import_for_every_county(personas, upload):
    _, foreign, data = upload
    outcome = items.import_items(data, personas.city, valid_rows=True)
    assert outcome.written == 3
    assert ItemFlag.objects.filter(enterprise__uscc=foreign, item="dishonest").exists()


@pytest.mark.django_db
def test_a_file_that_is_not_a_workbook_is_refused(personas):
    outcome = items.import_items(b"MZ\x90\x00 not excel", personas.city, valid_rows=True)
    assert outcome.errors and "不是有效的 Excel" in outcome.errors[0].reason and outcome.written == 0


@pytest.mark.django_db
def test_pages_are_scoped_and_writes_checked(personas, world, login):
    ItemFlag.objects.create(enterprise=world.lanshan_ent, year=2024, item="high_tech", evidence="本县")
    foreign = ItemFlag.objects.create(
        enterprise=world.luozhuang_ent, year=2024, item="dishonest", evidence="哨兵"
    )
    client = login(personas.county_a)
    page = client.get("/evaluation/items/").content.decode()
    assert world.lanshan_ent.name in page and world.luozhuang_ent.name not in page
    assert client.post(f"/evaluation/items/{foreign.pk}/delete/").status_code == 404
    assert ItemFlag.objects.filter(pk=foreign.pk).exists()
    client.post(
        "/evaluation/items/add/", {"uscc": world.luozhuang_ent.uscc, "year": "2024", "item": "high_tech"}
    )
    assert not ItemFlag.objects.filter(enterprise=world.luozhuang_ent, item="high_tech").exists()
    client.post(
        "/evaluation/items/add/",
        {
            "uscc": world.lanshan_ent.uscc,
            "year": "2023",
            "item": "srdi_provincial",
            "evidence": "鲁工信〔2023〕",
        },
    )
    assert ItemFlag.objects.filter(enterprise=world.lanshan_ent, year=2023, item="srdi_provincial").exists()
    assert login(personas.leader).post("/evaluation/items/add/", {}).status_code == 403
    assert login(personas.ent_user).get("/evaluation/items/").status_code == 403


@pytest.mark.django_db
def test_template_and_error_report_downloads(personas, upload, login):
    client = login(personas.county_a)
    template = openpyxl.load_workbook(io.BytesIO(client.get("/evaluation/items/template.xlsx").content))
    assert [c.value for c in template.worksheets[0][1]] == list(items.HEADER)
    assert client.get("/evaluation/items/import/errors.xlsx").status_code == 404
    _, _, data = upload
    page = client.post("/evaluation/items/import/", {"file": io.BytesIO(data), "mode": "all"})
    assert "未写入任何事项" in page.content.decode()
    report = client.get("/evaluation/items/import/errors.xlsx")
    assert report.status_code == 200 and report.content[:2] == b"PK"
