from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import CreateView, UpdateView

from gongqiang.core.models import Region
from gongqiang.core.navigation import roles_of
from gongqiang.core.services.policy import active_spec
from gongqiang.core.views.base import (
    MemberRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
    ScopedWriteMixin,
)
from gongqiang.lib.http import attachment

from ..columns import COLUMNS as ALL_COLUMNS
from ..columns import chosen_columns
from ..documents import enterprise_workbook
from ..facets import FACETS
from ..filters import EnterpriseFilter
from ..forms import EnterpriseForm
from ..models import Enterprise, EnterpriseName, EnterpriseStatus, EnterpriseYear, Fact, LandParcel
from ..presenters import fact_grid

# Roles that keep the registry by hand (departments feed it through imports; leaders only read).
EDITORS = frozenset({"admin", "city", "county"})


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
            facets=[(f, f.choices(), self.filter.value(f.param)) for f in FACETS.values()],
            years=list(
                EnterpriseYear.objects.visible_to(self.request.user)
                .order_by("-year").values_list("year", flat=True).distinct()
            ),
            can_create=bool(roles_of(self.request.user) & EDITORS),
        )
        columns = chosen_columns(self.request.GET)
        shown = {c.key for c in columns}
        context.update(
            columns=columns,
            column_choices=[(c, c.key in shown) for c in ALL_COLUMNS],
            industry_names=_industry_names() if "industry_name" in shown else {},
        )
        if "industry_name" in shown:
            names = context["industry_names"]
            for e in context["object_list"]:
                e.industry_label = names.get((e.industry_code or "")[:2], "")
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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        ent = self.object
        context["can_edit"] = bool(roles_of(user) & EDITORS) and (
            Enterprise.objects.writable_by(user).filter(pk=ent.pk).exists()
        )
        spec = active_spec()
        sources = {s.code: s.name for s in spec.import_sources} if spec else {}
        facts = [
            {
                "metric": f.metric, "year": f.year, "value": f.value, "is_current": f.is_current,
                "source": sources.get(f.batch.source, f.batch.source), "batch_id": f.batch_id,
                "batch_label": f.batch.file_name,
                "time": timezone.localtime(f.batch.committed_at or f.batch.uploaded_at).strftime("%Y-%m-%d %H:%M"),
            }
            for f in Fact.objects.visible_to(user).filter(enterprise=ent, month=0).select_related("batch")
        ]
        years = sorted({f["year"] for f in facts} | set(
            EnterpriseYear.objects.visible_to(user).filter(enterprise=ent).values_list("year", flat=True)
        ))
        context.update(
            years=years,
            grid=fact_grid(facts, spec.metrics if spec else [], years),
            yearly=EnterpriseYear.objects.visible_to(user).filter(enterprise=ent).select_related("region", "town"),
            former_names=EnterpriseName.objects.visible_to(user).filter(enterprise=ent),
            parcels=LandParcel.objects.visible_to(user).filter(enterprise=ent, is_current=True).order_by("-year", "certificate"),
            industry_name=spec.industry_names().get(ent.industry_code[:2], "") if spec else "",
        )
        return context


class EnterpriseExportView(MemberRequiredMixin, ScopedQuerysetMixin, View):
    model = Enterprise

    def get(self, request: HttpRequest) -> HttpResponse:
        flt = EnterpriseFilter.from_params(request.GET)
        rows = flt.apply(self.get_queryset().select_related("region", "town")).iterator(chunk_size=2000)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        content = enterprise_workbook(
            rows, f"企业名录（导出时间 {stamp}）", chosen_columns(request.GET), _industry_names()
        )
        return attachment(content, f"企业名录-{stamp}.xlsx")


def _industry_names() -> dict[str, str]:
    spec = active_spec()
    return spec.industry_names() if spec else {}


class EnterpriseFormMixin(ScopedWriteMixin):
    model = Enterprise
    form_class = EnterpriseForm
    template_name = "enterprises/enterprise_form.html"
    allowed_roles = EDITORS

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self) -> str:
        return reverse("enterprises:detail", args=[self.object.uscc])


class EnterpriseCreateView(EnterpriseFormMixin, CreateView):
    success_message = "企业已建档。"

    def get_breadcrumbs(self):
        return [("企业库", None), ("企业名录", "enterprises:list"), ("新增企业", None)]


class EnterpriseUpdateView(EnterpriseFormMixin, UpdateView):
    slug_field = "uscc"
    slug_url_kwarg = "uscc"
    success_message = "企业信息已更新。"

    def get_breadcrumbs(self):
        return [("企业库", None), ("企业名录", "enterprises:list"), (self.object.name, None), ("编辑", None)]
