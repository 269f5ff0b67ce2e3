"""The cockpit out: an Excel workbook (xlsxwriter) and a one-page PDF brief in Chinese (fpdf2).

Why fpdf2 for the PDF: it is pure Python and embeds the Noto CJK font itself, so the brief needs no
LibreOffice or Pango on the server, renders in ≈ 0.3 s, and reads the same everywhere; the only system
package is the font (fonts-noto-cjk, which .ci/run already installs). LibreOffice is not on these machines.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
from pathlib import Path
from typing import Any

import xlsxwriter

from .compute import STATUS_LABELS, Status
from .services.catalog import Catalog

# fontTools logs every glyph of the subset at INFO: noise in the server log for each brief.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_CANDIDATES = (
    os.environ.get("GONGQIANG_CJK_FONT", ""),
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
TTC_SC = 2  # the Simplified Chinese face in Noto Sans CJK's collection (0 JP, 1 KR, 2 SC, 3 TC, 4 HK)
COLUMNS = [
    ("编号", "id", 8), ("目标", "name", 30), ("分组", "group_name", 22), ("专线", "task_line_name", 16),
    ("责任部门", "owner_name", 12), ("区域", "region_name", 10), ("单位", "unit", 6), ("基期年", "start_year", 7),
    ("基期值", "start_text", 12), ("当前值", "current", 12), ("数据期", "current_period", 14),
    ("目标", "goal_text", 26), ("目标值（折合）", "goal", 12), ("完成度", "completion", 9),
    ("时间进度", "elapsed", 9), ("差距", "gap", 9), ("预计到期值", "projected", 12),
    ("按近期速度可完成", "projected_meets", 10), ("所需年均增速", "required_growth", 10),
    ("已实现年均增速", "achieved_growth", 10), ("状态", "status_label", 9), ("人工认定理由", "override_reason", 20),
    ("数据来源", "sources", 10),
]
PERCENT_KEYS = {"completion", "elapsed", "gap", "required_growth", "achieved_growth"}


class BriefUnavailable(Exception):
    pass


def cockpit_workbook(cat: Catalog, rows: list[dict[str, Any]], county_rows: list[dict[str, Any]],
                     groups: list[dict[str, Any]], today: dt.date, stamp: str) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#F3E5E5", "border": 1, "text_wrap": True})
    pct = book.add_format({"num_format": "0.0%"})
    num = book.add_format({"num_format": "#,##0.00"})
    colours = {"achieved": "#C6EFCE", "on_track": "#DDEBF7", "behind": "#FFEB9C", "seriously_behind": "#FFC7CE"}
    status_fmt = {k: book.add_format({"bg_color": v}) for k, v in colours.items()}
    for name, data in (("全市目标", rows), ("县区分解", county_rows)):
        ws = book.add_worksheet(name)
        ws.write(0, 0, f"{cat.spec.pack.title}：目标进展（政策包 v{cat.pack_version}，截至 {today.isoformat()}）", title)
        ws.write(1, 0, stamp)
        ws.write_row(3, 0, [c[0] for c in COLUMNS], head)
        for i, (_, _, width) in enumerate(COLUMNS):
            ws.set_column(i, i, width)
        for n, row in enumerate(data, start=4):
            for i, (_, key, _) in enumerate(COLUMNS):
                value = row.get(key)
                if key == "projected_meets":
                    value = {True: "是", False: "否"}.get(value, "")
                if value is None:
                    ws.write_blank(n, i, None)
                elif key in PERCENT_KEYS:
                    ws.write_number(n, i, value, pct)
                elif key == "status_label":
                    ws.write(n, i, value, status_fmt.get(row["status"]))
                elif isinstance(value, float | int) and not isinstance(value, bool):
                    ws.write_number(n, i, value, num)
                else:
                    ws.write(n, i, value)
        ws.freeze_panes(4, 2)
        ws.autofilter(3, 0, 3 + len(data), len(COLUMNS) - 1)
    ws = book.add_worksheet("分组汇总")
    labels = [STATUS_LABELS[s] for s in Status]
    ws.write_row(0, 0, ["分组", "名称", *labels, "合计"], head)
    ws.set_column(1, 1, 34)
    for n, g in enumerate(groups, start=1):
        ws.write_row(n, 0, [g["id"], g["name"], *[g["counts"][s] for s in Status], g["total"]])
    book.close()
    return out.getvalue()


def font_path() -> Path:
    for candidate in FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise BriefUnavailable("服务器缺少中文字体（Debian 软件包 fonts-noto-cjk），无法生成 PDF 简报。")


def brief_pdf(cat: Catalog, rows: list[dict[str, Any]], groups: list[dict[str, Any]], today: dt.date,
              scope_label: str) -> bytes:
    """One A4 page: counts by status, the goal groups, the targets behind and those that will be missed."""
    try:
        from fpdf import FPDF
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise BriefUnavailable("缺少 Python 包 fpdf2，无法生成 PDF 简报。") from exc
    path = font_path()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    # A fixed creation date (the data's day): the same data gives the same file.
    pdf.set_creation_date(dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC))
    pdf.set_title("工业振兴目标进展简报")
    pdf.set_author("工强 gongqiang")
    pdf.set_auto_page_break(False)
    pdf.set_margins(14, 12, 14)
    pdf.add_page()
    pdf.add_font("cjk", "", str(path), collection_font_number=TTC_SC)
    pdf.set_font("cjk", size=17)
    pdf.cell(0, 10, "工业振兴“十个一批”目标进展简报", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 5, f"{cat.spec.pack.title}（政策包 v{cat.pack_version}） · 数据截至 {today.year}年{today.month}月"
                   f"{today.day}日 · 范围：{scope_label}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    counts = {s: sum(1 for r in rows if r["status"] == s.value) for s in Status}
    pdf.ln(2)
    pdf.set_font("cjk", size=11)
    summary = "；".join(f"{STATUS_LABELS[s]} {counts[s]} 项" for s in Status if counts[s])
    pdf.multi_cell(0, 6, f"共 {len(rows)} 项目标：{summary}。", new_x="LMARGIN", new_y="NEXT")
    _group_table(pdf, groups)
    behind = sorted((r for r in rows if r["status"] in ("seriously_behind", "behind")),
                    key=lambda r: -(r["gap"] or 0))
    _target_table(pdf, "一、滞后的目标（按落后时间进度从大到小）", behind[:10], len(behind))
    missed = [r for r in rows if r["projected_meets"] is False and r["status"] not in ("seriously_behind", "behind")]
    _target_table(pdf, "二、目前正常但按近期速度到期将无法完成的目标", missed[:6], len(missed))
    no_data = [r for r in rows if r["status"] == "no_data"]
    pdf.set_font("cjk", size=9)
    pdf.ln(1)
    pdf.multi_cell(0, 4.5, "三、无数据的目标：" + ("、".join(f"{r['id']} {r['name']}" for r in no_data[:18])
                                                + (f" 等 {len(no_data)} 项" if len(no_data) > 18 else "") or "无"),
                   align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-14)
    pdf.set_font("cjk", size=8)
    pdf.set_text_color(120, 120, 120)
    pdf.cell(0, 4, "完成度 = (当前值 − 基期值) ÷ (目标值 − 基期值)；时间进度按数据所属期计算；* 人工认定。"
                   "由工强系统生成，内网专用。", align="C")
    return bytes(pdf.output())


def _group_table(pdf: Any, groups: list[dict[str, Any]]) -> None:
    pdf.set_font("cjk", size=9)
    widths = (14, 96, 24, 24, 24)
    pdf.set_fill_color(243, 229, 229)
    for w, h in zip(widths, ("分组", "名称", "按期", "滞后", "无数据"), strict=True):
        pdf.cell(w, 5.5, h, border=1, fill=True, align="C")
    pdf.ln()
    for g in groups:
        for w, v, a in zip(widths, (g["id"], g["name"][:26], str(g["on_time"]), str(g["behind"]), str(g["no_data"])),
                           ("C", "L", "C", "C", "C"), strict=True):
            pdf.cell(w, 5, v, border=1, align=a)
        pdf.ln()


def _target_table(pdf: Any, title: str, rows: list[dict[str, Any]], total: int) -> None:
    pdf.ln(2)
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 6, f"{title}（{total} 项{'，列前 ' + str(len(rows)) + ' 项' if total > len(rows) else ''}）",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=8.5)
    widths = (12, 56, 28, 40, 26, 20)
    for w, h in zip(widths, ("编号", "目标", "当前值", "目标", "完成/时间", "状态"), strict=True):
        pdf.cell(w, 5, h, border=1, fill=True, align="C")
    pdf.ln()
    if not rows:
        pdf.cell(sum(widths), 5, "无", border=1, align="C", new_x="LMARGIN", new_y="NEXT")
        return
    for r in rows:
        values = (r["id"], r["name"][:22], r["current_text"][:16], r["goal_text"][:20],
                  f"{r['completion_pct']} / {r['elapsed_pct']}",
                  r["status_label"] + ("*" if r["override_reason"] else ""))
        for w, v in zip(widths, values, strict=True):
            pdf.cell(w, 5, v, border=1)
        pdf.ln()
