"""One data row: is it a row to skip (total, footer, blank), and if not, its key fields and values."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from gongqiang.core.policy.schema import MetricSpec
from gongqiang.lib.uscc import normalise, uscc_error

from .mapping import ColumnMapping, MappedColumn
from .numbers import NumberError, parse_number
from .results import KnownEnterprise, RowError, plain
from .text import cell_text, fold, is_blank
from .units import convert

_TOTAL = re.compile(r"^\D{0,8}(合计|总计|小计)[:：]?$")
_FOOTER = re.compile(r"^(制表|填报|填表|审核|单位负责人|负责人|说明|备注|数据来源|注(?=$|[:：、\d.]))")
_INDUSTRY = re.compile(r"^[A-Za-z]?\d{2,4}$")
FORMULA_MISSING = "公式没有计算结果（文件保存时未计算），请在 Excel 中打开、保存后再导入，或粘贴为数值"
MERGED_VALUE = "数值所在的单元格与上方或左侧合并，无法分到各行，请取消合并后逐行填写"

InScope = Callable[[str | None, str], bool]


@dataclass
class RowContext:
    mapping: ColumnMapping
    metrics: dict[str, MetricSpec]
    land_types: dict[str, tuple[str, int]]  # folded value → (value as in the pack, sign)
    known: Mapping[str, KnownEnterprise]
    in_scope: InScope | None
    create_unknown: bool
    regions: Mapping[str, str] | None  # code → name
    missing_formulas: set[tuple[int, int]]
    merged_cells: set[tuple[int, int]]


@dataclass
class ParsedRow:
    row_no: int
    uscc: str | None = None
    name: str | None = None
    region: str | None = None
    industry_code: str | None = None
    land_type: str | None = None
    sign: int = 1
    texts: dict[str, str] = field(default_factory=dict)  # account, certificate, location, use
    values: dict[str, Decimal] = field(default_factory=dict)  # metric → value in the metric's unit
    errors: list[RowError] = field(default_factory=list)
    new_enterprise: bool = False

    def error(self, column: str | None, reason: str) -> None:
        self.errors.append(RowError(self.row_no, column, reason))


def _cell(cells: list[object], column: MappedColumn | None) -> object:
    if column is None or column.index >= len(cells):
        return None
    return cells[column.index]


def skip_reason(cells: list[object], mapping: ColumnMapping) -> str | None:
    """Why a row is not an enterprise: blank, a total (合计) or a footer (制表人…); None for data rows."""
    if all(is_blank(c) for c in cells):
        return "空行"
    code = _cell(cells, mapping.key("uscc"))
    if not is_blank(code) and uscc_error(cell_text(code)) is None:
        return None
    texts = [fold(c) for c in cells if isinstance(c, str) and c.strip()]
    if any(_TOTAL.match(t) for t in texts):
        return "合计行，不是企业数据"
    if any(_FOOTER.match(t) for t in texts):
        return "表尾说明，不是企业数据"
    return None


def parse_row(row_no: int, cells: list[object], ctx: RowContext) -> ParsedRow:
    row = ParsedRow(row_no)
    _keys(row, cells, ctx)
    errors_before = len(row.errors)
    _values(row, cells, ctx)
    if not row.values and len(row.errors) == errors_before:
        row.error(None, "该行没有任何指标值")
    if row.uscc is not None:
        _registry(row, ctx)
    return row


def _keys(row: ParsedRow, cells: list[object], ctx: RowContext) -> None:
    mapping = ctx.mapping
    uscc_col = mapping.key("uscc")
    raw = _cell(cells, uscc_col)
    reason = uscc_error(cell_text(raw))
    if reason is None:
        row.uscc = normalise(cell_text(raw))
    else:
        hint = (
            "（单元格是数值格式，长代码会丢失位数，请设为文本格式）" if isinstance(raw, int | float) else ""
        )
        row.error(uscc_col.header if uscc_col else None, reason.rstrip("。") + hint)
    row.name = cell_text(_cell(cells, mapping.key("name"))) or None
    row.region = cell_text(_cell(cells, mapping.key("region"))) or None
    industry_col = mapping.key("industry_code")
    industry = cell_text(_cell(cells, industry_col)) or None
    if industry is not None and not _INDUSTRY.match(industry):
        row.error(
            industry_col.header if industry_col else None,
            f"行业代码“{industry}”格式不正确（应为 2–4 位数字）",
        )
    row.industry_code = industry
    for key in ("account", "certificate", "location", "use"):
        text = cell_text(_cell(cells, mapping.key(key)))
        if text:
            row.texts[key] = text
    type_col = mapping.key("land_type")
    land_type = cell_text(_cell(cells, type_col))
    if land_type and ctx.land_types:
        found = ctx.land_types.get(fold(land_type))
        if found is None:
            allowed = "、".join(name for name, _ in ctx.land_types.values())
            row.error(
                type_col.header if type_col else None, f"使用类型“{land_type}”不在允许的取值中（{allowed}）"
            )
        else:
            row.land_type, row.sign = found


def _values(row: ParsedRow, cells: list[object], ctx: RowContext) -> None:
    sums: dict[str, Decimal] = {}
    headers: dict[str, list[str]] = {}
    for column in ctx.mapping.metric_columns:
        raw = _cell(cells, column)
        where = (row.row_no, column.index)
        if where in ctx.missing_formulas:
            row.error(column.header, FORMULA_MISSING)
            continue
        try:
            value = parse_number(raw)
        except NumberError as exc:
            row.error(column.header, exc.reason)
            continue
        if value is None:
            continue
        if where in ctx.merged_cells:
            row.error(column.header, MERGED_VALUE)
            continue
        assert column.unit is not None  # metric columns always carry a unit
        sums[column.field] = sums.get(column.field, Decimal(0)) + convert(value, column.unit, column.per)
        headers.setdefault(column.field, []).append(column.header)
    for code, value in sums.items():
        reason = range_error(ctx.metrics[code], value)
        if reason:
            row.error("、".join(headers[code]), reason)
        else:
            row.values[code] = value


def range_error(metric: MetricSpec, value: Decimal) -> str | None:
    """Why the value is outside the metric's range (min/max inclusive, integer), in Chinese; else None."""
    if metric.integer and value != value.to_integral_value():
        return f"{metric.name}应为整数，实际为 {plain(value)} {metric.unit}"
    for bound, below in ((metric.min, True), (metric.max, False)):
        if bound is None:
            continue
        limit = Decimal(format(bound, ".15g"))
        if (value < limit) if below else (value > limit):
            # shown at the pack's precision, unless rounding would make it look equal to the bound
            shown = value.quantize(Decimal(1).scaleb(-metric.decimals)) if abs(value) < 10**20 else value
            shown = value if shown == limit else shown
            word = "低于下限" if below else "高于上限"
            return f"{metric.name}为 {plain(shown)} {metric.unit}，{word} {bound:g} {metric.unit}"
    return None


