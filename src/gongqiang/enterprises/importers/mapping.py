"""Which column of the file is which field of the pack's import source, in which unit, and why.

Unit precedence for a metric column: the header names it ("实缴税金（万元）") > a title line names it
("单位：万元", "金额单位：千元；能耗：吨标准煤", applied only to columns whose unit converts to it) >
the source column's default `unit` in the pack. Every choice is written to `assumptions`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from gongqiang.core.policy.schema import ImportSource, MetricSpec, SourceColumn, UnitSpec

from .table import FileRejected, RawTable
from .text import fold
from .units import TitleUnit, UnitBook, pick_title_unit

# The key fields a source column may feed besides metrics (schema.SourceColumn), with their Chinese names.
KEY_FIELDS = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "region": "所属区县",
    "industry_code": "行业代码",
    "land_type": "使用类型",
    "account": "户号",
    "certificate": "权证号",
    "location": "坐落",
    "use": "用途",
}
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(度?)(?!\s*\d{1,2}\s*月)")


@dataclass(frozen=True)
class MappedColumn:
    index: int
    header: str
    field: str
    unit: UnitSpec | None  # None for key fields
    per: float | None
    reason: str
    source_column: SourceColumn | None = None


@dataclass
class ColumnMapping:
    source: str
    columns: list[MappedColumn]
    unmatched: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    def key(self, name: str) -> MappedColumn | None:
        # Asked for every row of a file: a dict, built once (the columns never change after mapping).
        by_field = self.__dict__.get("_by_field")
        if by_field is None:
            by_field = {}
            for c in self.columns:
                by_field.setdefault(c.field, c)
            self.__dict__["_by_field"] = by_field
        return by_field.get(name)

    @property
    def metric_columns(self) -> list[MappedColumn]:
        return [c for c in self.columns if c.unit is not None]


def header_words(sources: Iterable[ImportSource]) -> set[str]:
    """Every header variant of the pack's sources: what read_table looks for to find the header row."""
    return {h for s in sources for c in s.columns for h in c.headers}


def year_in_title(title_lines: list[str]) -> int | None:
    """2024 for "2024年度规模以上工业企业…"; a "2024年度" beats a bare "2024年"; dates are not years."""
    found = [(m.group(2) == "度", int(m.group(1))) for line in title_lines for m in _YEAR.finditer(line)]
    if not found:
        return None
    return next((y for annual, y in found if annual), found[0][1])


def _loose(header: str) -> set[str]:
    text = fold(header)
    return {text, text.rsplit("(", 1)[0]} if text.endswith(")") else {text}


def _matches(headers: list[str], source: ImportSource) -> set[int]:
    """Indexes of the source's columns found among the headers (trailing brackets ignored)."""
    found = set()
    for header in headers:
        forms = _loose(header)
        for i, col in enumerate(source.columns):
            if any(forms & _loose(v) for v in col.headers):
                found.add(i)
                break
    return found


def guess_source(table: RawTable, sources: list[ImportSource]) -> str | None:
    """The source whose required columns are all present and which names most of the file's figures.

    Key columns (USCC, name) are in every source, so a source must match at least one figure column.
    """
    best, best_score = None, (0, 0)
    for source in sources:
        found = _matches(table.headers, source)
        required = {i for i, c in enumerate(source.columns) if c.required}
        figures = sum(1 for i in found if source.columns[i].field not in KEY_FIELDS)
        if required <= found and figures and (figures, len(found)) > best_score:
            best, best_score = source.code, (figures, len(found))
    return best


