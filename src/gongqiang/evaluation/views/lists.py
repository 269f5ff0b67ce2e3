"""The low-efficiency lists of task one: the overview of the T1 figures, the entries, one entry with its
history and status form, manual addition, and the city's 'recompute the observations' button.

Every figure is computed from `LowEfficiencyEntry.objects.visible_to(user)` and
`Result.objects.visible_to(user)`: a county user's page depends on its own rows only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views import View

from gongqiang.core.models import Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS
from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import ScopeViolation
from gongqiang.core.services.policy import active_spec
from gongqiang.core.views.base import (
    MemberRequiredMixin,
    MemberTemplateView,
    ScopedDetailView,
    ScopedListView,
)
from gongqiang.enterprises.models import Enterprise
from gongqiang.lib.http import attachment

from ..compute import lists as pure
from ..documents_lists import entries_workbook
from ..forms_lists import EntryFilter, ManualAddForm, StatusForm
from ..models import (
    EvaluationRun,
    ListEvent,
    ListStatus,
    LowEfficiencyEntry,
    Result,
    RunKind,
    RunStatus,
)
from ..services import lists as svc
from ..services.methods import MethodError, section

STAFF = frozenset({"admin", "city", "leader", "department", "county"})
# Who follows entries to an outcome: the city everywhere, a county in its own area (the scope decides
# which rows). Departments and leaders read only.
WRITERS = frozenset({"admin", "city", "county"})
CITY = frozenset({"admin", "city"})
# Roles whose scope is the whole city: their overview has a city row.
CITY_WIDE = frozenset({"admin", "city", "leader", "department"})

COMPARISON_SIGNS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "="}
CRUMB = ("亩产效益评价", None)


def meets(value: float | None, comparison: str, target: float) -> bool | None:
    if value is None:
        return None
    return {
        "ge": value >= target,
        "gt": value > target,
        "le": value <= target,
        "lt": value < target,
        "eq": value == target,
    }.get(comparison)


def checkpoints(target_id: str | None, spec: Any = None) -> list[dict[str, Any]]:
    """The milestones and the final target of a pack target: [{year, value, comparison, sign, label}]."""
    spec = spec or active_spec()
    if not target_id or spec is None:
        return []
    try:
        target = spec.target(target_id)
    except StopIteration:
        return []
    points = [(m.year, m.value, str(m.comparison)) for m in target.milestones]
    if target.target is not None:
        points.append((target.target.year, target.target.value, str(target.target.comparison)))
    out = []
    for year, value, comparison in sorted(points):
        sign = COMPARISON_SIGNS.get(comparison, "")
        out.append(
            {
                "year": year,
                "value": value,
                "comparison": comparison,
                "sign": sign,
                "label": f"{year}年 {sign}{value:g}{target.unit}",
            }
        )
    return out


def target_links(ids: list[str | None], spec: Any = None) -> list[dict[str, str]]:
    spec = spec or active_spec()
    out = []
    for target_id in ids:
        if not target_id or spec is None:
            continue
        try:
            name = spec.target(target_id).name
            url = reverse("targets:detail", args=[target_id])
        except (StopIteration, NoReverseMatch):
            continue
        out.append({"id": target_id, "name": name, "url": url})
    return out


def group_names(spec: Any = None) -> dict[str, str]:
    try:
        return {g.code: g.name for m in section(spec).methods for g in m.groups}
    except MethodError:
        return {}


def county_regions(user: Any) -> list[Region]:
    return list(
        Region.objects.visible_to(user).filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order", "code")
    )


def sees_city(user: Any) -> bool:
    return bool(roles_of(user) & CITY_WIDE)


def can_write(user: Any) -> bool:
    return bool(roles_of(user) & WRITERS)


def _year_param(value: Any, default: int, lo: int, hi: int) -> int:
    try:
        year = int(str(value))
    except (TypeError, ValueError):
        return default
    return year if lo <= year <= hi else default


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def land_share(user: Any, run: EvaluationRun) -> dict[str | None, float | None]:
    """The below-scale low-efficiency land share of the user's results of `run`."""
    return svc.below_scale_share(Result.objects.visible_to(user).filter(run=run), run)


