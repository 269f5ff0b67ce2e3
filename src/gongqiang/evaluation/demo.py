"""Demo evaluations (after `gongqiang demo`): 2021–2024 published through the whole workflow, the task-one
lists followed to outcomes, a granted appeal, and 2025 in county review with an enterprise's objection."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.db.models import Count

from gongqiang.core.models import Region, User
from gongqiang.enterprises.models import Enterprise, EnterpriseStatus, EnterpriseYear

from .models import (
    Appeal,
    EvaluationRun,
    ExitKind,
    ItemFlag,
    ListEvent,
    ListStatus,
    LowEfficiencyEntry,
    Objection,
    Result,
)
from .services import lists, runs
from .services.methods import section

WAIVER = "演示数据：核对报告中的问题已由县区逐条核实，不影响评价。"
# Shares of enterprises with each item in a year (demo only; real flags come from the departments).
ITEM_SHARES = {"bonus": 0.06, "penalty": 0.015, "veto": 0.002}
EXIT_MAP = {
    ExitKind.CLOSED: EnterpriseStatus.CLOSED,
    ExitKind.BANKRUPT: EnterpriseStatus.CLOSED,
    ExitKind.MERGED: EnterpriseStatus.MERGED,
    ExitKind.LAND_TAKEN_BACK: EnterpriseStatus.CLOSED,
    ExitKind.LAND_TRANSFERRED: EnterpriseStatus.CLOSED,
}


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _city_users() -> tuple[Any, Any]:
    city = User.objects.filter(username="city").first() or User.objects.filter(is_superuser=True).first()
    leader = User.objects.filter(username="leader").first() or city
    return city, leader


def seed_items(years: list[int], rng: random.Random) -> int:
    # scope: reviewed — demo builder, city-wide.
    ids = list(Enterprise.objects.values_list("pk", flat=True))
    items = section().items
    rows = []
    for year in years:
        for item in items:
            share = ITEM_SHARES[item.kind.value]
            for pk in rng.sample(ids, max(1, int(len(ids) * share))):
                rows.append(
                    ItemFlag(
                        enterprise_id=pk,
                        year=year,
                        item=item.code,
                        evidence="演示数据",
                        created_by_name="system:demo",
                    )
                )
    ItemFlag.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


def publish_year(year: int, user: Any, *, reason: str = "年度评价") -> EvaluationRun:
    """Start and take a year's run through review, approval, notice and publication (dated in July)."""
    run = runs.start_run(year, user, waiver_reason=WAIVER, reason=reason, today=dt.date(year + 1, 7, 1))
    run = runs.step(run, "open_review", user, today=dt.date(year + 1, 7, 2))
    for region in runs.pending_reviews(run):
        runs.confirm_unit(run, region, user, "经核实，同意评价结果。")
    run = runs.step(run, "submit", user, today=dt.date(year + 1, 7, 8))
    run = runs.step(run, "approve", user, today=dt.date(year + 1, 7, 10))
    return runs.step(run, "publish", user, today=run.notice_end + dt.timedelta(days=1))


def follow_outcomes(year: int, rng: random.Random) -> tuple[int, int]:
    """Outcomes reached during `year` for the open entries: some cleared (with the enterprise leaving the
    registry's later years), some under way. Returns (cleared, in progress)."""
    # scope: reviewed — demo builder.
    open_entries = list(
        LowEfficiencyEntry.objects.filter(status__in=[ListStatus.LISTED, ListStatus.IN_PROGRESS])
    )
    cleared = progressing = 0
    events, exits = [], {}
    kinds = list(ExitKind)
    with transaction.atomic():
        for e in open_entries:
            # each county moves at its own pace: counties differ in how hard they push
            pace = 0.18 + (int(e.region.code[-2:]) % 7) * 0.035 + (0.15 if e.first_batch else 0)
            draw = rng.random()
            when = dt.date(year, rng.randint(2, 12), rng.randint(1, 28))
            if draw < pace:
                kind = rng.choice(kinds)
                note = f"{ExitKind(kind).label}，{when:%Y年%m月}完成（演示）"
                events.append(
                    ListEvent(
                        entry=e,
                        region_id=e.region_id,
                        from_status=e.status,
                        to_status=ListStatus.CLEARED,
                        date=when,
                        note=note,
                        created_by_name="system:demo",
                    )
                )
                e.status, e.exit_kind, e.status_date, e.evidence = ListStatus.CLEARED, kind, when, note
                exits[e.enterprise_id] = (year, EXIT_MAP[kind])
                cleared += 1
            elif e.status == ListStatus.LISTED and draw < pace + 0.35:
                note = "已制定整治提升方案（演示）"
                events.append(
                    ListEvent(
                        entry=e,
                        region_id=e.region_id,
                        from_status=e.status,
                        to_status=ListStatus.IN_PROGRESS,
                        date=when,
                        note=note,
                        created_by_name="system:demo",
                    )
                )
                e.status, e.status_date, e.evidence = ListStatus.IN_PROGRESS, when, note
                progressing += 1
            else:
                continue
            e.save(update_fields=["status", "exit_kind", "status_date", "evidence", "updated_at"])
        ListEvent.objects.bulk_create(events)
        for pk, (exit_year, status) in exits.items():
            EnterpriseYear.objects.filter(enterprise_id=pk, year__gt=exit_year).update(status=status)
            Enterprise.objects.filter(pk=pk).update(status=status)
    return cleared, progressing


