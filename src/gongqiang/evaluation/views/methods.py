"""Methods: versions per year, a version in readable tables, copy from the previous year, the edit form of
the common parameters (a change is a new version with a note), and what-if on a published run."""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from gongqiang.core.views.base import MemberRequiredMixin, MemberTemplateView, ScopedDetailView

from ..models import EvaluationRun, MethodVersion, RunStatus
from ..services import methods as method_service
from ..services import runs as run_service
from ..services.diff import readable_change
from .common import CITY, STAFF, is_city, item_names, metric_names, run_or_404


class MethodListView(MemberTemplateView):
    template_name = "evaluation/method_list.html"
    allowed_roles = STAFF
    breadcrumbs = (("亩产效益评价", None), ("评价方法", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        versions = MethodVersion.objects.visible_to(self.request.user).select_related("based_on").order_by("-year", "-version")
        years: dict[int, list] = {}
        for v in versions:
            years.setdefault(v.year, []).append(v)
        latest = max(years) if years else timezone.localdate().year - 1
        context.update(years=sorted(years.items(), reverse=True), can_edit=is_city(self.request.user),
                       next_year=latest + 1)
        return context


class MethodCopyView(MemberRequiredMixin, View):
    allowed_roles = CITY
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            messages.error(request, "请填写年度。")
            return HttpResponseRedirect(reverse("evaluation:methods"))
        try:
            version = method_service.copy_previous(year, request.user)
        except method_service.MethodError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("evaluation:methods"))
        messages.success(request, f"已复制上一年方法为{version}。")
        return HttpResponseRedirect(reverse("evaluation:method-detail", args=[version.pk]))


class MethodDetailView(ScopedDetailView):
    model = MethodVersion
    template_name = "evaluation/method_detail.html"
    allowed_roles = STAFF

    def get_breadcrumbs(self):
        return [("亩产效益评价", None), ("评价方法", "evaluation:methods"), (str(self.object), None)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        spec = self.object.spec
        names = item_names()
        latest = MethodVersion.objects.visible_to(self.request.user).filter(year=self.object.year).aggregate(m=Max("version"))["m"]
        context.update(
            spec=spec,
            items=names,
            bonus=[(names.get(p["item"], p["item"]), p["points"]) for p in (spec.get("bonus") or {}).get("items", [])],
            penalty=[(names.get(p["item"], p["item"]), p["points"]) for p in (spec.get("penalty") or {}).get("items", [])],
            veto=[names.get(c, c) for c in spec.get("veto", [])],
            measures=sorted((spec.get("measures") or {}).items()),
            surcharge=spec.get("electricity_surcharge"),
            changes=[readable_change(line, spec, names)
                     for line in method_service.describe_changes(self.object.based_on.spec, spec)]
            if self.object.based_on_id else [],
            metrics={k: v[0] for k, v in metric_names().items()},
            indicators={i["code"]: i["name"] for g in spec.get("groups", []) for i in g.get("indicators", [])},
            is_latest=self.object.version == latest,
            can_edit=is_city(self.request.user),
        )
        return context


# -- the form of the common parameters ---------------------------------------------------------------
def form_fields(spec: dict[str, Any]) -> list[tuple[str, list[dict[str, str]]]]:
    """Sections of (name, label, value, hint) for the parameters the city usually changes."""
    names = item_names()
    sections: list[tuple[str, list[dict[str, str]]]] = []
    for g in spec.get("groups", []):
        sections.append((f"{g['name']}：指标权重（合计须为 100）", [
            {"name": f"w__{g['code']}__{i['code']}", "label": i["name"], "value": str(i["weight"]), "hint": i.get("unit", "")}
            for i in g.get("indicators", [])
        ]))
    bench, score = spec.get("benchmark") or {}, spec.get("score") or {}
    general = [
        {"name": "bench_multiplier", "label": "基准值倍数（× 县区平均）", "value": str(bench.get("multiplier", "2")), "hint": ""},
        {"name": "score_cap", "label": "单项得分上限（比值封顶）", "value": str(score.get("cap", "2")), "hint": ""},
        {"name": "notice_days", "label": "公示天数", "value": str((spec.get("calendar") or {}).get("public_notice_days", 5)), "hint": "自然日"},
    ]
    sections.append(("基准值、封顶与公示", general))
    classes = spec.get("classes") or {}
    if classes.get("mode", "quota") == "quota":
        sections.append(("分档比例（%，其余一类取剩余名额）", [
            {"name": f"quota__{q['class']}", "label": f"{q['class']} 类", "value": str(q["share"]),
             "hint": {"floor": "向下取整", "ceil": "向上取整", "half_up": "四舍五入"}.get(q.get("rounding"), "")}
            for q in classes.get("quotas", [])
        ]))
    low = [
        {"name": f"low__{n}", "label": r["label"], "value": str(r["at_most"]), "hint": "万元/亩及以下" if r.get("inclusive", True) else "以下"}
        for n, r in enumerate(spec.get("low_efficiency", [])) if r.get("at_most") is not None
    ]
    if low:
        sections.append(("低效企业认定线", low))
    points = []
    for kind, label in (("bonus", "加分"), ("penalty", "减分")):
        sec = spec.get(kind) or {}
        points += [{"name": f"{kind}__{p['item']}", "label": f"{label}：{names.get(p['item'], p['item'])}",
                    "value": str(p["points"]), "hint": "分"} for p in sec.get("items", [])]
        if sec.get("cap") is not None:
            points.append({"name": f"{kind}_cap", "label": f"{label}上限", "value": str(sec["cap"]), "hint": "分"})
    if points:
        sections.append(("加减分", points))
    return sections


def apply_form(spec: dict[str, Any], data: Any) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """The spec with the posted values; errors (Chinese) for values that are not numbers; values as posted."""
    raw = copy.deepcopy(spec)
    errors: list[str] = []
    posted: dict[str, str] = {}

    def number(name: str, label: str, current: Any) -> str:
        value = str(data.get(name, current)).strip()
        posted[name] = value
        try:
            d = Decimal(value)
            if not d.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(f"{label}：“{value}”不是有效的数字")
            return str(current)
        return format(d.normalize(), "f") if d == d.to_integral_value() else value

    for g in raw.get("groups", []):
        for i in g.get("indicators", []):
            i["weight"] = number(f"w__{g['code']}__{i['code']}", f"{g['name']}·{i['name']}权重", i["weight"])
    bench = raw.setdefault("benchmark", {})
    bench["multiplier"] = number("bench_multiplier", "基准值倍数", bench.get("multiplier", "2"))
    score = raw.setdefault("score", {})
    score["cap"] = number("score_cap", "单项得分上限", score.get("cap", "2"))
    cal = raw.setdefault("calendar", {})
    days = number("notice_days", "公示天数", cal.get("public_notice_days", 5))
    try:
        cal["public_notice_days"] = int(Decimal(days))
    except (InvalidOperation, ValueError):
        errors.append("公示天数须为整数")
    for q in (raw.get("classes") or {}).get("quotas", []):
        q["share"] = number(f"quota__{q['class']}", f"{q['class']}类比例", q["share"])
    for n, r in enumerate(raw.get("low_efficiency", [])):
        if r.get("at_most") is not None:
            r["at_most"] = number(f"low__{n}", r["label"], r["at_most"])
    for kind in ("bonus", "penalty"):
        sec = raw.get(kind) or {}
        for p in sec.get("items", []):
            p["points"] = number(f"{kind}__{p['item']}", p["item"], p["points"])
        if sec.get("cap") is not None:
            sec["cap"] = number(f"{kind}_cap", f"{kind}上限", sec["cap"])
    return raw, errors, posted


def _with_posted(sections, posted: dict[str, str]):
    return [(title, [{**f, "value": posted.get(f["name"], f["value"])} for f in fields]) for title, fields in sections]


class _MethodFormView(MemberTemplateView):
    template_name = "evaluation/method_form.html"
    allowed_roles = CITY

    def base_spec(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("sections", form_fields(self.base_spec()))
        return context

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.kwargs = kwargs
        spec = self.base_spec()
        raw, errors, posted = apply_form(spec, request.POST)
        note = request.POST.get("note", "").strip()
        if not errors:
            try:
                return self.save(raw, note)
            except (method_service.MethodError, run_service.RunRefused) as exc:
                errors = [line for line in str(exc).splitlines() if line.strip()]
        context = self.get_context_data(sections=_with_posted(form_fields(spec), posted), errors=errors, note=note)
        return render(request, self.template_name, context)

    def save(self, raw: dict[str, Any], note: str) -> HttpResponse:  # pragma: no cover - overridden
        raise NotImplementedError


class MethodEditView(_MethodFormView):
    def get_breadcrumbs(self):
        return [("亩产效益评价", None), ("评价方法", "evaluation:methods"), (f"修改{self.kwargs['year']}年方法", None)]

    def base_spec(self) -> dict[str, Any]:
        year = self.kwargs["year"]
        if not 2000 <= year <= timezone.localdate().year + 1:
            raise Http404("年度无效。")
        try:
            self.version = method_service.current_version(year)
        except method_service.MethodError as exc:
            raise Http404(str(exc)) from None
        return self.version.spec

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        spec = self.base_spec()
        context = super().get_context_data(**kwargs)
        context.update(title=f"修改{self.kwargs['year']}年评价方法（当前第{self.version.version}版）", mode="edit",
                       note_required=True, spec=spec)
        return context

    def save(self, raw: dict[str, Any], note: str) -> HttpResponse:
        version = method_service.save_edit(self.kwargs["year"], raw, self.request.user, note)
        messages.success(self.request, f"已保存为{version}。")
        return HttpResponseRedirect(reverse("evaluation:method-detail", args=[version.pk]))


class WhatIfView(_MethodFormView):
    """The same form on a published run's data: a what-if run, shown as a diff against the run."""
    model = EvaluationRun  # public rows: the scope walk opens an own run

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.base_spec()
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [("亩产效益评价", None), ("评价批次", "evaluation:runs"), (f"{self.run} 模拟测算", None)]

    def base_spec(self) -> dict[str, Any]:
        self.run: EvaluationRun = run_or_404(self.request.user, self.kwargs["pk"])
        if self.run.status not in (RunStatus.PUBLISHED, RunStatus.SUPERSEDED):
            raise Http404("只能在已发布的评价上模拟测算。")
        return self.run.method_spec

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=f"模拟测算：以{self.run}的数据试算修改后的方法", mode="whatif", run=self.run,
                       note_required=False)
        return context

    def save(self, raw: dict[str, Any], note: str) -> HttpResponse:
        new = run_service.whatif(self.run, raw, self.request.user, reason=note or "模拟测算")
        messages.success(self.request, f"已生成{new}，下表为与{self.run}相比类别变化的企业。")
        return HttpResponseRedirect(reverse("evaluation:run-diff", args=[new.pk]))
