"""The county ranking: each county's decomposed targets, on time or not, weighted as the pack says."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gongqiang.core.models import Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS

from ..compute import STATUS_LABELS, Status, rank_counties
from .catalog import catalog
from .progress import TargetRow, county_rows


def ranking(user: Any, today: dt.date) -> tuple[list[dict[str, Any]], list[TargetRow]]:
    """Scores of the counties the user may see (a county user sees its own only: others' would leak)."""
    cat = catalog()
    rows = county_rows(user, today, cat)
    regions = list(Region.objects.visible_to(user).filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order"))
    p = cat.progress
    if p is None:
        return [], rows
    scores = rank_counties(
        [(r.region.code, r.info.id, r.progress.status) for r in rows],
        [r.code for r in regions],
        p.status_weights.model_dump(),
        dict(p.target_weights),
    )
    names = {r.code: r.name for r in regions}
    out = []
    for s in scores:
        if s.region not in names:
            continue
        out.append({
            "region": s.region, "name": names[s.region], "score": s.score, "rank": s.rank, "targets": s.targets,
            "counts": [(st.value, STATUS_LABELS[st], s.counts.get(st, 0)) for st in Status if st != Status.tracked],
        })
    return out, rows
