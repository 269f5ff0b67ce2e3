"""Excel out for a run: the results workbook, the per-unit public-notice lists and the differentiated
measures per class (with the electricity surcharge of consecutive years in D). Money is shown in 万元.

The callers pass rows already read through the user's scope; nothing here reads the database.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import xlsxwriter

from .compute.workflow import surcharge_step

CLASS_TITLES = {"A": "A类（优先发展）", "B": "B类（支持发展）", "C": "C类（提升发展）", "D": "D类（限制发展）"}


class _Book:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        self.head = self.book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True,
                                          "valign": "vcenter"})
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.section = self.book.add_format({"bold": True, "bg_color": "#F2F2F2"})
        self.text = self.book.add_format({"num_format": "@"})
        self.money = self.book.add_format({"num_format": "#,##0.00"})
        self.num4 = self.book.add_format({"num_format": "0.0000"})
        self.num2 = self.book.add_format({"num_format": "0.00"})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.names: set[str] = set()

    def sheet(self, name: str):
        for ch in "[]:*?/\\":
            name = name.replace(ch, "")
        name = name[:31] or "Sheet"
        base, n = name, 2
        while name in self.names:
            name = f"{base[:28]}-{n}"
            n += 1
        self.names.add(name)
        return self.book.add_worksheet(name)

    def header(self, sheet, row: int, columns: list[tuple[str, int]]) -> None:
        for col, (name, width) in enumerate(columns):
            sheet.set_column(col, col, width)
            sheet.write(row, col, name, self.head)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def _num(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(Decimal(str(value)))
    except Exception:  # noqa: BLE001 — a bad stored figure shows as blank, never breaks the export
        return None


def _write_num(sheet, row: int, col: int, value: Any, fmt) -> None:
    v = _num(value)
    if v is not None:  # an empty cell stays unwritten
        sheet.write_number(row, col, v, fmt)


def indicators_of(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(code, name, unit) of every indicator of the method, in order, once."""
    seen: dict[str, tuple[str, str, str]] = {}
    for g in spec.get("groups", []):
        for i in g.get("indicators", []):
            seen.setdefault(i["code"], (i["code"], i.get("name", i["code"]), i.get("unit", "")))
    return list(seen.values())


def results_workbook(rows: Iterable[dict[str, Any]], spec: dict[str, Any], title: str,
                     group_names: dict[str, str], status_names: dict[str, str]) -> bytes:
    """One row per result. `rows`: dicts with uscc, name, region, group, status, detail, total, rank, veto,
    computed_class, adjusted_class, adjust_reason, final_class, low_efficiency, low_efficiency_reason,
    reason, land_mu, tax_paid (元)."""
    out = _Book()
    sheet = out.sheet("评价结果")
    inds = indicators_of(spec)
    columns = [("统一社会信用代码", 22), ("企业名称", 36), ("评价单位", 12), ("评价分组", 14), ("评价状态", 10),
               ("用地（亩）", 10), ("实缴税金（万元）", 14)]
    for _code, name, unit in inds:
        columns += [(f"{name}（{unit}）" if unit else name, 14), (f"{name}得分", 10)]
    columns += [("加分", 8), ("减分", 8), ("一票否决", 10), ("综合得分", 10), ("单位内排名", 10), ("计算类别", 9),
                ("调整后类别", 10), ("调档理由", 30), ("最终类别", 9), ("低效企业", 9), ("低效原因", 30),
                ("说明", 40)]
    sheet.write(0, 0, title, out.title)
    out.header(sheet, 1, columns)
    r = 2
    for row in rows:
        d = row.get("detail") or {}
        values, scores = d.get("values") or {}, d.get("scores") or {}
        sheet.write_string(r, 0, row["uscc"], out.text)
        sheet.write_string(r, 1, row["name"])
        sheet.write_string(r, 2, row["region"])
        sheet.write_string(r, 3, group_names.get(row["group"], row["group"]))
        sheet.write_string(r, 4, status_names.get(row["status"], row["status"]))
        _write_num(sheet, r, 5, row.get("land_mu"), out.num4)
        tax = _num((d.get("inputs") or {}).get("tax_paid"))
        _write_num(sheet, r, 6, None if tax is None else tax / 10000, out.money)
        c = 7
        for code, _name, _unit in inds:
            _write_num(sheet, r, c, values.get(code), out.num4)
            _write_num(sheet, r, c + 1, scores.get(code), out.num2)
            c += 2
        _write_num(sheet, r, c, d.get("bonus"), out.num2)
        _write_num(sheet, r, c + 1, d.get("penalty"), out.num2)
        sheet.write_string(r, c + 2, "是" if row.get("veto") else "")
        _write_num(sheet, r, c + 3, row.get("total"), out.num2)
        if row.get("rank"):
            sheet.write_number(r, c + 4, row["rank"])
        sheet.write_string(r, c + 5, row.get("computed_class") or "")
        sheet.write_string(r, c + 6, row.get("adjusted_class") or "")
        sheet.write_string(r, c + 7, row.get("adjust_reason") or "")
        sheet.write_string(r, c + 8, row.get("final_class") or "")
        sheet.write_string(r, c + 9, "是" if row.get("low_efficiency") else "")
        sheet.write_string(r, c + 10, row.get("low_efficiency_reason") or "")
        sheet.write_string(r, c + 11, row.get("reason") or "")
        r += 1
    sheet.freeze_panes(2, 2)
    sheet.autofilter(1, 0, max(r - 1, 1), len(columns) - 1)
    return out.close()


