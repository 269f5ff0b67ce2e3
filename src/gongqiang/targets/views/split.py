"""Splitting one city target into county shares (city staff only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from gongqiang.core.scope import ScopeViolation
from gongqiang.core.views.base import MemberRequiredMixin

from ..models import Allocation
from ..services.access import target_or_404
from ..services.catalog import catalog
from ..services.splits import check_share, counties, save_shares


class SplitView(MemberRequiredMixin, View):
    allowed_roles = frozenset({"admin", "city"})

    def context(self, request: HttpRequest, target: str) -> dict[str, Any]:
        cat = catalog()
        info = target_or_404(request.user, cat, target)
        current = {a.region_id: a for a in Allocation.objects.writable_by(request.user).filter(target=info.id,
                                                                                              is_current=True)}
        rows = [{"region": r, "allocation": current.get(r.pk)} for r in counties()]
        return {"info": info, "spec": info.spec, "rows": rows, "errors": [],
                "breadcrumbs": [("目标与驾驶舱", None), ("驾驶舱", "targets:cockpit"), (info.spec.name, None),
                                ("分解到县区", None)]}

    def get(self, request: HttpRequest, target: str) -> HttpResponse:
        return render(request, "targets/split_form.html", self.context(request, target))

    def post(self, request: HttpRequest, target: str) -> HttpResponse:
        context = self.context(request, target)
        info, errors, shares = context["info"], [], {}
        for n, row in enumerate(context["rows"], start=1):
            region = row["region"]
            start, goal = request.POST.get(f"start-{region.code}", ""), request.POST.get(f"goal-{region.code}", "")
            row["start_input"], row["goal_input"] = start, goal
            if not start.strip() and not goal.strip():
                if row["allocation"] is not None:
                    shares[region] = (None, None)  # emptied: the share is withdrawn
                continue
            row_errors, s, g = check_share(info, start, goal, n)
            errors += [f"{region.name} {e.column}：{e.reason}" for e in row_errors]
            shares[region] = (s, g)
        if errors:
            context["errors"] = errors
            return render(request, "targets/split_form.html", context, status=400)
        try:
            n = save_shares(request.user, info, shares)
        except ScopeViolation as exc:
            context["errors"] = [str(exc)]
            return render(request, "targets/split_form.html", context, status=400)
        messages.success(request, f"分解已保存（更新 {n} 个县区）。")
        return HttpResponseRedirect(reverse("targets:detail", args=[info.id]))
