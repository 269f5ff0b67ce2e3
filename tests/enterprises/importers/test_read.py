"""Reading: the real format from the bytes, the data sheet, the header under title rows; bad files refused."""

from __future__ import annotations

import codecs
import io

import openpyxl
import pytest

from gongqiang.enterprises.importers import FileRejected, find_header, read_table
from gongqiang.lib.uscc import make

from .conftest import xlsx

CODE = make("91371302MA0000001")
HEADER = ["统一社会信用代码", "企业名称", "实缴税金"]


def test_xlsx_with_title_rows(samples):
    table = read_table((samples / "tax-2024.xlsx").read_bytes(), "tax-2024.xlsx")
    assert table.format == "xlsx"
    assert table.sheet == "实缴税金"
    assert table.title_lines == ["2024年度规模以上工业企业实缴税金明细表", "单位：万元"]
    assert table.header_row == 3
    assert table.headers[1] == "纳税人识别号"
    assert table.rows[0][0] == 4  # Excel's row number


def test_gbk_csv_is_detected(samples):
    table = read_table((samples / "power-2024-gbk.csv").read_bytes(), "用电.csv")
    assert (table.format, table.encoding) == ("csv", "gb18030")
    assert table.headers[3] == "年用电量（千瓦时）"
    assert table.rows[0][1][3] == "5,567,105"


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters_are_sniffed(delimiter):
    text = "\n".join(delimiter.join(r) for r in [HEADER, [CODE, "甲公司", "1.5"], [CODE, "乙公司", "2"]])
    table = read_table(text.encode("utf-8-sig"), "a.csv")
    assert table.headers == HEADER
    assert table.rows[1] == (3, [CODE, "乙公司", "2"])


def test_excel_unicode_text_export_utf16_tab():
    text = "\r\n".join("\t".join(r) for r in [HEADER, [CODE, "甲公司", "1.5"]])
    table = read_table(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "a.txt")
    assert (table.encoding, table.headers) == ("utf-16", HEADER)


def test_csv_named_xlsx_is_read_as_csv():
    data = "\n".join(",".join(r) for r in [HEADER, [CODE, "甲", "1"]]).encode("gbk")
    assert read_table(data, "伪装.xlsx").format == "csv"


