"""The scope walk of tests/security/test_scope_walk.py over the low-efficiency list URLs, with list entries
and results in every county (the site-wide walk has none): as a 兰山区 user, no 罗庄/河东 name or USCC
appears, an own entry opens and a foreign one is a 404, and every page and export renders the same after all
rows outside the scope are deleted."""

from __future__ import annotations

import pytest

from gongqiang.testing.evaluation_factories import walk_rows
from gongqiang.testing.urlwalk import all_routes
from tests.security.test_scope_walk import delete_everything_outside, normalise, param_values, text_of

pytestmark = pytest.mark.django_db


def test_county_user_walks_the_list_urls(client, personas, world):
    walk_rows(world)
    user = personas.county_a
    client.force_login(user)
    sentinels = [
        world.luozhuang_ent.name,
        world.luozhuang_ent.uscc,
        world.hedong_ent.name,
        world.hedong_ent.uscc,
    ]
    routes = [r for r in all_routes() if r.name.startswith("evaluation:list")]
    assert len(routes) >= 6

    urls, foreign_urls = [], []
    for route in routes:
        own, foreign = param_values(route, user, world)
        assert all(v is not None for v in own.values()), route.template
        urls.append(route.url(own))
        if route.params:
            assert all(v is not None for v in foreign.values()), route.template
            foreign_urls.append((route.url(own), route.url(foreign)))
    # a few filters, so that the filtered page and export are compared too
    urls += [
        "/evaluation/lists/?year=2022",
        "/evaluation/lists/entries/?status=listed&first_batch=1",
        "/evaluation/lists/entries/export.xlsx?year=2021&group=above_scale",
    ]

    before = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, f"{url} → {response.status_code}"
        snapshot = normalise(response)
        leaked = [s for s in sentinels if s in text_of(snapshot)]
        assert not leaked, f"{url} shows another county's data: {leaked}"
        before[url] = (response.status_code, snapshot)
    assert before["/evaluation/lists/"][0] == 200

    for own_url, url in foreign_urls:
        response = client.get(url)
        if before[own_url][0] in (403, 405):
            assert response.status_code == before[own_url][0], url
        else:
            assert response.status_code == 404, url
        assert not [s for s in sentinels if s in text_of(normalise(response))]

    assert delete_everything_outside(user) > 0
    for url, (status, snapshot) in before.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert normalise(response) == snapshot, f"{url} changes when other counties' rows are deleted"
