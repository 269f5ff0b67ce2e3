"""Bonus, penalty and veto items of enterprises per year (高新技术企业, 行政处罚, 安全事故 …): entered one by one
or imported from a department's list; every row checked, then all rows or only the valid ones written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from gongqiang.core.audit import actor_name
from gongqiang.core.scope import memberships_of, save_scoped
from gongqiang.enterprises.models import Enterprise
from gongqiang.lib.uscc import normalise, uscc_error
from gongqiang.targets.services.workbooks import (
    RowError,
    SheetRejected,
    cell_text,
    error_workbook,
    read_sheet,
    workbook,
)

from ..models import ItemFlag
from .methods import section

REQUIRED = ("统一社会信用代码", "年度", "事项")
OPTIONAL = ("企业名称", "依据")
HEADER = [*REQUIRED, *OPTIONAL]


class ItemRefused(ValueError):
    pass


@dataclass
class ItemImport:
    written: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_report: bytes | None = None


def catalogue() -> dict[str, str]:
    """code → name, and name → code, of the pack's items (either is accepted in a file)."""
    items = section().items
    return {**{i.code: i.code for i in items}, **{i.name: i.code for i in items}}


def item_names() -> dict[str, str]:
    return {i.code: i.name for i in section().items}


def template() -> bytes:
    items = section().items
    example = [
        "91371302MA3C8W2X1Q",
        2024,
        items[0].name if items else "",
        "示例企业有限公司",
        "省科技厅认定文件",
    ]
    notes = [
        "每行一个企业的一个事项。事项填名称或代码：" + "；".join(f"{i.name}（{i.code}）" for i in items),
        "年度为评价年度（四位数字）。同一企业同一年同一事项只记一次，重复登记将跳过。",
        "统一社会信用代码须为18位且校验位正确，企业须已在企业库中。",
        "可选择“有错误时全部不写入”，或“写入正确的行，下载错误报告”。",
    ]
    return workbook([("加减分及否决事项", HEADER, [example])], notes)


def add(enterprise: Enterprise, year: int, item: str, evidence: str, user: Any) -> ItemFlag:
    if item not in item_names():
        raise ItemRefused(f"未知的事项“{item}”")
    if ItemFlag.objects.filter(enterprise=enterprise, year=year, item=item).exists():
        raise ItemRefused(f"{enterprise.name} {year}年已登记“{item_names()[item]}”")
    return save_scoped(
        ItemFlag(
            enterprise=enterprise, year=year, item=item, evidence=evidence.strip(), created_by_name=actor_name(user, "")
        ),
        user,
    )  # type: ignore[return-value]


def import_items(data: bytes, user: Any, *, valid_rows: bool) -> ItemImport:
    """Check every row; write all (none on any error) or, with `valid_rows`, the valid ones and an error report."""
    outcome = ItemImport()
    try:
        sheet = read_sheet(data, REQUIRED, OPTIONAL)
    except SheetRejected as exc:
        outcome.errors.append(RowError(0, "", str(exc)))
        return outcome
    codes = catalogue()
    visible = Enterprise.objects.visible_to(user)
    if not memberships_of(user, writing=True):
        outcome.errors.append(RowError(0, "", "您没有登记事项的权限"))
        return outcome
    planned: dict[tuple[str, int, str], tuple[int, str]] = {}
    raw_rows: dict[int, list[Any]] = {}
    for number, cells in sheet.rows:
        raw_rows[number] = [sheet.cell(cells, h) for h in HEADER]
        uscc = normalise(cell_text(sheet.cell(cells, "统一社会信用代码")))
        problem = uscc_error(uscc)
        if problem:
            outcome.errors.append(RowError(number, "统一社会信用代码", problem))
            continue
        year_text = cell_text(sheet.cell(cells, "年度")).removesuffix("年")
        if not (year_text.isdigit() and 1990 <= int(year_text) <= 2100):
            outcome.errors.append(RowError(number, "年度", f"“{year_text}”不是有效年度（四位数字）"))
            continue
        item_text = cell_text(sheet.cell(cells, "事项"))
        code = codes.get(item_text)
        if code is None:
            outcome.errors.append(
                RowError(number, "事项", f"未知的事项“{item_text}”（填名称或代码，见填表说明）")
            )
            continue
        key = (uscc, int(year_text), code)
        if key in planned:
            outcome.errors.append(RowError(number, "统一社会信用代码", f"与第 {planned[key][0]} 行重复"))
            continue
        planned[key] = (number, cell_text(sheet.cell(cells, "依据")))
    found = {e.uscc: e for e in visible.filter(uscc__in={k[0] for k in planned})}
    # scope: reviewed — only to tell "not in the registry" from "outside your area"; nothing is shown.
    known = set(Enterprise.objects.filter(uscc__in={k[0] for k in planned}).values_list("uscc", flat=True))
    rows = []
    for (uscc, year, code), (number, evidence) in planned.items():
        ent = found.get(uscc)
        if ent is None:
            reason = "企业不在您的管辖范围内" if uscc in known else "企业库中没有该统一社会信用代码的企业"
            outcome.errors.append(RowError(number, "统一社会信用代码", reason))
            continue
        rows.append(
            ItemFlag(
                enterprise=ent,
                year=year,
                item=code,
                evidence=evidence,
                created_by_name=getattr(user, "username", ""),
            )
        )
    outcome.errors.sort(key=lambda e: e.row)
    if outcome.errors:
        outcome.error_report = error_workbook(
            HEADER, raw_rows, [{"row": e.row, "column": e.column, "reason": e.reason} for e in outcome.errors]
        )
        if not valid_rows:
            return outcome
    existing = set(
        ItemFlag.objects.filter(enterprise__in=[r.enterprise for r in rows]).values_list(
            "enterprise_id", "year", "item"
        )
    )
    new = [r for r in rows if (r.enterprise.pk, r.year, r.item) not in existing]
    outcome.duplicates = len(rows) - len(new)
    with transaction.atomic():
        for r in new:
            save_scoped(r, user)
    outcome.written = len(new)
    return outcome