def notice_workbook(units: list[tuple[str, list[dict[str, Any]]]], title: str, group_names: dict[str, str]) -> bytes:
    """One sheet per unit, sections A, B, C, D (the public-notice lists). `units`: (unit name, rows with
    uscc, name, group, final_class)."""
    out = _Book()
    if not units:
        sheet = out.sheet("公示名单")
        sheet.write(0, 0, title, out.title)
        sheet.write(1, 0, "您的数据范围内没有评价结果。")
    for unit, rows in units:
        sheet = out.sheet(unit)
        sheet.write(0, 0, f"{unit} {title}", out.title)
        out.header(sheet, 1, [("序号", 6), ("统一社会信用代码", 22), ("企业名称", 40), ("评价分组", 14)])
        r = 2
        for klass in "ABCD":
            members = [x for x in rows if x.get("final_class") == klass]
            sheet.merge_range(r, 0, r, 3, f"{CLASS_TITLES[klass]}：{len(members)} 家", out.section)
            r += 1
            for n, x in enumerate(members, 1):
                sheet.write_number(r, 0, n)
                sheet.write_string(r, 1, x["uscc"], out.text)
                sheet.write_string(r, 2, x["name"])
                sheet.write_string(r, 3, group_names.get(x["group"], x["group"]))
                r += 1
    return out.close()


def measures_workbook(rows: list[dict[str, Any]], year: int, title: str, measures: dict[str, str],
                      surcharge: dict[str, Any] | None, history: dict[int, dict[int, str]]) -> bytes:
    """Per class (A–D) a sheet of its enterprises with the class's measures; for D the consecutive years
    in D (from `history`: {enterprise_id: {year: class}} of published runs, this run's class included)
    and the electricity surcharge step."""
    out = _Book()
    steps = [Decimal(str(s)) for s in (surcharge or {}).get("steps", [])]
    unit = (surcharge or {}).get("unit", "元/千瓦时")
    summary = out.sheet("说明")
    summary.write(0, 0, title, out.title)
    out.header(summary, 1, [("类别", 16), ("企业数", 8), ("差别化措施", 80)])
    for n, klass in enumerate("ABCD", 2):
        summary.write_string(n, 0, CLASS_TITLES[klass])
        summary.write_number(n, 1, sum(1 for x in rows if x.get("final_class") == klass))
        summary.write_string(n, 2, measures.get(klass, ""), out.wrap)
    if steps:
        summary.write_string(7, 0, "差别电价（D类）")
        summary.write_string(7, 2, "；".join(
            f"连续第{i}年{'及以上' if i == len(steps) else ''}D类 加价 {s} {unit}" for i, s in enumerate(steps, 1)
        ) + "。不与其他惩罚性电价叠加，按最高标准执行。", out.wrap)
    for klass in "ABCD":
        sheet = out.sheet(CLASS_TITLES[klass])
        columns = [("序号", 6), ("统一社会信用代码", 22), ("企业名称", 36), ("评价单位", 12), ("综合得分", 10),
                   ("差别化措施", 50)]
        if klass == "D":
            columns += [("连续D类年数", 12), (f"差别电价加价（{unit}）", 18)]
        sheet.write(0, 0, f"{year}年 {CLASS_TITLES[klass]} 差别化措施清单", out.title)
        out.header(sheet, 1, columns)
        r = 2
        for x in (x for x in rows if x.get("final_class") == klass):
            sheet.write_number(r, 0, r - 1)
            sheet.write_string(r, 1, x["uscc"], out.text)
            sheet.write_string(r, 2, x["name"])
            sheet.write_string(r, 3, x["region"])
            _write_num(sheet, r, 4, x.get("total"), out.num2)
            sheet.write_string(r, 5, measures.get(klass, ""))
            if klass == "D":
                classes = dict(history.get(x["enterprise_id"], {}))
                classes[year] = "D"
                years_in_d, step = surcharge_step(classes, year, steps) if steps else (0, None)
                sheet.write_number(r, 6, years_in_d)
                if step is not None:
                    sheet.write_number(r, 7, float(step), out.num2)
            r += 1
    return out.close()
