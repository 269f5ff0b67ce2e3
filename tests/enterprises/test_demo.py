"""`gongqiang demo`: the synthetic Linyi is valid, deterministic, idempotent and shaped like the city.

Database tests build at a small scale (60 above-scale, 200 below-scale); the proportions are checked on
the pure planner (no database) at a tenth of the default scale.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command

from gongqiang.core.models import Membership, Region, Role, User
from gongqiang.core.policy.check import check_file
from gongqiang.core.services.policy import load_pack
from gongqiang.enterprises.demo import (
    DEMO_ORG_PREFIX,
    DEMO_PASSWORD,
    DEMO_USERS,
    ORG_ALPHABET,
    SECTOR_CLASSES,
    County,
    EnterprisePlan,
    build_demo,
    plan_enterprises,
    plan_towns,
)
from gongqiang.enterprises.models import Enterprise
from gongqiang.lib.uscc import is_valid, make

PACK = Path(__file__).resolve().parents[2] / "policies" / "linyi-2022.yaml"
SMALL = {"above": 60, "below": 200}

LANSHAN, LUOZHUANG, HEDONG = "371302", "371311", "371312"
YINAN, TANCHENG, YISHUI, LANLING, FEIXIAN, PINGYI = "371321", "371322", "371323", "371324", "371325", "371326"
LINSHU, LINGANG = "371329", "371373"
WOOD_REGIONS = {LANSHAN, FEIXIAN, PINGYI}
FOOD_REGIONS = {YISHUI, PINGYI, LANLING, TANCHENG, LINSHU, HEDONG}


@pytest.fixture
def linyi(db, settings):
    # The demo hashes seven passwords per build; the default PBKDF2 would dominate the test time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_pack(PACK)


@pytest.fixture
def demo(linyi):
    return build_demo(seed=2026, **SMALL)


def registry() -> list[tuple[str, str, str, str]]:
    return list(
        Enterprise.objects.order_by("uscc").values_list("uscc", "name", "region__code", "industry_code")
    )


def database_state() -> tuple:
    return (
        registry(),
        list(Enterprise.objects.order_by("uscc").values_list("pk", "town__code", "above_scale", "status")),
        list(
            Region.objects.order_by("code").values_list("pk", "code", "name", "kind", "parent__code", "path")
        ),
        list(User.objects.order_by("username").values_list("pk", "username", "display_name", "password")),
        list(
            Membership.objects.order_by("pk").values_list(
                "pk", "user__username", "role", "region__code", "department__code", "enterprise__uscc"
            )
        ),
    )


# ---------------------------------------------------------------------------------------------------
# The registry the build leaves
# ---------------------------------------------------------------------------------------------------
def test_usccs_are_valid_unique_and_shaped(demo):
    rows = list(Enterprise.objects.select_related("region"))
    assert len(rows) == 260
    assert len({e.uscc for e in rows}) == 260
    for e in rows:
        assert is_valid(e.uscc), e.uscc
        assert e.uscc[:2] == "91"  # market regulation, enterprise
        assert e.uscc[2:8] == e.region.code
        assert e.uscc[8:12] == DEMO_ORG_PREFIX
        assert all(c in ORG_ALPHABET for c in e.uscc[8:17])
        assert make(e.uscc[:17]) == e.uscc


def test_names_are_unique_and_read_like_chinese_companies(demo):
    names = list(Enterprise.objects.values_list("name", flat=True))
    assert len(set(names)) == len(names)
    for name in names:
        assert name.endswith(("有限公司", "有限责任公司", "股份有限公司")), name
        assert name.startswith(
            (
                "临沂",
                "山东",
                "沂南县",
                "沂水县",
                "郯城县",
                "兰陵县",
                "费县",
                "平邑县",
                "莒南县",
                "蒙阴县",
                "临沭县",
            )
        ), name


def test_counts_and_statuses(demo):
    assert Enterprise.objects.filter(above_scale=True).count() == 60
    assert Enterprise.objects.filter(above_scale=False).count() == 200
    status = Counter(Enterprise.objects.values_list("status", flat=True))
    assert status["stopped"] == round(260 * 0.02)
    assert status["closed"] == round(260 * 0.01)
    assert status["operating"] == 260 - status["stopped"] - status["closed"]
    assert demo.above == 60 and demo.below == 200 and demo.created == 260


def test_every_region_gets_enterprises(demo):
    counties = Region.objects.filter(kind__in=["district", "county", "zone"])
    assert counties.count() == 15
    for county in counties:
        assert Enterprise.objects.filter(region=county, above_scale=True).exists(), county.name
        assert Enterprise.objects.filter(region=county, above_scale=False).exists(), county.name


def test_lanshan_and_luozhuang_are_largest(demo):
    for above in (True, False):
        sizes = Counter(Enterprise.objects.filter(above_scale=above).values_list("region__code", flat=True))
        top_two = {code for code, _ in sizes.most_common(2)}
        assert top_two == {LANSHAN, LUOZHUANG}, sizes


def test_towns_belong_to_their_county(demo):
    towns = list(Region.objects.filter(kind="town").select_related("parent"))
    assert len(towns) == 156  # the city's published number of towns and sub-districts
    for town in towns:
        assert len(town.code) == 9 and town.code.startswith(town.parent.code)
        assert town.path == f"{town.parent.path}{town.code}/"
        assert town.name.endswith(("街道", "镇", "乡"))
        assert town.parent.kind in ("district", "county", "zone")
    assert len({t.name for t in towns}) == len(towns)
    per_county = Counter(t.parent.code for t in towns)
    for zone in Region.objects.filter(kind="zone"):
        assert 2 <= per_county[zone.code] <= 4
    for e in Enterprise.objects.select_related("region", "town"):
        assert e.town is not None and e.town.kind == "town"
        assert e.town.path.startswith(e.region.path), (e.name, e.town.path, e.region.path)
        e.full_clean()  # the model's own checks: USCC validator, town within the county


def test_districts_have_more_subdistricts_than_counties(demo):
    def subdistrict_share(kind: str) -> float:
        towns = Region.objects.filter(kind="town", parent__kind=kind)
        return towns.filter(name__endswith="街道").count() / towns.count()

    assert subdistrict_share("district") > 0.4 > subdistrict_share("county")


# ---------------------------------------------------------------------------------------------------
# Determinism and idempotence
# ---------------------------------------------------------------------------------------------------
def test_same_seed_same_registry_and_rerun_changes_nothing(demo):
    first = database_state()
    report = build_demo(seed=2026, **SMALL)
    assert database_state() == first
    assert (report.created, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 260)
    assert report.towns_created == 0
    assert User.objects.count() == len(DEMO_USERS)
    assert Membership.objects.count() == len(DEMO_USERS)


def test_other_seed_replaces_the_demo_and_coming_back_restores_it(demo):
    first = registry()
    build_demo(seed=7, **SMALL)
    other = registry()
    assert {u for u, *_ in other}.isdisjoint({u for u, *_ in first})
    assert len(other) == 260
    build_demo(seed=2026, **SMALL)
    assert registry() == first
    assert User.objects.count() == len(DEMO_USERS)
    assert Membership.objects.count() == len(DEMO_USERS)
    assert Region.objects.filter(kind="town").count() == 156


def test_enterprises_not_made_by_the_demo_are_left_alone(linyi):
    lanshan = Region.objects.get(code=LANSHAN)
    real = Enterprise.objects.create(
        uscc=make("91371302MA3C00001"), name="临沂真实示例有限公司", region=lanshan, industry_code="2021"
    )
    build_demo(seed=2026, **SMALL)
    build_demo(seed=9, above=30, below=50)
    assert Enterprise.objects.filter(pk=real.pk, name="临沂真实示例有限公司").exists()
    assert Enterprise.objects.count() == 81


def test_planner_is_deterministic_and_seed_dependent():
    counties = pack_counties()
    towns = plan_towns(counties)
    assert plan_towns(counties) == towns
    a = plan_enterprises(counties, towns, seed=2026, **SMALL)
    assert plan_enterprises(counties, towns, seed=2026, **SMALL) == a
    assert [p.key() for p in plan_enterprises(counties, towns, seed=2027, **SMALL)] != [p.key() for p in a]


# ---------------------------------------------------------------------------------------------------
# Demo accounts
# ---------------------------------------------------------------------------------------------------
EXPECTED_ACCOUNTS = {
    "admin": (Role.ADMIN, None, None),
    "city": (Role.CITY, None, None),
    "leader": (Role.LEADER, None, None),
    "dept-kjj": (Role.DEPARTMENT, None, "kjj"),
    "lanshan": (Role.COUNTY, LANSHAN, None),
    "luozhuang": (Role.COUNTY, LUOZHUANG, None),
    "ent-demo": (Role.ENTERPRISE, None, None),
}


def test_demo_users_have_their_memberships(demo):
    assert set(User.objects.values_list("username", flat=True)) == set(EXPECTED_ACCOUNTS)
    for username, (role, region, department) in EXPECTED_ACCOUNTS.items():
        user = User.objects.get(username=username)
        assert user.display_name and user.is_active
        (membership,) = user.memberships.select_related("region", "department", "enterprise")
        membership.full_clean()
        assert membership.role == role
        assert (membership.region.code if membership.region else None) == region
        assert (membership.department.code if membership.department else None) == department
    city = User.objects.get(username="city")
    assert city.display_name == "市工信局工作人员"
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.exclude(username="admin").filter(is_superuser=True).exists()
    enterprise = Membership.objects.get(user__username="ent-demo").enterprise
    assert enterprise.region.code == LANSHAN and enterprise.above_scale and enterprise.status == "operating"
    assert [a.username for a in demo.accounts] == [s.username for s in DEMO_USERS]


@pytest.mark.parametrize("username", sorted(EXPECTED_ACCOUNTS))
def test_demo_users_log_in_with_the_demo_password(demo, client, username):
    user = User.objects.get(username=username)
    validate_password(DEMO_PASSWORD, user)  # the demo password passes the site's own rules
    assert client.login(username=username, password=DEMO_PASSWORD)
    assert not client.login(username=username, password="wrong-Password-1")


def test_a_changed_demo_password_is_reset(demo):
    user = User.objects.get(username="lanshan")
    user.set_password("Another@Pass99")
    user.save()
    build_demo(seed=2026, **SMALL)
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


# ---------------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------------
def test_command_loads_the_pack_when_none_is_active_and_prints_accounts(db, settings):
    from gongqiang.core.models import PolicyPack

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.POLICY_DIR = PACK.parent
    settings.GONGQIANG_POLICY_FILE = PACK.name
    PolicyPack.objects.update(is_active=False)  # the session fixture may have loaded one
    out = io.StringIO()
    call_command("demo", "--above", "30", "--below", "40", "--seed", "5", stdout=out)
    text = out.getvalue()
    assert "政策包 linyi-2022" in text
    assert "规上 30，规下 40" in text
    assert "兰山区（371302）" in text
    for username in EXPECTED_ACCOUNTS:
        assert username in text
    assert DEMO_PASSWORD in text
    assert Enterprise.objects.count() == 70
    assert PolicyPack.objects.filter(code="linyi-2022", is_active=True).exists()


def test_demo_changes_are_audited_as_system_demo_without_per_enterprise_records(db, settings):
    from gongqiang.core.models import ChangeRecord

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.POLICY_DIR = PACK.parent
    settings.GONGQIANG_POLICY_FILE = PACK.name
    call_command("demo", "--above", "20", "--below", "20", stdout=io.StringIO())
    assert not ChangeRecord.objects.filter(model_label="enterprises.Enterprise").exists()
    users = ChangeRecord.objects.filter(model_label="core.User")
    assert users.count() == len(DEMO_USERS)
    assert set(users.values_list("user_name", flat=True)) == {"system:demo"}


# ---------------------------------------------------------------------------------------------------
# Proportions of the generator (pure, no database), at a tenth of the default scale
# ---------------------------------------------------------------------------------------------------
def pack_counties() -> list[County]:
    spec = check_file(PACK).spec
    assert spec is not None
    return [County(r.code, r.name, r.short_name, r.kind.value, r.towns) for r in spec.organisation.regions]


@pytest.fixture(scope="module")
def tenth() -> list[EnterprisePlan]:
    counties = pack_counties()
    return plan_enterprises(counties, plan_towns(counties), seed=2026, above=330, below=1500)


def share_in(plans: list[EnterprisePlan], codes, regions: set[str]) -> float:
    chosen = [p for p in plans if codes(p.industry_code)]
    assert chosen
    return sum(p.region_code in regions for p in chosen) / len(chosen)


def test_clusters_sit_where_the_city_has_them(tenth):
    assert share_in(tenth, lambda c: c.startswith("20"), WOOD_REGIONS) > 0.55
    assert share_in(tenth, lambda c: c[:2] in ("13", "14") and c != "1321", FOOD_REGIONS) > 0.55
    assert share_in(tenth, lambda c: c[:2] in ("31", "32"), {LINGANG, LUOZHUANG}) > 0.5
    assert share_in(tenth, lambda c: c == "1321", {YINAN}) > 0.75  # pet food
    assert share_in(tenth, lambda c: c in ("1830", "1923", "2919"), {PINGYI}) == 1.0  # gloves
    assert share_in(tenth, lambda c: c in ("3381", "3382", "3389"), {LUOZHUANG}) > 0.5  # stainless goods
    hardware = Counter(p.region_code for p in tenth if p.industry_code in ("3322", "3329", "3340", "3351"))
    assert hardware.most_common(1)[0][0] == HEDONG


def test_industry_mix_covers_the_eight_industries_and_utilities(tenth):
    divisions = Counter(p.industry_code[:2] for p in tenth)
    for division in ("20", "13", "14", "31", "33", "34", "35", "38", "27", "26", "30", "17"):
        assert divisions[division] > 0, division
    known = {code for classes in SECTOR_CLASSES.values() for code, _, _ in classes}
    assert all(len(p.industry_code) == 4 and p.industry_code in known for p in tenth)
    utilities = [p for p in tenth if p.above_scale and p.industry_code[:2] in ("44", "45", "46")]
    # Every unit has at least one above-scale utility, so the evaluation's class T is never empty.
    assert {p.region_code for p in utilities} == {c.code for c in pack_counties()}
    assert len(utilities) / 330 < 0.08


def test_region_sizes_and_statuses_at_a_tenth(tenth):
    above = Counter(p.region_code for p in tenth if p.above_scale)
    below = Counter(p.region_code for p in tenth if not p.above_scale)
    assert sum(above.values()) == 330 and sum(below.values()) == 1500
    assert {c for c, _ in above.most_common(2)} == {LANSHAN, LUOZHUANG}
    assert {c for c, _ in below.most_common(2)} == {LANSHAN, LUOZHUANG}
    status = Counter(p.status for p in tenth)
    assert status["stopped"] == round(1830 * 0.02) and status["closed"] == round(1830 * 0.01)
    assert len({p.uscc for p in tenth}) == len({p.name for p in tenth}) == 1830
