"""Several rows of one enterprise: duplicates to skip or refuse, and sums for aggregate sources."""

from __future__ import annotations

from decimal import Decimal

from gongqiang.core.policy.schema import MetricSpec

from .results import RowError, plain
from .rows import ParsedRow, range_error

Totals = dict[str, dict[str, Decimal]]  # uscc → metric → value


def _difference(a: ParsedRow, b: ParsedRow, metrics: dict[str, MetricSpec]) -> str:
    for code, metric in metrics.items():
        x, y = a.values.get(code), b.values.get(code)
        if x != y:
            shown = [f"{plain(v)} {metric.unit}" if v is not None else "空" for v in (x, y)]
            return f"{metric.name}：{shown[0]} ≠ {shown[1]}"
    return "数据不同"


def _resolve(
    groups: list[list[ParsedRow]], metrics: dict[str, MetricSpec], header: str | None, what: str
) -> tuple[list[RowError], set[int]]:
    """Identical repeats are skipped after the first; any difference puts every row of the group in error."""
    skipped: list[RowError] = []
    dropped: set[int] = set()
    for group in groups:
        first = group[0]
        if all(r.values == first.values for r in group[1:]):
            for r in group[1:]:
                skipped.append(
                    RowError(r.row_no, None, f"与第 {first.row_no} 行{what}重复（数据相同），已跳过")
                )
                dropped.add(r.row_no)
            continue
        for r in group:
            other = next(o for o in group if o is not r and o.values != r.values)
            r.error(header, f"与第 {other.row_no} 行的{what}数据冲突（{_difference(r, other, metrics)}）")
    return skipped, dropped


def dedupe(
    rows: list[ParsedRow], metrics: dict[str, MetricSpec], header: str | None
) -> tuple[list[ParsedRow], list[RowError]]:
    """One row per enterprise: among rows without errors, the same USCC twice is a duplicate or a conflict."""
    by_uscc: dict[str, list[ParsedRow]] = {}
    for r in rows:
        if not r.errors and r.uscc:
            by_uscc.setdefault(r.uscc, []).append(r)
    groups = [g for g in by_uscc.values() if len(g) > 1]
    skipped, dropped = _resolve(groups, metrics, header, "同一企业")
    return [r for r in rows if r.row_no not in dropped], skipped


def aggregate(
    rows: list[ParsedRow], metrics: dict[str, MetricSpec], header: str | None
) -> tuple[list[ParsedRow], list[RowError], Totals]:
    """Sum an enterprise's rows (power accounts, land parcels, signed by land type).

    The same account or certificate twice is a duplicate line. A total is only right if every line is:
    one line in error puts the enterprise's other lines in error too, rather than importing a part.
    """
    by_line: dict[tuple[str, str], list[ParsedRow]] = {}
    for r in rows:
        line = r.texts.get("account") or r.texts.get("certificate")
        if not r.errors and r.uscc and line:
            by_line.setdefault((r.uscc, line), []).append(r)
    skipped, dropped = _resolve([g for g in by_line.values() if len(g) > 1], metrics, header, "同一户号/权证")
    rows = [r for r in rows if r.row_no not in dropped]
    by_uscc: dict[str, list[ParsedRow]] = {}
    for r in rows:
        if r.uscc:
            by_uscc.setdefault(r.uscc, []).append(r)
    totals: Totals = {}
    for uscc, group in by_uscc.items():
        bad = next((r for r in group if r.errors), None)
        if bad is not None:
            for r in group:
                if not r.errors:
                    r.error(header, f"同一企业的第 {bad.row_no} 行有错误，该企业各行均未汇总")
            continue
        sums: dict[str, Decimal] = {}
        for r in group:
            for code, value in r.values.items():
                sums[code] = sums.get(code, Decimal(0)) + r.sign * value
        problem = next((p for code, v in sums.items() if (p := range_error(metrics[code], v))), None)
        if problem:
            for r in group:
                r.error(header, f"同一企业各行合计后{problem}")
            continue
        totals[uscc] = sums
    return rows, skipped, totals
