"""The JSON API: its schema and local docs, session and bearer-token auth, scoping, filters, paging."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from gongqiang.core.models import ApiToken
from gongqiang.enterprises.models import Enterprise
from gongqiang.testing.factories import EnterpriseFactory, region

pytestmark = pytest.mark.django_db

ALL_FOUR = {"兰山示范木业有限公司", "兰山小微五金厂", "罗庄哨兵不锈钢有限公司", "河东哨兵五金有限公司"}
LANSHAN = {"兰山示范木业有限公司", "兰山小微五金厂"}


def names(payload: dict) -> set[str]:
    return {item["name"] for item in payload["items"]}


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# --- schema and docs --------------------------------------------------------------------------------


def test_openapi_schema_lists_the_endpoints(db, client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/enterprises/" in schema["paths"]
    assert "/api/enterprises/{uscc}" in schema["paths"]
    assert "/api/me" in schema["paths"]
    assert "get" in schema["paths"]["/api/enterprises/"]


def test_docs_load_only_local_files(db, client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html.lower()
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html, flags=re.IGNORECASE)
    assert refs, "the docs page should load its scripts and styles"
    for ref in refs:
        assert not re.match(r"(?:https?:)?//", ref), ref
    assert not re.search(r"""(?:src|href)\s*=\s*["']\s*https?://""", html, flags=re.IGNORECASE)
    assert any(ref.startswith("/static/") and ref.endswith(".js") for ref in refs)


# --- session auth and scope -------------------------------------------------------------------------


def test_county_session_sees_only_its_enterprises(personas, world, login):
    client = login(personas.county_a)
    response = client.get("/api/enterprises/")
    assert response.status_code == 200
    payload = response.json()
    assert payload["count"] == 2
    assert names(payload) == LANSHAN
    assert {item["region_code"] for item in payload["items"]} == {"371302"}
    by_name = {item["name"]: item for item in payload["items"]}
    assert by_name["兰山示范木业有限公司"]["town_code"] == "371302001"
    assert by_name["兰山示范木业有限公司"]["uscc"] == world.lanshan_ent.uscc

    detail = client.get(f"/api/enterprises/{world.lanshan_ent.uscc}")
    assert detail.status_code == 200 and detail.json()["name"] == "兰山示范木业有限公司"
    # Lower case is normalised.
    assert client.get(f"/api/enterprises/{world.lanshan_ent.uscc.lower()}").status_code == 200

    outside = client.get(f"/api/enterprises/{world.luozhuang_ent.uscc}")
    assert outside.status_code == 404
    assert "罗庄" not in outside.content.decode()
    assert client.get("/api/enterprises/91371302MA00ZZZZZZ").status_code == 404


def test_city_session_sees_every_enterprise(personas, world, login):
    payload = login(personas.city).get("/api/enterprises/").json()
    assert payload["count"] == 4
    assert names(payload) == ALL_FOUR


def test_me_reports_the_memberships(personas, login):
    payload = login(personas.county_a).get("/api/me").json()
    assert payload["username"] == "p-lanshan"
    assert [(m["role"], m["region"]) for m in payload["memberships"]] == [("county", "371302")]


@pytest.mark.parametrize("who", ["nobody", "anonymous"])
def test_no_membership_and_anonymous_get_401(personas, world, client, who):
    if who == "nobody":
        client.force_login(personas.nobody)
    for url in ("/api/enterprises/", f"/api/enterprises/{world.lanshan_ent.uscc}", "/api/me", "/api/regions"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert "兰山" not in response.content.decode()


# --- token auth -------------------------------------------------------------------------------------


def test_issue_returns_the_token_and_stores_only_the_digest(personas):
    token, key = ApiToken.issue(personas.county_a, "大屏")
    assert isinstance(token, ApiToken) and token.pk
    assert token.user == personas.county_a and token.name == "大屏"
    assert key.startswith("gq_") and len(key) > 30
    assert token.prefix == key[:8]
    assert token.digest == ApiToken.hash_key(key) and token.digest != key

    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(v) for v in stored.values()}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        rows = cursor.fetchall()
    assert rows and not any(key in str(value) for row in rows for value in row)


def test_bearer_token_works_without_a_session_and_is_scoped(personas, world):
    _, key = ApiToken.issue(personas.county_a, "大屏")
    client = Client()
    response = client.get("/api/enterprises/", **bearer(key))
    assert response.status_code == 200
    payload = response.json()
    assert payload["count"] == 2 and names(payload) == LANSHAN
    assert client.get(f"/api/enterprises/{world.luozhuang_ent.uscc}", **bearer(key)).status_code == 404
    assert client.get(f"/api/enterprises/{world.lanshan_ent.uscc}", **bearer(key)).status_code == 200
    assert client.get("/api/me", **bearer(key)).json()["username"] == "p-lanshan"
    # Nothing was signed in: the same client without the header is anonymous.
    assert "_auth_user_id" not in client.session
    assert client.get("/api/enterprises/").status_code == 401


def test_city_token_sees_everything(personas, world):
    _, key = ApiToken.issue(personas.city, "指挥中心")
    payload = Client().get("/api/enterprises/", **bearer(key)).json()
    assert payload["count"] == 4 and names(payload) == ALL_FOUR