class ListOverviewView(MemberTemplateView):
    template_name = "evaluation/list_overview.html"
    allowed_roles = STAFF
    breadcrumbs = (CRUMB, ("低效企业清单", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        spec = active_spec()
        try:
            feeds = section(spec).targets
        except MethodError as exc:
            context.update(unavailable=str(exc))
            return context
        base = svc.baseline_year()
        year = _year_param(self.request.GET.get("year"), today.year, base, max(today.year, base))
        as_of = dt.date(year, 12, 31)
        group = svc.clearance_group()
        frame = svc.entries_frame(LowEfficiencyEntry.objects.visible_to(user))
        rate_points = checkpoints(feeds.clearance_rate, spec)
        land_points = checkpoints(feeds.below_scale_land_share, spec)

        def figs(at: dt.date, grp: str | None) -> dict[str | None, pure.ListFigures]:
            return pure.list_figures(frame, cohort_year=base, as_of=at, group=grp)

        current = figs(as_of, group)
        batch = figs(as_of, None)
        at_points = {
            p["year"]: figs(dt.date(p["year"], 12, 31), group) for p in rate_points if p["year"] <= year
        }

        regions = county_regions(user)
        city = sees_city(user)
        keys: list[tuple[str | None, str]] = ([(None, "全市")] if city else []) + [
            (r.code, r.name) for r in regions
        ]
        rows = []
        for key, name in keys:
            f = current.get(key)
            b = batch.get(key)
            rate = _pct(f.clearance_rate) if f else None
            cells = []
            for p in rate_points:
                if p["year"] <= year:
                    pf = at_points[p["year"]].get(key)
                    value = _pct(pf.clearance_rate) if pf else None
                    cells.append(
                        {"past": True, "value": value, "met": meets(value, p["comparison"], p["value"])}
                    )
                else:
                    met = meets(rate, p["comparison"], p["value"])
                    gap = round(p["value"] - rate, 1) if rate is not None and not met else None
                    cells.append({"past": False, "value": rate, "met": met, "gap": gap})
            rows.append(
                {
                    "code": key,
                    "name": name,
                    "is_city": key is None,
                    "cohort": f.cohort if f else 0,
                    "cleared": f.cleared if f else 0,
                    "upgraded": f.upgraded if f else 0,
                    "removed": f.removed if f else 0,
                    "open": f.open if f else 0,
                    "rate": rate,
                    "cells": cells,
                    "batch_size": b.first_batch if b else 0,
                    "batch_done": b.first_batch_done if b else 0,
                }
            )

        land = self.land_shares(user, base, keys)
        batch_target = checkpoints(feeds.first_batch, spec)
        for row in rows:
            # The first batch's number is the city's: only the city row is judged against it.
            row["batch_checks"] = (
                [
                    {
                        "label": p["label"],
                        "past": p["year"] <= year,
                        "met": meets(row["batch_done"], p["comparison"], p["value"]),
                    }
                    for p in batch_target
                ]
                if row["is_city"]
                else []
            )
        county_rows = [r for r in rows if not r["is_city"]]
        context.update(
            year=year,
            years=list(range(base, max(today.year, base) + 1)),
            as_of=as_of,
            base=base,
            group_name=group_names(spec).get(group or "", group or "全部分组"),
            rows=rows,
            rate_points=rate_points,
            land_points=land_points,
            batch_target=batch_target,
            land=land,
            sees_city=city,
            has_entries=not frame.is_empty(),
            rate_chart=self.rate_chart(rows if city else county_rows, rate_points),
            land_chart=self.land_chart(land, land_points),
            links=target_links([feeds.clearance_rate, feeds.first_batch, feeds.below_scale_land_share], spec),
            can_recompute=bool(roles_of(user) & CITY),
            can_write=can_write(user),
        )
        return context

    def land_shares(self, user: Any, base: int, keys: list[tuple[str | None, str]]) -> dict[str, Any]:
        runs = list(
            EvaluationRun.objects.visible_to(user)
            .filter(kind=RunKind.OFFICIAL, status=RunStatus.PUBLISHED, year__gte=base)
            .order_by("year", "-version")
        )
        latest: dict[int, EvaluationRun] = {}
        for run in runs:
            latest.setdefault(run.year, run)
        by_year: dict[int, dict[str | None, float | None]] = {}
        for y, run in sorted(latest.items()):
            try:
                by_year[y] = land_share(user, run)
            except MethodError:
                by_year[y] = {}
        years = sorted(by_year)
        rows = [
            {"name": name, "is_city": key is None, "values": [_pct(by_year[y].get(key)) for y in years]}
            for key, name in keys
        ]
        return {"years": years, "rows": rows, "runs": [latest[y] for y in years]}

    @staticmethod
    def rate_chart(rows: list[dict[str, Any]], points: list[dict[str, Any]]) -> dict[str, Any]:
        marks = [
            {"yAxis": p["value"], "name": p["label"], "label": {"formatter": p["label"]}} for p in points
        ]
        return {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 40, "right": 90, "top": 30, "bottom": 60},
            "xAxis": {"type": "category", "data": [r["name"] for r in rows], "axisLabel": {"rotate": 30}},
            "yAxis": {"type": "value", "name": "出清率（%）", "max": 100, "min": 0},
            "series": [
                {
                    "type": "bar",
                    "name": "出清率（%）",
                    "data": [r["rate"] for r in rows],
                    "itemStyle": {"color": "#0d6efd"},
                    "markLine": {
                        "symbol": "none",
                        "lineStyle": {"type": "dashed", "color": "#dc3545"},
                        "data": marks,
                    },
                }
            ],
        }

    @staticmethod
    def land_chart(land: dict[str, Any], points: list[dict[str, Any]]) -> dict[str, Any]:
        marks = [
            {"yAxis": p["value"], "name": p["label"], "label": {"formatter": p["label"]}} for p in points
        ]
        series = []
        for i, row in enumerate(land["rows"]):
            if not row["is_city"] and len(land["rows"]) > 2:
                continue  # the city line; a county user's own line
            item: dict[str, Any] = {
                "type": "line",
                "name": row["name"],
                "data": row["values"],
                "connectNulls": True,
            }
            if i == 0:
                item["markLine"] = {
                    "symbol": "none",
                    "lineStyle": {"type": "dashed", "color": "#dc3545"},
                    "data": marks,
                }
            series.append(item)
        return {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 40, "right": 90, "top": 30, "bottom": 30},
            "xAxis": {"type": "category", "data": [f"{y}年" for y in land["years"]]},
            "yAxis": {"type": "value", "name": "占比（%）", "min": 0},
            "series": series,
        }


