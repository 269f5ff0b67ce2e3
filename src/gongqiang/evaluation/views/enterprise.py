"""An enterprise's evaluation page: latest result with the trace in plain Chinese, five-year class history,
its data, the self-check objection (during 企业自查 / 县区审核) and the appeal after publication."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views import View

from gongqiang.core.audit import actor_name
from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import ScopeViolation, save_scoped
from gongqiang.core.views.base import MemberRequiredMixin, MemberTemplateView
from gongqiang.enterprises.models import Enterprise

from ..compute import trace as trace_mod
from ..models import STATUS_NAMES, Appeal, Objection, Result, RunKind, RunStatus
from .common import STAFF, enterprise_ids, group_names, item_names, metric_names

OPEN_STATUSES = (RunStatus.DRAFT, RunStatus.COUNTY_REVIEW)
MAX_EVIDENCE = 20 * 1024 * 1024
EVIDENCE_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".xlsx", ".xls", ".docx", ".doc", ".zip", ".ofd")


def enterprise_or_404(user: Any, uscc: str) -> Enterprise:
    ent = Enterprise.objects.visible_to(user).filter(uscc=uscc.strip().upper()).select_related("region").first()
    if ent is None:
        raise Http404("未找到该企业，或不在您的数据范围内。")
    return ent


def official_results(user: Any, ent: Enterprise):
    return (
        Result.objects.visible_to(user)
        .filter(enterprise=ent, run__kind=RunKind.OFFICIAL)
        .select_related("run", "region")
        .order_by("-run__year", "-run__version")
    )


def open_result(user: Any, ent: Enterprise) -> Result | None:
    """The enterprise's result in a run still in self-check or county review."""
    return official_results(user, ent).filter(run__status__in=OPEN_STATUSES).first()


def published_result(user: Any, ent: Enterprise) -> Result | None:
    return official_results(user, ent).filter(run__status=RunStatus.PUBLISHED).first()


def _evidence(request: HttpRequest):
    f = request.FILES.get("evidence")
    if f is None:
        return None
    if f.size > MAX_EVIDENCE:
        raise ValidationError("证明材料不能超过 20 MB。")
    if not f.name.lower().endswith(EVIDENCE_SUFFIXES):
        raise ValidationError("证明材料须为 PDF、图片、Excel、Word、OFD 或 ZIP 文件。")
    return f



