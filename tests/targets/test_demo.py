"""The demo tells a story: some goals on time, some behind, some without data; computed where it can be."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


def statuses(client):
    return Counter(r["status"] for r in client.get("/targets/").context["rows"])


def test_demo_without_registry_facts(login, personas):
    from gongqiang.targets.demo import build_demo_targets
    from gongqiang.targets.models import Observation

    first = build_demo_targets(today=TODAY)
    again = build_demo_targets(today=TODAY)
    assert first == again  # idempotent
    counts = statuses(login(personas.leader))
    assert counts["achieved"] + counts["on_track"] >= 10
    assert counts["behind"] + counts["seriously_behind"] >= 8
    assert counts["no_data"] >= 4 and counts["tracked"] >= 2
    assert Observation.objects.filter(target="G1.1", source="entered").exists()  # the fallback
    page = login(personas.city).get("/targets/T4.1/")
    assert page.context["checks"]["split"].ok is False  # the unassigned remainder is flagged
    assert all(c.ok for _, c in page.context["checks"]["values"])  # county values add up
    scores = login(personas.city).get("/targets/ranking/").context["scores"]
    assert len({round(s["score"], 3) for s in scores if s["score"] is not None}) > 3


def test_demo_command_computes_from_registry_facts(login, personas):
    from gongqiang.enterprises.demo import build_demo
    from gongqiang.targets.models import Observation

    build_demo(above=40, below=60)
    call_command("demo_targets")
    g11 = Observation.objects.filter(target="G1.1", region__code="371300", is_current=True).order_by("year")
    assert [o.period for o in g11] == ["2021", "2022", "2023", "2024", "2025"]
    assert {o.source for o in g11} == {"computed"}
    assert g11[0].inputs["enterprises"] > 0
    assert Observation.objects.filter(target="G1.1", region__kind="district", source="computed").exists()
    rows = {r["id"]: r for r in login(personas.leader).get("/targets/").context["rows"]}
    assert rows["G1.1"]["sources"] == "计算" and rows["G5.1"]["current"] is not None
