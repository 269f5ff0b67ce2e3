"""The diff page: which enterprises changed class between a run and its base, and why (scoped)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator

from gongqiang.core.views.base import MemberTemplateView

from ..models import EvaluationRun
from ..services.diff import KIND_LABELS, diff_runs
from .common import STAFF, metric_names, run_or_404


class RunDiffView(MemberTemplateView):
    model = EvaluationRun  # public rows: the scope walk opens an own run
    template_name = "evaluation/run_diff.html"
    allowed_roles = STAFF

    def get(self, request, *args: Any, **kwargs: Any):
        self.run = run_or_404(request.user, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [("亩产效益评价", None), ("评价批次", "evaluation:runs"), (str(self.run), None), ("版本比较", None)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        diff = diff_runs(self.run, self.request.user, names=metric_names())
        kind = self.request.GET.get("kind", "")
        changes = [c for c in diff.changes if kind in c.kinds] if kind in KIND_LABELS else diff.changes
        page = Paginator(changes, 100).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            run=self.run, diff=diff, page_obj=page, changes=page.object_list, kind=kind if kind in KIND_LABELS else "",
            kinds=[(k, KIND_LABELS[k], diff.kind_counts.get(k, 0)) for k in KIND_LABELS if diff.kind_counts.get(k)],
            querystring=query.urlencode(), paginator=page.paginator, is_paginated=page.has_other_pages(),
        )
        return context
