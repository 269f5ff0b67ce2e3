"""The trace of one result in plain Chinese, from the stored `Result.detail` and the run's method spec.

Pure (no Django): the enterprise page, the exports and the tests read the same lines. Every figure
comes from the detail the engine wrote; nothing is recomputed except the display of the formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

CLASS_LABELS = {
    "A": "A类（优先发展）",
    "B": "B类（支持发展）",
    "C": "C类（提升发展）",
    "D": "D类（限制发展）",
    "T": "T类（暂不评价）",
}


@dataclass
class IndicatorLine:
    code: str
    name: str
    weight: str
    text: str
    score: str | None


@dataclass
class Trace:
    indicators: list[IndicatorLine] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)  # bonus, penalty, veto, total, rank, quotas, class

    @property
    def lines(self) -> list[str]:
        return [f"{i.name}：{i.text}" for i in self.indicators] + self.steps


def _d(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def num(value: Any, places: int = 4) -> str:
    """'0.2967' → '0.2967'; '12.5000' → '12.5'; None → '—'. No exponent, no trailing zeros."""
    d = _d(value)
    if d is None:
        return "—"
    q = d.quantize(Decimal(1).scaleb(-places))
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def points(value: Any) -> str:
    d = _d(value)
    return "—" if d is None else f"{d.quantize(Decimal('0.01')):f}"


def _group(spec: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((g for g in spec.get("groups", []) if g.get("code") == code), None)


def _benchmark_phrase(spec: dict[str, Any], year: Any) -> str:
    bench = spec.get("benchmark", {}) or {}
    mult = num(bench.get("multiplier", "2"))
    where = "县区同行业" if spec.get("grouping") == "region_industry" else "县区（功能区）"
    avg = (
        "平均值（Σ分子 ÷ Σ分母）"
        if bench.get("average", "aggregate") == "aggregate"
        else "各企业比值的简单平均"
    )
    source = f"取自{year}年数据" if year else "取自评价数据"
    return f"{mult} × {where}{avg}，{source}"


def indicator_lines(
    detail: dict[str, Any], spec: dict[str, Any], group: str, metric_names: dict[str, str] | None = None
) -> list[IndicatorLine]:
    metric_names = metric_names or {}
    g = _group(spec, group)
    if g is None:
        return []
    score_cfg = spec.get("score", {}) or {}
    cap, floor = num(score_cfg.get("cap", "2")), num(score_cfg.get("floor", "0"))
    clamp = f"min({{}}, {cap})" if floor == "0" else f"min(max({{}}, {floor}), {cap})"
    rules = detail.get("rules") or {}
    out = []
    for ind in g.get("indicators", []):
        code = ind["code"]
        rule = rules.get(code)
        if rule is None:
            continue
        unit = ind.get("unit", "")
        weight = num(ind.get("weight"))
        value = (detail.get("values") or {}).get(code)
        bench = (detail.get("benchmarks") or {}).get(code)
        ratio = (detail.get("ratios") or {}).get(code)
        score = (detail.get("scores") or {}).get(code)
        byear = (detail.get("benchmark_years") or {}).get(code)
        den = metric_names.get(ind.get("denominator", ""), ind.get("denominator", ""))
        numer = metric_names.get(ind.get("numerator", ""), ind.get("numerator", ""))
        value_text = f"实际值 {num(value)} {unit}".rstrip()
        bench_text = f"基准值 {num(bench)} {unit}（{_benchmark_phrase(spec, byear)}）".replace("  ", " ")
        if rule in ("normal", "capped", "floored", "missing_numerator"):
            parts = [value_text, bench_text, f"比值 {num(ratio)}"]
            if rule == "missing_numerator":
                parts.insert(0, f"缺少{numer}数据，按 0 计")
            if rule == "capped":
                parts.append(f"比值超过上限 {cap}，按 {cap} 计")
            if rule == "floored":
                parts.append(f"比值低于下限 {floor}，按 {floor} 计")
            parts.append(
                f"得分 = {weight} × {clamp.format(num(ratio))} = {points(score)} 分（四舍五入保留两位小数）"
            )
            text = "；".join(parts)
        elif rule == "zero_den_average":
            text = f"{den}为 0 或缺失，按本单位该项有分母企业的平均得分计：{points(score)} 分（零分母规则）"
        elif rule == "zero_den_zero":
            text = f"{den}为 0 或缺失，该项得 0 分（零分母规则）"
        elif rule == "benchmark_nonpositive":
            text = f"{value_text}；本单位基准值不大于 0，无法比较，该项得 {points(score)} 分"
        else:
            text = f"{value_text}；{bench_text}；得分 {points(score)} 分（规则 {rule}）"
        out.append(
            IndicatorLine(
                code=code,
                name=ind.get("name", code),
                weight=weight,
                text=text,
                score=None if score is None else points(score),
            )
        )
    return out


def _items_text(codes: list[str], section: dict[str, Any], item_names: dict[str, str], sign: str) -> str:
    pts = {p["item"]: p["points"] for p in section.get("items", [])}
    return "、".join(f"{item_names.get(c, c)} {sign}{num(pts.get(c))}" for c in codes if c in pts)


def build(
    row: dict[str, Any],
    spec: dict[str, Any],
    *,
    item_names: dict[str, str] | None = None,
    metric_names: dict[str, str] | None = None,
    unit_name: str = "",
    group_name: str = "",
) -> Trace:
    """`row`: status, group, total, rank, veto, computed_class, adjusted_class, adjust_reason, final_class,
    reason, low_efficiency_reason, detail (a Result as a dict)."""
    item_names = item_names or {}
    detail = row.get("detail") or {}
    status = row.get("status", "")
    trace = Trace()
    steps = trace.steps
    if status == "T":
        steps.append(row.get("reason") or "暂不评价（T类）")
        steps.append("T类企业只报送数据，不计分、不排名、不占分档名额。")
        return trace
    if status in ("exception", "excluded"):
        steps.append(row.get("reason") or "未参评")
        if status == "exception":
            steps.append("数据异常的企业不计分，由县区核实补正后在新版本中重新评价。")
        return trace
    trace.indicators = indicator_lines(detail, spec, row.get("group", ""), metric_names)
    base = sum((_d(i.score) or Decimal(0) for i in trace.indicators), Decimal(0))
    items = list(detail.get("items") or [])
    bonus_sec, penalty_sec = spec.get("bonus", {}) or {}, spec.get("penalty", {}) or {}
    bonus, penalty = _d(detail.get("bonus")) or Decimal(0), _d(detail.get("penalty")) or Decimal(0)
    b_text = _items_text(items, bonus_sec, item_names, "+")
    cap = bonus_sec.get("cap")
    steps.append(
        f"加分：{b_text or '无'}；合计 {points(bonus)} 分" + (f"（加分上限 {num(cap)} 分）" if cap else "")
    )
    p_text = _items_text(items, penalty_sec, item_names, "−")
    pcap = penalty_sec.get("cap")
    steps.append(
        f"减分：{p_text or '无'}；合计 {points(penalty)} 分"
        + (f"（减分上限 {num(pcap)} 分）" if pcap else "")
    )
    veto_codes = [c for c in str(detail.get("veto_items") or "").split(",") if c]
    if row.get("veto") or veto_codes:
        names = "、".join(item_names.get(c, c) for c in veto_codes) or "否决事项"
        steps.append(f"一票否决：{names}，直接列为 D 类，不参与排名。")
    else:
        steps.append("一票否决：无")
    steps.append(
        f"综合得分 = 单项得分合计 {points(base)} + 加分 {points(bonus)} − 减分 {points(penalty)} = "
        f"{points(row.get('total'))} 分"
    )
    n = detail.get("n")
    where = f"{unit_name}{group_name}" or "本单位"
    if row.get("rank") and not row.get("veto"):
        steps.append(
            f"在{where}参评企业 {n} 家中排名第 {row['rank']}（总分相同时依次比较实缴税金、营业收入，再按信用代码）。"
            if n
            else f"排名第 {row['rank']}。"
        )
    places = detail.get("places") or {}
    if places:
        steps.append(
            "本单位分档名额："
            + "，".join(f"{c}类 {places.get(c, 0)} 家" for c in "ABCD")
            + (f"（共 {n} 家）" if n else "")
        )
    computed = row.get("computed_class") or ""
    steps.append(f"计算类别：{CLASS_LABELS.get(computed, computed or '—')}")
    if row.get("adjusted_class"):
        steps.append(
            f"调档后类别：{CLASS_LABELS.get(row['adjusted_class'], row['adjusted_class'])}；"
            f"理由：{row.get('adjust_reason') or '—'}"
        )
    if row.get("reason"):
        steps.append(f"说明：{row['reason']}")
    if row.get("low_efficiency_reason"):
        steps.append(f"列入低效企业：{row['low_efficiency_reason']}")
    return trace