class RecomputeView(MemberRequiredMixin, View):
    """The city's button: write the task-one figures as computed target observations."""

    allowed_roles = CITY

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            written = svc.record_target_observations()
        except MethodError as exc:
            messages.error(request, str(exc))
        else:
            if written:
                messages.success(
                    request, f"已重新计算任务一指标，写入目标观测值 {written} 条（计算值，附数据来源）。"
                )
            else:
                messages.success(
                    request, "已重新计算任务一指标：计算结果与已记录的观测值一致，写入目标观测值 0 条。"
                )
        return HttpResponseRedirect(reverse("evaluation:lists"))


class EntryListView(ScopedListView):
    model = LowEfficiencyEntry
    template_name = "evaluation/list_entries.html"
    allowed_roles = STAFF
    breadcrumbs = (CRUMB, ("低效企业清单", "evaluation:lists"), ("清单明细", None))

    def base_queryset(self):
        return super().base_queryset().select_related("enterprise", "region")

    def get_queryset(self):
        self.filter = EntryFilter.from_params(self.request.GET)
        return self.filter.apply(self.base_queryset())

    def paginate_queryset(self, queryset, page_size):
        """A page number past the end (or not a number) shows the last (or first) page, not a 404."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["evaluation/list_entries_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        names = group_names()
        entries = list(context["object_list"])
        for e in entries:
            e.group_label = names.get(e.group, e.group)
        context.update(
            object_list=entries,
            filter=self.filter,
            regions=county_regions(user),
            years=list(
                LowEfficiencyEntry.objects.visible_to(user)
                .order_by("-cohort_year")
                .values_list("cohort_year", flat=True)
                .distinct()
            ),
            statuses=ListStatus.choices,
            groups=sorted(names.items()),
            can_write=can_write(user),
        )
        return context


class EntryExportView(MemberRequiredMixin, View):
    model = LowEfficiencyEntry
    allowed_roles = STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        flt = EntryFilter.from_params(request.GET)
        qs = flt.apply(
            LowEfficiencyEntry.objects.visible_to(request.user).select_related("enterprise", "region")
        )
        groups = group_names()
        regions = {r.code: r.name for r in county_regions(request.user)}
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        title = (
            f"低效企业清单（{flt.describe(regions, groups)}；导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）"
        )
        content = entries_workbook(qs.iterator(chunk_size=2000), title, groups)
        return attachment(content, f"低效企业清单-{stamp}.xlsx")


def _url(name: str, *args: Any) -> str | None:
    """The URL of a page of the runs and results views, when it exists."""
    try:
        return reverse(name, args=list(args))
    except NoReverseMatch:
        return None


def _run_url(run: EvaluationRun | None) -> str | None:
    return _url("evaluation:run-detail", run.pk) if run is not None else None


class EntryDetailView(ScopedDetailView):
    model = LowEfficiencyEntry
    template_name = "evaluation/list_entry.html"
    allowed_roles = STAFF

    def base_queryset(self):
        return super().base_queryset().select_related("enterprise", "region", "first_run")

    def get_breadcrumbs(self):
        return [
            CRUMB,
            ("低效企业清单", "evaluation:lists"),
            ("清单明细", "evaluation:list-entries"),
            (self.object.enterprise.name, None),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(entry_context(self.request.user, self.object))
        if context["can_act"] and "form" not in kwargs:
            context["form"] = StatusForm(current=self.object.status)
        return context


def entry_context(user: Any, entry: LowEfficiencyEntry) -> dict[str, Any]:
    result = None
    if entry.first_run_id:
        result = (
            Result.objects.visible_to(user)
            .filter(run_id=entry.first_run_id, enterprise_id=entry.enterprise_id)
            .first()
        )
    can_act = (
        can_write(user)
        and bool(pure.TRANSITIONS.get(entry.status))
        and LowEfficiencyEntry.objects.writable_by(user).filter(pk=entry.pk).exists()
    )
    history = (
        Result.objects.visible_to(user)
        .filter(
            enterprise_id=entry.enterprise_id, run__kind=RunKind.OFFICIAL, run__status=RunStatus.PUBLISHED
        )
        .select_related("run")
        .order_by("run__year")
    )
    return {
        "entry": entry,
        "result": result,
        "history": history,
        "evaluation_url": _url("evaluation:enterprise", entry.enterprise.uscc),
        "run_url": _run_url(entry.first_run),
        "group_label": group_names().get(entry.group, entry.group),
        "events": ListEvent.objects.visible_to(user).filter(entry=entry).order_by("created_at", "pk"),
        "can_act": can_act,
        "statuses": ListStatus.choices,
        "other_entries": LowEfficiencyEntry.objects.visible_to(user)
        .filter(enterprise_id=entry.enterprise_id)
        .exclude(pk=entry.pk)
        .order_by("cohort_year"),
    }


class EntryStatusView(MemberRequiredMixin, View):
    """POST only: change an entry's status through `change_status`; refused changes save nothing."""

    model = LowEfficiencyEntry
    allowed_roles = WRITERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = get_object_or_404(
            LowEfficiencyEntry.objects.writable_by(request.user).select_related(
                "enterprise", "region", "first_run"
            ),
            pk=pk,
        )
        form = StatusForm(request.POST, current=entry.status)
        error = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.change_status(
                    entry,
                    data["status"],
                    request.user,
                    date=data["date"],
                    note=data["note"],
                    exit_kind=data["exit_kind"],
                )
            except (svc.ListRefused, ScopeViolation) as exc:
                error = str(exc)
            else:
                messages.success(
                    request, f"{entry.enterprise.name}：状态已改为“{entry.get_status_display()}”。"
                )
                return HttpResponseRedirect(reverse("evaluation:list-entry", args=[entry.pk]))
        # Nothing was saved: show the page again with the reason.
        entry.refresh_from_db()
        if error:
            form.add_error(None, error)
        context = {
            **entry_context(request.user, entry),
            "object": entry,
            "form": form,
            "breadcrumbs": [
                CRUMB,
                ("低效企业清单", "evaluation:lists"),
                ("清单明细", "evaluation:list-entries"),
                (entry.enterprise.name, None),
            ],
        }
        return render(request, "evaluation/list_entry.html", context, status=400)


