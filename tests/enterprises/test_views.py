"""The registry pages: list with filters, detail, Excel export, and the edit forms with the scope recheck."""

from __future__ import annotations

import io

import openpyxl
import pytest

from gongqiang.core.models import ChangeRecord
from gongqiang.enterprises.models import Enterprise
from gongqiang.testing.factories import EnterpriseFactory, region, uscc_for

pytestmark = pytest.mark.django_db


def test_list_filters_and_search(login, personas, world):
    client = login(personas.city)
    assert client.get("/enterprises/").context["paginator"].count == 4
    assert client.get("/enterprises/?region=371302").context["paginator"].count == 2
    assert client.get("/enterprises/?scale=below").context["paginator"].count == 1
    assert client.get("/enterprises/?industry=33").context["paginator"].count == 2
    assert client.get("/enterprises/?q=哨兵").context["paginator"].count == 2
    response = client.get("/enterprises/", {"q": world.lanshan_ent.uscc.lower()})
    assert list(response.context["object_list"]) == [world.lanshan_ent]


def test_list_partial_for_htmx(login, personas, world):
    response = login(personas.city).get("/enterprises/?scale=above", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "兰山示范木业有限公司" in html and "兰山小微五金厂" not in html


def test_empty_states(login, personas, world):
    html = login(personas.city).get("/enterprises/?q=不存在的企业").content.decode()
    assert "没有符合筛选条件的企业" in html


def test_export_follows_filters_and_scope(login, personas, world):
    response = login(personas.county_a).get("/enterprises/export.xlsx?scale=above")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert [r[1] for r in rows] == ["兰山示范木业有限公司"]
    assert sheet.cell(2, 1).value == "统一社会信用代码"


def _sheet(response):
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_list_shows_the_chosen_columns(login, personas, world):
    client = login(personas.city)
    html = client.get("/enterprises/?cols=name&cols=industry_name&cols=status").content.decode()
    assert "<th>企业名称</th><th>行业名称</th><th>状态</th></tr>" in html
    assert "统一社会信用代码</th>" not in html
    assert 'name="cols" value="industry_name" id="col-industry_name" checked' in html
    assert 'value="uscc" id="col-uscc" >' in html  # offered, not shown
    # the export link of the page carries the columns and the filters
    assert "export.xlsx?cols=name&amp;cols=industry_name&amp;cols=status" in html
    default = client.get("/enterprises/").content.decode()
    assert "<th>统一社会信用代码</th><th>企业名称</th><th>县区</th>" in default
    # nothing valid chosen: the defaults, never an empty table
    assert "<th>统一社会信用代码</th>" in client.get("/enterprises/?cols=nonsense").content.decode()


def test_list_partial_keeps_columns_and_export_link(login, personas, world):
    html = login(personas.city).get(
        "/enterprises/?scale=above&cols=uscc&cols=name", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<th>统一社会信用代码</th><th>企业名称</th></tr>" in html
    assert "export.xlsx?scale=above&amp;cols=uscc&amp;cols=name" in html


def test_export_has_exactly_the_chosen_columns_in_scope(login, personas, world):
    rows = _sheet(login(personas.county_a).get("/enterprises/export.xlsx?scale=above&cols=name,industry_name&cols=region"))
    assert rows[0] == ["企业名称", "属地（县区）", "行业名称"]  # the catalogue's order
    assert rows[1:] == [["兰山示范木业有限公司", "兰山区", rows[1][2]]]
    assert rows[1][2]  # industry 20's name from the pack
    # the city sees every county; the filters and columns apply the same way
    rows = _sheet(login(personas.city).get("/enterprises/export.xlsx?cols=uscc&cols=scale&region=371311"))
    assert rows == [["统一社会信用代码", "规上企业"], [world.luozhuang_ent.uscc, "是"]]
    # defaults without a choice
    rows = _sheet(login(personas.county_a).get("/enterprises/export.xlsx"))
    assert rows[0] == ["统一社会信用代码", "企业名称", "属地（县区）", "乡镇街道", "行业代码", "规上企业", "状态"]
    assert {r[1] for r in rows[1:]} == {"兰山示范木业有限公司", "兰山小微五金厂"}


def test_export_by_year_uses_the_region_of_that_year(login, personas, world):
    from gongqiang.enterprises.models import EnterpriseYear

    EnterpriseYear.objects.create(enterprise=world.luozhuang_ent, year=2023, region=region("371302"))
    rows = _sheet(login(personas.city).get("/enterprises/export.xlsx?year=2023&region=371302&cols=name"))
    assert rows == [["企业名称"], ["罗庄哨兵不锈钢有限公司"]]


def test_detail_404_outside_scope(login, personas, world):
    client = login(personas.county_a)
    assert client.get(f"/enterprises/{world.lanshan_ent.uscc}/").status_code == 200
    assert client.get(f"/enterprises/{world.luozhuang_ent.uscc}/").status_code == 404
    assert login(personas.ent_user).get(f"/enterprises/{world.lanshan_below.uscc}/").status_code == 404


def test_county_creates_enterprise_and_it_is_audited(login, personas, world):
    client = login(personas.county_a)
    code = uscc_for("371302", 9999)
    response = client.post("/enterprises/new/", {
        "uscc": code.lower(), "name": "兰山新建档企业", "region": region("371302").pk, "town": world.lanshan_town.pk,
        "industry_code": "1310", "above_scale": "on", "status": "operating",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    ent = Enterprise.objects.get(uscc=code)
    record = ChangeRecord.objects.get(model_label="enterprises.Enterprise", object_id=str(ent.pk), action="create")
    assert record.user == personas.county_a and record.request_id == response["X-Request-ID"]


def test_county_cannot_create_in_other_county(login, personas, world):
    client = login(personas.county_a)
    response = client.post("/enterprises/new/", {
        "uscc": uscc_for("371311", 9998), "name": "越权企业", "region": region("371311").pk,
        "industry_code": "1310", "status": "operating",
    })
    assert response.status_code == 200
    assert "region" in response.context["form"].errors  # the other county is not even offered
    assert not Enterprise.objects.filter(name="越权企业").exists()


def test_invalid_uscc_and_town_mismatch_explained(login, personas, world):
    client = login(personas.city)
    response = client.post("/enterprises/new/", {
        "uscc": "91371302MA3C000010", "name": "校验位错误企业", "region": region("371302").pk,
        "town": world.luozhuang_town.pk, "industry_code": "13x", "status": "operating",
    })
    errors = response.context["form"].errors
    assert "校验位错误" in errors["uscc"][0]
    assert "行业代码" in errors["industry_code"][0]
    assert not Enterprise.objects.filter(name="校验位错误企业").exists()


def test_update_logs_before_and_after(login, personas, world):
    client = login(personas.county_a)
    ent = world.lanshan_ent
    response = client.post(f"/enterprises/{ent.uscc}/edit/", {
        "name": "兰山示范木业股份有限公司", "region": ent.region.pk, "town": "", "industry_code": "2021", "status": "stopped",
    })
    assert response.status_code == 302
    record = ChangeRecord.objects.filter(object_id=str(ent.pk), action="update").latest("id")
    assert record.before["name"] == "兰山示范木业有限公司" and record.after["name"] == "兰山示范木业股份有限公司"
    assert record.after["status"] == "stopped"


def test_foreign_or_readonly_edit_is_refused(login, personas, world):
    assert login(personas.county_a).get(f"/enterprises/{world.luozhuang_ent.uscc}/edit/").status_code == 404
    assert login(personas.leader).get(f"/enterprises/{world.lanshan_ent.uscc}/edit/").status_code == 403
    assert login(personas.ent_user).get("/enterprises/new/").status_code == 403
    name = Enterprise.objects.get(pk=world.luozhuang_ent.pk).name
    login(personas.county_a).post(f"/enterprises/{world.luozhuang_ent.uscc}/edit/", {"name": "x"})
    assert Enterprise.objects.get(pk=world.luozhuang_ent.pk).name == name


def test_moving_enterprise_out_of_scope_is_refused_in_form(login, personas, world, monkeypatch):
    """Even if the form offered another county, the recheck inside the transaction refuses the save."""
    from gongqiang.enterprises import forms

    original = forms.EnterpriseForm.__init__

    def offer_everything(self, *args, user, **kwargs):
        original(self, *args, user=user, **kwargs)
        from gongqiang.core.models import Region

        self.fields["region"].queryset = Region.objects.all()

    monkeypatch.setattr(forms.EnterpriseForm, "__init__", offer_everything)
    ent = world.lanshan_ent
    response = login(personas.county_a).post(f"/enterprises/{ent.uscc}/edit/", {
        "name": ent.name, "region": region("371311").pk, "industry_code": "2021", "status": "operating",
    })
    assert response.status_code == 200 and "超出您的数据范围" in response.content.decode()
    assert Enterprise.objects.get(pk=ent.pk).region.code == "371302"


def test_enterprise_factory_is_valid(world):
    e = EnterpriseFactory.build()
    e.full_clean(exclude=["region", "town"])


def _batch(source="tax", year=2024, dept="sw"):
    from gongqiang.core.models import Department
    from gongqiang.enterprises.models import BatchStatus, ImportBatch

    return ImportBatch.objects.create(source=source, department=Department.objects.get(code=dept), year=year,
                                      file_name=f"{source}-{year}.xlsx", file_hash="0" * 64, status=BatchStatus.COMMITTED)


def test_detail_shows_facts_by_year_with_provenance_and_history(login, personas, world):
    from decimal import Decimal

    from gongqiang.enterprises.models import Fact

    ent = world.lanshan_ent
    old, new = _batch(year=2024), _batch(year=2024)
    Fact.objects.create(enterprise=ent, year=2024, metric="tax_paid", value=Decimal("1000000"), batch=old,
                        is_current=False, superseded_by=new)
    Fact.objects.create(enterprise=ent, year=2024, metric="tax_paid", value=Decimal("1234567.89"), batch=new)
    Fact.objects.create(enterprise=ent, year=2023, metric="land_mu", value=Decimal("45.5"), batch=_batch("land", 2023, "zrzy"))
    html = login(personas.county_a).get(f"/enterprises/{ent.uscc}/").content.decode()
    assert "123.46" in html  # 1,234,567.89 元 shown as 万元
    assert f"批次 #{new.pk}" in html and "历史：100.00" in html
    assert "45.5000" in html and "税务部门 实缴税金" in html


def test_year_filter_uses_that_years_county_and_scale(login, personas, world):
    from gongqiang.enterprises.models import EnterpriseYear

    ent = world.lanshan_ent
    EnterpriseYear.objects.create(enterprise=ent, year=2022, region=region("371302"), above_scale=False)
    EnterpriseYear.objects.create(enterprise=ent, year=2023, region=region("371302"), above_scale=True)
    client = login(personas.city)
    assert client.get("/enterprises/?year=2022&scale=above").context["paginator"].count == 0
    assert client.get("/enterprises/?year=2023&scale=above&region=371302").context["paginator"].count == 1
    assert client.get("/enterprises/?year=2021").context["paginator"].count == 0


def test_search_by_former_name(login, personas, world):
    from gongqiang.enterprises.models import EnterpriseName

    EnterpriseName.objects.create(enterprise=world.lanshan_ent, name="临沂老字号木器厂", source="统计")
    client = login(personas.county_a)
    assert list(client.get("/enterprises/?q=老字号").context["object_list"]) == [world.lanshan_ent]
    # A former name of another county's enterprise finds nothing for this county.
    EnterpriseName.objects.create(enterprise=world.luozhuang_ent, name="罗庄老字号钢厂", source="统计")
    assert client.get("/enterprises/?q=罗庄老字号").context["paginator"].count == 0
