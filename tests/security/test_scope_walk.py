"""Walk every URL pattern (pages, API, exports) as a 兰山区 county user and prove that nothing of
another county leaks: no row, no count, no file.

Two proofs per URL:
1. sentinels: no response contains the name or USCC of an enterprise of 罗庄区 or 河东区;
2. invariance: every page the county user can open renders the same before and after all rows
   outside its scope are deleted. Whatever a page derives from foreign rows (a count, a sum, a
   chart, a line in a workbook) would change; so nothing it shows depends on them.
A URL with a parameter is opened with an own object (must work) and a foreign one (must 404).
New URLs are walked automatically; a new kind of URL parameter fails the test until it is taught
below how to pick an own and a foreign value.
"""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from django.apps import apps
from django.db.models import ProtectedError

from gongqiang.core.scope import ScopedManager
from gongqiang.testing.urlwalk import all_routes

pytestmark = pytest.mark.django_db

# Django's own admin site: it admits only is_staff users (system administrators); tested separately.
EXCLUDED_PREFIXES = ("django-admin/",)
# Endpoints that answer with something other than data (logout ends the session for the rest of the walk).
SKIPPED_NAMES = {"core:logout"}

VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
    re.compile(r'"X-CSRFToken": "[^"]+"'),
    re.compile(r'data-csrf-token="[^"]+"'),
    re.compile(r"导出时间 [0-9:\- ]+"),
]


def _own_and_foreign(model, user):
    visible = model.objects.visible_to(user)
    own = visible.order_by("pk").first()
    foreign = model.objects.exclude(pk__in=visible.values("pk")).order_by("pk").first()
    return own, foreign


def param_values(route, user, world):
    """(own values, foreign values) for the route's parameters; raise when we don't know a parameter."""
    own, foreign = {}, {}
    for name in route.params:
        model = getattr(route.view_class, "model", None) if route.view_class else None
        if name == "uscc":
            own[name], foreign[name] = world.lanshan_ent.uscc, world.luozhuang_ent.uscc
        elif name in ("source", "year"):
            # Import templates: the same public file for everyone (its county list is scoped): no foreign value.
            own[name], foreign[name] = {"source": "tax", "year": 2024}[name], None
        elif name == "target":
            # A policy target's id. Every county reads every target's city total, so there is no foreign
            # target; T4.1 is owned by 市科技局 (the department persona) and visible to every staff role.
            own[name], foreign[name] = "T4.1", None
        elif name == "run_id":
            # An evaluation run in the API: runs are the city's public acts (their results are scoped), so
            # there is no foreign run.
            from gongqiang.evaluation.models import EvaluationRun

            run = EvaluationRun.objects.visible_to(user).order_by("pk").first()
            own[name], foreign[name] = (run.pk if run else None), None
        elif name in ("pk", "id") and model is not None and isinstance(model._default_manager, ScopedManager):
            o, f = _own_and_foreign(model, user)
            own[name] = o.pk if o else None
            foreign[name] = f.pk if f else None
        elif name in ("pk", "id") and route.view_class is not None and getattr(route.view_class, "allowed_roles", None):
            # A page for system administrators only: a county user is refused before any lookup.
            own[name] = foreign[name] = 1
        else:
            raise AssertionError(
                f"URL {route.template} ({route.name}) has a parameter “{name}” that the scope walk cannot fill: "
                "teach tests/security/test_scope_walk.py::param_values how to pick an own and a foreign value."
            )
    return own, foreign


