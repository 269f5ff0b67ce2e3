"""/api/evaluation/: runs, a run with counts of the caller's scope, the results of a run (scoped, filtered,
paginated)."""

from __future__ import annotations

import pytest

from gongqiang.evaluation.models import Result
from tests.evaluation import runs_world as rw

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(world, personas):
    return rw.published(world, personas.city)[0]


def test_runs_list_and_detail(login, personas, run):
    client = login(personas.city)
    runs = client.get("/api/evaluation/runs").json()
    assert [(r["id"], r["year"], r["status"], r["status_name"]) for r in runs] == [
        (run.pk, 2024, "published", "已发布")
    ]
    assert client.get("/api/evaluation/runs?year=2023").json() == []
    detail = client.get(f"/api/evaluation/runs/{run.pk}").json()
    assert detail["result_count"] == 33 and sum(detail["class_counts"].values()) == 33
    county = login(personas.county_a).get(f"/api/evaluation/runs/{run.pk}").json()
    assert county["result_count"] == 11
    assert login(personas.city).get("/api/evaluation/runs/999999").status_code == 404


def test_results_are_scoped_and_filtered(login, personas, world, run):
    county = login(personas.county_a)
    body = county.get(f"/api/evaluation/runs/{run.pk}/results").json()
    assert body["count"] == 11
    assert {r["region"] for r in body["items"]} == {"371302"}
    assert world.luozhuang_ent.uscc not in {r["uscc"] for r in body["items"]}
    assert county.get(f"/api/evaluation/runs/{run.pk}/results?unit=371311").json()["count"] == 0
    city = login(personas.city)
    a = city.get(f"/api/evaluation/runs/{run.pk}/results?class=a").json()
    assert a["count"] == Result.objects.filter(run=run, final_class="A").count()
    assert all(r["final_class"] == "A" for r in a["items"])
    first = a["items"][0]
    assert set(first["scores"]) >= {"tax_per_mu"} and first["total"] is not None
    paged = city.get(f"/api/evaluation/runs/{run.pk}/results?page=2&unit=371311").json()
    assert paged["count"] == 11 and paged["items"] == []


def test_enterprise_user_and_nobody(login, personas, world, run):
    ent = login(personas.ent_user).get(f"/api/evaluation/runs/{run.pk}/results").json()
    assert [r["uscc"] for r in ent["items"]] == [world.lanshan_ent.uscc]
    assert login(personas.nobody).get("/api/evaluation/runs").status_code in (401, 403)
