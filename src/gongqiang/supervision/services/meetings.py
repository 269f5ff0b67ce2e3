"""Industry meetings per county and month against the pack's minimum; typical cases' review."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone

from gongqiang.core.models import Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS
from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import save_scoped
from gongqiang.core.services.policy import active_spec

from ..models import CaseStatus, IndustryMeeting, TypicalCase


class CaseRefused(Exception):
    pass


def meetings_minimum() -> int:
    spec = active_spec()
    return spec.supervision.schedule.meetings_per_month_min if spec else 0


def monthly_counts(user: Any, year: int, month: int) -> list[dict[str, Any]]:
    """Each county the user may see: meetings held in the month, the minimum, and whether it is met."""
    minimum = meetings_minimum()
    counts = dict(IndustryMeeting.objects.visible_to(user).filter(held_on__year=year, held_on__month=month)
                  .values_list("region_id").annotate(n=Count("pk")).values_list("region_id", "n"))
    regions = Region.objects.visible_to(user).filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order")
    return [{"region": r.name, "count": counts.get(r.pk, 0), "minimum": minimum,
             "meets": counts.get(r.pk, 0) >= minimum} for r in regions]


def months_meeting_minimum(user: Any, months: list[tuple[int, int]]) -> dict[int, int]:
    """County region id → how many of `months` had at least the pack's minimum of meetings (assessment A6)."""
    minimum = meetings_minimum()
    if not months:
        return {}
    first, last = months[0], months[-1]
    rows = (IndustryMeeting.objects.visible_to(user)
            .filter(held_on__gte=f"{first[0]}-{first[1]:02d}-01", held_on__lt=_after(last))
            .values_list("region_id", "held_on"))
    per: dict[tuple[int, int, int], int] = {}
    for region_id, held_on in rows:
        key = (region_id, held_on.year, held_on.month)
        per[key] = per.get(key, 0) + 1
    regions = Region.objects.visible_to(user).filter(kind__in=COUNTY_LEVEL_KINDS).values_list("pk", flat=True)
    return {r: sum(1 for y, m in months if per.get((r, y, m), 0) >= minimum) for r in regions}


def _after(month: tuple[int, int]) -> str:
    y, m = month
    return f"{y + 1}-01-01" if m == 12 else f"{y}-{m + 1:02d}-01"


def publish_case(user: Any, case: TypicalCase) -> TypicalCase:
    if not roles_of(user) & {"admin", "city"}:
        raise CaseRefused("只有市级工作人员可以审核发布典型经验")
    if case.status == CaseStatus.PUBLISHED:
        raise CaseRefused("该典型经验已发布")
    case.status, case.published_at = CaseStatus.PUBLISHED, timezone.now()
    save_scoped(case, user, update_fields=["status", "published_at"])
    return case
