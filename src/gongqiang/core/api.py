"""The JSON API (django-ninja) under /api/: session or bearer-token auth, every read scoped.

Routers of the other apps are mounted here; each reads through `Model.objects.visible_to(user)`
via `scoped()` / `get_scoped_or_404()`, so an out-of-scope object answers 404 as in the pages.
"""


from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken, Department, Region
from .navigation import roles_of
from .scope import memberships_of
from .services.policy import active_pack


class MemberSessionAuth(SessionAuth):
    """Django session (with CSRF on unsafe methods); only users with a membership get through."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user and roles_of(user) else None


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # scope: reviewed — a token is looked up by its digest before any user exists for the request.
        row = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash_key(token)).first()
        if row is None or not row.user.is_active:
            return None
        if row.expires_at and row.expires_at < timezone.now():
            return None
        if not roles_of(row.user):
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())  # scope: reviewed — own token
        request.user = row.user
        return row.user


api = NinjaAPI(
    title="工强 gongqiang API",
    version="1",
    description="临沂市先进工业强市（工业振兴“十个一批”）信息系统的数据接口。所有数据按用户的数据范围过滤。",
    # Token first: a bearer client has no session and must not be refused by the session's CSRF check.
    auth=[TokenAuth(), MemberSessionAuth()],
    urls_namespace="api",
)


def scoped(model: type[Model], request: HttpRequest) -> QuerySet:
    return model.objects.visible_to(request.auth)


def get_scoped_or_404(model: type[Model], request: HttpRequest, **lookup: Any) -> Any:
    obj = scoped(model, request).filter(**lookup).first()
    if obj is None:
        raise Http404("未找到，或不在您的数据范围内。")
    return obj


class MembershipOut(Schema):
    role: str
    role_name: str
    region: str | None
    department: str | None
    enterprise: str | None


class MeOut(Schema):
    username: str
    display_name: str
    memberships: list[MembershipOut]


class RegionOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None


class DepartmentOut(Schema):
    code: str
    name: str
    short_name: str


class PolicyPackOut(Schema):
    code: str
    version: str
    title: str
    content_hash: str
    loaded_at: str


@api.get("/me", response=MeOut, tags=["基础"], summary="当前用户及其数据范围")
def me(request: HttpRequest) -> dict:
    user = request.auth
    return {
        "username": user.username,
        "display_name": user.display_name,
        "memberships": [
            {
                "role": m.role,
                "role_name": m.get_role_display(),
                "region": m.region.code if m.region_id else None,
                "department": m.department.code if m.department_id else None,
                "enterprise": m.enterprise.uscc if m.enterprise_id else None,
            }
            for m in memberships_of(user)
        ],
    }


@api.get("/regions", response=list[RegionOut], tags=["基础"], summary="可见区域")
def regions(request: HttpRequest) -> list[dict]:
    return [
        {"code": r.code, "name": r.name, "kind": r.kind, "parent_code": r.parent.code if r.parent_id else None}
        for r in scoped(Region, request).select_related("parent")
    ]


@api.get("/departments", response=list[DepartmentOut], tags=["基础"], summary="部门")
def departments(request: HttpRequest) -> QuerySet:
    return scoped(Department, request)


@api.get("/policy", response=PolicyPackOut, tags=["政策包"], summary="当前生效的政策包")
def policy(request: HttpRequest) -> dict:
    pack = active_pack()
    if pack is None:
        raise Http404("尚未加载政策包。")
    return {
        "code": pack.code,
        "version": pack.version,
        "title": pack.title,
        "content_hash": pack.content_hash,
        "loaded_at": pack.loaded_at.isoformat(),
    }
