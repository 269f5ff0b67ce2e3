"""Excel out: the current enterprise list, as filtered, with Chinese headers."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter

from .models import Enterprise

COLUMNS = (
    ("统一社会信用代码", 22),
    ("企业名称", 40),
    ("属地（县区）", 14),
    ("乡镇街道", 16),
    ("行业代码", 10),
    ("规上企业", 10),
    ("状态", 10),
)


def enterprise_workbook(rows: Iterable[Enterprise], title: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("企业名录")
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
    for col, (name, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write(1, col, name, head)
    row_no = 2
    for e in rows:
        sheet.write_string(row_no, 0, e.uscc, text)
        sheet.write_string(row_no, 1, e.name)
        sheet.write_string(row_no, 2, e.region.name)
        sheet.write_string(row_no, 3, e.town.name if e.town_id else "")
        sheet.write_string(row_no, 4, e.industry_code, text)
        sheet.write_string(row_no, 5, "是" if e.above_scale else "否")
        sheet.write_string(row_no, 6, e.get_status_display())
        row_no += 1
    sheet.freeze_panes(2, 0)
    sheet.autofilter(1, 0, max(row_no - 1, 1), len(COLUMNS) - 1)
    book.close()
    return buffer.getvalue()
