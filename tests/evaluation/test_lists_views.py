"""The low-efficiency list pages as each persona, the status form, manual addition and removal, the export,
the city's recompute button, and the lists derived from published runs."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from gongqiang.evaluation.models import ListEvent, ListStatus, LowEfficiencyEntry, Result, RunStatus
from gongqiang.evaluation.services import lists as svc
from gongqiang.testing.evaluation_factories import EntryFactory, published_run, result
from gongqiang.testing.factories import EnterpriseFactory, region

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("evaluation:lists")
ENTRIES = reverse("evaluation:list-entries")
EXPORT = reverse("evaluation:list-export")
ADD = reverse("evaluation:list-add")
RECOMPUTE = reverse("evaluation:list-recompute")


def entry_url(e):
    return reverse("evaluation:list-entry", args=[e.pk])


def status_url(e):
    return reverse("evaluation:list-entry-status", args=[e.pk])


@pytest.fixture
def lists(world):
    """2021 cohort: 兰山 an above-scale listed one (first batch) and a below-scale one in progress; 罗庄 a
    cleared one; 河东 an upgraded one."""

    class L:
        ls = EntryFactory(enterprise=world.lanshan_ent, first_batch=True)
        ls_below = EntryFactory(enterprise=world.lanshan_below, status=ListStatus.IN_PROGRESS)
        lz = EntryFactory(
            enterprise=world.luozhuang_ent,
            status=ListStatus.CLEARED,
            exit_kind="closed",
            status_date=dt.date(2022, 5, 1),
            evidence="关停文件",
        )
        hd = EntryFactory(
            enterprise=world.hedong_ent,
            status=ListStatus.UPGRADED,
            status_date=dt.date(2022, 8, 1),
            evidence="亩均税收 4.2 万元/亩",
        )

    return L


def rows_by_name(response):
    return {r["name"]: r for r in response.context["rows"]}


# ---------------------------------------------------------------- overview


def test_city_overview_shows_city_and_counties_against_the_milestones(login, personas, lists):
    response = login(personas.city).get(OVERVIEW + "?year=2022")
    assert response.status_code == 200
    rows = rows_by_name(response)
    # above-scale baseline cohort: 兰山 1, 罗庄 1, 河东 1 (the below-scale 兰山 entry is not counted)
    assert rows["全市"]["cohort"] == 3 and rows["全市"]["cleared"] == 1 and rows["全市"]["upgraded"] == 1
    assert rows["全市"]["rate"] == pytest.approx(33.3)
    assert rows["全市"]["open"] == 1
    assert rows["罗庄区"]["rate"] == 100.0 and rows["兰山区"]["rate"] == 0.0
    # first batch counts every group
    assert rows["全市"]["batch_size"] == 1 and rows["全市"]["batch_done"] == 0
    assert rows["全市"]["batch_checks"] == [{"label": "2022年 ≥210家", "past": True, "met": False}]
    assert rows["兰山区"]["batch_checks"] == []
    # milestones come from the pack: 40 % in 2022, 100 % in 2026
    points = [(p["year"], p["value"], p["comparison"]) for p in response.context["rate_points"]]
    assert points == [(2022, 40, "ge"), (2026, 100, "ge")]
    city_cells = rows["全市"]["cells"]
    assert city_cells[0]["past"] and city_cells[0]["met"] is False  # 33.3 % < 40 % at the end of 2022
    assert not city_cells[1]["past"] and city_cells[1]["gap"] == pytest.approx(66.7)
    assert rows["罗庄区"]["cells"][0]["met"] is True
    land_points = [(p["year"], p["value"], p["comparison"]) for p in response.context["land_points"]]
    assert land_points == [(2022, 30, "le"), (2026, 10, "lt")]
    content = response.content.decode()
    assert "重新计算任务一指标" in content
    assert reverse("targets:detail", args=["T1.2"]) in content
    assert "计算值" in content
    assert response.context["rate_chart"]["series"][0]["markLine"]["data"][0]["yAxis"] == 40


def test_clearance_as_of_an_earlier_year_end(login, personas, lists):
    response = login(personas.city).get(OVERVIEW + "?year=2021")
    rows = rows_by_name(response)
    assert rows["全市"]["cleared"] == 0 and rows["全市"]["rate"] == 0.0
    assert rows["全市"]["open"] == 3


def test_county_overview_shows_only_its_own_row(login, personas, lists):
    response = login(personas.county_a).get(OVERVIEW + "?year=2022")
    assert response.status_code == 200
    rows = rows_by_name(response)
    assert list(rows) == ["兰山区"]
    assert rows["兰山区"]["cohort"] == 1 and rows["兰山区"]["cleared"] == 0
    content = response.content.decode()
    assert "罗庄区" not in content and "全市 / 县区" not in content
    assert "重新计算任务一指标" not in content


def test_overview_empty_state_and_bad_year(login, personas, world):
    response = login(personas.county_a).get(OVERVIEW + "?year=abc")
    assert response.status_code == 200
    assert "还没有低效企业清单" in response.content.decode()
    for bad in ("99999", "-1", "2021.5", "%00"):
        assert login(personas.city).get(OVERVIEW, {"year": bad}).status_code == 200


def test_land_share_by_year_from_published_runs(login, personas, world):
    run = published_run(2022)
    small = EnterpriseFactory(region=region("371311"), above_scale=False)
    result(run, world.lanshan_below, klass="D", land="10")
    result(run, EnterpriseFactory(region=region("371302"), above_scale=False), klass="B", land="30")
    result(run, small, klass="D", land="20")
    result(run, world.lanshan_ent, klass="D", land="100")  # above-scale: not in the share
    city = login(personas.city).get(OVERVIEW)
    land = city.context["land"]
    assert land["years"] == [2022]
    shares = {r["name"]: r["values"][0] for r in land["rows"]}
    assert shares["全市"] == pytest.approx(50.0)  # (10 + 20) / 60
    assert shares["兰山区"] == pytest.approx(25.0)
    assert shares["罗庄区"] == pytest.approx(100.0)
    # the same as the service on every row
    expected = svc.below_scale_share(Result.objects.filter(run=run), run)
    assert shares["全市"] == pytest.approx(round(expected[None], 1))
    county = login(personas.county_a).get(OVERVIEW)
    assert [r["name"] for r in county.context["land"]["rows"]] == ["兰山区"]
    assert county.context["land"]["rows"][0]["values"] == [25.0]


# ---------------------------------------------------------------- entries and export


def test_county_sees_only_its_entries(login, personas, world, lists):
    client = login(personas.county_a)
    response = client.get(ENTRIES)
    assert response.status_code == 200
    content = response.content.decode()
    assert world.lanshan_ent.name in content and world.lanshan_below.name in content
    assert world.luozhuang_ent.name not in content and world.hedong_ent.uscc not in content
    assert client.get(entry_url(lists.ls)).status_code == 200
    assert client.get(entry_url(lists.lz)).status_code == 404


def test_entry_filters_and_bad_params(login, personas, world, lists):
    client = login(personas.city)

    def names(params):
        response = client.get(ENTRIES, params)
        assert response.status_code == 200
        return {e.enterprise.name for e in response.context["object_list"]}

    assert names({"region": "371311"}) == {world.luozhuang_ent.name}
    assert names({"status": "open"}) == {world.lanshan_ent.name, world.lanshan_below.name}
    assert names({"status": "cleared"}) == {world.luozhuang_ent.name}
    assert names({"first_batch": "1"}) == {world.lanshan_ent.name}
    assert names({"group": "below_scale"}) == {world.lanshan_below.name}
    assert names({"manual": "1"}) == set()
    assert names({"q": world.hedong_ent.uscc.lower()}) == {world.hedong_ent.name}
    assert names({"q": "罗庄哨兵"}) == {world.luozhuang_ent.name}
    assert names({"year": "2022"}) == set()
    assert len(names({"year": "abc", "status": "zzz", "first_batch": "x", "manual": "2", "page": "999"})) == 4
    assert client.get(ENTRIES, {"page": "abc", "per_page": "x"}).status_code == 200


def test_export_follows_the_filters(login, personas, world, lists):
    response = login(personas.city).get(EXPORT, {"region": "371302"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "兰山区" in rows[0][0]
    assert rows[1] == (
        "县区",
        "统一社会信用代码",
        "企业名称",
        "列入年度",
        "评价分组",
        "列入原因",
        "列入时亩均税收（万元/亩）",
        "用地（亩）",
        "首批",
        "状态",
        "出清方式",
        "状态日期",
        "佐证",
    )
    body = {r[2]: r for r in rows[2:]}
    assert set(body) == {world.lanshan_ent.name, world.lanshan_below.name}
    first = body[world.lanshan_ent.name]
    assert first[0] == "兰山区" and first[1] == world.lanshan_ent.uscc and first[3] == 2021
    assert first[4] == "规上工业企业" and first[6] == 2.5 and first[7] == 20 and first[8] == "是"
    assert first[9] == "待整治"

    cleared = login(personas.city).get(EXPORT, {"status": "cleared"})
    rows = list(openpyxl.load_workbook(io.BytesIO(cleared.content)).active.iter_rows(values_only=True))
    assert rows[2][2] == world.luozhuang_ent.name and rows[2][10] == "关闭" and rows[2][12] == "关停文件"
    assert rows[2][11].date() == dt.date(2022, 5, 1)


def test_county_export_has_only_its_rows(login, personas, world, lists):
    response = login(personas.county_a).get(EXPORT)
    names = {
        r[2]
        for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(
            min_row=3, values_only=True
        )
    }
    assert names == {world.lanshan_ent.name, world.lanshan_below.name}


# ---------------------------------------------------------------- status changes


def test_county_follows_its_entry_to_clearance(login, personas, lists):
    client = login(personas.county_a)
    page = client.get(entry_url(lists.ls))
    assert page.context["can_act"] and "变更状态" in page.content.decode()
    response = client.post(status_url(lists.ls), {"status": "in_progress", "date": "2023-03-01", "note": ""})
    assert response.status_code == 302
    lists.ls.refresh_from_db()
    assert lists.ls.status == ListStatus.IN_PROGRESS and lists.ls.status_date == dt.date(2023, 3, 1)

    # clearing without an exit kind: refused with the reason, nothing saved
    refused = client.post(status_url(lists.ls), {"status": "cleared", "date": "2023-06-01", "note": "已关停"})
    assert refused.status_code == 400
    assert "出清须选择出清方式" in refused.content.decode()
    lists.ls.refresh_from_db()
    assert lists.ls.status == ListStatus.IN_PROGRESS
    # nor without evidence
    refused = client.post(
        status_url(lists.ls), {"status": "cleared", "date": "2023-06-01", "exit_kind": "closed"}
    )
    assert refused.status_code == 400 and "请填写佐证或理由" in refused.content.decode()

    done = client.post(
        status_url(lists.ls),
        {
            "status": "cleared",
            "date": "2023-06-01",
            "exit_kind": "land_taken_back",
            "note": "临政土收〔2023〕12号",
        },
    )
    assert done.status_code == 302
    lists.ls.refresh_from_db()
    assert lists.ls.status == ListStatus.CLEARED and lists.ls.exit_kind == "land_taken_back"
    assert "临政土收" in lists.ls.evidence
    events = list(
        ListEvent.objects.filter(entry=lists.ls).order_by("pk").values_list("from_status", "to_status")
    )
    assert events == [("listed", "in_progress"), ("in_progress", "cleared")]
    page = client.get(entry_url(lists.ls))
    assert not page.context["can_act"]  # cleared is final
    assert "临政土收〔2023〕12号" in page.content.decode()


def test_illegal_transition_and_future_date_save_nothing(login, personas, lists):
    client = login(personas.city)
    response = client.post(status_url(lists.hd), {"status": "listed", "date": "2023-01-01", "note": "x"})
    assert response.status_code == 400
    lists.hd.refresh_from_db()
    assert lists.hd.status == ListStatus.UPGRADED
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = client.post(status_url(lists.ls), {"status": "in_progress", "date": tomorrow})
    assert response.status_code == 400 and "日期不能晚于今天" in response.content.decode()
    response = client.post(status_url(lists.ls), {"status": "in_progress", "date": "not a date"})
    assert response.status_code == 400
    lists.ls.refresh_from_db()
    assert lists.ls.status == ListStatus.LISTED
    assert not ListEvent.objects.exists()


def test_removal_needs_a_reason(login, personas, lists):
    client = login(personas.county_a)
    assert (
        client.post(status_url(lists.ls), {"status": "removed", "date": "2023-01-05", "note": ""}).status_code
        == 400
    )
    response = client.post(
        status_url(lists.ls),
        {"status": "removed", "date": "2023-01-05", "note": "用地面积登记错误，实际亩均税收 5.1 万元/亩"},
    )
    assert response.status_code == 302
    lists.ls.refresh_from_db()
    assert lists.ls.status == ListStatus.REMOVED and "登记错误" in lists.ls.removed_reason


def test_county_cannot_act_on_another_county(login, personas, lists):
    response = login(personas.county_a).post(status_url(lists.lz), {"status": "listed", "date": "2023-01-01"})
    assert response.status_code == 404
    other = EntryFactory(enterprise=EnterpriseFactory(region=region("371311")))
    response = login(personas.county_a).post(
        status_url(other), {"status": "in_progress", "date": "2023-01-01"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == ListStatus.LISTED


@pytest.mark.parametrize("who", ["dept", "leader"])
def test_departments_and_leaders_read_only(login, personas, lists, who):
    client = login(getattr(personas, who))
    assert client.get(OVERVIEW).status_code == 200
    assert client.get(ENTRIES).status_code == 200
    page = client.get(entry_url(lists.lz))
    assert page.status_code == 200 and not page.context["can_act"]
    assert "变更状态" not in page.content.decode()
    assert (
        client.post(status_url(lists.ls), {"status": "in_progress", "date": "2023-01-01"}).status_code == 403
    )
    assert client.get(ADD).status_code == 403
    assert client.post(RECOMPUTE).status_code == 403
    lists.ls.refresh_from_db()
    assert lists.ls.status == ListStatus.LISTED


@pytest.mark.parametrize("who", ["nobody", "ent_user"])
def test_no_access_without_a_staff_role(login, personas, lists, who):
    client = login(getattr(personas, who))
    for url in (OVERVIEW, ENTRIES, EXPORT, ADD, entry_url(lists.ls)):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_login(client, lists):
    response = client.get(OVERVIEW)
    assert response.status_code == 302 and "login" in response["Location"]


# ---------------------------------------------------------------- manual addition


def test_county_adds_an_enterprise_by_hand(login, personas, world, lists):
    client = login(personas.county_a)
    assert client.get(ADD).status_code == 200
    ent = EnterpriseFactory(region=region("371302"), name="兰山闲置地块厂")
    response = client.post(
        ADD, {"uscc": f" {ent.uscc.lower()} ", "year": "2024", "reason": "长期停产，土地闲置"}
    )
    assert response.status_code == 302
    entry = LowEfficiencyEntry.objects.get(enterprise=ent)
    assert response["Location"] == entry_url(entry)
    assert entry.manual and entry.cohort_year == 2024 and "长期停产" in entry.reason
    assert entry.region == region("371302") and entry.status == ListStatus.LISTED
    assert ListEvent.objects.filter(entry=entry, to_status="listed").count() == 1
    assert {e.enterprise.name for e in client.get(ENTRIES, {"manual": "1"}).context["object_list"]} == {
        ent.name
    }

    # already open on a list
    again = client.post(ADD, {"uscc": ent.uscc, "year": "2024", "reason": "重复"})
    assert again.status_code == 400 and "已在低效清单中" in again.content.decode()
    # another county's enterprise: not found, nothing said about it
    foreign = client.post(ADD, {"uscc": world.luozhuang_ent.uscc, "year": "2024", "reason": "越权"})
    assert foreign.status_code == 400 and "未找到" in foreign.content.decode()
    assert world.luozhuang_ent.name not in foreign.content.decode()
    # a reason is required, the year must be a year
    assert client.post(ADD, {"uscc": ent.uscc, "year": "2024", "reason": ""}).status_code == 400
    assert client.post(ADD, {"uscc": ent.uscc, "year": "abcd", "reason": "x"}).status_code == 400
    assert LowEfficiencyEntry.objects.filter(enterprise=world.luozhuang_ent, manual=True).count() == 0


def test_city_adds_anywhere(login, personas, world, lists):
    ent = EnterpriseFactory(region=region("371311"))
    response = login(personas.city).post(ADD, {"uscc": ent.uscc, "year": "2023", "reason": "经核实属低效"})
    assert response.status_code == 302
    assert LowEfficiencyEntry.objects.get(enterprise=ent).region == region("371311")


# ---------------------------------------------------------------- recompute and derive


def test_city_recomputes_the_observations(login, personas, world):
    from gongqiang.targets.models import Observation

    run = published_run(2021)
    result(run, world.lanshan_ent, klass="D", low=True, tax="2")
    result(run, world.lanshan_below, klass="D", land="12")
    svc.derive_from_run(run, personas.city)
    client = login(personas.city)
    response = client.post(RECOMPUTE, follow=True)
    assert response.status_code == 200
    written = Observation.objects.filter(target__in=["T1.1", "T1.2", "T1.3"], source="computed").count()
    assert written > 0
    assert f"写入目标观测值 {written} 条" in response.content.decode()
    again = client.post(RECOMPUTE, follow=True)
    assert "与已记录的观测值一致" in again.content.decode()
    assert (
        Observation.objects.filter(target__in=["T1.1", "T1.2", "T1.3"], source="computed").count() == written
    )
    assert login(personas.city).get(RECOMPUTE).status_code == 405
    assert login(personas.county_a).post(RECOMPUTE).status_code == 403


def test_derive_from_run_adds_once_and_marks_upgraded(world, personas):
    draft = published_run(2021, status=RunStatus.CITY_APPROVAL)
    assert svc.derive_from_run(draft, personas.city) == (0, 0)

    run = published_run(2021, version=2)
    result(run, world.lanshan_ent, klass="D", low=True, tax="2.1", land="40")
    result(run, world.luozhuang_ent, klass="B", low=False, tax="8")
    assert svc.derive_from_run(run, personas.city) == (1, 0)
    assert svc.derive_from_run(run, personas.city) == (0, 0)  # once
    entry = LowEfficiencyEntry.objects.get()
    assert entry.enterprise == world.lanshan_ent and entry.cohort_year == 2021 and entry.first_run == run
    assert entry.tax_per_mu == Decimal("2.1") and entry.land_mu == Decimal("40") and not entry.manual

    later = published_run(2022)
    result(later, world.lanshan_ent, klass="C", low=False, tax="3.6")
    assert svc.derive_from_run(later, personas.city) == (0, 1)
    entry.refresh_from_db()
    assert entry.status == ListStatus.UPGRADED and entry.status_date == dt.date(2023, 7, 15)
    event = ListEvent.objects.get(entry=entry)
    assert (event.from_status, event.to_status) == ("listed", "upgraded") and "原地提升" in event.note
    # a later run where it is low again does not list it twice in its old cohort, but a new cohort may
    again = published_run(2023)
    result(again, world.lanshan_ent, klass="D", low=True, tax="2")
    assert svc.derive_from_run(again, personas.city) == (1, 0)
    assert LowEfficiencyEntry.objects.filter(enterprise=world.lanshan_ent).count() == 2
