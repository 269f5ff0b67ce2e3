"""Reading an uploaded sheet and writing the downloadable templates and error reports (xlsxwriter)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import xlsxwriter


class SheetRejected(Exception):
    """The file as a whole cannot be read: not a workbook, no header row, a required column missing."""


@dataclass(frozen=True)
class RowError:
    row: int  # the row number as Excel shows it
    column: str
    reason: str


@dataclass
class Sheet:
    header_row: int  # Excel row number of the header
    columns: dict[str, int]  # column name → index
    rows: list[tuple[int, list[Any]]]  # (Excel row number, cells)

    def cell(self, cells: list[Any], name: str) -> Any:
        i = self.columns.get(name)
        if i is None or i >= len(cells):
            return None
        value = cells[i]
        return value.strip() if isinstance(value, str) else value


def cell_text(value: Any) -> str:
    """A cell as the user typed it: 2024.0 (how Excel stores a number) reads "2024", None reads ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheet(data: bytes, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Sheet:
    """The first sheet: the header is the first row that holds every required column name."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        table = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for a corrupt or foreign file
        raise SheetRejected(f"文件无法读取：不是有效的 Excel 工作簿（.xlsx/.xls）（{type(exc).__name__}）") from None
    for n, row in enumerate(table[:20]):
        names = [str(c).strip() for c in row]
        if all(r in names for r in required):
            columns = {name: names.index(name) for name in (*required, *optional) if name in names}
            rows = [(n + 2 + k, list(cells)) for k, cells in enumerate(table[n + 1:])
                    if any(c not in (None, "") for c in cells)]
            return Sheet(n + 1, columns, rows)
    raise SheetRejected(f"找不到表头行：前 20 行中没有同时包含“{'”“'.join(required)}”的行（请使用下载的模板）")


def workbook(sheets: list[tuple[str, list[str], list[list[Any]]]], notes: list[str] | None = None) -> bytes:
    """A workbook of simple sheets (name, header, rows), the header bold and frozen; notes on a last sheet."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#F3E5E5", "border": 1})
    for name, header, rows in sheets:
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, header, bold)
        for n, row in enumerate(rows, start=1):
            ws.write_row(n, 0, row)
        ws.freeze_panes(1, 0)
        for i, h in enumerate(header):
            ws.set_column(i, i, max(10, min(40, len(h) * 2 + 4)))
    if notes:
        ws = book.add_worksheet("填表说明")
        ws.set_column(0, 0, 100)
        for n, line in enumerate(notes):
            ws.write(n, 0, line)
    book.close()
    return out.getvalue()


def error_workbook(header: list[str], rows: dict[int, list[Any]], errors: list[dict[str, Any]]) -> bytes:
    """The rejected rows as uploaded, each with 行号 / 列 / 原因 (one line per error)."""
    lines = [[e["row"], e["column"], e["reason"], *(rows.get(e["row"]) or [])] for e in errors]
    return workbook([("错误报告", ["行号", "列", "原因", *header], lines)])
