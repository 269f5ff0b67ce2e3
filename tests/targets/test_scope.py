"""Scope with target data in place: the site-wide walk again (no other county leaks through any page, API
answer or export of the targets app), and the rules of issue 5 on the querysets."""

from __future__ import annotations

import pytest

from tests.security import test_scope_walk as walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def imports(personas, cat, targets_data):
    """An upload by each county, so the import pages have own and foreign rows."""
    from gongqiang.targets.services.imports import import_observations
    from gongqiang.targets.services.workbooks import workbook

    from .conftest import TODAY

    for user, code in ((personas.county_a, "371302"), (personas.county_b, "371311")):
        data = workbook([("目标数据", ["目标编号", "区域代码", "期间", "数值"], [["T4.1", code, "2025", 100]])])
        batch = import_observations(user, cat, data, f"{code}.xlsx", TODAY)
        assert batch.status == "committed", batch.errors


registry_rows = walk.registry_rows  # the walk's own fixture (rows of the registry), available here


def test_walk_with_target_data(client, personas, world, targets_data, imports, registry_rows):
    walk.test_county_user_walks_every_url(client, personas, world, registry_rows)


def test_observation_scope(personas, targets_data):
    from gongqiang.targets.models import Observation

    def regions(user):
        return set(Observation.objects.visible_to(user).values_list("region__code", flat=True))

    assert regions(personas.county_a) == {"371300", "371302"}  # city totals and its own
    assert regions(personas.leader) == {"371300", "371302", "371311"}
    assert set(Observation.objects.visible_to(personas.dept).values_list("target", flat=True)) == {"T4.1"}
    assert not Observation.objects.visible_to(personas.ent_user).exists()
    assert not Observation.objects.visible_to(personas.nobody).exists()
    # County users read the city totals but cannot write them
    assert not Observation.objects.writable_by(personas.county_a).filter(region__code="371300").exists()
    assert not Observation.objects.writable_by(personas.leader).exists()


def test_enterprise_user_and_nobody_are_refused(client, login, personas, targets_data):
    assert login(personas.ent_user).get("/targets/").status_code == 403
    assert login(personas.nobody).get("/targets/").status_code == 403
    client.logout()
    assert client.get("/targets/").status_code == 302
