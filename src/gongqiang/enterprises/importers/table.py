"""What a reader hands to the mapping layer: one sheet's header and raw rows, and the file-level refusal."""

from __future__ import annotations

from dataclasses import dataclass, field


class FileRejected(Exception):
    """The whole file cannot be imported; `reason` is shown to the user as it is (Chinese)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class RawTable:
    sheet: str
    title_lines: list[str]  # the non-empty text of the rows above the header ("单位：万元")
    header_row: int  # 1-based, as Excel shows it
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (Excel row number, raw cell values; None for empty)
    format: str  # "xlsx", "xls", "ods" or "csv"
    encoding: str | None = None
    # two-row headers: the merged group cell above each column ("排放量（千克）"), "" where none
    parents: list[str] = field(default_factory=list)
    # (row number, column index) of formula cells saved without a computed value
    missing_formulas: set[tuple[int, int]] = field(default_factory=set)
    hidden_rows: list[int] = field(default_factory=list)  # left out of `rows`, reported as skipped
    # (row number, column index) of data cells that were filled from a merged cell above or beside them
    merged_cells: set[tuple[int, int]] = field(default_factory=set)

    def parent(self, index: int) -> str:
        return self.parents[index] if index < len(self.parents) else ""
