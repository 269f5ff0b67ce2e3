"""The audit trail: a ChangeRecord per create/update/delete, AuthEvents for logins, and the admin pages.

Nothing here is database specific: the suite also runs with DATABASE_URL pointing at PostgreSQL.
"""

import datetime as dt
import decimal
import json
import re
import uuid
from types import SimpleNamespace

import pytest
from django.db import models
from django.db.models import F
from django.utils import timezone

from gongqiang.core.audit import audit_context, snapshot
from gongqiang.core.models import ApiToken, AuthEvent, ChangeRecord, Department, User
from gongqiang.enterprises.models import Enterprise
from gongqiang.testing.factories import PASSWORD, EnterpriseFactory, region

pytestmark = pytest.mark.django_db

ENT = "enterprises.Enterprise"


def records(label: str, object_id) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(model_label=label, object_id=str(object_id)).order_by("id"))


def dumped(record: ChangeRecord) -> str:
    return json.dumps(record.before, ensure_ascii=False) + json.dumps(record.after, ensure_ascii=False)


# --- change records -------------------------------------------------------------------------------


def test_create_update_delete_are_recorded_with_user_and_request_id(personas):
    user = personas.county_a
    with audit_context(user=user, request_id="req-create-0001"):
        ent = EnterpriseFactory(region=region("371302"), name="审计测试木业有限公司", industry_code="2021")
    pk, uscc = ent.pk, ent.uscc
    with audit_context(user=user, request_id="req-update-0002"):
        ent.name = "审计测试木业（更名）有限公司"
        ent.save()
    with audit_context(user=user, request_id="req-delete-0003"):
        ent.delete()

    create, update, delete = records(ENT, pk)
    assert [r.action for r in (create, update, delete)] == ["create", "update", "delete"]
    assert [r.request_id for r in (create, update, delete)] == ["req-create-0001", "req-update-0002", "req-delete-0003"]
    for r in (create, update, delete):
        assert r.model_label == ENT
        assert r.object_id == str(pk)
        assert r.user == user
        assert r.user_name == "p-lanshan"

    assert create.before is None
    assert create.after["name"] == "审计测试木业有限公司"
    assert create.after["uscc"] == uscc
    assert create.after["region_id"] == region("371302").pk
    assert create.after["above_scale"] is True

    assert update.before["name"] == "审计测试木业有限公司"
    assert update.after["name"] == "审计测试木业（更名）有限公司"
    assert update.object_repr == "审计测试木业（更名）有限公司"
    changed = {name for name, _, _ in update.changed_fields()}
    assert "name" in changed and "uscc" not in changed

    assert delete.before["name"] == "审计测试木业（更名）有限公司"
    assert delete.before["uscc"] == uscc
    assert delete.after is None
    assert not Enterprise.objects.filter(pk=pk).exists()


def test_changes_outside_a_request_are_attributed_to_system_or_the_named_actor(world):
    ent = EnterpriseFactory(region=region("371311"), name="无上下文企业")
    with audit_context(actor_name="system:demo") as rid:
        other = EnterpriseFactory(region=region("371311"), name="演示数据企业")

    (plain,) = records(ENT, ent.pk)
    assert plain.user is None and plain.user_name == "system" and plain.request_id == ""
    (demo,) = records(ENT, other.pk)
    assert demo.user is None and demo.user_name == "system:demo"
    assert demo.request_id == rid and uuid.UUID(rid)


def test_api_token_issued_and_revoked_through_the_page_is_recorded(personas, login):
    client = login(personas.county_a)
    before = ChangeRecord.objects.filter(model_label="core.ApiToken").count()

    response = client.post("/account/api-tokens/", {"name": "指挥中心大屏"})
    assert response.status_code == 302
    token = ApiToken.objects.get(user=personas.county_a)
    key = re.search(r"gq_[A-Za-z0-9_\-]{20,}", client.get("/account/api-tokens/").content.decode()).group(0)
    assert ApiToken.hash_key(key) == token.digest

    created = ChangeRecord.objects.get(model_label="core.ApiToken", action="create")
    assert created.object_id == str(token.pk)
    assert created.request_id == response["X-Request-ID"]
    assert created.user == personas.county_a
    assert created.user_name == "p-lanshan"
    assert created.before is None
    assert created.after["name"] == "指挥中心大屏"
    assert created.after["prefix"] == token.prefix
    assert "digest" not in created.after
    assert token.digest not in dumped(created) and key not in dumped(created)

    response = client.post("/account/api-tokens/", {"revoke": token.pk})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    deleted = ChangeRecord.objects.get(model_label="core.ApiToken", action="delete")
    assert deleted.object_id == str(token.pk)
    assert deleted.request_id == response["X-Request-ID"]
    assert deleted.user_name == "p-lanshan"
    assert deleted.after is None and deleted.before["name"] == "指挥中心大屏"
    assert "digest" not in deleted.before
    assert token.digest not in dumped(deleted)
    assert ChangeRecord.objects.filter(model_label="core.ApiToken").count() == before + 2


