"""Excel workbooks (.xlsx, .xls, .ods) through calamine, which gives the cached value of each formula."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import python_calamine as pc

from .table import FileRejected

NOT_A_SPREADSHEET = "文件不是有效的 Excel 或 CSV 文件"
MergedRange = tuple[
    tuple[int, int], tuple[int, int]
]  # ((first row, first col), (last row, last col)), 0-based


def check_zip(data: bytes) -> tuple[zipfile.ZipFile, str]:
    """The archive and its format, or why it is not a workbook (a truncated download, a .docx)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise FileRejected("文件已损坏或不完整，无法作为 Excel 文件打开，请重新导出后上传") from None
    if "xl/workbook.xml" in names:
        return archive, "xlsx"
    if "content.xml" in names and "mimetype" in names and b"spreadsheet" in archive.read("mimetype"):
        return archive, "ods"
    raise FileRejected(NOT_A_SPREADSHEET)


def open_workbook(data: bytes) -> pc.CalamineWorkbook:
    try:
        return pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise FileRejected("文件设置了打开密码，请取消密码后再上传") from None
    except Exception:  # calamine raises several types for broken parts of a file; all mean the same here
        raise FileRejected("文件已损坏，无法作为 Excel 文件打开，请在 Excel 中打开并另存后再上传") from None


def visible_sheets(workbook: pc.CalamineWorkbook) -> list[str]:
    return [
        m.name
        for m in workbook.sheets_metadata
        if m.typ == pc.SheetTypeEnum.WorkSheet and m.visible == pc.SheetVisibleEnum.Visible
    ]


def load_sheet(workbook: pc.CalamineWorkbook, name: str) -> pc.CalamineSheet:
    try:
        return workbook.get_sheet_by_name(name)
    except Exception:
        raise FileRejected(f"工作表“{name}”已损坏，无法读取") from None


def sheet_rows(sheet: pc.CalamineSheet) -> Iterator[list[object]]:
    """Every row from A1, streamed; "" becomes None.

    calamine starts rows at row 1 but columns at the first used column: pad them back to column A so
    that column indexes match the merged ranges and what the user sees.
    """
    pad: list[object] = [None] * sheet.start[1] if sheet.height else []
    for row in sheet.iter_rows():
        if "" in row:  # a C-level scan; most data rows have no empty cell and are used as they are
            row = [None if cell == "" else cell for cell in row]
        yield pad + row if pad else row


def merged_ranges(sheet: pc.CalamineSheet) -> list[MergedRange]:
    try:
        return list(sheet.merged_cell_ranges or [])
    except Exception:  # not every format reports merged cells
        return []
