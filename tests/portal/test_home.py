"""The home page per role, the menu per role, the shell (breadcrumbs, messages, empty states)."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "title"),
    [("admin", "系统管理"), ("city", "全市工作台"), ("leader", "领导驾驶舱"), ("dept", "部门工作台"),
     ("county_a", "县区工作台"), ("ent_user", "企业工作台")],
)
def test_home_per_role(login, personas, who, title):
    response = login(getattr(personas, who)).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1 class=\"h4 mb-0\">{title}</h1>" in html
    assert 'lang="zh-Hans"' in html


def test_counts_on_home_follow_scope(login, personas, world):
    assert login(personas.city).get("/").context["summary"]["total"] == 4
    assert login(personas.county_a).get("/").context["summary"]["total"] == 2
    assert login(personas.ent_user).get("/").context["summary"]["total"] == 1


def test_county_chart_is_by_town(login, personas, world):
    html = login(personas.county_a).get("/").content.decode()
    data = json.loads(re.search(r'<script id="chart-regions" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["xAxis"]["data"] == ["兰山街道"]
    assert "罗庄" not in html


def test_department_home_lists_its_lines(login, personas):
    html = login(personas.dept).get("/").content.decode()
    assert "本部门牵头的专线与目标" in html and "培育一批科创企业" in html


def test_menu_per_role(login, personas):
    admin_menu = login(personas.admin).get("/").context["nav_menu"]
    labels = {e["label"] for area in admin_menu for e in area["entries"]}
    assert {"企业名录", "政策目标", "十大专线", "用户与授权", "变更记录", "登录记录"} <= labels
    county_menu = login(personas.county_a).get("/").context["nav_menu"]
    labels = {e["label"] for area in county_menu for e in area["entries"]}
    assert "企业名录" in labels and "变更记录" not in labels and "用户与授权" not in labels
    # Every menu entry opens for the user who sees it.
    client = login(personas.county_a)
    for area in county_menu:
        for entry in area["entries"]:
            assert client.get(entry["url"]).status_code == 200, entry


def test_nobody_and_anonymous(client, login, personas):
    assert client.get("/").status_code == 302
    response = login(personas.nobody).get("/")
    assert response.status_code == 403 and "尚未分配数据范围" in response.content.decode()


def test_breadcrumbs_and_pagination(login, personas, world):
    from gongqiang.testing.factories import EnterpriseFactory, region

    for _ in range(12):
        EnterpriseFactory(region=region("371302"))
    html = login(personas.county_a).get("/enterprises/?per_page=10").content.decode()
    assert 'aria-label="当前位置"' in html and "企业名录" in html
    assert "第 1 / 2 页" in html and "下一页" in html


def test_policy_pages_show_pack_data(login, personas):
    client = login(personas.leader)
    targets = client.get("/policy/targets/").content.decode()
    assert "G1.1" in targets and "10,000" in targets and "≥ 2 倍（较2021年，2026年）" in targets
    lines = client.get("/policy/task-lines/").content.decode()
    assert lines.count('class="badge text-bg-danger me-1"') == 10
    assert "月调度每月 5 日前" in lines
    assert client.get("/policy/targets/?group=G1").context["rows"]


def test_only_the_most_specific_menu_entry_is_active(login, personas):
    menu = login(personas.city).get("/enterprises/reconciliation/").context["nav_menu"]
    active = [e["label"] for area in menu for e in area["entries"] if e["active"]]
    assert active == ["数据核对"]
