"""Read an evaluation facts file and write the results table: pure functions (Polars, no Django).

The facts file (`gongqiang evaluate --facts`, and the web app's upload) is one .xlsx/.xls/.ods workbook or
CSV (UTF-8 or GBK), one row per enterprise, with a header row whose names are English or Chinese (see
`COLUMNS`; a unit in brackets after a name is ignored: "实缴税金（万元）" is 实缴税金). Amounts in 万元 are
turned into the engine's 元 exactly (decimal arithmetic, then the nearest float, which prints back as the
decimal). Every problem is reported with the spreadsheet row number and the column as written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from gongqiang.lib.uscc import normalise, uscc_error

from .compute import EvaluationResult

# Scale of the decimals read from the file: enough for 亩 and 万元 with any sensible number of places.
READ_DECIMAL = pl.Decimal(38, 10)
HEADER_SCAN_ROWS = 10  # a title line or two may sit above the header


@dataclass(frozen=True)
class Column:
    code: str  # the English column name
    label: str  # the Chinese column name, used in messages
    aliases: tuple[str, ...] = ()
    metric: str | None = None  # engine metric the column feeds
    factor: int = 1  # × factor to the metric's stored unit (万元 → 元: 10,000)
    required: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("uscc", "统一社会信用代码", ("信用代码", "社会信用代码")),
    Column("name", "企业名称", required=False),
    Column("region", "区划代码", ("县区代码", "县区", "区划")),
    Column("above_scale", "是否规上", ("规上", "规上企业")),
    Column("industry", "行业代码", ("国民经济行业代码",), required=False),
    Column("new_above_scale", "是否当年新升规", ("当年新升规", "新升规"), required=False),
    Column("founded_year", "投产年份", ("投产年度",), required=False),
    Column("land_mu", "用地面积", ("用地", "用地亩数"), metric="land_mu"),
    Column("tax", "实缴税金", ("税收", "实缴税收"), metric="tax_paid", factor=10_000),
    Column("revenue", "营业收入", ("销售收入",), metric="revenue", factor=10_000),
    Column("energy_tce", "综合能耗", ("能耗",), metric="energy_tce"),
    Column("rd_spend", "研发经费", ("研发经费支出", "研发投入"), metric="rd_spending", factor=10_000),
    Column("value_added", "工业增加值", ("增加值",), metric="value_added", factor=10_000),
    Column("employees", "从业人员", ("从业人员数", "年平均从业人员"), metric="employees"),
    Column("pollutant_eq", "污染物当量", ("污染物排放当量", "主要污染物排放当量"), metric="pollutant_eq"),
)
TRUE_WORDS = {"1", "是", "true", "yes", "y", "√", "规上"}
FALSE_WORDS = {"0", "否", "false", "no", "n", "规下", ""}
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(ord("！"), ord("～") + 1)} | {0x3000: 0x20}


@dataclass(frozen=True)
class InputError:
    row: int | None  # spreadsheet row number (the header is row 1 unless title lines sit above it)
    column: str | None  # the column's header as written in the file
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        column = f"“{self.column}”列" if self.column else ""
        return f"{where}{column}：{self.message}"


class FactsError(ValueError):
    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Table:
    """The file's cells as text: `frame` has the header's names; row i of it is spreadsheet row
    `first_row + i`."""

    frame: pl.DataFrame
    first_row: int


# -- reading --------------------------------------------------------------------------------------------
def read_table(path: Path, *, header_names: Iterable[str] = ()) -> Table:
    """Cells as text. The header is the first of the first rows that names a column we know."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        rows = _workbook_rows(path)
    elif suffix in (".csv", ".txt"):
        rows = _csv_rows(path.read_bytes())
    else:
        raise FactsError(
            [InputError(None, None, f"不支持的文件类型“{suffix}”：请用 .xlsx 工作簿或 .csv 文件")]
        )
    known = {_key(n) for n in header_names} | {
        _key(n) for c in COLUMNS for n in (c.code, c.label, *c.aliases)
    }
    header_at = next(
        (i for i, row in enumerate(rows[:HEADER_SCAN_ROWS]) if any(_key(cell) in known for cell in row)),
        None,
    )
    if header_at is None:
        raise FactsError([InputError(None, None, "找不到表头行（须有“统一社会信用代码”或“uscc”等列名）")])
    header = [str(c).strip() for c in rows[header_at]]
    width = len(header)
    body = [[*row[:width], *[""] * (width - len(row))] for row in rows[header_at + 1 :]]
    names = _unique([h or f"列{i + 1}" for i, h in enumerate(header)])
    frame = pl.DataFrame(
        {name: [r[i] for r in body] for i, name in enumerate(names)},
        schema={n: pl.String for n in names},
    )
    return Table(frame=frame, first_row=header_at + 2)


