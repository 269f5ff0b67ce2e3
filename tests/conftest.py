"""Shared fixtures: the Linyi pack loaded once per test database, and the personas.

Personas (as in Healthchecks' alice/bob/charlie): `city` sees the whole city, `leader` reads it,
`dept` is 市科技局, `county_a` is 兰山区, `county_b` is 罗庄区, `ent_user` is one 兰山 enterprise,
`nobody` has no membership. `world` holds one enterprise per county plus a town each.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINYI_PACK = ROOT / "policies" / "linyi-2022.yaml"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from gongqiang.core.services.policy import load_pack

    with django_db_blocker.unblock():
        load_pack(LINYI_PACK, loaded_by="tests")


@pytest.fixture
def linyi(db):
    """The Linyi pack, loaded (idempotent): transactional tests flush what django_db_setup loaded."""
    from gongqiang.core.services.policy import load_pack

    return load_pack(LINYI_PACK, loaded_by="tests").pack


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    # Hashing strength is not under test; PBKDF2 would make every persona cost a third of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    lanshan_town: object
    luozhuang_town: object
    lanshan_ent: object
    lanshan_below: object
    luozhuang_ent: object
    hedong_ent: object


@pytest.fixture
def world(linyi) -> World:
    from gongqiang.testing.factories import EnterpriseFactory, TownFactory, region

    ls, lz, hd = region("371302"), region("371311"), region("371312")
    ls_town = TownFactory(parent=ls, code="371302001", name="兰山街道")
    lz_town = TownFactory(parent=lz, code="371311001", name="罗庄街道")
    return World(
        lanshan_town=ls_town,
        luozhuang_town=lz_town,
        lanshan_ent=EnterpriseFactory(region=ls, town=ls_town, name="兰山示范木业有限公司", industry_code="2021"),
        lanshan_below=EnterpriseFactory(region=ls, name="兰山小微五金厂", above_scale=False, industry_code="3311"),
        luozhuang_ent=EnterpriseFactory(region=lz, town=lz_town, name="罗庄哨兵不锈钢有限公司", industry_code="3140"),
        hedong_ent=EnterpriseFactory(region=hd, name="河东哨兵五金有限公司", industry_code="3311"),
    )


@pytest.fixture
def personas(world):
    from gongqiang.core.models import Department
    from gongqiang.testing.factories import Role, UserFactory, member, region

    class P:
        admin = member(Role.ADMIN, username="p-admin")
        city = member(Role.CITY, username="p-city")
        leader = member(Role.LEADER, username="p-leader")
        dept = member(Role.DEPARTMENT, username="p-kjj", department=Department.objects.get(code="kjj"))
        county_a = member(Role.COUNTY, username="p-lanshan", region=region("371302"))
        county_b = member(Role.COUNTY, username="p-luozhuang", region=region("371311"))
        ent_user = member(Role.ENTERPRISE, username="p-ent", enterprise=world.lanshan_ent)
        nobody = UserFactory(username="p-nobody")

    return P


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