def test_truncated_xlsx_is_corrupt(samples):
    data = (samples / "tax-2024.xlsx").read_bytes()
    with pytest.raises(FileRejected, match="损坏"):
        read_table(data[: len(data) // 2], "tax.xlsx")


def test_executable_renamed_xlsx_is_refused():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 8
    with pytest.raises(FileRejected) as info:
        read_table(exe, "税收.xlsx")
    assert info.value.reason == "文件不是有效的 Excel 或 CSV 文件"


def test_other_zip_renamed_xlsx_is_refused():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(FileRejected, match="不是有效的 Excel"):
        read_table(buffer.getvalue(), "a.xlsx")


@pytest.mark.parametrize("data", [b"", xlsx([]), b"\xef\xbb\xbf"])
def test_empty_file_or_sheet(data):
    with pytest.raises(FileRejected, match="文件中没有数据行|是空的"):
        read_table(data, "a.xlsx")


def test_over_the_size_limit():
    with pytest.raises(FileRejected) as info:
        read_table(b"x" * (2 * 2**20 + 1), "big.csv", max_bytes=2 * 2**20)
    assert info.value.reason == "文件大小 2.0 MB，超过 2 MB 的上限"


def test_header_only():
    with pytest.raises(FileRejected) as info:
        read_table(xlsx([["2024年 实缴税金"], HEADER]), "a.xlsx")
    assert info.value.reason == "文件中没有数据行"


def test_no_header_found():
    with pytest.raises(FileRejected, match="没有找到表头行"):
        read_table(xlsx([["a", "b"], [1, 2]]), "a.xlsx")


def test_too_many_rows_names_the_limit():
    rows = [HEADER] + [[CODE, "甲", i] for i in range(12)]
    with pytest.raises(FileRejected, match="10 行的上限"):
        read_table(xlsx(rows), "a.xlsx", max_rows=10)
    assert len(read_table(xlsx(rows), "a.xlsx", max_rows=12).rows) == 12


def test_merged_header_cells_two_row_header():
    """排放量（千克） spans four pollutant columns; 统一社会信用代码 spans both header rows."""

    def build(wb, ws):
        ws.merge_range(0, 0, 0, 3, "2024年 排放量")
        ws.merge_range(1, 0, 2, 0, "统一社会信用代码")
        ws.merge_range(1, 1, 2, 1, "单位名称")
        ws.merge_range(1, 2, 1, 3, "排放量（千克）")
        ws.write_row(2, 2, ["化学需氧量", "氨氮"])
        ws.write_row(3, 0, [CODE, "甲", 10, 2])

    table = read_table(xlsx([], build=build), "a.xlsx")
    assert table.header_row == 2
    assert table.headers == ["统一社会信用代码", "单位名称", "化学需氧量", "氨氮"]
    assert table.parents == ["", "", "排放量（千克）", "排放量（千克）"]
    assert table.rows == [(4, [CODE, "甲", 10.0, 2.0])]


def test_merged_single_row_header_takes_the_merged_text():
    def build(wb, ws):
        ws.write_row(0, 0, ["统一社会信用代码", "企业名称"])
        ws.merge_range(0, 2, 0, 3, "实缴税金")
        ws.write_row(1, 0, [CODE, "甲", 1, 2])

    table = read_table(xlsx([], build=build), "a.xlsx")
    assert table.headers == ["统一社会信用代码", "企业名称", "实缴税金", "实缴税金"]


def test_merged_data_cells_fill_down_and_are_remembered():
    def build(wb, ws):
        ws.write_row(0, 0, HEADER)
        ws.merge_range(1, 0, 2, 0, CODE)
        ws.write_row(1, 1, ["甲", 5])
        ws.write_row(2, 1, ["甲", 6])

    table = read_table(xlsx([], build=build), "a.xlsx")
    assert [r[1][0] for r in table.rows] == [CODE, CODE]
    assert table.merged_cells == {(3, 0)}


def test_hidden_rows_are_left_out_and_listed():
    def build(wb, ws):
        ws.set_row(2, None, None, {"hidden": True})

    table = read_table(
        xlsx([HEADER, [CODE, "甲", 1], [CODE, "乙", 2], [CODE, "丙", 3]], build=build), "a.xlsx"
    )
    assert [n for n, _ in table.rows] == [2, 4]
    assert table.hidden_rows == [3]


def test_the_data_sheet_among_several():
    def build(wb, ws):
        notes = wb.add_worksheet("说明")
        notes.write_column(0, 0, ["填表说明", "统一社会信用代码须为18位", "单位：万元"])
        hidden = wb.add_worksheet("旧数据")
        hidden.write_row(0, 0, HEADER)
        for r in range(1, 30):
            hidden.write_row(r, 0, [CODE, "旧", r])
        hidden.hide()
        data = wb.add_worksheet("数据")
        data.write_row(0, 0, HEADER)
        data.write_row(1, 0, [CODE, "甲", 1])

    table = read_table(xlsx([["封面"]], sheet="封面", build=build), "a.xlsx")
    assert table.sheet == "数据"


def test_formula_without_cached_value_is_found():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([CODE, "甲", "=1+2"])
    buffer = io.BytesIO()
    wb.save(buffer)
    table = read_table(buffer.getvalue(), "a.xlsx")
    assert table.rows == [(2, [CODE, "甲", None])]
    assert table.missing_formulas == {(2, 2)}


def test_formula_with_cached_value_reads_the_value(samples):
    table = read_table((samples / "tax-2024.xlsx").read_bytes(), "tax.xlsx")
    assert table.rows[0][1][4] == 686.0  # =F4+G4-H4, cached
    assert not table.missing_formulas


def test_xls_excel_97():
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("数据")
    ws.write(0, 0, "2024年 实缴税金")
    for c, h in enumerate(HEADER):
        ws.write(1, c, h)
    for c, v in enumerate([CODE, "甲", 12.5]):
        ws.write(2, c, v)
    buffer = io.BytesIO()
    wb.save(buffer)
    table = read_table(buffer.getvalue(), "旧格式.xlsx")
    assert (table.format, table.header_row, table.rows) == ("xls", 2, [(3, [CODE, "甲", 12.5])])


def test_find_header_uses_the_given_words():
    rows = [["临沂市 2024 年"], ["单位", "万元"], ["户号", "用电量"], ["1", "2"]]
    assert find_header(rows, ["用电量"]) == 2
    assert find_header([["a", "b"], ["c", "d"]], ["x"]) is None


def test_a_title_label_with_its_value_is_not_the_header():
    rows = [["填报单位名称：临沂市税务局", "单位：万元"], HEADER, [CODE, "甲", 1]]
    table = read_table(xlsx(rows), "a.xlsx")
    assert (table.header_row, table.title_lines) == (2, ["填报单位名称：临沂市税务局 单位：万元"])
