"""Workbooks for the user: the error report of an upload, and the blank template of a source."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from gongqiang.core.policy.schema import ImportSource, MetricSpec, SourceColumn, UnitSpec

from .mapping import KEY_FIELDS
from .results import RowError, Validated
from .table import RawTable
from .units import UnitBook

_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_TEMPLATE_ROWS = 1000  # rows prepared with text format and drop-downs in a template
_ROW_UNIT = {"account": "每个户号填一行", "certificate": "每宗地填一行"}


def _workbook(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    # Cell text is never a formula: a cell "=HYPERLINK(…)" from an upload stays text in our report.
    return xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )


def _write_cells(ws: Worksheet, row: int, col: int, cells: Sequence[object], date_format: Format) -> None:
    for offset, value in enumerate(cells):
        if value is None:
            continue
        if isinstance(value, str):
            ws.write_string(row, col + offset, value)
        elif isinstance(value, dt.datetime | dt.date):
            ws.write_datetime(row, col + offset, value, date_format)
        elif isinstance(value, bool | int | float):
            ws.write(row, col + offset, value)
        else:
            ws.write_string(row, col + offset, str(value))


def error_workbook(table: RawTable, validated: Validated) -> bytes:
    """错误明细 (行号, 列, 原因 and the original row), 跳过的行, 识别说明 (what was assumed)."""
    buffer = io.BytesIO()
    wb = _workbook(buffer)
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    original = dict(table.rows)
    sheets = (
        (
            "错误明细",
            ["行号", "列", "原因"],
            [RowError(None, None, e) for e in validated.file_errors] + validated.errors,
        ),
        ("跳过的行", ["行号", "列", "原因"], validated.skipped),
    )
    for name, fixed, entries in sheets:
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, fixed + list(table.headers), bold)
        ws.freeze_panes(1, 0)
        ws.set_column(0, 0, 8)
        ws.set_column(1, 1, 16)
        ws.set_column(2, 2, 50)
        for i, entry in enumerate(entries, start=1):
            if entry.row_no is not None:
                ws.write_number(i, 0, entry.row_no)
            ws.write_string(i, 1, entry.column or "")
            ws.write_string(i, 2, entry.reason)
            _write_cells(
                ws, i, len(fixed), original.get(entry.row_no, []) if entry.row_no else [], date_format
            )
    ws = wb.add_worksheet("识别说明")
    ws.set_column(0, 0, 100)
    where = f"工作表“{table.sheet}”，" if table.sheet else ""
    lines = [
        f"文件格式：{table.format}" + (f"（编码 {table.encoding}）" if table.encoding else ""),
        f"{where}表头在第 {table.header_row} 行",
        f"共 {validated.rows_total} 行：可导入 {validated.rows_valid} 行，有错误 {validated.rows_invalid} 行，"
        f"跳过 {len({s.row_no for s in validated.skipped})} 行",
        *validated.assumptions,
    ]
    for i, line in enumerate(lines):
        ws.write_string(i, 0, line)
    wb.close()
    return buffer.getvalue()


def template_workbook(
    source: ImportSource,
    metrics: list[MetricSpec],
    units: list[UnitSpec],
    year: int,
    region_names: Sequence[str] | Mapping[str, str],
) -> bytes:
    """The source's blank template: title with the year, headers with units, drop-downs, 填表说明."""
    book = UnitBook(units)
    by_code = {m.code: m for m in metrics}
    names = list(region_names.values()) if isinstance(region_names, Mapping) else list(region_names)
    buffer = io.BytesIO()
    wb = _workbook(buffer)
    title_format = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = wb.add_format(
        {"bold": True, "border": 1, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"}
    )
    text = wb.add_format({"num_format": "@"})
    ws = wb.add_worksheet(source.name.translate(_SHEET_FORBIDDEN)[:31])
    lists = wb.add_worksheet("选项")
    headers = [_template_header(c, by_code, book) for c in source.columns]
    ws.merge_range(0, 0, 0, max(len(headers) - 1, 1), f"{year}年 {source.name}", title_format)
    for col, (column, header) in enumerate(zip(source.columns, headers, strict=True)):
        ws.write_string(1, col, header, head)
        ws.set_column(col, col, max(12, len(header) * 2 + 2), text if column.field in KEY_FIELDS else None)
        choices = (
            names
            if column.field == "region"
            else list(source.land_types)
            if column.field == "land_type"
            else []
        )
        if choices:
            lists.write_column(0, col, choices)
            ref = xlsxwriter.utility.xl_range_abs(0, col, len(choices) - 1, col)
            ws.data_validation(2, col, _TEMPLATE_ROWS, col, {"validate": "list", "source": f"='选项'!{ref}"})
    ws.freeze_panes(2, 0)
    lists.hide()
    notes = wb.add_worksheet("填表说明")
    notes.set_column(0, 0, 110)
    for i, line in enumerate(_instructions(source, by_code, book, year, headers)):
        notes.write_string(i, 0, line)
    wb.close()
    return buffer.getvalue()


def _template_header(column: SourceColumn, by_code: Mapping[str, MetricSpec], book: UnitBook) -> str:
    """The first header variant, with the unit in brackets unless the variant already states it."""
    header = column.headers[0]
    metric = by_code.get(column.field)
    if metric is None or book.split_header(header)[1] is not None:
        return header
    return f"{header}（{column.unit or metric.unit}）"


def _instructions(
    source: ImportSource, by_code: Mapping[str, MetricSpec], book: UnitBook, year: int, headers: list[str]
) -> list[str]:
    required = [h for c, h in zip(source.columns, headers, strict=True) if c.required]
    row_unit = next((_ROW_UNIT[c.field] for c in source.columns if c.field in _ROW_UNIT), "同一企业可填多行")
    lines = [
        f"本表用于报送 {year} 年度“{source.name}”数据，请勿修改标题中的年份。",
        (
            f"{row_unit}，导入时按统一社会信用代码汇总到企业。"
            if source.aggregate
            else "每家企业填一行，同一企业不要重复。"
        ),
        "必填列：" + "、".join(required) + "；其他列可以留空，不需要的非必填列可以删除。",
        "统一社会信用代码为 18 位，请按文本填写（本表已设为文本格式），导入时核对校验位。",
        "数值请按各列标题中的单位填写；没有数据的单元格请留空或填“-”；负数可写作 -12.3 或 (12.3)。",
        "可以使用公式，但请在 Excel 中保存后再上传（导入时读取公式的计算结果）。",
        "数据区不要合并单元格，不要插入小计行；表尾的合计、制表人等说明行会自动跳过。",
    ]
    for column, header in zip(source.columns, headers, strict=True):
        metric = by_code.get(column.field)
        if metric is None:
            continue
        unit = book.require(column.unit or metric.unit)
        line = f"“{header}”：单位 {unit.name}，导入后记为“{metric.name}”（{metric.unit}）"
        if column.per is not None:
            line += f"，每 {column.per:g} {unit.name} 计 1 {metric.unit}"
        lines.append(line + "。")
    if source.land_types:
        signs = "、".join(f"{k}（{'计入' if v > 0 else '扣减'}）" for k, v in source.land_types.items())
        lines.append(f"使用类型可选：{signs}；未填按自有计入。")
    return lines
