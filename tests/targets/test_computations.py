"""Computed targets: the pure part on a hand-made frame, and the persisting run with a fake registry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from gongqiang.targets.compute import registry


def frame(rows):
    return pl.DataFrame(rows, schema={"uscc": pl.String, "enterprise_id": pl.Int64, "region": pl.String,
                                      "above_scale": pl.Boolean, "metric": pl.String, "value": pl.Decimal(24, 4)},
                        orient="row")


def facts_for(year):
    energy = {2021: 100, 2024: 90}[year] if year in (2021, 2024) else 100
    return frame([
        ("A", 1, "371302", True, "output", Decimal("300000000")), ("A", 1, "371302", True, "tax_paid", Decimal("1e8")),
        ("A", 1, "371302", True, "energy_tce", Decimal(energy)), ("A", 1, "371302", True, "value_added", Decimal("1e8")),
        ("B", 2, "371302", False, "output", Decimal("1e8")), ("B", 2, "371302", False, "tax_paid", Decimal("5e7")),
        ("C", 3, "371311", True, "output", Decimal("2e8")), ("C", 3, "371311", True, "tax_paid", Decimal("5e7")),
        ("C", 3, "371311", True, "energy_tce", Decimal(50)), ("C", 3, "371311", True, "value_added", Decimal("2.5e7")),
    ])


def test_sum_metric_above_scale_in_yi_yuan():
    out = registry.sum_metric(facts_for(2024), "output", above_scale_only=True, unit_divisor=Decimal("1e8"))
    assert {k: v.value for k, v in out.items()} == {None: 5, "371302": 3, "371311": 2}
    assert out[None].enterprises == 2
    tax = registry.sum_metric(facts_for(2024), "tax_paid", above_scale_only=False, unit_divisor=Decimal("1e8"))
    assert {k: v.value for k, v in tax.items()} == {None: 2, "371302": Decimal("1.5"), "371311": Decimal("0.5")}


def test_intensity_decrease_against_the_baseline_year():
    out = registry.intensity_decrease(facts_for(2024), facts_for(2021), "energy_tce", "value_added",
                                      above_scale_only=True)
    # city: 150 / 1.25e8 → 140 / 1.25e8 is a cut of 6.67 %; 兰山 100 → 90: 10 %; 罗庄 unchanged
    assert out[None].value == Decimal("6.666667")
    assert out["371302"].value == 10 and out["371311"].value == 0


def test_count_and_empty_frame():
    out = registry.count_enterprises(facts_for(2024), "output", above_scale_only=True, min_value=2.5e8)
    assert out[None].value == 1 and "371311" not in out
    assert registry.sum_metric(frame([]), "output", above_scale_only=True, unit_divisor=Decimal(1)) == {}


@pytest.mark.django_db
def test_run_persists_computed_values_and_keeps_manual_ones(personas, cat):
    from gongqiang.targets.computations import run
    from gongqiang.targets.models import Observation
    from gongqiang.targets.services.progress import city_region

    from .conftest import enter

    calls = []

    def fake(year, metrics):
        calls.append((year, tuple(metrics)))
        return facts_for(year) if year in (2021, 2024) else frame([])

    enter(personas.city, cat, "G1.2", city_region(), "2024", "3")  # a person's value for the tax total
    report = run(["G1.1", "G1.2", "G5.1"], [2021, 2024], facts=fake, cat=cat, today=dt.date(2026, 11, 25))
    assert report.kept_manual == 1
    g11 = Observation.objects.get(target="G1.1", region__code="371300", period="2024", is_current=True)
    assert g11.value == 5 and g11.source == "computed" and g11.computation == "sum_metric"
    assert g11.inputs["enterprises"] == 2 and g11.inputs["metric"] == "output" and g11.created_by_name
    assert Observation.objects.get(target="G1.1", region__code="371302", period="2024").value == 3
    assert Observation.objects.get(target="G1.2", region__code="371300", period="2024", is_current=True).source == "entered"
    g51 = Observation.objects.get(target="G5.1", region__code="371300", period="2024")
    assert g51.value == Decimal("6.666667") and g51.inputs["years"] == [2021, 2024]
    assert len([c for c in calls if c == (2021, ("output",))]) == 1  # the frames are read once per run
    # a second run changes nothing; a changed fact replaces the computed value with history
    assert run(["G1.1"], [2024], facts=fake, cat=cat).written == 0
    report = run(["G1.1"], [2024], facts=lambda y, m: facts_for(y).with_columns(pl.col("value") * 2), cat=cat)
    assert report.written == 3
    rows = Observation.objects.filter(target="G1.1", region__code="371300", period="2024").order_by("pk")
    assert [(r.value, r.is_current) for r in rows] == [(5, False), (10, True)]
