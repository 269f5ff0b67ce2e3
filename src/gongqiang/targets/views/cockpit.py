"""The leaders' cockpit and the county ranking."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gongqiang.core.views.base import MemberTemplateView

from ..compute import STATUS_LABELS, Status
from ..presenters import present
from ..services.access import STAFF, can_split, county_regions_of, sees_all_counties
from ..services.catalog import catalog
from ..services.progress import city_rows, county_rows, group_summary, status_counts
from ..services.ranking import ranking

FILTERS = ("group", "line", "owner", "status")


def filtered(rows: list, params: Any) -> list:
    group, line, owner, status = (params.get(k, "") for k in FILTERS)
    return [
        r for r in rows
        if (not group or r.info.spec.group == group)
        and (not line or (r.info.spec.task_line or "") == line)
        and (not owner or r.info.spec.owner == owner)
        and (not status or r.progress.status == status)
    ]


class CockpitView(MemberTemplateView):
    template_name = "targets/cockpit.html"
    allowed_roles = STAFF
    breadcrumbs = (("目标与驾驶舱", None), ("驾驶舱", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        cat = catalog()
        rows = city_rows(user, today, cat)
        shown = filtered(rows, self.request.GET)
        counties = county_rows(user, today, cat) if county_regions_of(user) else []
        context.update(
            cat=cat,
            today=today,
            groups=group_summary(rows, cat),
            counts=status_counts(rows),
            rows=[present(r) for r in shown],
            total=len(rows),
            county_rows=[present(r) for r in counties],
            filters={k: self.request.GET.get(k, "") for k in FILTERS},
            querystring=self.request.GET.urlencode(),
            group_choices=[(g.id, g.name) for g in cat.spec.goal_groups],
            line_choices=[(t.id, f"{t.number}. {t.name}") for t in cat.spec.task_lines],
            owner_choices=sorted({(r.info.spec.owner, r.info.owner_name) for r in rows}),
            status_choices=[(s.value, STATUS_LABELS[s]) for s in Status],
            status_chart=_status_chart(rows),
            can_split=can_split(user),
            sees_all=sees_all_counties(user),
        )
        return context


def _status_chart(rows: list) -> dict[str, Any]:
    colours = {"achieved": "#198754", "on_track": "#0d6efd", "behind": "#ffc107", "seriously_behind": "#dc3545",
               "no_data": "#adb5bd", "tracked": "#dee2e6"}
    counts = {s: 0 for s in Status}
    for r in rows:
        counts[r.progress.status] += 1
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}：{c} 项（{d}%）"},
        "series": [{"type": "pie", "radius": ["45%", "75%"], "label": {"formatter": "{b}\n{c}"},
                    "data": [{"name": STATUS_LABELS[s], "value": n, "itemStyle": {"color": colours[s.value]}}
                             for s, n in counts.items() if n]}],
    }


class RankingView(MemberTemplateView):
    template_name = "targets/ranking.html"
    allowed_roles = STAFF
    breadcrumbs = (("目标与驾驶舱", None), ("县区排名", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        scores, rows = ranking(self.request.user, today)
        # The targets of one county at a time (15 × 80 rows on one page would drown the ranking).
        selected = self.request.GET.get("region") or (scores[0]["region"] if len(scores) == 1 else "")
        rows = [r for r in rows if r.region.code == selected]
        cat = catalog()
        weights = cat.progress.status_weights.model_dump() if cat.progress else {}
        context.update(scores=scores, rows=[present(r) for r in rows], today=today, cat=cat,
                       weights=[(STATUS_LABELS[Status(k)], v) for k, v in weights.items()],
                       chart=_ranking_chart(scores), sees_all=sees_all_counties(self.request.user),
                       selected=selected)
        return context


def _ranking_chart(scores: list) -> dict[str, Any]:
    scored = [s for s in scores if s["score"] is not None]
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 110, "right": 30, "top": 10, "bottom": 30},
        "xAxis": {"type": "value", "max": 100, "name": "得分"},
        "yAxis": {"type": "category", "inverse": True, "data": [s["name"] for s in scored]},
        "series": [{"type": "bar", "data": [round(s["score"], 1) for s in scored], "label": {"show": True,
                                                                                           "position": "right"}}],
    }
