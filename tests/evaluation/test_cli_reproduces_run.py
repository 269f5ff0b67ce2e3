"""Anyone can check a published run without the web app: its input data, downloaded in the CLI's format,
run through `gongqiang evaluate`, gives the same classes, totals and ranks as the run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from gongqiang.evaluation.models import Result

from . import runs_world


@pytest.mark.django_db
def test_cli_on_the_runs_inputs_gives_the_runs_classes(personas, world, login, tmp_path: Path):
    ents = runs_world.enterprises(world)
    # a vetoed enterprise, a bonus, a T-class utility and an awkward tax figure: every path of the method
    frame = runs_world.frame(
        ents,
        bump={ents[4].pk: {"tax_paid": 123456.78, "revenue": 0.0}, ents[5].pk: {"energy_tce": 0.0}},
        items={ents[6].pk: ["dishonest"], ents[7].pk: ["high_tech", "srdi_provincial"]},
    )
    run = runs_world.publish(runs_world.draft(frame, personas.city), personas.city)
    client = login(personas.city)
    response = client.get(f"/evaluation/runs/{run.pk}/export/inputs.csv")
    assert response.status_code == 200
    facts = tmp_path / "facts.csv"
    facts.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    assert client.get(f"/evaluation/runs/{run.pk}/export/inputs.csv?which=previous").status_code == 404

    out = tmp_path / "out.csv"
    call_command("evaluate", facts=str(facts), year=run.year, out=str(out))
    with out.open(encoding="utf-8-sig") as handle:
        cli = {r["uscc"]: r for r in csv.DictReader(handle)}
    ours = {r.enterprise.uscc: r for r in Result.objects.filter(run=run).select_related("enterprise")}
    assert set(cli) == set(ours)
    for uscc, r in ours.items():
        row = cli[uscc]
        assert row["class"] == r.computed_class, uscc
        assert row["total"] == ("" if r.total is None else f"{r.total:.2f}"), uscc
        assert row["rank"] == ("" if r.rank is None else str(r.rank)), uscc
        assert row["low_efficiency"] == ("1" if r.low_efficiency else "0"), uscc


@pytest.mark.django_db
def test_a_county_downloads_only_its_units(personas, world, login):
    run, ents = runs_world.published(world, personas.city)
    body = (
        login(personas.county_a)
        .get(f"/evaluation/runs/{run.pk}/export/inputs.csv")
        .content.decode("utf-8-sig")
    )
    assert world.lanshan_ent.uscc in body and world.luozhuang_ent.uscc not in body
    assert "371311" not in body
