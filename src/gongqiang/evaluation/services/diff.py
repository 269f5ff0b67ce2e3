"""What changed between a run and the run it is based on: who changed class, and why.

Every read goes through `Result.objects.visible_to(user)`: a county sees the changes of its own
enterprises only. The method changes are the run's (published with it) and the same for everyone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..models import STATUS_NAMES, EvaluationRun, Result
from .methods import describe_changes


@dataclass
class Change:
    enterprise_id: int
    uscc: str
    name: str
    region: str
    old_class: str
    new_class: str
    old_total: Decimal | None
    new_total: Decimal | None
    old_rank: int | None
    new_rank: int | None
    causes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # input | method | adjustment | others | new | gone


@dataclass
class Diff:
    run: EvaluationRun
    base: EvaluationRun | None
    compared: int = 0
    changes: list[Change] = field(default_factory=list)
    transitions: list[tuple[str, str, int]] = field(default_factory=list)
    method_changes: list[str] = field(default_factory=list)
    kind_counts: dict[str, int] = field(default_factory=dict)


KIND_LABELS = {
    "input": "企业数据变化",
    "method": "评价方法变化",
    "adjustment": "人工调档",
    "others": "同单位其他企业变化",
    "new": "新参评",
    "gone": "不再参评",
}


FIELD_NAMES = {
    "weight": "权重", "share": "比例（%）", "rounding": "取整方式", "multiplier": "基准值倍数", "average": "平均方式",
    "cap": "上限", "floor": "下限", "points": "分值", "at_most": "认定线", "inclusive": "含本数",
    "public_notice_days": "公示天数", "min_land_mu": "规下参评用地下限（亩）", "grouping": "评价单元",
    "year": "基准年份", "fallback_to_current": "上年无数据时取当年", "steps": "差别电价加价",
    "industry_divisions": "T类行业", "newly_above_scale": "新升规列T类", "startup_years": "投产年限",
    "mode": "分档方式", "tie_breakers": "同分排序", "veto_shrink_order": "否决压缩顺序", "veto": "一票否决事项",
    "min_total": "最低分", "on_zero_denominator": "分母为0规则",
}
SECTION_NAMES = {
    "benchmark": "基准值", "score": "单项得分", "bonus": "加分", "penalty": "减分", "classes": "分档",
    "calendar": "工作节点", "t_class": "暂不评价", "electricity_surcharge": "差别电价", "measures": "差别化措施",
}
SEGMENT = re.compile(r"^(?P<name>[^\[]+)(?:\[(?P<key>[^\]]+)\])?$")


def readable_change(line: str, spec: dict[str, Any], items: dict[str, str] | None = None) -> str:
    """'groups[above_scale].indicators[tax_per_mu].weight：40 → 50' → '规上工业企业 · 单位用地税收 · 权重：40 → 50'."""
    path, sep, rest = line.partition("：")
    if not sep:
        return line
    items = items or {}
    groups = {g.get("code"): g for g in spec.get("groups", [])}
    indicators = {i.get("code"): i.get("name") for g in spec.get("groups", []) for i in g.get("indicators", [])}
    rules = spec.get("low_efficiency", [])
    words = []
    for part in path.split("."):
        m = SEGMENT.match(part)
        if not m:
            words.append(part)
            continue
        name, key = m.group("name"), m.group("key")
        if name == "groups" and key:
            words.append(groups.get(key, {}).get("name", key))
        elif name == "indicators" and key:
            words.append(indicators.get(key, key))
        elif name == "quotas" and key:
            words.append(f"{key}类")
        elif name == "items" and key:
            words.append(items.get(key, key))
        elif name == "low_efficiency":
            label = rules[int(key)].get("label", key) if key and key.isdigit() and int(key) < len(rules) else key
            words.append(f"低效认定 {label or ''}".strip())
        elif name in SECTION_NAMES:
            words.append(SECTION_NAMES[name])
        else:
            words.append(FIELD_NAMES.get(name, name) + (f"[{key}]" if key else ""))
    return " · ".join(words) + "：" + rest


def _dec(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _show(value: Any, unit: str) -> str:
    d = _dec(value)
    if d is None:
        return "缺失"
    if unit == "元":
        return f"{d / 10000:,.2f} 万元"
    text = f"{d:,.4f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def input_changes(old: dict[str, Any], new: dict[str, Any], metrics: dict[str, tuple[str, str]]) -> list[str]:
    """Readable lines for the inputs (detail.inputs) and items that differ. `metrics`: code → (name, unit)."""
    lines = []
    a, b = old.get("inputs") or {}, new.get("inputs") or {}
    for code in sorted(set(a) | set(b)):
        if _dec(a.get(code)) != _dec(b.get(code)):
            name, unit = metrics.get(code, (code, ""))
            lines.append(f"{name}：{_show(a.get(code), unit)} → {_show(b.get(code), unit)}")
    ia, ib = set(old.get("items") or []), set(new.get("items") or [])
    for code in sorted(ib - ia):
        lines.append(f"新增事项：{metrics.get(code, (code, ''))[0]}")
    for code in sorted(ia - ib):
        lines.append(f"取消事项：{metrics.get(code, (code, ''))[0]}")
    return lines


def class_of(row: dict[str, Any]) -> str:
    return row.get("final_class") or ("T" if row.get("status") == "T" else "—")


FIELDS = ("enterprise_id", "final_class", "status", "total", "rank", "adjusted_class", "adjust_reason")


def diff_runs(
    run: EvaluationRun,
    user: Any,
    *,
    names: dict[str, tuple[str, str]] | None = None,
    base: EvaluationRun | None = None,
) -> Diff:
    """Compare `run` with `base` (default `run.based_on`) as `user` sees them. `names`: metric and item
    codes → (name, unit), for the readable input lines."""
    base = base or run.based_on
    out = Diff(run=run, base=base)
    if base is None:
        return out
    names = names or {}
    if run.method_hash != base.method_hash:
        out.method_changes = [
            readable_change(line, run.method_spec or {}, {k: v[0] for k, v in names.items()})
            for line in describe_changes(base.method_spec or {}, run.method_spec or {})
        ]
    visible = Result.objects.visible_to(user)
    old = {r["enterprise_id"]: r for r in visible.filter(run=base).values(*FIELDS)}
    new = {r["enterprise_id"]: r for r in visible.filter(run=run).values(*FIELDS)}
    out.compared = len(set(old) | set(new))
    changed = [
        pk
        for pk in set(old) | set(new)
        if pk not in old or pk not in new or class_of(old[pk]) != class_of(new[pk])
    ]
    if not changed:
        return out
    details_old = dict(
        visible.filter(run=base, enterprise_id__in=changed).values_list("enterprise_id", "detail")
    )
    details_new = {}
    info = {}
    for r in visible.filter(run=run, enterprise_id__in=changed).values(
        "enterprise_id", "detail", "enterprise__uscc", "enterprise__name", "region__name"
    ):
        details_new[r["enterprise_id"]] = r["detail"]
        info[r["enterprise_id"]] = (r["enterprise__uscc"], r["enterprise__name"], r["region__name"])
    missing = [pk for pk in changed if pk not in info]
    for r in visible.filter(run=base, enterprise_id__in=missing).values(
        "enterprise_id", "enterprise__uscc", "enterprise__name", "region__name"
    ):
        info[r["enterprise_id"]] = (r["enterprise__uscc"], r["enterprise__name"], r["region__name"])
    kinds: Counter[str] = Counter()
    transitions: Counter[tuple[str, str]] = Counter()
    for pk in changed:
        o, n = old.get(pk), new.get(pk)
        uscc, name, region = info.get(pk, ("", "", ""))
        c = Change(
            enterprise_id=pk,
            uscc=uscc,
            name=name,
            region=region,
            old_class=class_of(o) if o else "—",
            new_class=class_of(n) if n else "—",
            old_total=o["total"] if o else None,
            new_total=n["total"] if n else None,
            old_rank=o["rank"] if o else None,
            new_rank=n["rank"] if n else None,
        )
        if o is None:
            c.kinds.append("new")
            c.causes.append("上一版本中没有该企业（新参评）")
        elif n is None:
            c.kinds.append("gone")
            c.causes.append("本版本中没有该企业（不再参评）")
        else:
            if (n["adjusted_class"] or "") != (o["adjusted_class"] or "") and n["adjusted_class"]:
                c.kinds.append("adjustment")
                c.causes.append(f"人工调档为 {n['adjusted_class']} 类：{n['adjust_reason'] or '—'}")
            lines = input_changes(details_old.get(pk) or {}, details_new.get(pk) or {}, names)
            if o["status"] != n["status"]:
                lines.insert(
                    0,
                    f"评价状态：{STATUS_NAMES.get(o['status'], o['status'])} → "
                    f"{STATUS_NAMES.get(n['status'], n['status'])}",
                )
            if lines:
                c.kinds.append("input")
                c.causes.extend(lines)
            if out.method_changes and "adjustment" not in c.kinds:
                c.kinds.append("method")
                c.causes.append("评价方法参数调整（见上方方法变化），得分或分档随之变化")
            if not c.kinds:
                c.kinds.append("others")
                c.causes.append(
                    "本企业数据未变；同单位其他企业的数据、排名或分档名额变化使其名次或类别移动"
                    f"（排名 {o['rank'] or '—'} → {n['rank'] or '—'}）"
                )
        kinds.update(c.kinds)
        transitions[(c.old_class, c.new_class)] += 1
        out.changes.append(c)
    out.changes.sort(key=lambda c: (c.region, c.old_class, c.new_class, c.uscc))
    out.transitions = sorted(
        ((a, b, k) for (a, b), k in transitions.items()), key=lambda t: (-t[2], t[0], t[1])
    )
    out.kind_counts = dict(kinds)
    return out