class ManualAddView(MemberRequiredMixin, View):
    allowed_roles = WRITERS
    template_name = "evaluation/list_add.html"
    breadcrumbs = [
        CRUMB,
        ("低效企业清单", "evaluation:lists"),
        ("清单明细", "evaluation:list-entries"),
        ("人工列入", None),
    ]

    def render_form(self, request: HttpRequest, form: ManualAddForm, status: int = 200) -> HttpResponse:
        return render(
            request, self.template_name, {"form": form, "breadcrumbs": self.breadcrumbs}, status=status
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {"year": timezone.localdate().year}
        if request.GET.get("uscc"):
            initial["uscc"] = str(request.GET["uscc"])[:40]
        return self.render_form(request, ManualAddForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ManualAddForm(request.POST)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        data = form.cleaned_data
        enterprise = Enterprise.objects.writable_by(request.user).filter(uscc=data["uscc"]).first()
        if enterprise is None:
            form.add_error("uscc", "未找到该统一社会信用代码的企业，或该企业不在您的数据范围内。")
            return self.render_form(request, form, status=400)
        try:
            entry = svc.add_manual(enterprise, data["year"], data["reason"], request.user)
        except (svc.ListRefused, ScopeViolation) as exc:
            form.add_error(None, str(exc))
            return self.render_form(request, form, status=400)
        messages.success(request, f"{enterprise.name} 已人工列入{data['year']}年低效企业清单。")
        return HttpResponseRedirect(reverse("evaluation:list-entry", args=[entry.pk]))
