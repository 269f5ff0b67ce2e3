"""The home page: what each role needs first."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from gongqiang.core.models import Region
from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import memberships_of
from gongqiang.core.services.policy import active_pack, active_spec
from gongqiang.core.views.base import MemberTemplateView
from gongqiang.enterprises.services import enterprise_summary, industry_mix
from gongqiang.evaluation.services.summary import home_summary

ROLE_TITLES = {
    "admin": "系统管理",
    "city": "全市工作台",
    "leader": "领导驾驶舱",
    "department": "部门工作台",
    "county": "县区工作台",
    "enterprise": "企业工作台",
}


class HomeView(MemberTemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        roles = roles_of(user)
        primary = next(r for r in ("admin", "city", "leader", "department", "county", "enterprise") if r in roles)
        spec = active_spec()
        context.update(
            primary_role=primary,
            role_title=ROLE_TITLES[primary],
            memberships=memberships_of(user),
            pack=active_pack(),
            spec=spec,
            summary=enterprise_summary(user),
            evaluation=home_summary(user),
        )
        if spec is not None:
            context["target_count"] = len(spec.targets)
            context["task_lines"] = spec.task_lines
            departments = {d.code: d for d in spec.organisation.departments}
            context["department_names"] = {c: d.short_name or d.name for c, d in departments.items()}
            owned = {m.department.code for m in memberships_of(user) if m.department_id}
            context["owned_lines"] = [t for t in spec.task_lines if t.owner in owned or set(t.co_owners) & owned]
            context["owned_targets"] = [t for t in spec.targets if t.owner in owned]
        regions = list(
            Region.objects.visible_to(user)
            .filter(kind__in=["district", "county", "zone"])
            .annotate(n=Count("enterprises"), n_above=Count("enterprises", filter=Q(enterprises__above_scale=True)))
            .order_by("sort_order", "code")
        )
        context["regions"] = regions
        context["chart_title"] = "各县区（功能区）企业数"
        if len(regions) == 1:
            # A county user: the useful breakdown is by town.
            towns = list(
                Region.objects.visible_to(user)
                .filter(kind="town", parent=regions[0])
                .annotate(
                    n=Count("town_enterprises"),
                    n_above=Count("town_enterprises", filter=Q(town_enterprises__above_scale=True)),
                )
                .order_by("code")
            )
            if towns:
                context["chart_title"] = f"{regions[0].name}各乡镇街道企业数（已落到乡镇的企业）"
                regions = towns
        context["region_chart"] = region_chart(regions)
        mix = industry_mix(user)
        context["industry_chart"] = industry_chart(mix, spec.industry_names() if spec else {})
        context["industry_chart_has_data"] = bool(mix)
        return context


def region_chart(regions: list[Region]) -> dict[str, Any]:
    names = [r.short_name or r.name for r in regions]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["规上", "规下"]},
        "grid": {"left": 50, "right": 20, "bottom": 60, "top": 40},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 35}},
        "yAxis": {"type": "value", "name": "家"},
        "series": [
            {"name": "规上", "type": "bar", "stack": "n", "data": [r.n_above for r in regions]},
            {"name": "规下", "type": "bar", "stack": "n", "data": [r.n - r.n_above for r in regions]},
        ],
    }


def industry_chart(mix: list[dict[str, Any]], names: dict[str, str]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}：{c} 家（{d}%）"},
        "series": [{
            "type": "pie",
            "radius": ["35%", "70%"],
            "data": [
                {"name": f"{row['division']} {names.get(row['division'], '')}".strip(), "value": row["n"]} for row in mix
            ],
        }],
    }
