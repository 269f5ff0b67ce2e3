"""Evaluation runs and their results in the JSON API (scoped like the pages: a county reads its units)."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gongqiang.core.api import get_scoped_or_404, scoped

from .models import EvaluationRun, Result

router = Router(tags=["亩产效益评价"])
CLASSES = ("A", "B", "C", "D", "T")


class RunOut(Schema):
    id: int
    year: int
    version: int
    kind: str
    status: str
    status_name: str
    method_version: int
    method_hash: str
    pack_version: str
    snapshot_hash: str
    based_on: int | None
    notice_start: date | None
    notice_end: date | None
    published_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_status_name(obj: EvaluationRun) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_method_version(obj: EvaluationRun) -> int:
        return obj.method.version

    @staticmethod
    def resolve_based_on(obj: EvaluationRun) -> int | None:
        return obj.based_on_id


class RunDetailOut(RunOut):
    reason: str
    waiver_reason: str
    result_count: int
    class_counts: dict[str, int]
    low_efficiency_count: int


class ResultOut(Schema):
    uscc: str
    name: str
    region: str
    region_name: str
    unit: str
    group: str
    status: str
    industry_code: str
    computed_class: str
    adjusted_class: str
    adjust_reason: str
    final_class: str
    total: Decimal | None
    rank: int | None
    veto: bool
    low_efficiency: bool
    low_efficiency_reason: str
    reason: str
    land_mu: Decimal | None
    tax_per_mu: Decimal | None
    scores: dict[str, str]

    @staticmethod
    def resolve_uscc(obj: Result) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_name(obj: Result) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_region(obj: Result) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj: Result) -> str:
        return obj.region.name

    @staticmethod
    def resolve_scores(obj: Result) -> dict[str, str]:
        return dict((obj.detail or {}).get("scores") or {})


class ResultQuery(Schema):
    klass: str = Field("", alias="class", description="类别 A、B、C、D、T")
    unit: str = ""
    group: str = ""
    low: bool = False


@router.get("/runs", response=list[RunOut], summary="评价批次")
def list_runs(request: HttpRequest, year: int | None = None):
    qs = scoped(EvaluationRun, request).select_related("method").order_by("-year", "kind", "-version")
    return qs.filter(year=year) if year else qs


@router.get("/runs/{run_id}", response=RunDetailOut, summary="评价批次详情（企业数为数据范围内）")
def get_run(request: HttpRequest, run_id: int):
    run = get_scoped_or_404(EvaluationRun, request, pk=run_id)
    counts = scoped(Result, request).filter(run=run).aggregate(
        n=Count("id"), low=Count("id", filter=Q(low_efficiency=True)),
        **{c: Count("id", filter=Q(final_class=c)) for c in CLASSES},
    )
    run.result_count, run.low_efficiency_count = counts.pop("n"), counts.pop("low")
    run.class_counts = counts
    return run


@router.get("/runs/{run_id}/results", response=list[ResultOut], summary="评价结果（按数据范围过滤；klass、unit 筛选）")
@paginate(PageNumberPagination, page_size=100)
def list_results(request: HttpRequest, run_id: int, filters: Query[ResultQuery]):
    run = get_scoped_or_404(EvaluationRun, request, pk=run_id)
    qs = scoped(Result, request).filter(run=run).select_related("enterprise", "region")
    if filters.klass:
        qs = qs.filter(final_class=filters.klass.upper())
    if filters.unit:
        qs = qs.filter(region__code=filters.unit)
    if filters.group:
        qs = qs.filter(group=filters.group)
    if filters.low:
        qs = qs.filter(low_efficiency=True)
    return qs.order_by("region__path", "group", "rank", "enterprise__uscc")
