"""The cockpit, the target page, entry, override and split as the personas see them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_leader_sees_every_target_with_a_status(login, personas, targets_data, cat):
    response = login(personas.leader).get("/targets/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == len(cat.spec.targets) == 52
    assert all(r["status_label"] for r in rows)
    g11 = next(r for r in rows if r["id"] == "G1.1")
    assert g11["current"] == 8200 and g11["status"] in ("on_track", "behind", "seriously_behind")
    html = response.content.decode()
    assert "目标驾驶舱" in html and "全市工业产值" in html and "data-chart=\"chart-status\"" in html


def test_filters(login, personas, targets_data):
    client = login(personas.city)
    assert {r["group"] for r in client.get("/targets/?group=G1").context["rows"]} == {"G1"}
    assert {r["owner"] for r in client.get("/targets/?owner=kjj").context["rows"]} == {"kjj"}
    assert {r["task_line"] for r in client.get("/targets/?line=T4").context["rows"]} == {"T4"}
    rows = client.get("/targets/?status=no_data").context["rows"]
    assert rows and {r["status"] for r in rows} == {"no_data"}


def test_department_sees_only_its_targets(login, personas, targets_data):
    client = login(personas.dept)
    rows = client.get("/targets/").context["rows"]
    assert rows and {r["owner"] for r in rows} == {"kjj"}
    assert client.get("/targets/G1.1/").status_code == 404
    assert client.get("/targets/T4.1/").status_code == 200


def test_county_sees_city_totals_and_its_own_share(login, personas, targets_data):
    client = login(personas.county_a)
    response = client.get("/targets/")
    assert len(response.context["rows"]) == 52
    assert {r["region_name"] for r in response.context["county_rows"]} == {"兰山区"}
    html = client.get("/targets/G1.1/").content.decode()
    assert "兰山区" in html and "罗庄" not in html and "罗庄哨兵" not in html
    assert client.get("/targets/ranking/").context["scores"][0]["name"] == "兰山区"


def test_target_page_shows_history_chart_and_counties(login, personas, targets_data, cat):
    from gongqiang.targets.services.progress import city_region

    from .conftest import enter

    enter(personas.city, cat, "G1.1", city_region(), "2025", "8300", note="统计局更正")
    response = login(personas.leader).get("/targets/G1.1/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "gq-replaced" in html and "统计局更正" in html  # the replaced value stays, struck through
    chart = response.context["chart"]
    assert {s["name"] for s in chart["series"]} >= {"实际值", "直线进度轨迹", "按所需增速轨迹", "目标值"}
    assert [c["region"].name for c in response.context["counties"]] == ["兰山区", "罗庄区"]
    # 1600 + 1000 against 10,000: the split does not add up, flagged
    assert response.context["checks"]["split"].ok is False
    assert "县区合计与全市相差" in html
    assert not [o for o in response.context["city_history"] if o.period == "2025" and o.is_current
                and o.value != 8300]


def test_override_is_shown_as_such(login, personas, targets_data):
    rows = login(personas.city).get("/targets/ranking/?region=371311").context["rows"]
    lz = next(r for r in rows if r["id"] == "T4.1" and r["region_name"] == "罗庄区")
    assert lz["status"] == "behind" and "人工认定" in lz["override_reason"] and lz["computed_status_label"]


def test_entry_form_converts_units_and_keeps_history(login, personas, targets_data):
    client = login(personas.city)
    assert client.get("/targets/G1.1/observe/").status_code == 200
    preview = client.post("/targets/G1.1/observe/preview/",
                          {"region": "371300", "period": "2025", "value": "83000000", "unit": "万元"})
    assert "8300" in preview.content.decode() and "由 83000000 万元 换算" in preview.content.decode()
    response = client.post("/targets/G1.1/observe/",
                           {"region": "371300", "period": "2025", "value": "83000000", "unit": "万元", "note": "更正"})
    assert response.status_code == 302
    from gongqiang.targets.models import Observation

    rows = Observation.objects.filter(target="G1.1", region__code="371300", period="2025").order_by("created_at")
    assert [(float(o.value), o.is_current) for o in rows] == [(8200, False), (8300, True)]
    assert rows[1].entered_unit == "万元" and rows[1].late is True  # 2025 closed on 2026-02-28


@pytest.mark.parametrize(("data", "message"), [
    ({"period": "2025", "value": "82000000", "unit": "亿元"}, "疑似单位错误"),
    ({"period": "2030", "value": "9000"}, "不在目标期内"),
    ({"period": "2025", "value": "八千"}, "不是有效数字"),
    ({"period": "2026Q5", "value": "9000"}, "不是有效的期间"),
])
def test_bad_entry_is_refused_in_chinese(login, personas, targets_data, data, message):
    from gongqiang.targets.models import Observation

    before = Observation.objects.count()
    response = login(personas.city).post("/targets/G1.1/observe/", {"region": "371300", "unit": "亿元", **data})
    assert response.status_code == 400 and message in response.content.decode()
    assert Observation.objects.count() == before


def test_share_above_100_is_refused(login, personas, targets_data):
    response = login(personas.city).post("/targets/G4.1/observe/",
                                         {"region": "371300", "period": "2024", "value": "120", "unit": "%"})
    assert response.status_code == 400 and "超过 100%" in response.content.decode()


def test_leader_cannot_write(login, personas, targets_data):
    client = login(personas.leader)
    assert client.get("/targets/G1.1/observe/").status_code == 403
    assert client.post("/targets/G1.1/override/", {"region": "371300", "status": "behind", "reason": "x"}
                       ).status_code == 403


def test_county_enters_only_its_decomposed_targets(login, personas, targets_data):
    client = login(personas.county_a)
    ok = client.post("/targets/T4.1/observe/", {"region": "371302", "period": "2025", "value": "220", "unit": "家"})
    assert ok.status_code == 302
    city = client.post("/targets/T4.1/observe/", {"region": "371300", "period": "2025", "value": "1", "unit": "家"})
    assert city.status_code == 400
    foreign = client.post("/targets/T4.1/observe/", {"region": "371311", "period": "2025", "value": "1", "unit": "家"})
    assert foreign.status_code == 400
    assert client.get("/targets/G3.2/observe/").status_code == 200  # the form, but only its county to pick
    not_split = client.post("/targets/G3.2/observe/", {"region": "371302", "period": "2025", "value": "3"})
    assert not_split.status_code == 400 and "尚未分解到本县区" in not_split.content.decode()


def test_department_enters_its_own_target(login, personas, targets_data):
    client = login(personas.dept)
    response = client.post("/targets/T4.2/observe/", {"region": "371300", "period": "2024", "value": "190",
                                                      "unit": "家"})
    assert response.status_code == 302
    assert client.get("/targets/G1.1/observe/").status_code == 404


def test_late_value_is_marked(login, personas, targets_data):
    from gongqiang.targets.models import Observation

    login(personas.city).post("/targets/G1.1/observe/", {"region": "371300", "period": "2022", "value": "6100",
                                                        "unit": "亿元"})
    obs = Observation.objects.get(target="G1.1", region__code="371300", period="2022", is_current=True)
    assert obs.late is True


def test_split_form(login, personas, targets_data):
    client = login(personas.city)
    assert client.get("/targets/T3.1/split/").status_code == 200
    bad = client.post("/targets/T3.1/split/", {"goal-371302": "abc"})
    assert bad.status_code == 400 and "不是有效数字" in bad.content.decode()
    ok = client.post("/targets/T3.1/split/", {"goal-371302": "120", "goal-371311": "80"})
    assert ok.status_code == 302
    assert login(personas.county_a).get("/targets/T3.1/split/").status_code == 403


def test_override_needs_a_reason(login, personas, targets_data):
    client = login(personas.city)
    client.post("/targets/G1.1/override/", {"region": "371300", "status": "achieved", "reason": ""})
    from gongqiang.targets.models import StatusOverride

    assert not StatusOverride.objects.filter(target="G1.1").exists()
    client.post("/targets/G1.1/override/", {"region": "371300", "status": "on_track", "reason": "统计口径调整"})
    row = next(r for r in client.get("/targets/").context["rows"] if r["id"] == "G1.1")
    assert row["status"] == "on_track" and row["override_reason"] == "统计口径调整"


def test_attachment_and_audit_trail(login, personas, targets_data, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongqiang.core.models import ChangeRecord
    from gongqiang.targets.models import Observation

    settings.MEDIA_ROOT = tmp_path
    client = login(personas.dept)
    response = client.post("/targets/T4.2/observe/", {
        "region": "371300", "period": "2023", "value": "171", "unit": "家", "note": "认定名单",
        "attachment": SimpleUploadedFile("名单.pdf", b"%PDF-1.4 list"),
    })
    assert response.status_code == 302
    obs = Observation.objects.get(target="T4.2", period="2023", is_current=True)
    assert obs.created_by == personas.dept and obs.source == "entered" and obs.late is True
    download = client.get(f"/targets/observations/{obs.pk}/attachment/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 list"
    # A county's own evidence is not another county's to read (city totals, by design, are everyone's).
    login(personas.county_a).post("/targets/T4.1/observe/", {
        "region": "371302", "period": "2025", "value": "205", "attachment": SimpleUploadedFile("兰山.pdf", b"x")})
    own = Observation.objects.get(target="T4.1", region__code="371302", period="2025", is_current=True)
    assert login(personas.county_b).get(f"/targets/observations/{own.pk}/attachment/").status_code == 404
    assert login(personas.dept).get(f"/targets/observations/{own.pk}/attachment/").status_code == 200
    record = ChangeRecord.objects.filter(model_label="targets.Observation", object_id=str(obs.pk)).get()
    assert record.user == personas.dept and record.after["late"] is True
