"""调档与异议: objections of the self-check (answered by the county) and appeals against published classes
(decided by the city; a granted appeal makes a new published version with the adjusted class)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View

from gongqiang.core.audit import actor_name
from gongqiang.core.scope import ScopeViolation, save_scoped
from gongqiang.core.views.base import MemberRequiredMixin, MemberTemplateView, ScopedQuerysetMixin

from ..models import Appeal, CaseStatus, Objection, Result
from ..services import runs as run_service
from .common import CITY, STAFF, is_city

ANSWERERS = frozenset({"admin", "city", "county"})



class CasesView(MemberTemplateView):
    template_name = "evaluation/cases.html"
    allowed_roles = STAFF
    breadcrumbs = (("亩产效益评价", None), ("调档与异议", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        status = self.request.GET.get("status", "")
        if status not in CaseStatus.values:
            status = ""
        appeals = Appeal.objects.visible_to(user).select_related("enterprise", "region", "result__run", "new_run")
        objections = Objection.objects.visible_to(user).select_related("enterprise", "region", "run")
        if status:
            appeals, objections = appeals.filter(status=status), objections.filter(status=status)
        writable = set(Objection.objects.writable_by(user).values_list("pk", flat=True)[:2000])
        context.update(
            appeals=appeals[:200],
            objections=objections[:200],
            status=status,
            statuses=CaseStatus.choices,
            can_decide=is_city(user),
            answerable=writable,
        )
        return context


class ObjectionAnswerView(MemberRequiredMixin, ScopedQuerysetMixin, View):
    model = Objection
    allowed_roles = ANSWERERS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = Objection.objects.writable_by(request.user).filter(pk=pk).first()
        if obj is None:
            raise Http404("未找到该异议。")
        status = request.POST.get("status", "")
        response = request.POST.get("response", "").strip()
        if status not in (CaseStatus.ACCEPTED, CaseStatus.REJECTED) or not response:
            messages.error(request, "请选择处理结果并填写答复。")
        else:
            obj.status, obj.response = status, response[:4000]
            obj.responded_by_name, obj.responded_at = actor_name(request.user, ""), timezone.now()
            try:
                save_scoped(obj, request.user)
            except ScopeViolation as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已答复。" + ("数据核实更正后，请市级重新评价生成新版本。" if status == CaseStatus.ACCEPTED else ""))
        return HttpResponseRedirect(request.POST.get("next") or reverse("evaluation:cases"))


class AppealDecideView(MemberRequiredMixin, ScopedQuerysetMixin, View):
    model = Appeal
    allowed_roles = CITY
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = Appeal.objects.visible_to(request.user).filter(pk=pk).select_related("result__run").first()
        if appeal is None:
            raise Http404("未找到该调档申请。")
        back = HttpResponseRedirect(reverse("evaluation:cases"))
        if appeal.status != CaseStatus.SUBMITTED:
            messages.error(request, "该申请已处理。")
            return back
        decision = request.POST.get("decision", "").strip()
        verdict = request.POST.get("verdict", "")
        if verdict not in ("grant", "refuse") or not decision:
            messages.error(request, "请选择同意或不同意，并填写决定理由。")
            return back
        if verdict == "refuse":
            appeal.status = CaseStatus.REJECTED
        else:
            klass = request.POST.get("klass") or appeal.requested_class
            base = run_service.published_run(appeal.result.run.year)
            if klass not in ("A", "B", "C", "D") or base is None:
                messages.error(request, f"{appeal.result.run.year}年没有已发布的评价，或类别无效，不能调档。")
                return back
            if not Result.objects.visible_to(request.user).filter(run=base, enterprise_id=appeal.enterprise_id).exists():
                messages.error(request, "当前发布版本中没有该企业，不能调档。")
                return back
            try:
                new = run_service.adjusted_version(
                    base, {appeal.enterprise_id: (klass, f"调档申请：{decision}")}, request.user
                )
            except run_service.RunRefused as exc:
                messages.error(request, str(exc))
                return back
            appeal.status, appeal.new_run = CaseStatus.ACCEPTED, new
        appeal.decision, appeal.decided_by_name, appeal.decided_at = decision[:4000], actor_name(request.user, ""), timezone.now()
        save_scoped(appeal, request.user)
        if appeal.new_run_id:
            messages.success(request, f"已同意调档，生成{appeal.new_run}（已发布）。")
        else:
            messages.success(request, "已决定不予调档。")
        return back


class _EvidenceView(MemberRequiredMixin, ScopedQuerysetMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is None or not obj.evidence:
            raise Http404("未找到证明材料。")
        try:
            handle = obj.evidence.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("证明材料文件不存在。") from None
        return FileResponse(handle, as_attachment=True, filename=obj.evidence.name.rsplit("/", 1)[-1])


class ObjectionEvidenceView(_EvidenceView):
    model = Objection


class AppealEvidenceView(_EvidenceView):
    model = Appeal