def map_columns(
    table: RawTable,
    source: ImportSource,
    units: list[UnitSpec],
    metrics: list[MetricSpec],
    *,
    sources: list[ImportSource] | None = None,
) -> ColumnMapping:
    """Map the headers; FileRejected when a required column is missing or no metric column is found.

    `sources` (all the pack's import sources) lets the refusal say which department's file this is.
    """
    book = UnitBook(units)
    by_code = {m.code: m for m in metrics}
    titles = book.title_units(table.title_lines)
    mapping = ColumnMapping(source=source.code, columns=[])
    taken: set[int] = set()
    for index, header in enumerate(table.headers):
        if not header.strip():
            continue
        hit = _find(header, source, book)
        if hit is None or hit[0] in taken:
            mapping.unmatched.append(header)
            continue
        col_no, header_unit = hit
        taken.add(col_no)
        column = source.columns[col_no]
        metric = by_code.get(column.field)
        if metric is None:
            label = KEY_FIELDS.get(column.field, column.field)
            mapping.columns.append(MappedColumn(index, header, column.field, None, None, label, column))
            mapping.assumptions.append(f"“{header}”→ {label}")
            continue
        parent_unit = book.split_header(table.parent(index))[1] if table.parent(index) else None
        mapped = _metric_column(index, header, column, metric, book, header_unit, parent_unit, titles)
        mapping.columns.append(mapped)
        mapping.assumptions.append(mapped.reason)
    if mapping.unmatched:
        mapping.assumptions.append("未使用的列：" + "、".join(mapping.unmatched))
    _check_complete(table, source, mapping, taken, sources or [])
    return mapping


def _find(header: str, source: ImportSource, book: UnitBook) -> tuple[int, UnitSpec | None] | None:
    """The source column the header names, and the unit the header states (None when it states none)."""
    text = fold(header)
    # the header is a variant as written; the variant may itself state the unit ("年用电量（千瓦时）")
    for i, column in enumerate(source.columns):
        if any(fold(v) == text for v in column.headers):
            return i, book.split_header(header)[1]
    # a variant followed by a unit: "实缴税金（万元）", "年用电量(万千瓦时)"
    base, unit = book.split_header(header)
    if unit is not None:
        for i, column in enumerate(source.columns):
            if any(book.split_header(v)[0] == base for v in column.headers):
                return i, unit
    return None


def _metric_column(
    index: int,
    header: str,
    column: SourceColumn,
    metric: MetricSpec,
    book: UnitBook,
    header_unit: UnitSpec | None,
    parent_unit: UnitSpec | None,
    titles: list[TitleUnit],
) -> MappedColumn:
    default = book.require(column.unit or metric.unit)
    stated = header_unit or parent_unit
    if stated is not None:
        if stated.base != default.base:
            raise FileRejected(
                f"列“{header}”的单位“{stated.name}”不能换算为{metric.name}的单位（{default.name}）"
            )
        unit, why = stated, "列名" if header_unit else "上级列名"
    elif (title := pick_title_unit(titles, default.base, metric.name, header)) is not None:
        unit, why = title.unit, f"标题行“{title.text}”"
    else:
        unit, why = default, "未注明单位，按默认"
    reason = f"“{header}”→ {metric.name}，单位 {unit.name}（{why}）"
    if column.per is not None:
        reason += f"，每 {column.per:g} {default.name} 计 1 {metric.unit}"
    return MappedColumn(index, header, metric.code, unit, column.per, reason, column)


def _check_complete(
    table: RawTable,
    source: ImportSource,
    mapping: ColumnMapping,
    taken: set[int],
    sources: list[ImportSource],
) -> None:
    missing = [c for i, c in enumerate(source.columns) if c.required and i not in taken]
    guess = guess_source(table, sources) if sources else None
    other = next((s for s in sources if s.code == guess and s.code != source.code), None)
    if missing or not mapping.metric_columns:
        if other is not None:
            raise FileRejected(f"这像是“{other.name}”的文件，而不是“{source.name}”的文件")
        if missing:
            col = missing[0]
            raise FileRejected(
                f"缺少必需的列“{col.headers[0]}”（可接受的列名：{'、'.join(col.headers)}）；"
                f"文件中的列：{'、'.join(h for h in table.headers if h)}"
            )
        raise FileRejected(f"文件中没有“{source.name}”的任何指标列；文件中的列：{'、'.join(table.headers)}")
    if other is not None and len(_matches(table.headers, other)) > len(taken):
        mapping.assumptions.append(f"注意：文件的列更像“{other.name}”的文件，请确认所选的数据来源")
