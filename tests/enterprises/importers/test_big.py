"""A sheet at Excel's limit (1,048,576 rows): refused past the configured limit, read within bounded memory.

The file is generated once per session (xlsxwriter constant_memory, ≈ 10 s); the whole module stays under
a minute here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import xlsxwriter

from gongqiang.enterprises.importers import FileRejected, read_table
from gongqiang.lib.uscc import make

EXCEL_ROWS = 1_048_576


@pytest.fixture(scope="session")
def full_sheet(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "full.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("数据")
    ws.write_row(0, 0, ["统一社会信用代码", "企业名称", "实缴税金"])
    code = make("91371302MA0000001")
    for r in range(1, EXCEL_ROWS):
        ws.write_string(r, 0, code)
        ws.write_number(r, 2, r)
    wb.close()
    return path


def test_past_the_limit_is_refused_naming_it(full_sheet):
    with pytest.raises(FileRejected) as info:
        read_table(full_sheet.read_bytes(), "full.xlsx", max_rows=EXCEL_ROWS - 2)
    assert info.value.reason == "数据行超过 1,048,574 行的上限，请拆分为多个文件后分批导入"


def test_the_whole_sheet_reads_in_bounded_memory(full_sheet):
    """In a child process, so that its peak memory is measured alone and not kept by the test run."""
    script = textwrap.dedent(
        f"""
        import resource
        from pathlib import Path
        from gongqiang.enterprises.importers import read_table
        table = read_table(Path({str(full_sheet)!r}).read_bytes(), "full.xlsx")
        print(len(table.rows), table.rows[-1][0], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    rows, last_row, peak_mb = map(int, out.stdout.split())
    assert (rows, last_row) == (EXCEL_ROWS - 1, EXCEL_ROWS)
    assert peak_mb < 1024


def test_csv_past_the_limit():
    code = make("91371302MA0000001")
    data = ("统一社会信用代码,实缴税金\n" + f"{code},1\n" * 50).encode()
    with pytest.raises(FileRejected, match="49 行的上限"):
        read_table(data, "a.csv", max_rows=49)
