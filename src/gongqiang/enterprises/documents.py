"""Excel out: the current enterprise list, as filtered, with the columns the page shows."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import xlsxwriter

from .columns import ListColumn
from .models import Enterprise


def enterprise_workbook(
    rows: Iterable[Enterprise], title: str, columns: Sequence[ListColumn], industry_names: dict[str, str]
) -> bytes:
    """One header row of `columns` (under the title), one row per enterprise, in the given order."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("企业名录")
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)
        sheet.write(1, col, column.label, head)
    row_no = 2
    for e in rows:
        for col, column in enumerate(columns):
            if column.code:
                sheet.write_string(row_no, col, column.text(e, industry_names), text)
            else:
                sheet.write_string(row_no, col, column.text(e, industry_names))
        row_no += 1
    sheet.freeze_panes(2, 0)
    sheet.autofilter(1, 0, max(row_no - 1, 1), max(len(columns) - 1, 0))
    book.close()
    return buffer.getvalue()
