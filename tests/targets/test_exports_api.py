"""Exports (Excel, the PDF brief rendered and read back) and the JSON API."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import openpyxl
import pytest

pytestmark = pytest.mark.django_db


def test_cockpit_excel(login, personas, targets_data):
    response = login(personas.leader).get("/targets/export.xlsx?group=G1")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["全市目标", "县区分解", "分组汇总"]
    rows = list(book["全市目标"].iter_rows(min_row=5, values_only=True))
    assert {r[0] for r in rows} == {"G1.1", "G1.2", "G1.3"}
    g11 = next(r for r in rows if r[0] == "G1.1")
    assert g11[9] == 8200 and g11[20] in ("进度正常", "滞后", "严重滞后")
    assert len(list(book["县区分解"].iter_rows(min_row=5))) == 4


def test_pdf_brief_renders_with_chinese_text(login, personas, targets_data, tmp_path):
    for tool, package in (("pdftoppm", "poppler-utils"), ("pdftotext", "poppler-utils")):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing: install the Debian package {package}")
    pytest.importorskip("fpdf", reason="the Python package fpdf2 is missing: pip install -e '.[dev]'")
    from gongqiang.targets.documents import BriefUnavailable, font_path

    try:
        font_path()
    except BriefUnavailable:
        pytest.skip("the CJK font is missing: install the Debian package fonts-noto-cjk")
    response = login(personas.leader).get("/targets/brief.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "工业振兴“十个一批”目标进展简报" in text
    assert "全市工业产值" in text or "滞后的目标" in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which("pdfinfo") else ""
    if info:
        assert re.search(r"^Pages:\s+1$", info, re.M), info
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    from PIL import Image

    image = Image.open(tmp_path / "page.png").convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 0.005 * image.width * image.height, "the rendered page is blank"


def test_api(login, personas, targets_data):
    client = login(personas.county_a)
    rows = client.get("/api/targets/").json()
    assert len(rows) == 52 and {r["region"] for r in rows} == {"371300"}
    detail = client.get("/api/targets/G1.1").json()
    assert detail["progress"]["current"] == 8200
    assert {c["region"] for c in detail["counties"]} == {"371302"}
    assert {o["region"] for o in detail["observations"]} == {"371300", "371302"}
    assert client.get("/api/targets/X9").status_code == 404
    assert [s["name"] for s in client.get("/api/targets/ranking").json()] == ["兰山区"]
    counties = client.get("/api/targets/counties").json()
    assert {c["region"] for c in counties} == {"371302"}
    obs = client.get("/api/targets/T4.1/observations?current=true").json()
    assert all(o["is_current"] for o in obs)
    dept = login(personas.dept)
    assert dept.get("/api/targets/G1.1").status_code == 404
    assert {r["owner"] for r in dept.get("/api/targets/").json()} == {"kjj"}
