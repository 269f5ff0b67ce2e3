"""The yearly reconciliation report: what the departments' figures disagree on, before evaluation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views import View

from gongqiang.core.views.base import MemberRequiredMixin, MemberTemplateView
from gongqiang.lib.http import attachment

from ..models import EnterpriseYear, Fact
from ..reconcile import KINDS
from ..services.reconciliation import reconciliation_report, report_workbook

STAFF = frozenset({"admin", "city", "leader", "department", "county"})


def _year(request: HttpRequest, years: list[int]) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and int(value) in years:
        return int(value)
    return years[0] if years else timezone.localdate().year - 1


def _years(user: Any) -> list[int]:
    years = set(EnterpriseYear.objects.visible_to(user).values_list("year", flat=True).distinct())
    years |= set(Fact.objects.visible_to(user).filter(is_current=True).values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


class ReconciliationView(MemberTemplateView):
    allowed_roles = STAFF
    template_name = "enterprises/reconciliation.html"
    breadcrumbs = (("企业库", None), ("数据核对", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        years = _years(self.request.user)
        year = _year(self.request, years)
        report = reconciliation_report(year, user=self.request.user) if years else None
        kind = self.request.GET.get("kind", "")
        findings = report.of_kind(kind) if report and kind in KINDS else (report.findings if report else [])
        context.update(
            years=years, year=year, report=report, kinds=KINDS, kind=kind,
            counts=report.counts() if report else {}, findings=findings[:500], total=len(findings),
        )
        return context


class ReconciliationExportView(MemberRequiredMixin, View):
    allowed_roles = STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        years = _years(request.user)
        year = _year(request, years)
        report = reconciliation_report(year, user=request.user)
        return attachment(report_workbook(report), f"{year}年企业数据核对报告.xlsx")
