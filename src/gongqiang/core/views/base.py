"""Base views: every list, detail and export reads through the model's scoped entry point.

Subclasses name a `model` and never build its queryset from `Model.objects` themselves; what a user
may not see is a 404, never a 403 that confirms the row exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.views.generic import DetailView, ListView, TemplateView

from ..navigation import roles_of


class MemberRequiredMixin(LoginRequiredMixin):
    """Signed in, and with at least one membership: without one a user sees nothing at all."""

    allowed_roles: frozenset[str] | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        roles = roles_of(request.user)
        if not roles:
            raise PermissionDenied("您的账号尚未分配数据范围，请联系系统管理员。")
        if self.allowed_roles is not None and not (roles & self.allowed_roles):
            raise PermissionDenied("您的角色无权访问此页面。")
        return super().dispatch(request, *args, **kwargs)


class ScopedQuerysetMixin:
    model: Any = None
    request: HttpRequest

    def base_queryset(self) -> QuerySet:
        """Hook for select_related/annotations; must start from the scoped entry point."""
        return self.model.objects.visible_to(self.request.user)

    def get_queryset(self) -> QuerySet:
        return self.base_queryset()


class Breadcrumbs:
    breadcrumbs: tuple[tuple[str, str | None], ...] = ()

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        return list(self.breadcrumbs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["breadcrumbs"] = self.get_breadcrumbs()
        return context


class ScopedListView(MemberRequiredMixin, ScopedQuerysetMixin, Breadcrumbs, ListView):
    paginate_by = 50

    def get_paginate_by(self, queryset: QuerySet) -> int:
        try:
            size = int(self.request.GET.get("per_page", self.paginate_by))
        except ValueError:
            size = self.paginate_by
        return max(10, min(size, 200))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        return context


class ScopedDetailView(MemberRequiredMixin, ScopedQuerysetMixin, Breadcrumbs, DetailView):
    pass


class MemberTemplateView(MemberRequiredMixin, Breadcrumbs, TemplateView):
    pass


class ScopedWriteMixin(MemberRequiredMixin, Breadcrumbs):
    """Create/update through `save_scoped`: the row is rechecked inside the transaction, and a row that
    would land outside the user's scope is refused with a message on the form, nothing saved."""

    model: Any = None
    success_message = "已保存。"

    def get_queryset(self) -> QuerySet:
        # Only rows the user may write can be opened for editing; others are a 404.
        return self.model.objects.writable_by(self.request.user)

    def form_valid(self, form):
        from django.contrib import messages
        from django.http import HttpResponseRedirect

        from ..scope import ScopeViolation, save_scoped

        obj = form.save(commit=False)
        try:
            save_scoped(obj, self.request.user)
        except ScopeViolation as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        form.save_m2m()
        self.object = obj
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())
