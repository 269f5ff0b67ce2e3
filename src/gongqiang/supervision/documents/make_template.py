"""Writes bulletin.docx, the Word template (docxtpl / Jinja tags) of the quarterly bulletin.

The bureau may edit bulletin.docx directly in Word (fonts, letterhead, wording) as long as the {{ … }} and
{%tr … %} tags stay; run this script only to start again from the plain layout:

    .venv/bin/python -m gongqiang.supervision.documents.make_template
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent


def _table(doc, header: list[str], loop: str, cells: list[str]) -> None:
    table = doc.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    for i, h in enumerate(header):
        table.rows[0].cells[i].text = h
    table.rows[1].cells[0].text = "{%tr for " + loop + " %}"
    for i, c in enumerate(cells):
        table.rows[2].cells[i].text = c
    table.rows[3].cells[0].text = "{%tr endfor %}"


def build(path: Path = HERE / "bulletin.docx") -> Path:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(11)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("工业振兴“十个一批”{{ title }}")
    run.bold = True
    run.font.size = Pt(18)
    sub = doc.add_paragraph("数据截至 {{ as_of }} · 政策包 v{{ pack_version }} · {{ status }}")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{{ intro }}")
    doc.add_paragraph("全市共 {{ totals.tasks }} 项任务：已完成 {{ totals['已完成'] }} 项，进行中 {{ totals['进行中'] }} 项，"
                      "逾期 {{ totals['逾期'] }} 项，逾期完成 {{ totals['逾期完成'] }} 项，未开始 {{ totals['未开始'] }} 项。")
    doc.add_heading("〇、目标进展（按目标组）", level=2)
    _table(doc, ["目标组", "名称", "目标数", "按期", "滞后", "无数据"], "g in target_groups",
           ["{{ g.id }}", "{{ g.name }}", "{{ g.total }}", "{{ g.on_time }}", "{{ g.behind }}", "{{ g.no_data }}"])
    doc.add_paragraph("红色（严重滞后）：{{ rag.red }}")
    doc.add_paragraph("黄色（滞后）：{{ rag.yellow }}")
    doc.add_paragraph("绿色（按期或已完成）：{{ rag.green }}")
    doc.add_heading("一、各专线推进情况", level=2)
    _table(doc, ["专线", "名称", "牵头部门", "任务数", "已完成", "进行中", "逾期", "逾期完成"], "l in lines",
           ["{{ l.code }}", "{{ l.name }}", "{{ l.owner }}", "{{ l.total }}", "{{ l['已完成'] }}", "{{ l['进行中'] }}",
            "{{ l['逾期'] }}", "{{ l['逾期完成'] }}"])
    doc.add_heading("二、逾期任务", level=2)
    _table(doc, ["编号", "任务", "责任单位", "完成时限", "逾期天数", "延期原因"], "o in overdue",
           ["{{ o.code }}", "{{ o.title }}", "{{ o.owner }}", "{{ o.deadline }}", "{{ o.days_late }}", "{{ o.reason }}"])
    doc.add_heading("三、月调度报送及时率", level=2)
    _table(doc, ["责任单位", "按时", "逾期报送", "未报送", "及时率"], "u in punctuality",
           ["{{ u.unit }}", "{{ u['已报送'] }}", "{{ u['逾期报送'] }}", "{{ u['未报送'] }}",
            "{% if u.punctuality is not none %}{{ u.punctuality }}%{% else %}—{% endif %}"])
    doc.add_heading("四、县区综合排名", level=2)
    doc.add_paragraph("权重：{{ ranking_weights }}。某项暂无数据时，其权重按比例计入其余各项。")
    _table(doc, ["名次", "县区", "综合得分", "目标按时序进度", "调度按时报送", "低效企业出清进度", "考核得分"], "u in ranking",
           ["{{ u.rank }}", "{{ u.unit }}", "{{ u.score }}", "{{ u.parts.targets_on_time }}",
            "{{ u.parts.dispatch_punctuality }}", "{{ u.parts.evaluation_progress }}", "{{ u.parts.assessment_points }}"])
    doc.add_heading("五、县区工业专题研究与调研（每月次数）", level=2)
    _table(doc, ["县区", "各月次数", "每月要求", "不足月数"], "m in meetings",
           ["{{ m.region }}", "{{ m.text }}", "{{ m.minimum }}", "{{ m.short }}"])
    doc.add_heading("六、典型经验", level=2)
    _table(doc, ["县区", "专线", "标题", "摘要"], "c in cases",
           ["{{ c.region }}", "{{ c.line }}", "{{ c.title }}", "{{ c.summary }}"])
    doc.add_paragraph("由工强系统根据任务与月调度数据生成。")
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build())
