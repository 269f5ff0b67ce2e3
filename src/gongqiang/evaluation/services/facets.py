"""The evaluation's filter on the enterprise list: the class of the published run of the list's year
(the latest published run when no year is chosen)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from gongqiang.enterprises.facets import Facet

from ..models import CLASS_NAMES, EvaluationRun, Result, RunKind, RunStatus


def _choices() -> list[tuple[str, str]]:
    return list(CLASS_NAMES.items())


def _apply(qs: QuerySet, value: str, year: int | None) -> QuerySet:
    if value not in CLASS_NAMES:
        return qs
    runs = EvaluationRun.objects.filter(kind=RunKind.OFFICIAL, status=RunStatus.PUBLISHED)
    run = (runs.filter(year=year) if year is not None else runs).order_by("-year", "-version").first()
    if run is None:
        return qs.none()
    # scope: reviewed — correlated to the outer, already scoped enterprise rows.
    hit = Result.objects.filter(run=run, enterprise=OuterRef("pk"), final_class=value)
    return qs.filter(Exists(hit))


CLASS_FACET = Facet(param="klass", label="评价类别", choices=_choices, apply=_apply)
