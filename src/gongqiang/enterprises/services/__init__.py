"""The registry's operations; other apps call these."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from ..models import Enterprise


def enterprise_summary(user: Any) -> dict[str, int]:
    """Counts of the enterprises the user may see (one query)."""
    return Enterprise.objects.visible_to(user).aggregate(
        total=Count("id"),
        n_above=Count("id", filter=Q(above_scale=True)),
        n_below=Count("id", filter=Q(above_scale=False)),
    )


def industry_mix(user: Any, limit: int = 12) -> list[dict[str, Any]]:
    """Above-scale enterprises by industry division (2-digit code), largest first."""
    from django.db.models.functions import Substr

    rows = (
        Enterprise.objects.visible_to(user)
        .filter(above_scale=True)
        .annotate(division=Substr("industry_code", 1, 2))
        .values("division")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return list(rows[:limit])
