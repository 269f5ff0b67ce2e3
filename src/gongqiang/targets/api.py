"""Targets, observations, progress and the county ranking in the JSON API (scoped like the pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from gongqiang.core.api import scoped

from .models import Observation
from .presenters import present
from .services.access import target_or_404
from .services.catalog import catalog
from .services.detail import city_row
from .services.progress import city_rows, county_rows
from .services.ranking import ranking

router = Router(tags=["目标与驾驶舱"])


class ProgressOut(Schema):
    id: str
    name: str
    group: str
    group_name: str
    owner: str
    owner_name: str
    task_line: str
    kind: str
    unit: str
    region: str
    region_name: str
    status: str
    status_label: str
    reason: str
    override_reason: str
    current: float | None
    current_period: str
    goal: float | None
    goal_text: str
    completion: float | None
    elapsed: float | None
    gap: float | None
    projected: float | None
    projected_meets: bool | None
    required_growth: float | None
    achieved_growth: float | None
    required_growth_now: float | None


class ObservationOut(Schema):
    id: int
    target: str
    region: str
    period: str
    value: float
    unit: str
    source: str
    computation: str
    inputs: dict[str, Any]
    note: str
    created_by: str
    created_at: str
    late: bool
    is_current: bool
    pack_version: str


class TargetDetailOut(Schema):
    progress: ProgressOut
    counties: list[ProgressOut]
    observations: list[ObservationOut]


class CountyScoreOut(Schema):
    region: str
    name: str
    score: float | None
    rank: int | None
    targets: int


def _observation(o: Observation) -> dict[str, Any]:
    return {
        "id": o.pk, "target": o.target, "region": o.region.code, "period": o.period, "value": float(o.value),
        "unit": o.unit, "source": o.source, "computation": o.computation, "inputs": o.inputs, "note": o.note,
        "created_by": o.created_by_name, "created_at": o.created_at.isoformat(), "late": o.late,
        "is_current": o.is_current, "pack_version": o.pack_version,
    }


@router.get("/", response=list[ProgressOut], summary="全部目标及进度（按数据范围）")
def list_targets(request: HttpRequest) -> list[dict[str, Any]]:
    return [present(r) for r in city_rows(request.auth, timezone.localdate())]


@router.get("/counties", response=list[ProgressOut], summary="县区分解目标及进度")
def list_county_targets(request: HttpRequest) -> list[dict[str, Any]]:
    return [present(r) for r in county_rows(request.auth, timezone.localdate())]


@router.get("/ranking", response=list[CountyScoreOut], summary="县区排名")
def county_ranking(request: HttpRequest) -> list[dict[str, Any]]:
    scores, _ = ranking(request.auth, timezone.localdate())
    return scores


@router.get("/{target}", response=TargetDetailOut, summary="单个目标：进度、县区、观测值（含历史）")
def get_target(request: HttpRequest, target: str) -> dict[str, Any]:
    cat, today = catalog(), timezone.localdate()
    info = target_or_404(request.auth, cat, target)
    observations = scoped(Observation, request).filter(target=info.id).select_related("region").order_by(
        "region__path", "year", "months", "created_at")
    return {
        "progress": present(city_row(request.auth, cat, info, today)),
        "counties": [present(r) for r in county_rows(request.auth, today, cat, target=info.id)],
        "observations": [_observation(o) for o in observations],
    }


@router.get("/{target}/observations", response=list[ObservationOut], summary="单个目标的观测值（含历史）")
def list_observations(request: HttpRequest, target: str, current: bool = False) -> list[dict[str, Any]]:
    info = target_or_404(request.auth, catalog(), target)
    qs = scoped(Observation, request).filter(target=info.id).select_related("region")
    if current:
        qs = qs.filter(is_current=True)
    return [_observation(o) for o in qs.order_by("region__path", "year", "months", "created_at")]