class EnterpriseEvaluationView(MemberTemplateView):
    template_name = "evaluation/enterprise.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.ent = enterprise_or_404(request.user, kwargs["uscc"])
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self):
        staff = bool(roles_of(self.request.user) & STAFF)
        return [("亩产效益评价", None), ("评价结果", "evaluation:results" if staff else None), (self.ent.name, None)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, ent = self.request.user, self.ent
        roles = roles_of(user)
        results = list(official_results(user, ent).exclude(run__status=RunStatus.DISCARDED)[:20])
        current = next((r for r in results if r.run.status != RunStatus.SUPERSEDED), None)
        names = metric_names()
        trace = None
        if current is not None:
            spec = current.run.method_spec
            row = {f: getattr(current, f) for f in (
                "status", "group", "total", "rank", "veto", "computed_class", "adjusted_class", "adjust_reason",
                "final_class", "reason", "low_efficiency_reason", "detail")}
            trace = trace_mod.build(
                row, spec, item_names=item_names(), metric_names={k: v[0] for k, v in names.items()},
                unit_name=current.region.name, group_name=group_names(spec).get(current.group, ""),
            )
        history = {}
        for r in results:
            if r.run.status == RunStatus.PUBLISHED and r.run.year not in history:
                history[r.run.year] = r
        history_rows = [history[y] for y in sorted(history, reverse=True)[:5]]
        inputs = []
        if current is not None:
            for code, value in (current.detail.get("inputs") or {}).items():
                name, unit = names.get(code, (code, ""))
                inputs.append((name, trace_mod.num(value) if unit != "元" else _wan(value), "万元" if unit == "元" else unit))
        opened = open_result(user, ent)
        published = published_result(user, ent)
        context.update(
            ent=ent,
            current=current,
            trace=trace,
            history=history_rows,
            inputs=inputs,
            status_names=STATUS_NAMES,
            groups=group_names(current.run.method_spec) if current else {},
            open_result=opened,
            published=published,
            can_object=opened is not None and "enterprise" in roles,
            can_appeal=published is not None and published.final_class in ("A", "B", "C", "D")
            and bool(roles & {"enterprise", "county"}),
            objections=Objection.objects.visible_to(user).filter(enterprise=ent).select_related("run"),
            appeals=Appeal.objects.visible_to(user).filter(enterprise=ent).select_related("result__run", "new_run"),
            class_choices=[c for c in "ABCD" if not published or c != published.final_class],
        )
        return context


def _wan(value: Any) -> str:
    from decimal import Decimal, InvalidOperation

    try:
        return f"{Decimal(str(value)) / 10000:,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return "—"


class MyEnterpriseView(MemberRequiredMixin, View):
    """An enterprise user's menu entry: straight to its own evaluation page."""

    allowed_roles = frozenset({"enterprise"})

    def get(self, request: HttpRequest) -> HttpResponse:
        ent = (
            Enterprise.objects.visible_to(request.user)
            .filter(pk__in=enterprise_ids(request.user)).order_by("uscc").first()
        )
        if ent is None:
            raise Http404("您的账号没有关联企业。")
        return HttpResponseRedirect(reverse("evaluation:enterprise", args=[ent.uscc]))


class ObjectionCreateView(MemberRequiredMixin, View):
    """The enterprise's objection to its own data during self-check; the county answers it."""

    allowed_roles = frozenset({"enterprise"})
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uscc: str) -> HttpResponse:
        ent = enterprise_or_404(request.user, uscc)
        target = reverse("evaluation:enterprise", args=[ent.uscc])
        result = open_result(request.user, ent)
        text = request.POST.get("text", "").strip()
        if result is None:
            messages.error(request, "当前没有处于企业自查或县区审核阶段的评价，不能提出异议。")
            return HttpResponseRedirect(target)
        if not text:
            messages.error(request, "请填写异议内容。")
            return HttpResponseRedirect(target)
        try:
            evidence = _evidence(request)
            obj = Objection(run=result.run, enterprise=ent, region=result.region, text=text[:4000],
                            created_by_name=actor_name(request.user, ""))
            if evidence is not None:
                obj.evidence = evidence
            save_scoped(obj, request.user)
        except (ValidationError, ScopeViolation) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            return HttpResponseRedirect(target)
        messages.success(request, "异议已提交，县区将核实后答复。")
        return HttpResponseRedirect(target)


class AppealCreateView(MemberRequiredMixin, View):
    """An appeal (调档申请) against the published class, by the enterprise or its county."""

    allowed_roles = frozenset({"enterprise", "county"})
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uscc: str) -> HttpResponse:
        ent = enterprise_or_404(request.user, uscc)
        target = reverse("evaluation:enterprise", args=[ent.uscc])
        result = published_result(request.user, ent)
        klass = request.POST.get("requested_class", "")
        text = request.POST.get("text", "").strip()
        if result is None:
            messages.error(request, "该企业还没有已发布的评价结果，不能申请调档。")
        elif klass not in ("A", "B", "C", "D") or klass == result.final_class:
            messages.error(request, "请选择与当前类别不同的申请类别（A、B、C、D）。")
        elif not text:
            messages.error(request, "请填写申请理由。")
        elif Appeal.objects.visible_to(request.user).filter(result__run=result.run, enterprise=ent,
                                                             status="submitted").exists():
            messages.error(request, "该企业已有待处理的调档申请，请等待市级决定。")
        else:
            try:
                evidence = _evidence(request)
                appeal = Appeal(result=result, enterprise=ent, region=result.region, requested_class=klass,
                                text=text[:4000], filed_by_name=actor_name(request.user, ""))
                if evidence is not None:
                    appeal.evidence = evidence
                save_scoped(appeal, request.user)
            except (ValidationError, ScopeViolation) as exc:
                messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(request, "调档申请已提交，由市级审定。")
        return HttpResponseRedirect(target)
