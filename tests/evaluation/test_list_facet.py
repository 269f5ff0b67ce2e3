"""The enterprise list filters by the evaluation class (the registry registers no knowledge of evaluation)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from gongqiang.evaluation.models import Result

from . import runs_world


@pytest.mark.django_db
def test_registry_list_and_export_filter_by_class(personas, world, login):
    run, _ = runs_world.published(world, personas.city)
    a_class = set(Result.objects.filter(run=run, final_class="A").values_list("enterprise__name", flat=True))
    d_class = set(Result.objects.filter(run=run, final_class="D").values_list("enterprise__name", flat=True))
    assert a_class and d_class
    client = login(personas.city)
    page = client.get("/enterprises/?klass=A&per_page=200").content.decode()
    assert "评价类别" in page
    assert all(name in page for name in a_class) and not any(name in page for name in d_class)
    latest = client.get("/enterprises/?klass=D&per_page=200").content.decode()  # no year: the latest run
    assert all(name in latest for name in d_class)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/enterprises/export.xlsx?klass=A").content))
    names = {str(c.value) for row in book.active.iter_rows() for c in row if c.value}
    assert a_class <= names and not (d_class & names)


@pytest.mark.django_db
def test_the_class_filter_stays_in_the_county(personas, world, login):
    run, _ = runs_world.published(world, personas.city)
    page = login(personas.county_a).get("/enterprises/?klass=A&per_page=200").content.decode()
    foreign = Result.objects.filter(run=run, final_class="A").exclude(region__code="371302")
    assert foreign.exists()
    assert not any(r.enterprise.name in page for r in foreign.select_related("enterprise"))


@pytest.mark.django_db
def test_a_year_without_a_published_run_lists_nothing_and_bad_values_are_ignored(personas, world, login):
    runs_world.published(world, personas.city)
    client = login(personas.city)
    assert world.lanshan_ent.name not in client.get("/enterprises/?klass=A&year=2019").content.decode()
    assert world.lanshan_ent.name in client.get("/enterprises/?klass=Z&per_page=200").content.decode()
