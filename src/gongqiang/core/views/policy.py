"""The policy pack as pages: the loaded versions, the targets, the task lines, the organisation."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ..models import Department, PolicyPack, Region
from ..services.policy import active_spec
from .base import MemberTemplateView, ScopedDetailView, ScopedListView

COMPARISON = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "eq": "="}
KIND_LABELS = {
    "level": "总量水平",
    "multiple_of_baseline": "基期倍数",
    "share": "占比",
    "stock_count": "存量个数",
    "new_per_year": "年度新增",
    "cumulative_new": "累计新增",
    "decrease_vs_baseline": "较基期下降",
    "composite": "组合（成员达标数）",
}


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def describe_target(t) -> str:
    """The target in words a clerk would write: "≥ 2 倍（较2021年，2026年）", "较2021年下降 ≥ 6 %"."""
    if t.target is None:
        return "仅跟踪"
    cmp, value, year = COMPARISON[t.target.comparison], _fmt(t.target.value), t.target.year
    base_year = t.baseline.year if t.baseline else ""
    if t.kind == "multiple_of_baseline":
        return f"{cmp} {value} 倍（较{base_year}年，{year}年）"
    if t.kind == "decrease_vs_baseline":
        return f"较{base_year}年下降 {cmp} {value} %（{year}年）"
    return f"{cmp} {value} {t.unit}（{year}年）"


def _spec_or_404():
    spec = active_spec()
    if spec is None:
        raise Http404("尚未加载政策包。")
    return spec


class PolicyPackListView(ScopedListView):
    model = PolicyPack
    template_name = "core/policy_pack_list.html"
    breadcrumbs = (("系统管理", None), ("政策包", None))


class PolicyPackDetailView(ScopedDetailView):
    model = PolicyPack
    template_name = "core/policy_pack_detail.html"

    def get_breadcrumbs(self):
        return [("系统管理", None), ("政策包", "core:policy-packs"), (str(self.object), None)]


class TargetListView(MemberTemplateView):
    template_name = "core/policy_targets.html"
    breadcrumbs = (("目标与驾驶舱", None), ("政策目标", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        spec = _spec_or_404()
        departments = {d.code: d.short_name or d.name for d in spec.organisation.departments}
        group_filter = self.request.GET.get("group", "")
        rows = []
        for t in spec.targets:
            if group_filter and t.group != group_filter:
                continue
            target = describe_target(t)
            extra = "；".join(f"{COMPARISON[b.comparison]} {_fmt(b.value)} {b.unit}" for b in t.also)
            member = (
                f"每个成员 {COMPARISON[t.member_threshold.comparison]} {_fmt(t.member_threshold.value)} {t.member_threshold.unit}"
                if t.member_threshold else ""
            )
            rows.append({
                "spec": t,
                "kind": KIND_LABELS[t.kind],
                "target": target,
                "extra": "；".join(x for x in (extra, member) if x),
                "baseline": (f"{_fmt(t.baseline.value)}（{t.baseline.year}年）" if t.baseline and t.baseline.value is not None
                             else (f"{t.baseline.year}年" if t.baseline else "—")),
                "milestones": "；".join(f"{m.year}年 {COMPARISON[m.comparison]} {_fmt(m.value)}" for m in t.milestones),
                "owner": departments.get(t.owner, t.owner),
            })
        context.update(spec=spec, rows=rows, groups=spec.goal_groups, group_filter=group_filter)
        return context


class TaskLineListView(MemberTemplateView):
    template_name = "core/policy_task_lines.html"
    breadcrumbs = (("督导考核", None), ("十大专线", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        spec = _spec_or_404()
        departments = {d.code: d.short_name or d.name for d in spec.organisation.departments}
        lines = []
        for line in spec.task_lines:
            lines.append({
                "spec": line,
                "owner": departments.get(line.owner, line.owner),
                "co_owners": [departments.get(c, c) for c in line.co_owners],
                "schedule": line.schedule or spec.supervision.schedule,
                "targets": [t for t in spec.targets if t.task_line == line.id],
            })
        context.update(spec=spec, lines=lines, schedule=spec.supervision.schedule)
        return context


class OrganisationView(MemberTemplateView):
    template_name = "core/organisation.html"
    breadcrumbs = (("系统管理", None), ("区域与部门", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["regions"] = Region.objects.visible_to(user).exclude(kind="town").select_related("parent")
        context["town_counts"] = {
            r["parent_id"]: r["n"] for r in _town_counts(user)
        }
        context["departments"] = Department.objects.visible_to(user)
        return context


def _town_counts(user):
    from django.db.models import Count

    return Region.objects.visible_to(user).filter(kind="town").values("parent_id").annotate(n=Count("id"))
