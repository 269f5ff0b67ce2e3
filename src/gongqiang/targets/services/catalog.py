"""The active pack's targets as the targets app reads them: spec, plain definition, names, rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from gongqiang.core.policy.schema import PolicyPackSpec, TargetSpec
from gongqiang.core.services.policy import active_pack, active_spec

from ..compute import Rules, TargetDef, is_additive, target_def
from ..compute.units import Unit, compatible, units_from_pack

COMPARISON = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "eq": "="}


@dataclass(frozen=True)
class TargetInfo:
    spec: TargetSpec
    defn: TargetDef
    group_name: str
    owner_name: str
    task_line_name: str
    order: int

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def additive(self) -> bool:
        return is_additive(self.defn.kind, self.spec.unit)

    @property
    def periodicity_label(self) -> str:
        return {"year": "年度", "quarter": "季度", "month": "月度"}[self.spec.periodicity]

    @property
    def first_year(self) -> int:
        return self.defn.start_year

    @property
    def last_year(self) -> int:
        return max(self.defn.goal_year, self.defn.start_year)

    def goal_text(self) -> str:
        t = self.spec.target
        if t is None:
            return "仅跟踪"
        value = fmt(t.value)
        if self.spec.kind == "multiple_of_baseline":
            text = f"{COMPARISON[t.comparison]} {value} 倍（{t.year}年）"
        elif self.spec.kind == "decrease_vs_baseline":
            text = f"下降 {COMPARISON[t.comparison]} {value}%（{t.year}年）"
        else:
            text = f"{COMPARISON[t.comparison]} {value} {self.spec.unit}（{t.year}年）"
        for b in self.spec.also:
            text += f"，{COMPARISON[b.comparison]} {fmt(b.value)} {b.unit}"
        return text


@dataclass(frozen=True)
class Catalog:
    spec: PolicyPackSpec
    pack_version: str
    pack_hash: str
    targets: tuple[TargetInfo, ...]
    by_id: dict[str, TargetInfo]
    rules: Rules | None
    units: dict[str, Unit]
    departments: dict[str, str] = field(default_factory=dict)  # code → short name

    def get(self, target_id: str) -> TargetInfo:
        info = self.by_id.get(target_id)
        if info is None:
            raise Http404("政策包中没有该目标。")
        return info

    def entry_units(self, unit: str) -> list[str]:
        return compatible(unit, self.units)

    @property
    def progress(self) -> Any:
        return self.spec.progress


def fmt(value: float | None, places: int = 2) -> str:
    if value is None:
        return "—"
    if float(value) == int(value):
        return f"{int(value):,}"
    return f"{value:,.{places}f}".rstrip("0").rstrip(".")


_CACHE: dict[str, Catalog] = {}


def _build(content_hash: str, version: str, spec: PolicyPackSpec) -> Catalog:
    groups = {g.id: g.name for g in spec.goal_groups}
    departments = {d.code: d.short_name or d.name for d in spec.organisation.departments}
    lines = {t.id: t.name for t in spec.task_lines}
    infos = tuple(
        TargetInfo(t, target_def(t, spec.pack.baseline_year), groups.get(t.group, t.group),
                   departments.get(t.owner, t.owner), lines.get(t.task_line or "", ""), n)
        for n, t in enumerate(spec.targets)
    )
    p = spec.progress
    rules = Rules(p.behind_gap, p.seriously_behind_gap, p.projection_periods) if p else None
    return Catalog(spec, version, content_hash, infos, {i.id: i for i in infos}, rules, units_from_pack(spec.units),
                   departments)


def catalog() -> Catalog:
    """The active pack's catalog; 404 before any pack is loaded."""
    pack = active_pack()
    if pack is None:
        raise Http404("尚未加载政策包。")
    # Built once per pack content: the catalog is immutable, like the pack version it reads.
    cached = _CACHE.get(pack.content_hash)
    if cached is None:
        spec = active_spec()
        assert spec is not None
        cached = _CACHE[pack.content_hash] = _build(pack.content_hash, pack.version, spec)
    return cached