def test_last_used_at_is_set_after_use(personas, world):
    token, key = ApiToken.issue(personas.county_a, "大屏")
    assert token.last_used_at is None
    before = timezone.now()
    assert Client().get("/api/me", **bearer(key)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at >= before - dt.timedelta(seconds=1)


def test_wrong_token_gets_401(personas, world):
    token, key = ApiToken.issue(personas.county_a, "大屏")
    client = Client()
    for wrong in (key + "x", key[:-1], "gq_" + "A" * 43, token.digest, "", token.prefix):
        response = client.get("/api/enterprises/", HTTP_AUTHORIZATION=f"Bearer {wrong}")
        assert response.status_code == 401, wrong
    assert client.get("/api/enterprises/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is None


def test_revoked_token_gets_401(personas, world):
    token, key = ApiToken.issue(personas.county_a, "大屏")
    client = Client()
    assert client.get("/api/me", **bearer(key)).status_code == 200
    token.delete()
    response = client.get("/api/enterprises/", **bearer(key))
    assert response.status_code == 401
    assert "兰山" not in response.content.decode()


def test_revoking_through_the_page_disables_the_token(personas, world, login):
    token, key = ApiToken.issue(personas.county_a, "大屏")
    page = login(personas.county_a)
    assert page.post("/account/api-tokens/", {"revoke": token.pk}).status_code == 302
    assert Client().get("/api/me", **bearer(key)).status_code == 401


def test_expired_token_gets_401(personas, world):
    token, key = ApiToken.issue(personas.county_a, "大屏")
    token.expires_at = timezone.now() - dt.timedelta(minutes=1)
    token.save()
    assert Client().get("/api/enterprises/", **bearer(key)).status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is None

    token.expires_at = timezone.now() + dt.timedelta(days=1)
    token.save()
    assert Client().get("/api/enterprises/", **bearer(key)).status_code == 200


def test_token_of_an_inactive_or_unassigned_user_gets_401(personas, world):
    _, nobody_key = ApiToken.issue(personas.nobody, "无授权")
    assert Client().get("/api/me", **bearer(nobody_key)).status_code == 401

    _, key = ApiToken.issue(personas.county_a, "大屏")
    personas.county_a.is_active = False
    personas.county_a.save()
    assert Client().get("/api/me", **bearer(key)).status_code == 401


# --- filters and paging -----------------------------------------------------------------------------


def test_filters_work_and_stay_scoped(personas, world, login):
    city = login(personas.city)
    payload = city.get("/api/enterprises/", {"scale": "above", "q": "哨兵"}).json()
    assert names(payload) == {"罗庄哨兵不锈钢有限公司", "河东哨兵五金有限公司"} and payload["count"] == 2
    payload = city.get("/api/enterprises/", {"scale": "below"}).json()
    assert names(payload) == {"兰山小微五金厂"}
    payload = city.get("/api/enterprises/", {"q": world.luozhuang_ent.uscc[:12]}).json()
    assert names(payload) == {"罗庄哨兵不锈钢有限公司"}
    payload = city.get("/api/enterprises/", {"region": "371311"}).json()
    assert names(payload) == {"罗庄哨兵不锈钢有限公司"}
    payload = city.get("/api/enterprises/", {"industry": "33"}).json()
    assert names(payload) == {"兰山小微五金厂", "河东哨兵五金有限公司"}

    _, key = ApiToken.issue(personas.county_a, "大屏")
    client = Client()
    payload = client.get("/api/enterprises/", {"scale": "above", "q": "兰山"}, **bearer(key)).json()
    assert names(payload) == {"兰山示范木业有限公司"} and payload["count"] == 1
    # A filter naming another county returns nothing rather than widening the scope.
    payload = client.get("/api/enterprises/", {"scale": "above", "q": "哨兵"}, **bearer(key)).json()
    assert payload == {"items": [], "count": 0}
    payload = client.get("/api/enterprises/", {"region": "371311"}, **bearer(key)).json()
    assert payload == {"items": [], "count": 0}


def test_pagination_returns_items_and_count(personas, world, login):
    for i in range(55):
        EnterpriseFactory(region=region("371302"), name=f"兰山分页企业{i:02d}")
    EnterpriseFactory.create_batch(3, region=region("371311"))
    client = login(personas.county_a)

    first = client.get("/api/enterprises/").json()
    assert set(first) == {"items", "count"}
    assert first["count"] == 57 == Enterprise.objects.visible_to(personas.county_a).count()
    assert len(first["items"]) == 50

    second = client.get("/api/enterprises/", {"page": 2}).json()
    assert second["count"] == 57 and len(second["items"]) == 7
    seen = [item["uscc"] for item in first["items"] + second["items"]]
    assert len(set(seen)) == 57
    assert {item["region_code"] for item in first["items"] + second["items"]} == {"371302"}

    filtered = client.get("/api/enterprises/", {"q": "分页", "page": 2}).json()
    assert filtered["count"] == 55 and len(filtered["items"]) == 5
