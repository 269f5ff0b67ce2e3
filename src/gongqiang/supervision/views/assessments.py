"""Assessments: the sheets (ranked), one sheet with its scores and review steps, the result sheet in Excel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View

from gongqiang.core.navigation import roles_of
from gongqiang.core.views.base import MemberRequiredMixin, ScopedDetailView, ScopedListView
from gongqiang.lib.http import attachment
from gongqiang.targets.services.workbooks import workbook

from ..compute import STATE_LABELS, SheetState
from ..models import AssessmentKind, AssessmentScore, AssessmentSheet
from ..services.assessments import (
    CITY,
    EXPORT_HEADER,
    AssessmentRefused,
    _owner_of,
    act,
    create_sheets,
    export_rows,
    first_reviewer,
    reviewer_label,
    set_score,
)
from .common import STAFF


def _filtered(qs, params):
    kind, year = params.get("kind", ""), params.get("year", "")
    if kind in AssessmentKind.values:
        qs = qs.filter(kind=kind)
    if year.isdigit():
        qs = qs.filter(year=int(year))
    return qs.select_related("region", "department").prefetch_related("scores")


class SheetListView(ScopedListView):
    model = AssessmentSheet
    allowed_roles = STAFF
    template_name = "supervision/assessments.html"
    breadcrumbs = (("督导考核", None), ("考核评估", None))

    def base_queryset(self):
        return _filtered(super().base_queryset(), self.request.GET)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(can_create=bool(roles_of(self.request.user) & CITY), kinds=AssessmentKind.choices,
                       this_year=timezone.localdate().year, states=STATE_LABELS, params=self.request.GET)
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            year = int(request.POST.get("year", ""))
            made = create_sheets(request.user, request.POST.get("kind", ""), year, timezone.localdate())
        except ValueError:
            messages.error(request, "请填写正确的年度。")
        except AssessmentRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已发起考核，生成 {made} 张考核表。")
        return HttpResponseRedirect(reverse("supervision:assessments"))


class SheetDetailView(ScopedDetailView):
    model = AssessmentSheet
    allowed_roles = STAFF
    template_name = "supervision/assessment_detail.html"

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        return [("督导考核", None), ("考核评估", "supervision:assessments"), (self.object.unit_name, None)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sheet, roles = self.object, roles_of(self.request.user)
        state = SheetState(sheet.state)
        context.update(
            scores=sheet.scores.visible_to(self.request.user), state_label=STATE_LABELS[state],
            can_self=state is SheetState.DRAFT and _owner_of(self.request.user, sheet),
            can_review=state is SheetState.SUBMITTED and first_reviewer(self.request.user, sheet),
            reviewer=reviewer_label(sheet),
            can_approve=state is SheetState.REVIEWED and bool(roles & CITY),
        )
        return context


class SheetActionView(MemberRequiredMixin, View):
    model = AssessmentSheet
    allowed_roles = STAFF

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        sheet = get_object_or_404(AssessmentSheet.objects.visible_to(request.user).only("pk"), pk=pk)
        return HttpResponseRedirect(reverse("supervision:assessment", args=[sheet.pk]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        sheet = get_object_or_404(AssessmentSheet.objects.visible_to(request.user), pk=pk)
        try:
            if request.POST.get("score"):
                score = get_object_or_404(AssessmentScore.objects.visible_to(request.user).select_related(
                    "sheet__region", "sheet__department"), pk=request.POST["score"], sheet=sheet)
                set_score(request.user, score, request.POST.get("value", ""), request.POST.get("reason", ""))
                messages.success(request, "分数已保存。")
            else:
                act(request.user, sheet, request.POST.get("action", ""))
                messages.success(request, "已办理。")
        except AssessmentRefused as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("supervision:assessment", args=[sheet.pk]))


class SheetExportView(MemberRequiredMixin, View):
    allowed_roles = STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        sheets = sorted(_filtered(AssessmentSheet.objects.visible_to(request.user), request.GET),
                        key=lambda s: (s.year, s.kind, s.region_id is None, s.rank or 10**6, s.pk))
        indicators = sorted({s.indicator for sheet in sheets for s in sheet.scores.all()})
        data = workbook([("考核结果", [*EXPORT_HEADER, *indicators], export_rows(sheets, indicators))],
                        [f"导出时间 {timezone.localtime():%Y-%m-%d %H:%M}"])
        return attachment(data, "考核结果.xlsx")
