"""Read an uploaded file into a `RawTable`: the real format from the bytes, the data sheet, the header row.

The file name is only used in messages: a department's .xls renamed .xlsx, or a CSV saved as .xls, is
read for what it is, and an executable renamed .xlsx is refused.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice

import python_calamine as pc

from .delimited import csv_rows, decode, looks_like_text, sniff_delimiter
from .table import FileRejected, RawTable
from .text import cell_text, fold, is_blank
from .workbook import (
    NOT_A_SPREADSHEET,
    MergedRange,
    check_zip,
    load_sheet,
    merged_ranges,
    open_workbook,
    sheet_rows,
    visible_sheets,
)
from .xlsx_scan import scan_sheet

__all__ = ["FileRejected", "RawTable", "find_header", "read_table"]

HEADER_SCAN_ROWS = 15
PROBE_ROWS = 40
# Words that mark a header row whatever the source: the key columns every department file has.
DEFAULT_HINTS = ("代码", "识别号", "名称", "户号")
CODE_HINTS = ("代码", "识别号")
NO_DATA = "文件中没有数据行"
MAX_BYTES = 50 * 2**20  # the default upload limit; the service passes the configured one
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_SCORE_CAP = 10_000


def read_table(
    data: bytes,
    filename: str,
    *,
    max_rows: int = 1_048_576,
    max_bytes: int | None = MAX_BYTES,
    header_words: Iterable[str] | None = None,
) -> RawTable:
    """The data sheet of an .xlsx/.xls/.ods/.csv upload; FileRejected(reason) when it cannot be used.

    `header_words` are the header variants of the pack's import sources (mapping.header_words); they
    help find the header row under title and unit rows. `filename` is only used in messages.
    """
    if not data:
        raise FileRejected(f"文件“{filename}”是空的")
    if max_bytes is not None and len(data) > max_bytes:
        raise FileRejected(f"文件大小 {len(data) / 2**20:.1f} MB，超过 {max_bytes / 2**20:g} MB 的上限")
    words = {fold(w) for w in header_words or ()}
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        archive, fmt = check_zip(data)
        return _read_excel(data, fmt, words, max_rows, archive=archive if fmt == "xlsx" else None)
    if data.startswith(_OLE):
        if _ENCRYPTED in data[:65536] or _ENCRYPTED in data[-65536:]:
            raise FileRejected("文件设置了打开密码，请取消密码后再上传")
        return _read_excel(data, "xls", words, max_rows, archive=None)
    if not (data.startswith((b"\xff\xfe", b"\xfe\xff")) or looks_like_text(data)):
        raise FileRejected(NOT_A_SPREADSHEET)
    return _read_csv(data, words, max_rows)


def is_header_word(value: object, words: set[str]) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    text = fold(value)
    base = text.rsplit("(", 1)[0] if text.endswith(")") else text
    if text in words or base in words:
        return True
    # "填报单位名称：某某公司" in a title row is a label with its value, not a header
    return ":" not in text and any(h in text for h in DEFAULT_HINTS)


def find_header(rows: Sequence[Sequence[object]], header_words: Iterable[str]) -> int | None:
    """0-based index of the first of the first 15 rows with ≥ 2 text cells, one of them a known header."""
    words = {fold(w) for w in header_words}
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        texts = [c for c in row if isinstance(c, str) and c.strip()]
        if len(texts) >= 2 and any(is_header_word(c, words) for c in texts):
            return index
    return None


def _read_csv(data: bytes, words: set[str], max_rows: int) -> RawTable:
    text, encoding = decode(data)
    rows = csv_rows(text, sniff_delimiter(text))
    try:
        probe = list(islice(rows, PROBE_ROWS))
        index = _header_index(probe, words)
        headers = _trim([cell_text(c) for c in probe[index]])
        body, hidden, filled = _collect(chain(probe[index + 1 :], rows), index + 2, max_rows, [])
    except csv.Error as exc:
        raise FileRejected(f"CSV 文件格式错误：{exc}") from None
    return RawTable(
        sheet="",
        title_lines=_titles(probe[:index]),
        header_row=index + 1,
        headers=headers,
        rows=body,
        format="csv",
        encoding=encoding,
    )


def _read_excel(
    data: bytes, fmt: str, words: set[str], max_rows: int, *, archive: zipfile.ZipFile | None
) -> RawTable:
    workbook = open_workbook(data)
    name, sheet, probe, index = _choose_sheet(workbook, words)
    merges = merged_ranges(sheet)
    headers, parents, end = _header(probe, index, merges)
    scan = scan_sheet(archive, name) if archive is not None else None
    rows = islice(sheet_rows(sheet), end + 1, None)
    body, hidden, filled = _collect(rows, end + 2, max_rows, merges, scan.hidden_rows if scan else set())
    return RawTable(
        sheet=name,
        title_lines=_titles(probe[:index]),
        header_row=index + 1,
        headers=headers,
        rows=body,
        format=fmt,
        parents=parents,
        missing_formulas=scan.missing_formulas if scan else set(),
        hidden_rows=hidden,
        merged_cells=filled,
    )


def _choose_sheet(
    workbook: pc.CalamineWorkbook, words: set[str]
) -> tuple[str, pc.CalamineSheet, list[list[object]], int]:
    """The visible sheet with a header; of several, the one that looks most like a data table."""
    names = visible_sheets(workbook)
    best, best_score, seen_content = None, None, False
    for name in names:
        sheet = load_sheet(workbook, name)
        rows = sheet_rows(sheet)
        probe = list(islice(rows, PROBE_ROWS))
        seen_content = seen_content or any(not _blank_row(r) for r in probe) or sheet.height > PROBE_ROWS
        index = find_header(probe, words)
        if index is None:
            continue
        if len(names) == 1:
            return name, sheet, probe, index
        header = probe[index]
        filled = sum(1 for r in islice(chain(probe[index + 1 :], rows), _SCORE_CAP) if not _blank_row(r))
        score = (
            any(isinstance(c, str) and any(h in c for h in CODE_HINTS) for c in header),
            sum(1 for c in header if is_header_word(c, words)),
            filled,
        )
        if best_score is None or score > best_score:
            best, best_score = (name, sheet, probe, index), score
    if best is None:
        raise FileRejected(_no_header(seen_content))
    return best


def _header_index(probe: list[list[object]], words: set[str]) -> int:
    index = find_header(probe, words)
    if index is None:
        raise FileRejected(_no_header(any(not _blank_row(r) for r in probe)))
    return index


def _no_header(has_content: bool) -> str:
    if not has_content:
        return f"{NO_DATA}（工作表是空的）"
    return f"没有找到表头行：前 {HEADER_SCAN_ROWS} 行中没有一行包含可识别的列名（如统一社会信用代码）"


def _header(
    probe: list[list[object]], index: int, merges: list[MergedRange]
) -> tuple[list[str], list[str], int]:
    """Header texts, the merged group above each (two-row headers) and the last header row (0-based)."""
    top = [cell_text(c) for c in probe[index]]
    end, groups = index, set()
    for (r0, c0), (r1, c1) in merges:
        if not r0 <= index <= r1:
            continue
        anchor = cell_text(probe[r0][c0]) if r0 < len(probe) and c0 < len(probe[r0]) else ""
        top.extend([""] * (c1 + 1 - len(top)))
        for c in range(c0, c1 + 1):
            top[c] = anchor  # an empty cell under a merged header takes the merged text
        if r0 == index:
            end = max(end, min(r1, index + 2))
        if c1 > c0 and r1 == index:
            groups.update(range(c0, c1 + 1))
    below = probe[index + 1] if index + 1 < len(probe) else []
    if groups and all(c < len(below) and isinstance(below[c], str) and below[c].strip() for c in groups):
        end = max(end, index + 1)  # sub-headers under a merged group: a two-row header
    if end == index:
        return _trim(top), [], index
    headers, parents = [], []
    for c, parent in enumerate(top):
        child = ""
        for r in range(index + 1, min(end, len(probe) - 1) + 1):
            text = cell_text(probe[r][c]) if c < len(probe[r]) else ""
            child = text or child
        headers.append(child or parent)
        parents.append(parent if child and child != parent else "")
    headers = _trim(headers)
    return headers, parents[: len(headers)], end


def _collect(
    rows: Iterator[list[object]],
    first_row_no: int,
    max_rows: int,
    merges: list[MergedRange],
    hidden: set[int] | None = None,
) -> tuple[list[tuple[int, list[object]]], list[int], set[tuple[int, int]]]:
    """Data rows with their Excel numbers; stops as soon as the count passes `max_rows`.

    Blank rows are kept only between data rows (the validator lists them); trailing ones are dropped.
    Merged cells inside the data take the merged value, and are remembered so that a figure spread
    over several rows is not counted twice.
    """
    data_merges = [m for m in merges if m[0][0] >= first_row_no - 1 and m != (m[0], m[0])]
    anchors: dict[tuple[int, int], object] = {}
    body: list[tuple[int, list[object]]] = []
    pending: list[int] = []
    hidden_out: list[int] = []
    filled: set[tuple[int, int]] = set()
    count = 0
    append = body.append
    for row_no, cells in enumerate(rows, start=first_row_no):
        if data_merges:
            _fill_merged(cells, row_no - 1, data_merges, anchors, filled)
        # Most rows start with a filled cell (the code): known not blank without walking the row.
        first = cells[0] if cells else None
        if (first is None or (type(first) is str and not first.strip())) and _blank_row(cells):
            pending.append(row_no)
            continue
        if hidden and row_no in hidden:
            hidden_out.append(row_no)
            continue
        count += 1
        if count > max_rows:
            raise FileRejected(f"数据行超过 {max_rows:,} 行的上限，请拆分为多个文件后分批导入")
        if pending:
            body.extend((n, []) for n in pending)
            pending.clear()
        append((row_no, cells))
    if count == 0:
        raise FileRejected(NO_DATA)
    return body, hidden_out, filled


def _fill_merged(
    cells: list[object],
    r: int,
    merges: list[MergedRange],
    anchors: dict[tuple[int, int], object],
    filled: set[tuple[int, int]],
) -> None:
    for (r0, c0), (r1, c1) in merges:
        if not r0 <= r <= r1:
            continue
        if r == r0 and c0 < len(cells):
            anchors[(r0, c0)] = cells[c0]
        cells.extend([None] * (c1 + 1 - len(cells)))
        for c in range(c0, c1 + 1):
            if (r, c) != (r0, c0) and (r0, c0) in anchors and anchors[(r0, c0)] is not None:
                cells[c] = anchors[(r0, c0)]
                filled.add((r + 1, c))


def _blank_row(cells: Sequence[object]) -> bool:
    # is_blank for every cell, written out: asked once per row of the file
    for c in cells:
        if c is not None and (not isinstance(c, str) or c.strip()):
            return False
    return True


def _titles(rows: list[list[object]]) -> list[str]:
    lines = (" ".join(cell_text(c) for c in row if not is_blank(c)) for row in rows)
    return [line for line in lines if line]


def _trim(headers: list[str]) -> list[str]:
    while headers and not headers[-1]:
        headers.pop()
    return headers
