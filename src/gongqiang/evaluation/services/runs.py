"""Evaluation runs: start (refused on unresolved data blockers unless waived), persist the engine's rows,
move through review, notice and publication, re-run as a new version, what-if on a published year."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from gongqiang.core.audit import actor_name
from gongqiang.core.models import Region
from gongqiang.core.policy.evaluation import EvaluationMethod
from gongqiang.core.services.policy import active_pack
from gongqiang.enterprises.services.reconciliation import unresolved_blockers

from ..compute import evaluate, workflow
from ..models import EvaluationRun, MethodVersion, Result, RunKind, RunSnapshot, RunStatus, UnitReview
from . import inputs
from .methods import as_json, current_version, item_names, spec_hash, to_method
from .persist import persist

OPEN_STATUSES = (RunStatus.DRAFT, RunStatus.COUNTY_REVIEW, RunStatus.CITY_APPROVAL, RunStatus.PUBLIC_NOTICE)


class RunRefused(ValueError):
    """The run cannot start or take that step; the message says why, in Chinese."""



def _next_version(year: int, kind: str) -> int:
    last = EvaluationRun.objects.filter(year=year, kind=kind).order_by("-version").first()
    return (last.version + 1) if last else 1


def start_run(
    year: int, user: Any, *, waiver_reason: str = "", reason: str = "", today: dt.date | None = None
) -> EvaluationRun:
    """Evaluate `year` with its current method on the registry's current data, as a draft."""
    if year >= (today or timezone.localdate()).year + 1:
        raise RunRefused(f"{year}年尚未开始，不能评价。")
    open_run = EvaluationRun.objects.filter(year=year, kind=RunKind.OFFICIAL, status__in=OPEN_STATUSES).first()
    if open_run is not None:
        raise RunRefused(f"{open_run}尚在“{open_run.get_status_display()}”阶段，请先发布或作废，再发起新的评价。")
    blockers = unresolved_blockers(year)
    if blockers and not waiver_reason.strip():
        raise RunRefused(
            f"{year}年数据核对报告还有 {blockers} 个未解决的阻断问题（缺失来源、有税无地等），"
            "请先在“数据核对”中处理，或填写豁免理由后再发起评价。"
        )
    version = current_version(year)
    method = to_method(version.spec)
    current = inputs.load_year(year, method)
    if current.is_empty():
        raise RunRefused(f"企业库中没有{year}年的数据，不能评价。")
    previous = inputs.load_year(year - 1, method)
    based_on = (
        EvaluationRun.objects.filter(year=year, kind=RunKind.OFFICIAL)
        .exclude(status=RunStatus.DISCARDED)
        .order_by("-version")
        .first()
    )
    return _create(
        year,
        RunKind.OFFICIAL,
        version,
        method,
        current,
        previous,
        user,
        based_on=based_on,
        reason=reason,
        waiver_reason=waiver_reason.strip(),
        blockers=blockers,
    )


def whatif(base: EvaluationRun, raw_method: dict[str, Any], user: Any, *, reason: str = "") -> EvaluationRun:
    """A what-if run: `raw_method` (edited weights, thresholds, quotas …) on exactly the data of `base`."""
    method = to_method(raw_method)
    current, previous = snapshot_of(base)
    return _create(
        base.year,
        RunKind.WHATIF,
        base.method,
        method,
        current,
        previous,
        user,
        based_on=base,
        reason=reason or "模拟测算",
        waiver_reason=base.waiver_reason,
        blockers=base.blockers,
    )


def snapshot_of(run: EvaluationRun) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    # scope: reviewed — the snapshot is read only by services, for a run the caller may see.
    snap = RunSnapshot.objects.filter(run=run).first()
    if snap is None:
        raise RunRefused(f"{run}没有保存数据快照。")
    return inputs.from_bytes(snap.current), inputs.from_bytes(snap.previous)  # type: ignore[return-value]


def _create(
    year: int,
    kind: str,
    version: MethodVersion,
    method: EvaluationMethod,
    current: pl.DataFrame,
    previous: pl.DataFrame | None,
    user: Any,
    *,
    based_on: EvaluationRun | None,
    reason: str,
    waiver_reason: str,
    blockers: int,
) -> EvaluationRun:
    result = evaluate(current, method, year=year, previous=previous, item_names=item_names())
    pack = active_pack()
    spec = as_json(method)
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            year=year,
            version=_next_version(year, kind),
            kind=kind,
            method=version,
            method_spec=spec,
            method_hash=spec_hash(spec),
            pack_version=pack.version if pack else "",
            pack_hash=pack.content_hash if pack else "",
            snapshot_hash=inputs.snapshot_hash(current, previous),
            based_on=based_on,
            reason=reason,
            waiver_reason=waiver_reason,
            blockers=blockers,
            created_by=user if getattr(user, "pk", None) else None,
            created_by_name=actor_name(user),
        )
        RunSnapshot.objects.create(
            run=run,
            current=inputs.to_bytes(current),
            previous=inputs.to_bytes(previous) if previous is not None else None,
        )
        persist(run, result)
    return run


