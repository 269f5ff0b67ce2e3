"""The cockpit as Excel and as a one-page PDF brief, for the rows the user may see."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from gongqiang.core.scope import memberships_of
from gongqiang.core.views.base import MemberRequiredMixin
from gongqiang.lib.http import attachment

from ..documents import BriefUnavailable, brief_pdf, cockpit_workbook
from ..presenters import present
from ..services.access import STAFF, county_regions_of
from ..services.catalog import catalog
from ..services.progress import city_rows, county_rows, group_summary
from .cockpit import filtered


class CockpitExcelView(MemberRequiredMixin, View):
    allowed_roles = STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        cat, today = catalog(), timezone.localdate()
        rows = city_rows(request.user, today, cat)
        counties = county_rows(request.user, today, cat)
        stamp = f"导出时间 {timezone.localtime():%Y-%m-%d %H:%M}"
        data = cockpit_workbook(cat, [present(r) for r in filtered(rows, request.GET)],
                                [present(r) for r in counties], group_summary(rows, cat), today, stamp)
        return attachment(data, f"目标驾驶舱-{today.isoformat()}.xlsx")


class BriefPdfView(MemberRequiredMixin, View):
    allowed_roles = STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        cat, today = catalog(), timezone.localdate()
        rows = city_rows(request.user, today, cat)
        counties = county_regions_of(request.user)
        scope = "、".join(r.name for r in counties) + "（全市目标）" if counties else "全市"
        if not counties and not any(m.role in ("admin", "city", "leader") for m in memberships_of(request.user)):
            scope = "本部门牵头的目标"
        try:
            data = brief_pdf(cat, [present(r) for r in rows], group_summary(rows, cat), today, scope)
        except BriefUnavailable as exc:
            # Said on a page, not a server error: the deployment lacks a font, the request is fine.
            return render(request, "targets/brief_unavailable.html", {"reason": str(exc)})
        return attachment(data, f"目标进展简报-{today.isoformat()}.pdf", inline=True)
