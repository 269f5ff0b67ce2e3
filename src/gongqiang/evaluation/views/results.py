"""Results of a run: the filtered, paginated list (scoped) and the three Excel exports."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Case, F, Q, QuerySet, When
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views import View

from gongqiang.core.models import Region
from gongqiang.core.views.base import MemberRequiredMixin, ScopedListView
from gongqiang.lib.http import attachment

from .. import documents
from ..models import STATUS_NAMES, EvaluationRun, Result
from .common import STAFF, default_run, group_names, published_history, run_or_404

CLASS_CHOICES = (
    ("A", "A类"),
    ("B", "B类"),
    ("C", "C类"),
    ("D", "D类"),
    ("T", "T类"),
    ("none", "无类别（数据异常或不参评）"),
)


def _dec(value: str) -> Decimal | None:
    try:
        d = Decimal(value.strip())
    except (InvalidOperation, ValueError, AttributeError):
        return None
    return d if d.is_finite() else None


@dataclass
class ResultFilter:
    region: str = ""
    group: str = ""
    klass: str = ""
    industry: str = ""
    min: str = ""
    max: str = ""
    low: str = ""
    q: str = ""

    @classmethod
    def from_params(cls, params: Any) -> ResultFilter:
        values = {
            f.name: str(params.get("class" if f.name == "klass" else f.name, "")).strip()[:60]
            for f in fields(cls)
        }
        return cls(**values)

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.region:
            qs = qs.filter(region__code=self.region)
        if self.group:
            qs = qs.filter(group=self.group)
        if self.klass == "none":
            qs = qs.filter(final_class="")
        elif self.klass in ("A", "B", "C", "D", "T"):
            qs = qs.filter(final_class=self.klass)
        if self.industry.isdigit():
            qs = qs.filter(industry_code__startswith=self.industry)
        lo, hi = _dec(self.min), _dec(self.max)
        if lo is not None:
            qs = qs.filter(total__gte=lo)
        if hi is not None:
            qs = qs.filter(total__lte=hi)
        if self.low == "1":
            qs = qs.filter(low_efficiency=True)
        if self.q:
            qs = qs.filter(
                Q(enterprise__name__icontains=self.q) | Q(enterprise__uscc__icontains=self.q.upper())
            )
        return qs


def selected_run(request: HttpRequest) -> EvaluationRun | None:
    value = request.GET.get("run", "")
    if value:
        return run_or_404(request.user, value)
    return default_run(request.user)


# evaluated by rank (vetoed after the ranked ones), then exceptions, T and the excluded
RESULT_ORDER = (
    "region__path",
    "group",
    Case(
        When(status="evaluated", then=0),
        When(status="exception", then=1),
        When(status="T", then=2),
        default=3,
    ),
    F("rank").asc(nulls_last=True),
    F("total").desc(nulls_last=True),
    "enterprise__uscc",
)


class ResultListView(ScopedListView):
    model = Result
    template_name = "evaluation/result_list.html"
    allowed_roles = STAFF
    breadcrumbs = (("亩产效益评价", None), ("评价结果", None))

    def get_queryset(self) -> QuerySet:
        self.run = selected_run(self.request)
        self.filter = ResultFilter.from_params(self.request.GET)
        if self.run is None:
            return self.base_queryset().none()
        qs = self.base_queryset().filter(run=self.run).select_related("enterprise", "region")
        return self.filter.apply(qs).order_by(*RESULT_ORDER)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        spec = self.run.method_spec if self.run else {}
        export_query = self.request.GET.copy()
        for key in ("page", "per_page", "run"):
            export_query.pop(key, None)
        context.update(
            run=self.run,
            filter=self.filter,
            runs=EvaluationRun.objects.visible_to(user).order_by("-year", "kind", "-version"),
            regions=Region.objects.visible_to(user).filter(kind__in=["district", "county", "zone"]),
            groups=group_names(spec),
            class_choices=CLASS_CHOICES,
            export_query=export_query.urlencode(),
            status_names=STATUS_NAMES,
        )
        return context


# -- exports ----------------------------------------------------------------------------------------
FIELDS = (
    "enterprise_id",
    "enterprise__uscc",
    "enterprise__name",
    "region__name",
    "group",
    "status",
    "total",
    "rank",
    "veto",
    "computed_class",
    "adjusted_class",
    "adjust_reason",
    "final_class",
    "low_efficiency",
    "low_efficiency_reason",
    "reason",
    "land_mu",
)


def export_rows(qs: QuerySet, *, detail: bool = True) -> list[dict[str, Any]]:
    fields = (*FIELDS, "detail") if detail else FIELDS
    return [
        {
            **r,
            "uscc": r.pop("enterprise__uscc"),
            "name": r.pop("enterprise__name"),
            "region": r.pop("region__name"),
        }
        for r in qs.values(*fields).order_by(*RESULT_ORDER)
    ]


class _RunExport(MemberRequiredMixin, View):
    model = EvaluationRun  # public rows: the scope walk opens an own run
    allowed_roles = STAFF

    def results(self, request: HttpRequest, run: EvaluationRun) -> QuerySet:
        return Result.objects.visible_to(request.user).filter(run=run)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = run_or_404(request.user, pk)
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        return self.build(request, run, stamp)

    def build(self, request: HttpRequest, run: EvaluationRun, stamp: str) -> HttpResponse:  # pragma: no cover
        raise Http404


class ResultsExportView(_RunExport):
    def build(self, request: HttpRequest, run: EvaluationRun, stamp: str) -> HttpResponse:
        rows = export_rows(ResultFilter.from_params(request.GET).apply(self.results(request, run)))
        content = documents.results_workbook(
            rows,
            run.method_spec,
            f"{run} 评价结果（导出时间 {stamp}）",
            group_names(run.method_spec),
            STATUS_NAMES,
        )
        return attachment(content, f"{run.year}年亩产效益评价结果-第{run.version}版.xlsx")


class NoticeExportView(_RunExport):
    def build(self, request: HttpRequest, run: EvaluationRun, stamp: str) -> HttpResponse:
        units: dict[str, list] = {}
        for r in export_rows(self.results(request, run).exclude(final_class=""), detail=False):
            units.setdefault(r["region"], []).append(r)
        content = documents.notice_workbook(
            list(units.items()),
            f"{run.year}年度工业企业亩产效益综合评价结果公示名单",
            group_names(run.method_spec),
        )
        return attachment(content, f"{run.year}年亩产效益评价公示名单-第{run.version}版.xlsx")


class MeasuresExportView(_RunExport):
    def build(self, request: HttpRequest, run: EvaluationRun, stamp: str) -> HttpResponse:
        rows = export_rows(
            self.results(request, run).filter(final_class__in=["A", "B", "C", "D"]), detail=False
        )
        spec = run.method_spec
        # classes of earlier published runs, read through the scope like everything else
        d_ids = [r["enterprise_id"] for r in rows if r["final_class"] == "D"]
        history = published_history(request.user, d_ids, up_to=run.year - 1)
        content = documents.measures_workbook(
            rows,
            run.year,
            f"{run} 差别化措施清单（导出时间 {stamp}）",
            spec.get("measures") or {},
            spec.get("electricity_surcharge"),
            history,
        )
        return attachment(content, f"{run.year}年亩产效益差别化措施清单-第{run.version}版.xlsx")
