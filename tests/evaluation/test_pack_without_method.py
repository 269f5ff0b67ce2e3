"""A pack without an evaluation section (the invented city's): the evaluation pages say so, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongqiang.core.services.policy import load_pack

INVENTED = Path(__file__).resolve().parents[2] / "policies" / "examples" / "invented-city.yaml"
PAGES = [
    "/evaluation/runs/",
    "/evaluation/runs/new/",
    "/evaluation/results/",
    "/evaluation/methods/",
    "/evaluation/lists/",
    "/evaluation/lists/entries/",
    "/evaluation/items/",
    "/evaluation/items/import/",
    "/evaluation/items/template.xlsx",
    "/evaluation/cases/",
    "/",
]


@pytest.mark.django_db
def test_evaluation_pages_without_a_method_in_the_pack(linyi, personas, login):
    load_pack(INVENTED)
    client = login(personas.city)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
