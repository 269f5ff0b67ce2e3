"""What the runs, results, methods and appeal pages share: roles, names from the pack, the default run."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import memberships_of
from gongqiang.core.services.policy import active_spec

from ..models import EvaluationRun, RunKind, RunStatus

STAFF = frozenset({"admin", "city", "leader", "department", "county"})
CITY = frozenset({"admin", "city"})
CLASSES = ("A", "B", "C", "D", "T")
CLASS_COLOURS = {"A": "#198754", "B": "#0d6efd", "C": "#ffc107", "D": "#dc3545", "T": "#adb5bd"}


def is_city(user: Any) -> bool:
    return bool(roles_of(user) & CITY)


def county_region_ids(user: Any) -> set[int]:
    return {m.region_id for m in memberships_of(user) if m.role == "county" and m.region_id}


def enterprise_ids(user: Any) -> set[int]:
    return {m.enterprise_id for m in memberships_of(user) if m.role == "enterprise" and m.enterprise_id}


def metric_names() -> dict[str, tuple[str, str]]:
    """Metric and item codes → (name, unit) from the active pack."""
    spec = active_spec()
    if spec is None:
        return {}
    out = {m.code: (m.name, m.unit) for m in spec.metrics}
    out.setdefault("land_mu", ("用地面积", "亩"))
    if spec.evaluation is not None:
        out.update({i.code: (i.name, "") for i in spec.evaluation.items})
    return out


def item_names() -> dict[str, str]:
    spec = active_spec()
    if spec is None or spec.evaluation is None:
        return {}
    return {i.code: i.name for i in spec.evaluation.items}


def industry_names() -> dict[str, str]:
    spec = active_spec()
    return spec.industry_names() if spec else {}


def group_names(spec: dict[str, Any]) -> dict[str, str]:
    return {g["code"]: g["name"] for g in spec.get("groups", [])}


def default_run(user: Any) -> EvaluationRun | None:
    """The latest published official run of the latest year that has one (runs are public rows)."""
    return (
        EvaluationRun.objects.visible_to(user)
        .filter(kind=RunKind.OFFICIAL, status=RunStatus.PUBLISHED)
        .order_by("-year", "-version")
        .first()
    )


def run_or_404(user: Any, pk: Any) -> EvaluationRun:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("未找到该评价批次。") from None
    run = EvaluationRun.objects.visible_to(user).filter(pk=pk).select_related("method", "based_on").first()
    if run is None:
        raise Http404("未找到该评价批次。")
    return run


def published_history(
    user: Any, enterprise_ids_: list[int] | None = None, up_to: int | None = None
) -> dict[int, dict[int, str]]:
    """{enterprise_id: {year: final class}} from the published official runs, read through the scope."""
    from ..models import Result

    qs = Result.objects.visible_to(user).filter(run__kind=RunKind.OFFICIAL, run__status=RunStatus.PUBLISHED)
    if enterprise_ids_ is not None:
        qs = qs.filter(enterprise_id__in=enterprise_ids_)
    if up_to is not None:
        qs = qs.filter(run__year__lte=up_to)
    out: dict[int, dict[int, str]] = {}
    for ent, year, klass in qs.values_list("enterprise_id", "run__year", "final_class"):
        out.setdefault(ent, {})[year] = klass
    return out
