"""What other pages show of the evaluation: the latest published year's classes within the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from ..models import EvaluationRun, ListStatus, LowEfficiencyEntry, Result, RunKind, RunStatus


def latest_published() -> EvaluationRun | None:
    return (EvaluationRun.objects.filter(kind=RunKind.OFFICIAL, status=RunStatus.PUBLISHED)
            .order_by("-year", "-version").first())


def home_summary(user: Any) -> dict[str, Any] | None:
    """{run, classes: {A: n, …}, evaluated, open_list} for the user's scope; None before any publication."""
    run = latest_published()
    if run is None:
        return None
    counts = dict(Result.objects.visible_to(user).filter(run=run).exclude(final_class="")
                  .values_list("final_class").annotate(n=Count("pk")).order_by())
    open_list = LowEfficiencyEntry.objects.visible_to(user).filter(
        status__in=[ListStatus.LISTED, ListStatus.IN_PROGRESS]).count()
    return {"run": run, "classes": {c: counts.get(c, 0) for c in "ABCDT"},
            "evaluated": sum(counts.get(c, 0) for c in "ABCD"), "open_list": open_list}