# -- the workflow -----------------------------------------------------------------------------------
def pending_reviews(run: EvaluationRun) -> list[Region]:
    """County-level units with results in the run that have not confirmed them."""
    # scope: reviewed — the city's view of which units are outstanding.
    units = set(Result.objects.filter(run=run).values_list("region_id", flat=True).distinct())
    done = set(UnitReview.objects.filter(run=run).values_list("region_id", flat=True))
    # scope: reviewed — reference data.
    return list(Region.objects.filter(pk__in=units - done).order_by("path"))


def step(
    run: EvaluationRun, action: str, user: Any, *, today: dt.date | None = None, note: str = ""
) -> EvaluationRun:
    today = today or timezone.localdate()
    with transaction.atomic():
        run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
        try:
            target = workflow.check(
                action,
                run.status,
                kind=run.kind,
                today=today,
                notice_end=run.notice_end,
                pending_reviews=len(pending_reviews(run)) if action == "submit" else 0,
            )
        except workflow.IllegalStep as exc:
            raise RunRefused(str(exc)) from None
        fields = ["status"]
        if target == RunStatus.PUBLIC_NOTICE:
            days = to_method(run.method_spec).calendar.public_notice_days
            run.notice_start, run.notice_end = workflow.notice_window(today, days)
            run.approved_by_name = actor_name(user)
            fields += ["notice_start", "notice_end", "approved_by_name"]
        if target == RunStatus.PUBLISHED:
            run.published_at = timezone.now()
            run.published_by_name = actor_name(user)
            fields += ["published_at", "published_by_name"]
            EvaluationRun.objects.filter(
                year=run.year, kind=RunKind.OFFICIAL, status=RunStatus.PUBLISHED
            ).exclude(pk=run.pk).update(status=RunStatus.SUPERSEDED)
        run.status = target
        run.save(update_fields=fields)
    if target == RunStatus.PUBLISHED:
        from .lists import derive_from_run

        derive_from_run(run, user)
    return run


def confirm_unit(run: EvaluationRun, region: Region, user: Any, comment: str = "") -> UnitReview:
    if run.status != RunStatus.COUNTY_REVIEW:
        raise RunRefused("只有处于“县区审核”状态的评价可以确认。")
    review, _ = UnitReview.objects.update_or_create(
        run=run,
        region=region,
        defaults={
            "comment": comment,
            "reviewed_by": user if getattr(user, "pk", None) else None,
            "reviewed_by_name": actor_name(user),
        },
    )
    return review


def published_run(year: int) -> EvaluationRun | None:
    return EvaluationRun.objects.filter(year=year, kind=RunKind.OFFICIAL, status=RunStatus.PUBLISHED).first()


def adjusted_version(
    base: EvaluationRun, adjustments: dict[int, tuple[str, str]], user: Any
) -> EvaluationRun:
    """A new published version of `base` with hand adjustments {enterprise_id: (class, reason)} kept beside
    the computed classes (调档). `base` becomes superseded; everything else is copied unchanged."""
    if base.status != RunStatus.PUBLISHED:
        raise RunRefused("只能在已发布的评价上调档。")
    with transaction.atomic():
        new = EvaluationRun.objects.create(
            year=base.year,
            version=_next_version(base.year, RunKind.OFFICIAL),
            kind=RunKind.OFFICIAL,
            status=RunStatus.PUBLISHED,
            method=base.method,
            method_spec=base.method_spec,
            method_hash=base.method_hash,
            pack_version=base.pack_version,
            pack_hash=base.pack_hash,
            snapshot_hash=base.snapshot_hash,
            based_on=base,
            reason="调档：" + "；".join(r for _, r in adjustments.values()),
            waiver_reason=base.waiver_reason,
            blockers=base.blockers,
            notice_start=base.notice_start,
            notice_end=base.notice_end,
            published_at=timezone.now(),
            approved_by_name=base.approved_by_name,
            published_by_name=actor_name(user),
            created_by=user if getattr(user, "pk", None) else None,
            created_by_name=actor_name(user),
        )
        # scope: reviewed — the snapshot and results are copied whole, the city's act.
        snap = RunSnapshot.objects.get(run=base)
        RunSnapshot.objects.create(run=new, current=snap.current, previous=snap.previous)
        copies = []
        # scope: reviewed — as above.
        for r in Result.objects.filter(run=base).iterator(chunk_size=4000):
            r.pk = None
            r.run = new
            if r.enterprise_id in adjustments:
                klass, reason = adjustments[r.enterprise_id]
                r.adjusted_class, r.adjust_reason, r.final_class = klass, reason, klass
            copies.append(r)
        Result.objects.bulk_create(copies, batch_size=2000)
        base.status = RunStatus.SUPERSEDED
        base.save(update_fields=["status"])
    return new
