"""System administration pages: users and memberships, the audit trail, login events, API tokens."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView

from ..models import ApiToken, AuthEvent, ChangeRecord, User
from ..models.audit import AuthEventKind, ChangeAction
from .base import Breadcrumbs, MemberRequiredMixin

ADMIN_ONLY = frozenset({"admin"})


def _date(value: str, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def _in_period(qs: QuerySet, params: Any) -> QuerySet:
    """Rows whose `time` falls between the `start` and `end` dates (inclusive) of the query string."""
    if start := _date(params.get("start", "")):
        qs = qs.filter(time__gte=start)
    if end := _date(params.get("end", ""), end=True):
        qs = qs.filter(time__lte=end)
    return qs


class AdminListView(MemberRequiredMixin, Breadcrumbs, ListView):
    allowed_roles = ADMIN_ONLY
    paginate_by = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        context["filters"] = self.request.GET
        return context


class UserListView(AdminListView):
    template_name = "core/user_list.html"
    breadcrumbs = (("系统管理", None), ("用户与授权", None))

    def get_queryset(self) -> QuerySet:
        # scope: reviewed — users are administered city-wide by system administrators only.
        qs = User.objects.prefetch_related("memberships__region", "memberships__department", "memberships__enterprise")
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(username__icontains=q) | qs.filter(display_name__icontains=q)
        return qs.order_by("username")


class ChangeRecordListView(AdminListView):
    template_name = "core/audit_changes.html"
    breadcrumbs = (("系统管理", None), ("变更记录", None))

    def get_queryset(self) -> QuerySet:
        # scope: reviewed — the audit trail is for system administrators, city-wide by design.
        qs = ChangeRecord.objects.all()
        g = self.request.GET
        if g.get("model"):
            qs = qs.filter(model_label=g["model"])
        if g.get("action") in ChangeAction.values:
            qs = qs.filter(action=g["action"])
        if g.get("user"):
            qs = qs.filter(user_name__icontains=g["user"].strip())
        if g.get("request_id"):
            qs = qs.filter(request_id=g["request_id"].strip())
        if g.get("object_id"):
            qs = qs.filter(object_id=g["object_id"].strip())
        return _in_period(qs, g)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # scope: reviewed — admin only (see get_queryset).
        context["models"] = ChangeRecord.objects.order_by("model_label").values_list("model_label", flat=True).distinct()
        context["actions"] = ChangeAction.choices
        return context


class ChangeRecordDetailView(MemberRequiredMixin, Breadcrumbs, DetailView):
    allowed_roles = ADMIN_ONLY
    template_name = "core/audit_change_detail.html"
    queryset = ChangeRecord.objects.all()  # scope: reviewed — admin only
    context_object_name = "record"

    def get_breadcrumbs(self):
        return [("系统管理", None), ("变更记录", "core:audit-changes"), (f"#{self.object.pk}", None)]


class AuthEventListView(AdminListView):
    template_name = "core/audit_logins.html"
    breadcrumbs = (("系统管理", None), ("登录记录", None))

    def get_queryset(self) -> QuerySet:
        qs = AuthEvent.objects.all()  # scope: reviewed — admin only
        g = self.request.GET
        if g.get("kind") in AuthEventKind.values:
            qs = qs.filter(kind=g["kind"])
        if g.get("username"):
            qs = qs.filter(username__icontains=g["username"].strip())
        return _in_period(qs, g)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = AuthEventKind.choices
        return context


class ApiTokenView(MemberRequiredMixin, Breadcrumbs, ListView):
    """A user's own API tokens: list, issue (the key is shown once), revoke."""

    template_name = "core/api_tokens.html"
    breadcrumbs = (("系统管理", None), ("API 令牌", None))

    def get_queryset(self) -> QuerySet:
        return self.request.user.api_tokens.order_by("-created_at")

    def post(self, request: HttpRequest) -> HttpResponse:
        if "revoke" in request.POST:
            token = get_object_or_404(request.user.api_tokens, pk=request.POST.get("revoke"))
            token.delete()
            messages.success(request, f"已吊销令牌“{token.name}”。")
            return HttpResponseRedirect(reverse("core:api-tokens"))
        name = (request.POST.get("name") or "").strip()[:60]
        if not name:
            messages.error(request, "请填写令牌用途。")
            return HttpResponseRedirect(reverse("core:api-tokens"))
        _, key = ApiToken.issue(request.user, name)
        messages.warning(request, f"新令牌（只显示这一次，请立即保存）：{key}")
        return HttpResponseRedirect(reverse("core:api-tokens"))


class HealthView(View):
    """For the load balancer: the process is up and the database answers."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return HttpResponse("ok", content_type="text/plain")
