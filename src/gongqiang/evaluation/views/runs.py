"""Runs: the list per year, starting a run, its detail with the workflow, county confirmation, charts and
the unit ranking. Every figure about enterprises is read through `Result.objects.visible_to(user)`."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Avg, Count, Q
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from gongqiang.core.models import Region
from gongqiang.core.views.base import MemberRequiredMixin, MemberTemplateView
from gongqiang.enterprises.services.reconciliation import unresolved_blockers

from ..compute import workflow
from ..models import EvaluationRun, Result, RunKind, RunStatus, UnitReview
from ..services import runs as run_service
from ..services.methods import MethodError
from .common import (
    CITY,
    CLASS_COLOURS,
    CLASSES,
    STAFF,
    county_region_ids,
    industry_names,
    is_city,
    run_or_404,
)

UNIT_KINDS = ("district", "county", "zone")


def class_counts(user: Any, run_ids: list[int]) -> dict[int, dict[str, int]]:
    """{run id: {"n": results, "A": …, "low": …}} over the results the user may see."""
    rows = (
        Result.objects.visible_to(user).filter(run_id__in=run_ids).values("run_id")
        .annotate(n=Count("id"), low=Count("id", filter=Q(low_efficiency=True)),
                  **{c: Count("id", filter=Q(final_class=c)) for c in CLASSES})
    )
    return {r.pop("run_id"): r for r in rows}


class RunListView(MemberTemplateView):
    template_name = "evaluation/run_list.html"
    allowed_roles = STAFF
    breadcrumbs = (("亩产效益评价", None), ("评价批次", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        runs = list(EvaluationRun.objects.visible_to(user).select_related("method").order_by("-year", "kind", "-version"))
        counts = class_counts(user, [r.pk for r in runs])
        years: dict[int, list] = defaultdict(list)
        for r in runs:
            r.counts = counts.get(r.pk, {"n": 0, "low": 0})
            r.cells = [r.counts.get(c, 0) for c in CLASSES]
            years[r.year].append(r)
        context.update(years=sorted(years.items(), reverse=True), can_start=is_city(user), classes=CLASSES[:4])
        return context


class RunStartView(MemberTemplateView):
    template_name = "evaluation/run_start.html"
    allowed_roles = CITY
    breadcrumbs = (("亩产效益评价", None), ("评价批次", "evaluation:runs"), ("发起评价", None))

    def _year(self, value: Any) -> int:
        this = timezone.localdate().year
        try:
            year = int(value)
        except (TypeError, ValueError):
            return this - 1
        return year if 2000 <= year <= this else this - 1

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        this = timezone.localdate().year
        year = kwargs.get("year") or self._year(self.request.GET.get("year"))
        context.update(
            year=year,
            year_choices=list(range(this, 2019, -1)),
            blockers=unresolved_blockers(year),
            existing=EvaluationRun.objects.visible_to(self.request.user).filter(year=year, kind=RunKind.OFFICIAL)
            .order_by("-version").first(),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        year = self._year(request.POST.get("year"))
        reason = request.POST.get("reason", "").strip()
        waiver = request.POST.get("waiver_reason", "").strip()
        try:
            run = run_service.start_run(year, request.user, waiver_reason=waiver, reason=reason)
        except (run_service.RunRefused, MethodError) as exc:
            context = self.get_context_data(year=year)
            context.update(error=str(exc), reason=reason, waiver_reason=waiver)
            return render(request, self.template_name, context, status=200)
        messages.success(request, f"已发起{run}，当前为“企业自查”阶段。")
        return HttpResponseRedirect(reverse("evaluation:run-detail", args=[run.pk]))


def available_actions(run: EvaluationRun) -> list[tuple[str, str]]:
    out = []
    for key, (source, _target, _role) in workflow.STEPS.items():
        if source != run.status:
            continue
        action = "discard" if key.startswith("discard_") else key
        if run.kind != RunKind.OFFICIAL and action != "discard":
            continue
        out.append((action, workflow.ACTION_NAMES.get(action, action)))
    return out


def charts(user: Any, run: EvaluationRun) -> dict[str, Any]:
    visible = Result.objects.visible_to(user).filter(run=run)
    by_unit: dict[tuple[str, str], dict[str, int]] = {}
    for r in visible.values("region__path", "region__name", "final_class").annotate(n=Count("id")):
        by_unit.setdefault((r["region__path"], r["region__name"]), {})[r["final_class"] or "—"] = r["n"]
    units = sorted(by_unit)
    names = industry_names()
    by_ind: dict[str, dict[str, int]] = {}
    for r in visible.annotate(div=Substr("industry_code", 1, 2)).values("div", "final_class").annotate(n=Count("id")):
        by_ind.setdefault(r["div"] or "", {})[r["final_class"] or "—"] = r["n"]
    divisions = sorted(by_ind, key=lambda d: -sum(by_ind[d].get(c, 0) for c in "ABCD"))[:20]

    def stacked(categories: list[str], data: list[dict[str, int]], horizontal: bool) -> dict[str, Any]:
        cat_axis = {"type": "category", "data": categories, "axisLabel": {"interval": 0}}
        if horizontal:
            cat_axis["inverse"] = True
        else:
            cat_axis["axisLabel"]["rotate"] = 30
        return {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "legend": {"top": 0},
            "grid": {"left": 150 if horizontal else 50, "right": 20, "top": 30, "bottom": 70 if not horizontal else 20},
            "xAxis": {"type": "value", "name": "家"} if horizontal else cat_axis,
            "yAxis": cat_axis if horizontal else {"type": "value", "name": "家"},
            "series": [
                {"name": f"{c}类", "type": "bar", "stack": "total", "itemStyle": {"color": CLASS_COLOURS[c]},
                 "data": [d.get(c, 0) for d in data]}
                for c in CLASSES
            ],
        }

    return {
        "unit": stacked([u[1] for u in units], [by_unit[u] for u in units], False) if units else None,
        "industry": stacked([f"{d} {names.get(d, '')}".strip() for d in divisions], [by_ind[d] for d in divisions],
                            True) if divisions else None,
    }


def unit_ranking(user: Any, run: EvaluationRun) -> list[dict[str, Any]]:
    """Units by share of A+B among their evaluated enterprises, then mean total (visible rows only)."""
    rows = (
        Result.objects.visible_to(user).filter(run=run, status="evaluated")
        .values("region__code", "region__name")
        .annotate(n=Count("id"), ab=Count("id", filter=Q(final_class__in=["A", "B"])),
                  d=Count("id", filter=Q(final_class="D")), mean=Avg("total"),
                  low=Count("id", filter=Q(low_efficiency=True)))
    )
    out = []
    for r in rows:
        share = Decimal(r["ab"] * 100) / r["n"] if r["n"] else Decimal(0)
        mean = Decimal(str(r["mean"])) if r["mean"] is not None else None
        out.append({**r, "share": share, "mean": mean})
    out.sort(key=lambda r: (-r["share"], -(r["mean"] or Decimal(0)), r["region__code"]))
    for n, r in enumerate(out, 1):
        r["rank"] = n
    return out


class RunDetailView(MemberTemplateView):
    model = EvaluationRun  # public rows: the scope walk opens an own run
    template_name = "evaluation/run_detail.html"
    allowed_roles = STAFF

    def get_breadcrumbs(self):
        return [("亩产效益评价", None), ("评价批次", "evaluation:runs"), (str(self.run), None)]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.run = run_or_404(request.user, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, run = self.request.user, self.run
        city = is_city(user)
        counts = class_counts(user, [run.pk]).get(run.pk, {"n": 0, "low": 0})
        own_units = county_region_ids(user)
        reviews = UnitReview.objects.visible_to(user).filter(run=run).select_related("region").order_by("region__path")
        if city:
            pending = run_service.pending_reviews(run)
        else:
            # a county sees the state of its own units only
            done = {r.region_id for r in reviews}
            pending = list(
                Region.objects.visible_to(user).filter(pk__in=own_units, kind__in=UNIT_KINDS).exclude(pk__in=done)
            )
        can_confirm = run.status == RunStatus.COUNTY_REVIEW and (city or bool(own_units))
        context.update(
            run=run,
            city=city,
            counts=counts,
            class_cells=[(c, counts.get(c, 0)) for c in CLASSES],
            actions=available_actions(run) if city else [],
            reviews=reviews,
            pending=pending,
            can_confirm=can_confirm,
            charts=charts(user, run),
            ranking=unit_ranking(user, run),
            status_names=workflow.STATUS_NAMES,
            flow=[("draft", "企业自查"), ("county_review", "县区审核"), ("city_approval", "市级审定"),
                  ("public_notice", "公示"), ("published", "发布")],
        )
        return context


class RunStepView(MemberRequiredMixin, View):
    model = EvaluationRun  # public rows: the scope walk opens an own run
    allowed_roles = CITY
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = run_or_404(request.user, pk)
        action = request.POST.get("action", "")
        try:
            run = run_service.step(run, action, request.user, note=request.POST.get("note", ""))
        except run_service.RunRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已{workflow.ACTION_NAMES.get(action, action)}：现为“{run.get_status_display()}”。")
        return HttpResponseRedirect(reverse("evaluation:run-detail", args=[run.pk]))


class RunConfirmView(MemberRequiredMixin, View):
    """A county confirms its own unit during county review (the city may confirm for any unit)."""
    model = EvaluationRun  # public rows: the scope walk opens an own run

    allowed_roles = frozenset({"admin", "city", "county"})
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = run_or_404(request.user, pk)
        user = request.user
        allowed = Region.objects.visible_to(user).filter(kind__in=UNIT_KINDS)
        if not is_city(user):
            allowed = allowed.filter(pk__in=county_region_ids(user))
        region = allowed.filter(code=request.POST.get("region", "")).first()
        if region is None:
            messages.error(request, "请选择本县区（功能区）后再确认。")
        else:
            try:
                run_service.confirm_unit(run, region, user, request.POST.get("comment", "").strip())
            except run_service.RunRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"{region.name}已确认评价结果。")
        return HttpResponseRedirect(reverse("evaluation:run-detail", args=[run.pk]))