STAMP_LABEL = re.compile(r"^(生成|导出|打印|制表)(时间|日期)")
STAMP_TIME = re.compile(r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?[ T]*(\d{1,2}[:时]\d{2}(:\d{2})?分?)?")


def _stable_row(row: tuple[str, ...]) -> tuple[str, ...]:
    """A workbook row without the moment it was made ("生成时间 | 2026-11-25 20:52" may cross a minute)."""
    if row and STAMP_LABEL.match(row[0]):
        # the label may carry the time itself ("导出时间：2026-11-25 20:52" in one cell)
        return (STAMP_TIME.sub("", row[0]),) + ("",) * (len(row) - 1)
    return tuple(VOLATILE[3].sub("", c) for c in row)


def normalise(response) -> object:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        cells = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells.append(tuple("" if v is None else str(v) for v in row))
        return ("xlsx", [_stable_row(row) for row in cells])
    if "json" in content_type:
        return ("json", json.loads(body or b"null"))
    text = body.decode("utf-8", "replace")
    for pattern in VOLATILE:
        text = pattern.sub("", text)
    return ("text", text)


def text_of(snapshot) -> str:
    kind, value = snapshot
    return json.dumps(value, ensure_ascii=False) if kind != "text" else value


def delete_everything_outside(user) -> int:
    """Delete every scoped row the user cannot see, children first (PROTECT retried)."""
    from gongqiang.core.models import Department, PolicyPack

    models = [
        m for m in apps.get_models()
        if isinstance(m._default_manager, ScopedManager) and m not in (Department, PolicyPack)
    ]
    deleted = 0
    for _ in range(len(models) + 2):
        progress = False
        for model in models:
            foreign = model.objects.exclude(pk__in=model.objects.visible_to(user).values("pk"))
            try:
                n, _ = foreign.delete()
            except ProtectedError:
                continue
            if n:
                deleted += n
                progress = True
        if not progress:
            break
    return deleted


@pytest.fixture
def registry_rows(world):
    """Facts, batches, yearly rows, former names and parcels in both counties, so that every registry and
    import page has something of its own and something foreign to (not) show."""
    from decimal import Decimal

    from gongqiang.core.models import Department
    from gongqiang.enterprises.models import (
        BatchStatus,
        EnterpriseName,
        EnterpriseYear,
        Fact,
        ImportBatch,
        LandParcel,
    )
    from gongqiang.evaluation.models import ItemFlag
    from gongqiang.testing.evaluation_factories import walk_rows
    from gongqiang.testing.factories import region

    for ent, code in ((world.lanshan_ent, "371302"), (world.luozhuang_ent, "371311"), (world.hedong_ent, "371312")):
        batch = ImportBatch.objects.create(
            source="tax", department=Department.objects.get(code="sw"), region=region(code), year=2024,
            file_name=f"{ent.name}-税务.xlsx", file_hash="0" * 64, status=BatchStatus.COMMITTED,
            uploaded_by_name=f"{ent.name}经办人", counts={"rows": 1, "valid": 1},
        )
        Fact.objects.create(enterprise=ent, year=2024, metric="tax_paid", value=Decimal("1234567"), batch=batch)
        EnterpriseYear.objects.create(enterprise=ent, year=2024, region=region(code), above_scale=True)
        EnterpriseName.objects.create(enterprise=ent, name=f"{ent.name}（曾用名）", source="统计")
        LandParcel.objects.create(enterprise=ent, year=2024, certificate=f"{ent.uscc}-地", area_mu=Decimal("12.5"), batch=batch)
        ItemFlag.objects.create(enterprise=ent, year=2024, item="high_tech", evidence=f"{ent.name}认定文件")
    walk_rows(world)  # a published evaluation run, its results and a low-efficiency entry per county
    return world


def test_county_user_walks_every_url(client, personas, world, registry_rows):
    user = personas.county_a
    client.force_login(user)
    sentinels = [world.luozhuang_ent.name, world.luozhuang_ent.uscc, world.hedong_ent.name, world.hedong_ent.uscc,
                 world.luozhuang_town.name]
    routes = [r for r in all_routes() if not r.template.startswith(EXCLUDED_PREFIXES) and r.name not in SKIPPED_NAMES]
    assert len(routes) >= 15, "the walk found suspiciously few URLs"

    own_urls, foreign_urls = [], []
    for route in routes:
        own, foreign = param_values(route, user, world)
        if not route.params:
            own_urls.append(route.url({}))
            continue
        if all(v is not None for v in own.values()):
            own_urls.append(route.url(own))
        if all(v is not None for v in foreign.values()):
            foreign_urls.append((route, route.url(foreign)))

    before = {}
    for url in own_urls:
        response = client.get(url)
        assert response.status_code < 500, f"{url} → {response.status_code}"
        snapshot = normalise(response)
        leaked = [s for s in sentinels if s in text_of(snapshot)]
        assert not leaked, f"{url} shows another county's data: {leaked}"
        before[url] = (response.status_code, snapshot)

    for route, url in foreign_urls:
        response = client.get(url)
        own_status = before.get(route.url(param_values(route, user, world)[0]), (None,))[0]
        if own_status in (403, 405):
            # refused by role, or a POST-only action asked with GET: answered before any lookup, no leak
            assert response.status_code == own_status, url
        else:
            assert response.status_code == 404, f"{url} (another county's object) → {response.status_code}"
        leaked = [s for s in sentinels if s in text_of(normalise(response))]
        assert not leaked, f"{url} shows another county's data: {leaked}"

    assert delete_everything_outside(user) > 0

    for url, (status, snapshot) in before.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert normalise(response) == snapshot, f"{url} changes when other counties' rows are deleted: it leaks them"


def test_walk_covers_pages_api_and_exports():
    templates = {r.template for r in all_routes()}
    assert any(t.startswith("api/") for t in templates)
    assert any("export" in t for t in templates)
    assert "enterprises/<str:uscc>/" in templates


def test_django_admin_refuses_county_user(client, personas):
    client.force_login(personas.county_a)
    response = client.get("/django-admin/enterprises/enterprise/")
    assert response.status_code == 302 and "/django-admin/login/" in response["Location"]