def mark_first_batch(cohort_year: int, size: int) -> int:
    """The first batch: the `size` entries of the baseline cohort with the lowest 亩均税收, above-scale
    enterprises first (the policy's 规上 亩均税收 line), then below-scale D-class ones if they are too few."""
    group = lists.clearance_group()
    # scope: reviewed — demo builder.
    cohort = sorted(LowEfficiencyEntry.objects.filter(cohort_year=cohort_year),
                    key=lambda e: (e.group != group, e.tax_per_mu is None, e.tax_per_mu or 0, e.pk))
    chosen = [e.pk for e in cohort[:size]]
    LowEfficiencyEntry.objects.filter(pk__in=chosen).update(first_batch=True)
    return len(chosen)


def appeals_and_objections(year_published: int, year_review: int, user: Any) -> None:
    run = runs.published_run(year_published)
    if run is None:
        return
    # scope: reviewed — demo builder.
    candidate = Result.objects.filter(run=run, final_class="C", veto=False).order_by("-total").first()
    if candidate is not None:
        granted = Appeal.objects.create(
            result=candidate,
            enterprise=candidate.enterprise,
            region=candidate.region,
            requested_class="B",
            text="企业当年新增研发投入和技改投资已入账，但未计入研发经费统计口径，请求调整为B类。",
            filed_by_name="演示企业",
            status="submitted",
        )
        new = runs.adjusted_version(
            run, {candidate.enterprise_id: ("B", "经市级复核，研发投入口径漏报属实，调整为B类")}, user
        )
        Appeal.objects.filter(pk=granted.pk).update(
            status="accepted",
            decision="研发投入口径漏报属实，同意调整为B类。",
            decided_by_name=getattr(user, "username", "city"),
            new_run=new,
        )
        run = new
    pending = Result.objects.filter(run=run, final_class="D", veto=False).order_by("-total").first()
    if pending is not None:
        Appeal.objects.create(
            result=pending,
            enterprise=pending.enterprise,
            region=pending.region,
            requested_class="C",
            text="企业已于次年一季度完成技改并投产，请求复核。",
            filed_by_name="演示企业",
        )
    review = runs.start_run(
        year_review, user, waiver_reason=WAIVER, reason="年度评价", today=dt.date(year_review + 1, 6, 20)
    )
    review = runs.step(review, "open_review", user, today=dt.date(year_review + 1, 7, 2))
    ent_user = User.objects.filter(username="enterprise").first()
    membership = ent_user.memberships.filter(enterprise__isnull=False).first() if ent_user else None
    target = membership.enterprise if membership else None
    if target is None:
        target = Result.objects.filter(run=review).first().enterprise
    Objection.objects.create(
        run=review,
        enterprise=target,
        region=target.region,
        text="用地面积含已于去年租出的仓库 12 亩，应扣除，附租赁合同。",
        created_by_name="演示企业",
    )
    # one county has confirmed, the others have not yet
    first = Region.objects.filter(kind__in=["district", "county", "zone"]).order_by("path").first()
    if first is not None:
        runs.confirm_unit(review, first, user, "已核实，同意。")


def build_demo_evaluation(*, seed: int = 2026, stdout: Any = None) -> dict[str, Any]:
    rng = random.Random(seed)
    user, _ = _city_users()
    feeds = section().targets
    from gongqiang.core.services.policy import active_spec

    spec = active_spec()
    base = spec.pack.baseline_year if spec else 2021
    first_batch_size = 210
    if feeds.first_batch and spec is not None:
        target = spec.target(feeds.first_batch).target
        first_batch_size = int(target.value) if target and target.value else first_batch_size
    years = [base, base + 1, base + 2, base + 3]
    n_items = seed_items([*years, base + 4], rng)
    _say(stdout, f"加减分及否决事项：{n_items} 条")
    for year in years:
        run = publish_year(year, user)
        counts = dict(
            Result.objects.filter(run=run)
            .values_list("final_class")
            .annotate(n=Count("pk"))
        )
        _say(
            stdout,
            f"{run}：已发布；"
            + "，".join(
                f"{k or '未分类'} {v}" for k, v in sorted(counts.items(), key=lambda kv: kv[0] or "Z")
            ),
        )
        if year == base:
            _say(stdout, f"首批名单：{mark_first_batch(base, first_batch_size)} 家")
        cleared, progressing = follow_outcomes(year + 1, rng)
        _say(stdout, f"{year + 1}年：出清 {cleared} 家，整治中 {progressing} 家")
    appeals_and_objections(years[-1], base + 4, user)
    written = lists.record_target_observations()
    _say(stdout, f"任务一目标观测值：{written} 条")
    return {"years": years, "observations": written}
