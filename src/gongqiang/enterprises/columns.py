"""The columns of the enterprise list: which the user may show, and which are shown now.

The choice travels in the query string (`cols=uscc&cols=name…`), so the page, its pagination, a shared
link and the Excel export all show the same columns; no choice (or nothing valid) means the defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.timezone import localtime

from .models import Enterprise


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: str  # the page header and the workbook header
    width: int  # in the workbook, characters
    text: Callable[[Enterprise, dict[str, str]], str]  # (enterprise, industry names) → cell text
    code: bool = False  # written as text in Excel (codes with leading zeros stay as typed)


def _industry_name(e: Enterprise, names: dict[str, str]) -> str:
    return names.get((e.industry_code or "")[:2], "")


COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("uscc", "统一社会信用代码", 22, lambda e, _: e.uscc, code=True),
    ListColumn("name", "企业名称", 40, lambda e, _: e.name),
    ListColumn("region", "属地（县区）", 14, lambda e, _: e.region.name),
    ListColumn("town", "乡镇街道", 16, lambda e, _: e.town.name if e.town_id else ""),
    ListColumn("industry", "行业代码", 10, lambda e, _: e.industry_code, code=True),
    ListColumn("industry_name", "行业名称", 24, _industry_name),
    ListColumn("scale", "规上企业", 10, lambda e, _: "是" if e.above_scale else "否"),
    ListColumn("status", "状态", 10, lambda e, _: e.get_status_display()),
    ListColumn("updated", "更新时间", 18, lambda e, _: localtime(e.updated_at).strftime("%Y-%m-%d %H:%M")),
)
BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT = ("uscc", "name", "region", "town", "industry", "scale", "status")


def chosen_columns(params: Any) -> list[ListColumn]:
    """The columns named by `cols` in the query (in the catalogue's order), else the defaults."""
    keys: list[str] = []
    if hasattr(params, "getlist"):
        for value in params.getlist("cols"):
            keys.extend(k.strip() for k in str(value).split(","))
    wanted = {k for k in keys if k in BY_KEY}
    if not wanted:
        wanted = set(DEFAULT)
    return [c for c in COLUMNS if c.key in wanted]