def test_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced(personas, login):
    client = login(personas.city)
    response = client.post("/account/api-tokens/", {"name": "甲"}, HTTP_X_REQUEST_ID="proxy-0123456789ab")
    assert response["X-Request-ID"] == "proxy-0123456789ab"
    assert ChangeRecord.objects.get(model_label="core.ApiToken", action="create").request_id == "proxy-0123456789ab"

    response = client.post("/account/api-tokens/", {"name": "乙"}, HTTP_X_REQUEST_ID="x" * 80)
    rid = response["X-Request-ID"]
    assert rid != "x" * 80 and uuid.UUID(rid)
    token = ApiToken.objects.get(name="乙")
    (record,) = records("core.ApiToken", token.pk)
    assert record.request_id == rid


def test_refused_page_write_records_nothing(personas, login):
    client = login(personas.nobody)
    count = ChangeRecord.objects.count()
    response = client.post("/account/api-tokens/", {"name": "越权"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
    assert ChangeRecord.objects.count() == count


def test_decimal_and_date_values_serialise():
    def field(name: str, f: models.Field) -> models.Field:
        f.set_attributes_from_name(name)
        return f

    fields = [
        field("amount", models.DecimalField(max_digits=14, decimal_places=2)),
        field("day", models.DateField()),
        field("at", models.DateTimeField()),
        field("clock", models.TimeField()),
        field("ref", models.UUIDField()),
        field("password", models.CharField(max_length=128)),
        field("digest", models.CharField(max_length=64)),
    ]
    ref = uuid.UUID("12345678-1234-5678-1234-567812345678")
    at = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    row = SimpleNamespace(
        _meta=SimpleNamespace(concrete_fields=fields),
        amount=decimal.Decimal("1234.50"),
        day=dt.date(2026, 3, 1),
        at=at,
        clock=dt.time(8, 30),
        ref=ref,
        password="pbkdf2_sha256$secret",
        digest="abc123",
    )
    snap = snapshot(row)
    assert snap.pop("password").startswith("已设置（指纹 ")
    assert snap == {
        "amount": "1234.50",
        "day": "2026-03-01",
        "at": "2026-03-01T08:30:00+00:00",
        "clock": "08:30:00",
        "ref": str(ref),
    }
    assert json.loads(json.dumps(snap)) == snap

    snap = snapshot(row)
    record = ChangeRecord.objects.create(
        action="update", model_label="test.Row", object_id="1", object_repr="row", before=None, after=snap
    )
    record.refresh_from_db()
    assert record.after == snap


def test_datetimes_of_a_real_row_serialise_as_iso_text(world):
    with audit_context(actor_name="tests"):
        ent = EnterpriseFactory(name="时间序列化企业")
    (record,) = records(ENT, ent.pk)
    ent.refresh_from_db()
    assert isinstance(record.after["created_at"], str)
    assert dt.datetime.fromisoformat(record.after["created_at"]) == ent.created_at


def test_a_save_that_changes_nothing_records_nothing(world):
    ent = Enterprise.objects.get(pk=world.lanshan_ent.pk)
    dept = Department.objects.get(code="kjj")
    count = ChangeRecord.objects.count()

    ent.save()
    ent.name = ent.name
    ent.save()
    Enterprise.objects.get(pk=ent.pk).save()
    dept.save()
    assert ChangeRecord.objects.count() == count

    ent.industry_code = "2022"
    ent.save()
    assert ChangeRecord.objects.count() == count + 1
    (update,) = [r for r in records(ENT, ent.pk) if r.action == "update"]
    assert update.before["industry_code"] == "2021" and update.after["industry_code"] == "2022"


def test_passwords_never_appear_in_user_records(personas):
    with audit_context(user=personas.admin, request_id="req-user-00001"):
        user = User.objects.create_user("audit-pw", password="Secret@2026xyz", display_name="审计用户")
    first_hash = user.password
    with audit_context(user=personas.admin, request_id="req-user-00002"):
        user.set_password("Another@2026xyz")
        user.display_name = "审计用户（改）"
        user.save()
    with audit_context(user=personas.admin, request_id="req-user-00003"):
        user.set_password("Third@2026xyzw")
        user.save()

    trail = records("core.User", user.pk)
    assert [r.action for r in trail] == ["create", "update", "update"]
    # A password-only change still shows, as a changed fingerprint.
    assert trail[2].changed_fields() and trail[2].changed_fields()[0][0] == "password"
    assert trail[0].after["username"] == "audit-pw"
    assert trail[1].before["display_name"] == "审计用户" and trail[1].after["display_name"] == "审计用户（改）"
    for r in trail:
        for side in (r.before, r.after):
            assert side is None or side["password"].startswith("已设置（指纹 ")
        text = dumped(r)
        for secret in (first_hash, user.password, "Secret@2026xyz", "Another@2026xyz", "Third@2026xyzw", "pbkdf2"):
            assert secret not in text


def test_logging_in_does_not_copy_the_password_hash_into_the_trail(personas, client):
    response = client.post("/login/", {"username": "p-city", "password": PASSWORD})
    assert response.status_code == 302
    personas.city.refresh_from_db()
    for r in records("core.User", personas.city.pk):
        assert personas.city.password not in dumped(r)


# --- auth events ----------------------------------------------------------------------------------


def test_login_failed_login_and_logout_write_auth_events(personas, client):
    response = client.post("/login/", {"username": "p-city", "password": "wrong-password"}, HTTP_USER_AGENT="gq-test")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post("/login/", {"username": "p-city", "password": PASSWORD}, HTTP_USER_AGENT="gq-test")
    assert response.status_code == 302
    login_rid = response["X-Request-ID"]
    assert client.session["_auth_user_id"] == str(personas.city.pk)

    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    failed, ok, out = AuthEvent.objects.filter(username="p-city").order_by("id")
    assert (failed.kind, ok.kind, out.kind) == ("login_failed", "login", "logout")
    assert failed.user is None
    assert ok.user == personas.city and out.user == personas.city
    assert ok.request_id == login_rid
    assert failed.ip == "127.0.0.1" and failed.user_agent == "gq-test"


def test_failed_login_for_an_unknown_name_is_recorded(db, client):
    response = client.post("/login/", {"username": "no-such-user", "password": "whatever-123"})
    assert response.status_code == 200
    (event,) = AuthEvent.objects.filter(username="no-such-user")
    assert event.kind == "login_failed" and event.user is None


# --- admin pages ----------------------------------------------------------------------------------


@pytest.fixture
def trail(personas):
    with audit_context(user=personas.county_a, request_id="rid-lanshan-0001"):
        a = EnterpriseFactory(region=region("371302"), name="甲审计企业")
    with audit_context(user=personas.city, request_id="rid-city-0000002"):
        b = EnterpriseFactory(region=region("371311"), name="乙审计企业")
        b.name = "乙审计企业（更名）"
        b.save()
    # Move 甲's record into January 2025 (Asia/Shanghai noon), leave 乙's at now.
    old = timezone.make_aware(dt.datetime(2025, 1, 10, 12, 0))
    ChangeRecord.objects.filter(request_id="rid-lanshan-0001").update(time=old)
    return SimpleNamespace(a=a, b=b)


def listed(response) -> set[str]:
    return {r.object_repr for r in response.context["object_list"] if r.model_label == ENT}


def test_change_list_for_admin_with_filters(personas, login, trail):
    client = login(personas.admin)
    response = client.get("/admin/audit/changes/")
    assert response.status_code == 200
    assert "乙审计企业（更名）" in response.content.decode()  # newest first; 甲's is dated 2025

    response = client.get("/admin/audit/changes/", {"model": ENT})
    assert response.status_code == 200
    assert {r.model_label for r in response.context["object_list"]} == {ENT}
    html = response.content.decode()
    assert "甲审计企业" in html and "乙审计企业（更名）" in html

    response = client.get("/admin/audit/changes/", {"model": "core.ApiToken"})
    assert list(response.context["object_list"]) == []

    response = client.get("/admin/audit/changes/", {"action": "update"})
    updates = list(response.context["object_list"])
    assert updates and {r.action for r in updates} == {"update"}
    assert listed(response) == {"乙审计企业（更名）"}

    response = client.get("/admin/audit/changes/", {"user": "p-lanshan"})
    assert listed(response) == {"甲审计企业"}
    assert {r.user_name for r in response.context["object_list"]} == {"p-lanshan"}
    assert "乙审计企业" not in response.content.decode()

    response = client.get("/admin/audit/changes/", {"request_id": "rid-city-0000002"})
    found = list(response.context["object_list"])
    assert [(r.action, r.object_id) for r in found] == [("update", str(trail.b.pk)), ("create", str(trail.b.pk))]
    assert "甲审计企业" not in response.content.decode()

    response = client.get("/admin/audit/changes/", {"start": "2025-01-01", "end": "2025-01-31"})
    assert [r.request_id for r in response.context["object_list"]] == ["rid-lanshan-0001"]
    response = client.get("/admin/audit/changes/", {"start": "2025-01-11", "model": ENT})
    assert "甲审计企业" not in listed(response) and "乙审计企业（更名）" in listed(response)
    response = client.get("/admin/audit/changes/", {"end": "2025-01-10", "model": ENT})
    assert listed(response) == {"甲审计企业"}
    # A malformed date is ignored rather than an error.
    assert client.get("/admin/audit/changes/", {"start": "2025-13-45"}).status_code == 200


def test_change_detail_shows_before_and_after(personas, login, trail):
    update = ChangeRecord.objects.get(request_id="rid-city-0000002", action="update")
    response = login(personas.admin).get(f"/admin/audit/changes/{update.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["record"] == update
    assert "乙审计企业" in html and "乙审计企业（更名）" in html
    assert "rid-city-0000002" in html and "p-city" in html
    assert ("name", "乙审计企业", "乙审计企业（更名）") in update.changed_fields()
    assert login(personas.admin).get("/admin/audit/changes/999999/").status_code == 404


def test_login_events_page_for_admin_with_filters(personas, login, client):
    client.post("/login/", {"username": "p-lanshan", "password": "wrong-password"})
    client.post("/login/", {"username": "p-luozhuang", "password": PASSWORD})
    client.post("/logout/")
    AuthEvent.objects.filter(username="p-lanshan").update(time=F("time") - dt.timedelta(days=400))

    client = login(personas.admin)
    response = client.get("/admin/audit/logins/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "p-lanshan" in html and "p-luozhuang" in html

    response = client.get("/admin/audit/logins/", {"kind": "login_failed"})
    assert [(e.username, e.kind) for e in response.context["object_list"]] == [("p-lanshan", "login_failed")]

    response = client.get("/admin/audit/logins/", {"username": "luozhuang"})
    kinds = [e.kind for e in response.context["object_list"]]
    assert kinds == ["logout", "login"]
    assert "p-lanshan" not in response.content.decode()

    today = timezone.localdate().isoformat()
    response = client.get("/admin/audit/logins/", {"start": today, "username": "p-l"})
    assert {e.username for e in response.context["object_list"]} == {"p-luozhuang"}


@pytest.mark.parametrize("who", ["city", "leader", "dept", "county_a", "county_b", "ent_user", "nobody"])
def test_audit_pages_are_refused_to_everyone_but_admin(personas, login, trail, who):
    client = login(getattr(personas, who))
    record = ChangeRecord.objects.get(request_id="rid-city-0000002", action="update")
    count = ChangeRecord.objects.count()
    for url in ("/admin/audit/changes/", f"/admin/audit/changes/{record.pk}/", "/admin/audit/logins/"):
        response = client.get(url)
        assert response.status_code == 403, url
        html = response.content.decode()
        assert "乙审计企业" not in html and "rid-city" not in html
    assert ChangeRecord.objects.count() == count


def test_audit_pages_send_anonymous_users_to_login(trail, client):
    for url in ("/admin/audit/changes/", "/admin/audit/logins/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