def _workbook_rows(path: Path) -> list[list[str]]:
    import python_calamine as pc

    try:
        book = pc.CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        raw = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for a broken or foreign file
        raise FactsError([InputError(None, None, f"无法读取工作簿：{exc}")]) from None
    return [[_cell_text(v) for v in row] for row in raw]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # a number typed into Excel: its shortest repr is the decimal that was typed
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise FactsError([InputError(None, None, "文件编码无法识别：请存为 UTF-8 或 GBK")])
    return [row for row in csv.reader(io.StringIO(text))]


def _key(name: object) -> str:
    text = str(name).translate(_FULL_WIDTH).strip().lower()
    text = re.sub(r"[(\[].*?[)\]]$", "", text)  # a unit in brackets: 实缴税金（万元） → 实缴税金
    return re.sub(r"\s+", "", text)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out


# -- checking and converting ----------------------------------------------------------------------------
def facts_frame(table: Table, *, items: dict[str, str], year: int | None = None) -> pl.DataFrame:
    """The engine's input frame from a file's cells: uscc, name, region, above_scale, industry,
    new_above_scale, founded_year, the metrics in stored units (元, 亩, …) and one 0/1 column per item
    (`items`: code → Chinese name; a column may be headed by either). Raises FactsError with every
    problem found (row and column)."""
    df = table.frame
    errors: list[InputError] = []
    by_key: dict[str, str] = {}
    for name in df.columns:
        by_key.setdefault(_key(name), name)
    found: dict[str, str] = {}  # column code or item code → header as written
    for col in COLUMNS:
        header = next(
            (by_key[k] for k in map(_key, (col.code, col.label, *col.aliases)) if k in by_key), None
        )
        if header is not None:
            found[col.code] = header
        elif col.required:
            errors.append(InputError(None, None, f"缺少必填列“{col.label}”（或“{col.code}”）"))
    for code, name in items.items():
        header = by_key.get(_key(code)) or by_key.get(_key(name))
        if header is not None:
            found[code] = header
    if errors:
        raise FactsError(errors)
    rows = pl.int_range(pl.len(), dtype=pl.Int64) + table.first_row
    df = df.with_columns(rows.alias("_row")).filter(
        pl.any_horizontal([pl.col(c).fill_null("").str.strip_chars() != "" for c in table.frame.columns])
    )
    out: dict[str, pl.Series] = {}

    def text(code: str) -> pl.Series:
        return (
            df[found[code]].fill_null("").str.replace_many(_FULL_WIDTH_FROM, _FULL_WIDTH_TO).str.strip_chars()
        )

    # uscc: valid and unique
    codes = [normalise(v) for v in df[found["uscc"]].fill_null("")]
    first_seen: dict[str, int] = {}
    for code, row in zip(codes, df["_row"], strict=True):
        problem = uscc_error(code)
        if problem:
            errors.append(InputError(row, found["uscc"], problem.removesuffix("。")))
        elif code in first_seen:
            errors.append(
                InputError(row, found["uscc"], f"统一社会信用代码“{code}”与第 {first_seen[code]} 行重复")
            )
        else:
            first_seen[code] = row
    out["uscc"] = pl.Series("uscc", codes, dtype=pl.String)
    out["name"] = text("name") if "name" in found else pl.Series("name", [None] * df.height, dtype=pl.String)
    region = text("region").str.replace(r"\.0$", "")
    errors += _blank(df, region, found["region"], "区划代码不能为空")
    out["region"] = region
    out["above_scale"], errs = _flag(df, text("above_scale"), found["above_scale"], blank_ok=False)
    errors += errs
    industry = text("industry").str.replace(r"\.0$", "") if "industry" in found else None
    if industry is not None:
        bad = industry.str.contains(r"^\d{0,4}$").not_()
        errors += _at(df, bad, found["industry"], "行业代码应为 2～4 位数字（GB/T 4754）")
        out["industry"] = industry.replace("", None)
    else:
        out["industry"] = pl.Series("industry", [None] * df.height, dtype=pl.String)
    if "new_above_scale" in found:
        out["new_above_scale"], errs = _flag(
            df, text("new_above_scale"), found["new_above_scale"], blank_ok=True
        )
        errors += errs
    if "founded_year" in found:
        years = text("founded_year").str.replace(r"\.0$", "")
        parsed = years.cast(pl.Int64, strict=False)
        top = year if year is not None else 2100
        bad = (years != "") & (parsed.is_null() | (parsed < 1900) | (parsed > top))
        errors += _at(df, bad, found["founded_year"], f"投产年份应为 1900～{top} 的年份")
        out["founded_year"] = parsed
    for col in COLUMNS:
        if col.metric is None:
            continue
        raw = text(col.code)
        value = raw.str.replace_all(",", "").cast(READ_DECIMAL, strict=False)
        bad = ((raw != "") & value.is_null()).fill_null(False)
        errors += [
            InputError(row, found[col.code], f"应为数字，实为“{cell}”")
            for row, cell in zip(df["_row"].filter(bad), raw.filter(bad), strict=True)
        ]
        if col.factor != 1:
            value = value * col.factor
        # Decimal → text → float: the nearest float to the decimal (a Decimal → float cast could round twice)
        out[col.metric] = value.cast(pl.String).cast(pl.Float64).alias(col.metric)
    for code in items:
        if code in found:
            out[code], errs = _flag(df, text(code), found[code], blank_ok=True)
            errors += errs
            out[code] = out[code].cast(pl.Int8)
    if errors:
        errors.sort(key=lambda e: (e.row or 0, e.column or ""))
        raise FactsError(errors)
    return pl.DataFrame([s.alias(name) for name, s in out.items()])


