"""The low-efficiency lists of task one: derived from each published run, edited by hand with a reason,
followed to an outcome; their figures become target observations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gongqiang.core.audit import actor_name
from gongqiang.core.scope import save_scoped
from gongqiang.core.services.policy import active_spec

from ..compute import lists as pure
from ..models import EvaluationRun, ListEvent, ListStatus, LowEfficiencyEntry, Result, RunKind, RunStatus
from .methods import section

OPEN = (ListStatus.LISTED, ListStatus.IN_PROGRESS)


class ListRefused(ValueError):
    pass



def derive_from_run(run: EvaluationRun, user: Any, *, today: dt.date | None = None) -> tuple[int, int]:
    """Add the run's low-efficiency enterprises not already on an open list (cohort = the run's year) and
    mark open entries whose enterprise is evaluated and no longer low-efficiency as upgraded in place.
    Returns (added, upgraded)."""
    if run.kind != RunKind.OFFICIAL or run.status != RunStatus.PUBLISHED:
        return 0, 0
    today = today or dt.date(run.year + 1, 7, 15)
    # scope: reviewed — the list is derived city-wide from a published run.
    results = {
        r.enterprise_id: r
        for r in Result.objects.filter(run=run).only(
            "enterprise_id",
            "region_id",
            "group",
            "status",
            "low_efficiency",
            "low_efficiency_reason",
            "land_mu",
            "tax_per_mu",
            "final_class",
        )
    }
    # scope: reviewed — as above.
    open_entries = {e.enterprise_id: e for e in LowEfficiencyEntry.objects.filter(status__in=OPEN)}
    # scope: reviewed — as above.
    known = set(
        LowEfficiencyEntry.objects.filter(cohort_year=run.year).values_list("enterprise_id", flat=True)
    )
    added, upgraded, events = [], 0, []
    with transaction.atomic():
        for ent_id, r in results.items():
            if r.low_efficiency and ent_id not in open_entries and ent_id not in known:
                added.append(
                    LowEfficiencyEntry(
                        enterprise_id=ent_id,
                        region_id=r.region_id,
                        cohort_year=run.year,
                        first_run=run,
                        group=r.group,
                        reason=r.low_efficiency_reason or "评价结果",
                        land_mu=r.land_mu,
                        tax_per_mu=r.tax_per_mu,
                        status_date=today,
                    )
                )
        for ent_id, entry in open_entries.items():
            r = results.get(ent_id)
            if (
                entry.cohort_year < run.year
                and r is not None
                and r.status == "evaluated"
                and not r.low_efficiency
            ):
                note = (
                    f"{run.year}年评价：亩均税收 {r.tax_per_mu or 0:.2f} 万元/亩，类别 {r.final_class}，"
                    "已不在低效之列（原地提升）"
                )
                events.append(
                    ListEvent(
                        entry=entry,
                        region_id=entry.region_id,
                        from_status=entry.status,
                        to_status=ListStatus.UPGRADED,
                        date=today,
                        note=note,
                        created_by_name=f"系统（{run}）",
                    )
                )
                entry.status, entry.status_date, entry.evidence = ListStatus.UPGRADED, today, note
                entry.save(update_fields=["status", "status_date", "evidence", "updated_at"])
                upgraded += 1
        LowEfficiencyEntry.objects.bulk_create(added, batch_size=2000)
        ListEvent.objects.bulk_create(events)
    return len(added), upgraded


def change_status(
    entry: LowEfficiencyEntry, new: str, user: Any, *, date: dt.date, note: str, exit_kind: str = ""
) -> LowEfficiencyEntry:
    problem = pure.check_transition(entry.status, new, exit_kind=exit_kind, note=note)
    if problem:
        raise ListRefused(problem)
    with transaction.atomic():
        old = entry.status
        entry.status, entry.status_date = new, date
        if new == ListStatus.CLEARED:
            entry.exit_kind = exit_kind
        if new == ListStatus.REMOVED:
            entry.removed_reason = note
        else:
            entry.evidence = (entry.evidence + "\n" if entry.evidence else "") + note
        save_scoped(entry, user)
        save_scoped(
            ListEvent(
                entry=entry,
                region_id=entry.region_id,
                from_status=old,
                to_status=new,
                date=date,
                note=note,
                created_by_name=actor_name(user),
            ),
            user,
        )
    return entry


def add_manual(enterprise: Any, year: int, reason: str, user: Any) -> LowEfficiencyEntry:
    if not reason.strip():
        raise ListRefused("人工列入须填写理由。")
    if LowEfficiencyEntry.objects.filter(enterprise=enterprise, status__in=OPEN).exists():
        raise ListRefused("该企业已在低效清单中。")
    if LowEfficiencyEntry.objects.filter(enterprise=enterprise, cohort_year=year).exists():
        raise ListRefused(f"该企业已列入过{year}年清单。")
    with transaction.atomic():
        entry = save_scoped(
            LowEfficiencyEntry(
                enterprise=enterprise,
                region_id=enterprise.region_id,
                cohort_year=year,
                manual=True,
                reason=f"人工列入：{reason.strip()}"[:300],
                status_date=timezone.localdate(),
            ),
            user,
        )
        save_scoped(
            ListEvent(
                entry=entry,
                region_id=entry.region_id,
                to_status=ListStatus.LISTED,
                date=timezone.localdate(),
                note=reason.strip(),
                created_by_name=actor_name(user),
            ),
            user,
        )
    return entry  # type: ignore[return-value]


def entries_frame(queryset: Any) -> pl.DataFrame:
    rows = list(
        queryset.values_list("region__code", "cohort_year", "status", "status_date", "first_batch", "group")
    )
    return pl.DataFrame(
        rows,
        schema={
            "region": pl.String,
            "cohort_year": pl.Int64,
            "status": pl.String,
            "status_date": pl.Date,
            "first_batch": pl.Boolean,
            "group": pl.String,
        },
        orient="row",
    )


def results_frame(queryset: Any) -> pl.DataFrame:
    """Land per region, group, status and class, summed in the database: the pure share adds land per
    region and class, so these few rows give the same shares as one row per enterprise (a city page
    reads 80 rows, not 15,000)."""
    rows = [
        (r, g, s, c, float(land) if land is not None else None)
        for r, g, s, c, land in queryset.values("region__code", "group", "status", "final_class")
        .annotate(land=Sum("land_mu"))
        .order_by()
        .values_list("region__code", "group", "status", "final_class", "land")
    ]
    return pl.DataFrame(
        rows,
        schema={
            "region": pl.String,
            "group": pl.String,
            "status": pl.String,
            "class": pl.String,
            "land_mu": pl.Float64,
        },
        orient="row",
    )


def baseline_year() -> int:
    spec = active_spec()
    return spec.pack.baseline_year if spec else 2021


def clearance_group() -> str | None:
    """The group the clearance target counts: that of the method's value rule (above-scale ≤ 3 万元/亩)."""
    method = section().method_for(baseline_year())
    rule = next((r for r in method.low_efficiency if r.indicator), None) if method else None
    return rule.group if rule else None


