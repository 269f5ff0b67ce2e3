"""Excel out: the low-efficiency list as filtered on the page, with Chinese headers."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter

from .models import LowEfficiencyEntry

COLUMNS = (
    ("县区", 12),
    ("统一社会信用代码", 22),
    ("企业名称", 40),
    ("列入年度", 9),
    ("评价分组", 12),
    ("列入原因", 36),
    ("列入时亩均税收（万元/亩）", 14),
    ("用地（亩）", 12),
    ("首批", 6),
    ("状态", 9),
    ("出清方式", 14),
    ("状态日期", 12),
    ("佐证", 50),
)


def entries_workbook(rows: Iterable[LowEfficiencyEntry], title: str, groups: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("低效企业清单")
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True})
    text = book.add_format({"num_format": "@"})
    number = book.add_format({"num_format": "0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
    for col, (name, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write(1, col, name, head)
    row_no = 2
    for e in rows:
        sheet.write_string(row_no, 0, e.region.name)
        sheet.write_string(row_no, 1, e.enterprise.uscc, text)
        sheet.write_string(row_no, 2, e.enterprise.name)
        sheet.write_number(row_no, 3, e.cohort_year)
        sheet.write_string(row_no, 4, groups.get(e.group, e.group))
        sheet.write_string(row_no, 5, e.reason)
        if e.tax_per_mu is not None:
            sheet.write_number(row_no, 6, float(e.tax_per_mu), number)
        if e.land_mu is not None:
            sheet.write_number(row_no, 7, float(e.land_mu), number)
        sheet.write_string(row_no, 8, "是" if e.first_batch else "")
        sheet.write_string(row_no, 9, e.get_status_display())
        sheet.write_string(row_no, 10, e.get_exit_kind_display() if e.exit_kind else "")
        if e.status_date:
            sheet.write_datetime(row_no, 11, e.status_date, day)
        sheet.write_string(row_no, 12, e.removed_reason if e.status == "removed" else e.evidence)
        row_no += 1
    sheet.freeze_panes(2, 3)
    sheet.autofilter(1, 0, max(row_no - 1, 1), len(COLUMNS) - 1)
    book.close()
    return buffer.getvalue()
