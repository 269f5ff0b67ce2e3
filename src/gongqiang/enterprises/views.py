from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views import View

from gongqiang.core.models import Region
from gongqiang.core.views.base import (
    MemberRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
)
from gongqiang.lib.http import attachment

from .documents import enterprise_workbook
from .filters import EnterpriseFilter
from .models import Enterprise, EnterpriseStatus


class EnterpriseListView(ScopedListView):
    model = Enterprise
    template_name = "enterprises/enterprise_list.html"
    breadcrumbs = (("企业库", None), ("企业名录", None))

    def base_queryset(self):
        return super().base_queryset().select_related("region", "town")

    def get_queryset(self):
        self.filter = EnterpriseFilter.from_params(self.request.GET)
        return self.filter.apply(self.base_queryset())

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["enterprises/_enterprise_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        regions = Region.objects.visible_to(self.request.user)
        context.update(
            filter=self.filter,
            regions=regions.filter(kind__in=["district", "county", "zone"]),
            towns=regions.filter(kind="town", parent__code=self.filter.region) if self.filter.region else [],
            statuses=EnterpriseStatus.choices,
        )
        return context


class EnterpriseDetailView(ScopedDetailView):
    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"
    slug_field = "uscc"
    slug_url_kwarg = "uscc"

    def base_queryset(self):
        return super().base_queryset().select_related("region", "town")

    def get_breadcrumbs(self):
        return [("企业库", None), ("企业名录", "enterprises:list"), (self.object.name, None)]


class EnterpriseExportView(MemberRequiredMixin, ScopedQuerysetMixin, View):
    model = Enterprise

    def get(self, request: HttpRequest) -> HttpResponse:
        flt = EnterpriseFilter.from_params(request.GET)
        rows = flt.apply(self.get_queryset().select_related("region", "town")).iterator(chunk_size=2000)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        content = enterprise_workbook(rows, f"企业名录（导出时间 {stamp}）")
        return attachment(content, f"企业名录-{stamp}.xlsx")