def _registry(row: ParsedRow, ctx: RowContext) -> None:
    """Known or new enterprise, and whether the user may import it (county uploads)."""
    column = ctx.mapping.key("uscc")
    header = column.header if column else None
    known = ctx.known.get(row.uscc or "")
    region = _region_code(row, ctx, required=known is None)
    if known is None:
        if not ctx.create_unknown:
            row.error(header, "企业库中没有该统一社会信用代码")
            return
        row.new_enterprise = True
        if not row.name:
            row.error(header, "企业库中没有该企业，新建企业须填写企业名称")
    else:
        region = known.region_code
        row.region = region or row.region
        row.name = row.name or known.name  # the file's name is kept: reconciliation compares names
    if ctx.in_scope is not None and not ctx.in_scope(region, row.uscc or ""):
        name = (ctx.regions or {}).get(region or "", region or "未知")
        row.error(header, f"该企业不在您的数据范围内（属地：{name}）")


def _region_code(row: ParsedRow, ctx: RowContext, *, required: bool) -> str | None:
    """The file's 区县 as a region code: a code, a name ("罗庄区") or a name without 区/县 ("罗庄")."""
    text = row.region
    if text is None or ctx.regions is None:
        return text
    if text in ctx.regions:
        return text
    folded = fold(text)
    for code, name in ctx.regions.items():
        if folded in (fold(name), fold(name)[:-1]) and len(folded) >= 2:
            row.region = code
            return code
    if required:
        column = ctx.mapping.key("region")
        row.error(column.header if column else None, f"区县“{text}”不是本市的区县")
    return None