def figures(
    user_entries: Any, *, as_of: dt.date, group: str | None = None
) -> dict[str | None, pure.ListFigures]:
    """Clearance and first-batch figures of the baseline cohort (of `group`, default every group)."""
    return pure.list_figures(
        entries_frame(user_entries), cohort_year=baseline_year(), as_of=as_of, group=group
    )


def below_scale_share(run_results: Any, run: EvaluationRun) -> dict[str | None, float | None]:
    from .methods import to_method

    method = to_method(run.method_spec)
    below = next((g.code for g in method.groups if not g.above_scale), None)
    if below is None:
        return {}
    return pure.below_scale_land_share(
        results_frame(run_results), group=below, classes=list(method.below_scale_low_land_classes)
    )


def record_target_observations(years: list[int] | None = None) -> int:
    """Write the task-one figures as computed observations of the pack's targets (city and counties)."""
    from gongqiang.targets.computations import record_computed

    feeds = section().targets
    base = baseline_year()
    written = 0
    # scope: reviewed — a system job writing city and county figures.
    published = EvaluationRun.objects.filter(kind=RunKind.OFFICIAL, status=RunStatus.PUBLISHED)
    run_years = sorted(set(published.values_list("year", flat=True)))
    for year in years or [y for y in run_years if y >= base]:
        as_of = dt.date(year, 12, 31)
        # scope: reviewed — as above.
        figs = figures(LowEfficiencyEntry.objects.all(), as_of=as_of)
        # scope: reviewed — as above.
        rate_figs = figures(LowEfficiencyEntry.objects.all(), as_of=as_of, group=clearance_group())
        provenance = {"source": "亩产效益评价低效清单", "cohort_year": base, "as_of": as_of.isoformat()}
        if feeds.first_batch and figs:
            written += record_computed(
                feeds.first_batch,
                year,
                {k: Decimal(f.first_batch_done) for k, f in figs.items() if f.first_batch},
                computation="low_efficiency_first_batch",
                inputs={**provenance, "description": "首批名单中已提升或出清的企业数"},
            )
        if feeds.clearance_rate and figs:
            written += record_computed(
                feeds.clearance_rate,
                year,
                {
                    k: Decimal(f"{f.clearance_rate:.4f}")
                    for k, f in rate_figs.items()
                    if f.clearance_rate is not None
                },
                computation="low_efficiency_clearance",
                inputs={**provenance, "description": "基期低效企业中已出清的比例"},
            )
        run = published.filter(year=year).first()
        if feeds.below_scale_land_share and run is not None:
            # scope: reviewed — as above.
            shares = below_scale_share(Result.objects.filter(run=run), run)
            written += record_computed(
                feeds.below_scale_land_share,
                year,
                {k: Decimal(f"{v:.4f}") for k, v in shares.items() if v is not None},
                computation="below_scale_low_land",
                inputs={"source": str(run), "run": run.pk, "description": "规下参评企业中低效类别用地占比"},
            )
    return written


def clearance_by_region(as_of: dt.date) -> dict[str, float | None]:
    """Clearance rate (%) of the baseline above-scale cohort per county code as of `as_of`, for other apps
    (the supervision bulletin's county ranking). Counties without a cohort are absent."""
    # scope: reviewed — figures per county for the city's bulletin; no row is shown.
    figs = figures(LowEfficiencyEntry.objects.all(), as_of=as_of, group=clearance_group())
    return {k: f.clearance_rate for k, f in figs.items() if k is not None}