_FULL_WIDTH_FROM = [chr(c) for c in _FULL_WIDTH]
_FULL_WIDTH_TO = [chr(c) for c in _FULL_WIDTH.values()]


def _at(df: pl.DataFrame, bad: pl.Series, column: str, message: str) -> list[InputError]:
    bad = bad.fill_null(False)
    return [InputError(row, column, message) for row in df["_row"].filter(bad)]


def _blank(df: pl.DataFrame, values: pl.Series, column: str, message: str) -> list[InputError]:
    return _at(df, values == "", column, message)


def _flag(
    df: pl.DataFrame, values: pl.Series, column: str, *, blank_ok: bool
) -> tuple[pl.Series, list[InputError]]:
    lowered = values.str.to_lowercase().str.replace(r"\.0$", "")
    true = lowered.is_in(sorted(TRUE_WORDS))
    allowed = sorted(FALSE_WORDS | TRUE_WORDS) if blank_ok else sorted((FALSE_WORDS - {""}) | TRUE_WORDS)
    bad = ~lowered.is_in(allowed)
    message = "应为 1 或 0（是/否）" if not blank_ok else "应为 1 或留空"
    return true.alias(values.name), _at(df, bad, column, message)


def read_facts(path: Path, *, items: dict[str, str], year: int | None = None) -> pl.DataFrame:
    table = read_table(path, header_names=[*items, *items.values()])
    return facts_frame(table, items=items, year=year)


# -- writing --------------------------------------------------------------------------------------------
def points(hundredths: pl.Expr) -> pl.Expr:
    """Integer hundredths of a point → Decimal with 2 places, exactly (1235 → 12.35, −350 → −3.50)."""
    h = hundredths.cast(pl.Int64)
    sign = pl.when(h < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    text = pl.concat_str(
        [sign, (h.abs() // 100).cast(pl.String), pl.lit("."), (h.abs() % 100).cast(pl.String).str.zfill(2)]
    )
    return text.cast(pl.Decimal(20, 2))


def result_table(result: EvaluationResult) -> pl.DataFrame:
    """One row per enterprise, in input order: the columns of `gongqiang evaluate --out`."""
    df = result.as_text()
    flag = lambda c: pl.col(c).fill_null(False).cast(pl.Int8).alias(c)  # noqa: E731
    return df.select(
        "uscc",
        "name",
        "region",
        "group",
        "status",
        *[points(pl.col(f"{code}_score")).alias(f"{code}_score") for code in result.indicator_codes()],
        points(pl.col("bonus")).alias("bonus"),
        points(pl.col("penalty")).alias("penalty"),
        flag("veto"),
        points(pl.col("total")).alias("total"),
        "rank",
        "class",
        flag("low_efficiency"),
        "reason",
    )


def write_table(table: pl.DataFrame, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix == ".csv":
        table.write_csv(out, include_bom=True)  # the BOM lets Excel open the Chinese text as UTF-8
    elif suffix == ".xlsx":
        _write_xlsx(table, out)
    else:
        raise FactsError(
            [InputError(None, None, f"输出文件须为 .csv 或 .xlsx，而不是“{suffix or out.name}”")]
        )


def _write_xlsx(table: pl.DataFrame, out: Path) -> None:
    """Cell by cell with xlsxwriter in constant-memory mode: Polars' write_excel takes ≈ 15 s for
    100,000 rows, this a third of that. Points are numbers shown with two places."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet("评价结果")
    two_places = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, table.columns)
    points_at = {i for i, dtype in enumerate(table.dtypes) if isinstance(dtype, pl.Decimal)}
    for r, row in enumerate(table.iter_rows(), start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if c in points_at:
                sheet.write_number(r, c, float(value), two_places)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    sheet.freeze_panes(1, 0)
    book.close()
