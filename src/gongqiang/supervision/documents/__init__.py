"""The quarterly bulletin out: Word from the docxtpl template kept here, PDF drawn with fpdf2 and Noto CJK.

Why fpdf2 for the PDF (as the targets brief): LibreOffice is not installed on the servers, and fpdf2 embeds
the Chinese font itself. The Word file is the one the bureau edits; the PDF is the archived reading copy.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import Any

logging.getLogger("fontTools").setLevel(logging.WARNING)

TEMPLATE = Path(__file__).resolve().parent / "bulletin.docx"
FONT_CANDIDATES = (
    os.environ.get("GONGQIANG_CJK_FONT", ""),
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
TTC_SC = 2  # the Simplified Chinese face of the Noto Sans CJK collection


RANKING_COLUMNS = ("targets_on_time", "dispatch_punctuality", "evaluation_progress", "assessment_points")


class DocumentUnavailable(Exception):
    pass


def font_path() -> Path:
    for candidate in FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise DocumentUnavailable("服务器缺少中文字体（Noto Sans CJK，软件包 fonts-noto-cjk），无法生成 PDF。")


def bulletin_docx(data: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(TEMPLATE))
    doc.render(data, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def bulletin_pdf(data: dict[str, Any]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(data["title"])
    pdf.set_author("工强 gongqiang")
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    pdf.add_font("cjk", "", str(font_path()), collection_font_number=TTC_SC)
    pdf.set_font("cjk", size=17)
    pdf.cell(0, 10, f"工业振兴“十个一批”{data['title']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 5, f"数据截至 {data['as_of']} · 政策包 v{data['pack_version']} · {data['status']}", align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    if data.get("intro"):
        pdf.ln(2)
        pdf.multi_cell(0, 6, data["intro"], new_x="LMARGIN", new_y="NEXT")
    t = data["totals"]
    pdf.multi_cell(0, 6, f"全市共 {t['tasks']} 项任务：已完成 {t['已完成']} 项，进行中 {t['进行中']} 项，逾期 {t['逾期']} 项，"
                         f"逾期完成 {t['逾期完成']} 项，未开始 {t['未开始']} 项。", new_x="LMARGIN", new_y="NEXT")
    _table(pdf, "〇、目标进展（按目标组）", [("组", 14), ("名称", 100), ("目标数", 17), ("按期", 17), ("滞后", 17), ("无数据", 17)],
           [[g["id"], g["name"], g["total"], g["on_time"], g["behind"], g["no_data"]]
            for g in data.get("target_groups", [])])
    rag = data.get("rag") or {}
    pdf.set_font("cjk", size=9)
    for label, key in (("红色（严重滞后）", "red"), ("黄色（滞后）", "yellow"), ("绿色（按期或已完成）", "green")):
        pdf.multi_cell(0, 4.5, f"{label}：{rag.get(key, '无')}", new_x="LMARGIN", new_y="NEXT")
    _table(pdf, "一、各专线推进情况", [("专线", 12), ("名称", 48), ("牵头部门", 46), ("任务", 14), ("已完成", 16),
                                          ("进行中", 16), ("逾期", 14), ("逾期完成", 16)],
           [[r["code"], r["name"], r["owner"], r["total"], r["已完成"], r["进行中"], r["逾期"], r["逾期完成"]]
            for r in data["lines"]])
    _table(pdf, "二、逾期任务", [("编号", 20), ("任务", 62), ("责任单位", 36), ("时限", 22), ("逾期天数", 16), ("原因", 26)],
           [[o["code"], o["title"], o["owner"], o["deadline"], o["days_late"], o["reason"]] for o in data["overdue"]])
    pct = lambda v: "—" if v is None else f"{v}%"  # noqa: E731
    _table(pdf, "三、月调度报送及时率", [("责任单位", 70), ("按时", 26), ("逾期报送", 26), ("未报送", 26), ("及时率", 34)],
           [[u["unit"], u["已报送"], u["逾期报送"], u["未报送"], pct(u["punctuality"])] for u in data["punctuality"]])
    if data.get("ranking_weights"):
        pdf.ln(2)
        pdf.set_font("cjk", size=9)
        pdf.multi_cell(0, 4.5, f"县区综合排名权重：{data['ranking_weights']}。某项暂无数据时，其权重按比例计入其余各项。",
                       new_x="LMARGIN", new_y="NEXT")
    _table(pdf, "四、县区综合排名", [("名次", 12), ("县区", 40), ("综合得分", 20), ("目标按时序进度", 28),
                                        ("调度按时报送", 28), ("低效企业出清进度", 30), ("考核得分", 24)],
           [[u["rank"], u["unit"], u.get("score", pct(u["punctuality"])),
             *[(u.get("parts") or {}).get(c, "") for c in RANKING_COLUMNS]] for u in data["ranking"]])
    _table(pdf, "五、县区工业专题研究与调研（每月次数）", [("县区", 80), ("各月次数", 40), ("每月要求", 30), ("不足月数", 32)],
           [[m["region"], m["text"], m["minimum"], m["short"]] for m in data.get("meetings", [])])
    _table(pdf, "六、典型经验", [("县区", 30), ("专线", 50), ("标题", 102)],
           [[c["region"], c["line"], c["title"]] for c in data.get("cases", [])])
    return bytes(pdf.output())


def _table(pdf: Any, heading: str, columns: list[tuple[str, float]], rows: list[list[Any]]) -> None:
    pdf.ln(3)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=8.5)
    if not rows:
        pdf.cell(0, 5, "无", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_fill_color(243, 229, 229)
    for name, width in columns:
        pdf.cell(width, 5.5, name, border=1, fill=True, align="C")
    pdf.ln()
    for row in rows:
        for (_, width), value in zip(columns, row, strict=True):
            text = str(value)
            while text and pdf.get_string_width(text) > width - 1.5:
                text = text[:-1]
            pdf.cell(width, 5, text, border=1)
        pdf.ln()
