"""`gongqiang evaluate`: a facts file in, the results table out; bad input refused with row and column.

The command reads no database (no django_db mark: a query would fail the test).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from gongqiang.evaluation.cli_io import FactsError, facts_frame, read_table
from gongqiang.lib.uscc import make

ROOT = Path(__file__).resolve().parents[2]
CODES = [make(f"91371302MA{i:07d}") for i in range(8)]  # valid 统一社会信用代码
HEADER_ZH = [
    "统一社会信用代码",
    "企业名称",
    "区划代码",
    "是否规上",
    "行业代码",
    "用地面积（亩）",
    "实缴税金（万元）",
    "营业收入（万元）",
    "综合能耗",
    "研发经费（万元）",
    "工业增加值（万元）",
    "从业人员",
    "污染物当量",
    "high_tech",
    "发生较大及以上生产安全事故",  # an item column may be headed by its name in the pack
]
HEADER_EN = [
    "uscc",
    "name",
    "region",
    "above_scale",
    "industry",
    "land_mu",
    "tax",
    "revenue",
    "energy_tce",
    "rd_spend",
    "value_added",
    "employees",
    "pollutant_eq",
    "high_tech",
    "safety_accident",
]


def row(
    i: int, *, tax: str, land: str = "1", above: str = "1", industry: str = "1310", **kw: str
) -> list[str]:
    cells = [
        CODES[i],
        f"企业{i}",
        "371302",
        above,
        industry,
        land,
        tax,
        "100",
        "10",
        "1",
        "50",
        "10",
        "10",
        "",
        "",
    ]
    for k, v in kw.items():
        cells[HEADER_EN.index(k)] = v
    return cells


# Last year one enterprise paid 10 万元 on 1 亩 → benchmark 2 × 10 = 20 万元/亩 → 亩均税收 score = 40 × v ÷ 20.
PREVIOUS = [row(7, tax="10")]
CURRENT = [
    row(0, tax="6.1725"),  # 6.1725 万元/亩 → 40 × 6.1725 ÷ 20 = 12.345 → 12.35
    row(1, tax="6.738325", land="1.07"),  # 6.2975 万元/亩 → 12.595 → 12.60 (floats give 12.59)
    row(2, tax="3", high_tech="1"),  # exactly 3 万元/亩: low efficiency; 6.00 + bonus 3
    row(3, tax="50", safety_accident="1"),  # capped at 80.00, but vetoed → D
    row(4, tax="5", industry="4411"),  # power supply → T
    row(5, tax="1", above="0", land="2.5"),  # below scale under 3 亩 → not evaluated
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def evaluate(tmp_path: Path, facts: Path, *extra: str, out: str = "out.csv") -> Path:
    target = tmp_path / out
    call_command("evaluate", "--facts", str(facts), "--year", "2024", "--out", str(target), *extra)
    return target


def refused(tmp_path: Path, facts: Path, *extra: str) -> str:
    with pytest.raises(CommandError) as caught:
        evaluate(tmp_path, facts, *extra)
    assert caught.value.returncode == 2
    return str(caught.value)


def test_csv_in_csv_out_exact_scores(tmp_path: Path) -> None:
    facts = write_csv(tmp_path / "facts.csv", HEADER_ZH, CURRENT)
    previous = write_csv(tmp_path / "prev.csv", HEADER_ZH, PREVIOUS)
    out = evaluate(tmp_path, facts, "--previous", str(previous))
    with out.open(encoding="utf-8-sig") as handle:  # written with a BOM for Excel
        rows = {r["uscc"]: r for r in csv.DictReader(handle)}
    assert list(rows) == CODES[:6]  # input order
    first = rows[CODES[0]]
    for column in (
        "uscc",
        "region",
        "tax_per_mu_score",
        "bonus",
        "penalty",
        "veto",
        "total",
        "rank",
        "class",
    ):
        assert column in first
    assert {"low_efficiency", "reason", "labour_productivity_score"} <= set(first)
    assert rows[CODES[0]]["tax_per_mu_score"] == "12.35"
    assert rows[CODES[1]]["tax_per_mu_score"] == "12.60"
    assert (rows[CODES[2]]["tax_per_mu_score"], rows[CODES[2]]["bonus"]) == ("6.00", "3.00")
    assert rows[CODES[2]]["low_efficiency"] == "1"
    assert (rows[CODES[3]]["tax_per_mu_score"], rows[CODES[3]]["veto"], rows[CODES[3]]["class"]) == (
        "80.00",
        "1",
        "D",
    )
    assert rows[CODES[3]]["reason"] == "一票否决：发生较大及以上生产安全事故"
    assert (rows[CODES[4]]["class"], rows[CODES[4]]["total"]) == ("T", "")
    assert rows[CODES[5]]["class"] == "" and "不参评" in rows[CODES[5]]["reason"]
    # three evaluated above scale and not vetoed besides the vetoed one: N = 4 → A 0, B 2, C 1, D 1
    ranked = sorted((int(r["rank"]), r["class"]) for r in rows.values() if r["rank"])
    assert [c for _, c in ranked] == ["B", "B", "C"]


def test_xlsx_with_english_headers_and_a_title_line_gives_the_same(tmp_path: Path) -> None:
    csv_out = evaluate(tmp_path, write_csv(tmp_path / "facts.csv", HEADER_ZH, CURRENT), out="a.csv")
    book = tmp_path / "facts.xlsx"
    workbook = xlsxwriter.Workbook(str(book))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["2024年度亩产效益评价企业数据"])  # a title line above the header
    sheet.write_row(1, 0, HEADER_EN)
    for r, cells in enumerate(CURRENT, start=2):
        for c, cell in enumerate(cells):
            # numbers as numbers, as a department's workbook has them
            if cell and c >= 5 and c <= 12:
                sheet.write_number(r, c, float(cell))
            else:
                sheet.write_string(r, c, cell)
    workbook.close()
    xlsx_out = evaluate(tmp_path, book, out="b.xlsx")
    a = pl.read_csv(csv_out, infer_schema=False)

    sheet_rows = CalamineWorkbook.from_path(str(xlsx_out)).get_sheet_by_index(0).to_python()
    header, *body = sheet_rows
    got = {r[header.index("uscc")]: (r[header.index("class")], r[header.index("total")]) for r in body}
    want = {
        r["uscc"]: (r["class"] or "", float(r["total"]) if r["total"] else "")
        for r in a.iter_rows(named=True)
    }
    assert got == want


def test_gbk_csv(tmp_path: Path) -> None:
    facts = write_csv(tmp_path / "facts.csv", HEADER_ZH, CURRENT, encoding="gbk")
    out = evaluate(tmp_path, facts)
    assert pl.read_csv(out, infer_schema=False).height == len(CURRENT)


def test_missing_required_column(tmp_path: Path) -> None:
    header = [h for h in HEADER_ZH if h != "用地面积（亩）"]
    rows = [[c for j, c in enumerate(r) if HEADER_ZH[j] != "用地面积（亩）"] for r in CURRENT]
    message = refused(tmp_path, write_csv(tmp_path / "f.csv", header, rows))
    assert "文件：缺少必填列“用地面积”（或“land_mu”）" in message


def test_non_numeric_cell_names_row_and_column(tmp_path: Path) -> None:
    rows = [list(r) for r in CURRENT]
    rows[1][6] = "约5万"  # spreadsheet row 3 (the header is row 1)
    message = refused(tmp_path, write_csv(tmp_path / "f.csv", HEADER_ZH, rows))
    assert "第 3 行“实缴税金（万元）”列：应为数字，实为“约5万”" in message


def test_bad_checksum_and_duplicate_uscc(tmp_path: Path) -> None:
    rows = [list(r) for r in CURRENT]
    rows[0][0] = CODES[0][:-1] + ("1" if CODES[0][-1] != "1" else "2")  # row 2: wrong check digit
    rows[3][0] = CODES[2]  # row 5 repeats row 4
    message = refused(tmp_path, write_csv(tmp_path / "f.csv", HEADER_ZH, rows))
    assert f"第 2 行“统一社会信用代码”列：统一社会信用代码校验位错误（第18位应为“{CODES[0][-1]}”）" in message
    assert f"第 5 行“统一社会信用代码”列：统一社会信用代码“{CODES[2]}”与第 4 行重复" in message


def test_bad_flag_and_blank_region(tmp_path: Path) -> None:
    rows = [list(r) for r in CURRENT]
    rows[0][3] = "大概"
    rows[1][2] = ""
    rows[2][13] = "2"
    message = refused(tmp_path, write_csv(tmp_path / "f.csv", HEADER_ZH, rows))
    assert "第 2 行“是否规上”列：应为 1 或 0（是/否）" in message
    assert "第 3 行“区划代码”列：区划代码不能为空" in message
    assert "第 4 行“high_tech”列：应为 1 或留空" in message


def method_yaml(tmp_path: Path, **changes: object) -> Path:
    import yaml

    from .test_engine import linyi

    raw = linyi().model_dump(by_alias=True, mode="json")
    raw.update(changes)
    path = tmp_path / "method.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_method_file_with_an_unknown_item_is_refused(tmp_path: Path) -> None:
    facts = write_csv(tmp_path / "f.csv", HEADER_ZH, CURRENT)
    bad = method_yaml(tmp_path, bonus={"cap": "5", "items": [{"item": "gold_medal", "points": "1"}]})
    message = refused(tmp_path, facts, "--method", str(bad))
    assert "方法引用了未知的加分事项“gold_medal”（须在 evaluation.items 中定义）" in message


def test_method_file_changes_the_result(tmp_path: Path) -> None:
    facts = write_csv(tmp_path / "f.csv", HEADER_ZH, CURRENT)
    rules = [
        {
            "group": "above_scale",
            "indicator": "tax_per_mu",
            "at_most": "3",
            "inclusive": False,
            "label": "低于3万元",
        }
    ]
    out = evaluate(tmp_path, facts, "--method", str(method_yaml(tmp_path, low_efficiency=rules)))
    rows = {r["uscc"]: r for r in pl.read_csv(out, infer_schema=False).iter_rows(named=True)}
    assert rows[CODES[2]]["low_efficiency"] == "0"  # 3.0 is not below 3 in the strict rule


def test_bad_output_suffix(tmp_path: Path) -> None:
    facts = write_csv(tmp_path / "f.csv", HEADER_ZH, CURRENT)
    with pytest.raises(CommandError, match="输出文件须为 .csv 或 .xlsx"):
        evaluate(tmp_path, facts, out="out.txt")


def test_facts_frame_converts_wan_yuan_exactly() -> None:
    table = read_table_from([HEADER_EN, row(0, tax="0.0001"), row(1, tax="6.738325", land="1.07")])
    frame = facts_frame(table, items={"high_tech": "高新技术企业"})
    assert frame["tax_paid"].to_list() == [1.0, 67383.25]
    assert frame["revenue"].to_list() == [1_000_000.0, 1_000_000.0]
    with pytest.raises(FactsError):
        facts_frame(read_table_from([HEADER_EN, row(0, tax="x")]), items={})


def read_table_from(rows: list[list[str]]):  # noqa: ANN201
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / "t.csv", rows[0], rows[1:])
        return read_table(path)


def test_console_script_exits_non_zero_with_the_message(tmp_path: Path) -> None:
    rows = [list(r) for r in CURRENT]
    rows[1][6] = "abc"
    facts = write_csv(tmp_path / "f.csv", HEADER_ZH, rows)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gongqiang.cli",
            "evaluate",
            "--facts",
            str(facts),
            "--year",
            "2024",
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2
    assert "第 3 行“实缴税金（万元）”列：应为数字，实为“abc”" in done.stderr
    assert not (tmp_path / "o.csv").exists()
