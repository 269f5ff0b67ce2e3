"""Quarterly bulletin: generated from the data, edited as a draft, published and frozen; Word and PDF in Chinese."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest

from gongqiang.supervision.models import Bulletin
from gongqiang.supervision.services.bulletins import BulletinRefused, edit, generate, publish, view_of
from gongqiang.supervision.services.dispatch import file_report

pytestmark = pytest.mark.django_db
TODAY = date(2024, 7, 20)


def has_cjk_font() -> bool:
    """The PDF needs Noto Sans CJK (Debian fonts-noto-cjk; `.ci/run` installs it). Without it a bulletin
    still publishes (Word only) and its PDF is drawn on the first download once the font is there."""
    from gongqiang.supervision.documents import DocumentUnavailable, font_path

    try:
        font_path()
    except DocumentUnavailable:
        return False
    return True


@pytest.fixture
def filed(tasks, personas):
    data = {"progress": "推进中"}
    file_report(personas.county_a, tasks["lanshan"], 2024, 4, data, {}, date(2024, 5, 3))
    file_report(personas.county_a, tasks["lanshan"], 2024, 5, data, {}, date(2024, 6, 9))  # late
    file_report(personas.county_b, tasks["luozhuang"], 2024, 4, data, {}, date(2024, 5, 2))
    return tasks


def test_content_from_the_data(filed, personas):
    from django.utils import timezone

    from gongqiang.supervision.models import IndustryMeeting, TypicalCase
    from gongqiang.testing.factories import region

    for day in (3, 20):
        IndustryMeeting.objects.create(region=region("371302"), held_on=date(2024, 5, day), kind="study",
                                       title="专题研究", leader="书记")
    TypicalCase.objects.create(region=region("371302"), line=filed["lanshan"].line, title="兰山园区经验", text="做法",
                               status="published", published_at=timezone.make_aware(timezone.datetime(2024, 5, 8)))
    b = generate(personas.city, 2024, 2, TODAY)
    meetings = {m["region"]: (m["text"], m["short"]) for m in b.content["meetings"]}
    assert meetings["兰山区"] == ("0 / 2 / 0", 2) and meetings["罗庄区"] == ("0 / 0 / 0", 3)
    assert [c["title"] for c in b.content["cases"]] == ["兰山园区经验"]
    # Targets by goal group come from the targets app (no observations here: every target without data).
    groups = b.content["target_groups"]
    from gongqiang.core.services.policy import active_spec

    assert groups and sum(g["total"] for g in groups) == len(active_spec().targets)
    assert all(g["on_time"] == 0 and g["behind"] == 0 for g in groups)
    assert set(b.content["rag"]) == {"red", "yellow", "green"}
    c = b.content
    assert c["as_of"] == "2024-06-30" and c["totals"]["tasks"] == 3
    punct = {u["unit"]: (u["已报送"], u["逾期报送"], u["未报送"], u["punctuality"]) for u in c["punctuality"]}
    # 兰山: April on time, May late, June missing → 1/3; 罗庄: April on time, May and June missing.
    assert punct["兰山区"] == (1, 1, 1, 33.3)
    assert punct["罗庄区"] == (1, 0, 2, 33.3)
    assert [u["county"] for u in c["ranking"]] == [True, True]
    t6 = next(line for line in c["lines"] if line["code"] == "T6")
    assert t6["total"] == 2 and t6["进行中"] == 2  # deadline 2024-06-30: on time at the quarter's end
    assert c["overdue"] == []
    later = generate(personas.city, 2024, 3, date(2024, 8, 1))
    assert {o["code"] for o in later.content["overdue"]} == {"T6-LS", "T6-LZ"}


def test_refusals(tasks, personas):
    with pytest.raises(BulletinRefused, match="尚未开始"):
        generate(personas.city, 2024, 4, TODAY)
    with pytest.raises(BulletinRefused, match="没有任务和调度数据"):
        generate(personas.city, 2023, 1, TODAY)
    with pytest.raises(BulletinRefused, match="市级"):
        generate(personas.county_a, 2024, 2, TODAY)
    with pytest.raises(BulletinRefused, match="季度不正确"):
        generate(personas.city, 2024, 5, TODAY)
    assert not Bulletin.objects.exists()


def test_edit_publish_then_immutable(filed, personas):
    b = generate(personas.city, 2024, 2, TODAY)
    edit(personas.city, b, intro="二季度全市专线任务总体平稳。")
    edit(personas.city, b, remove="unit:罗庄区")
    shown = view_of(b)
    assert "罗庄区" not in [u["unit"] for u in shown["punctuality"]]
    assert "罗庄区" in [u["unit"] for u in b.content["punctuality"]]  # the snapshot keeps it
    assert [u["rank"] for u in shown["ranking"]] == [1]
    with pytest.raises(BulletinRefused):
        edit(personas.city, b, remove="task:999999")
    published = publish(personas.city, b)
    assert published.docx and (published.pdf or not has_cjk_font())
    with pytest.raises(BulletinRefused, match="已发布"):
        publish(personas.city, published)
    with pytest.raises(BulletinRefused, match="已发布"):
        edit(personas.city, published, intro="改一下")
    published.refresh_from_db()
    assert published.intro == "二季度全市专线任务总体平稳。"


def test_word_has_the_chinese_text(filed, personas):
    from docx import Document

    from gongqiang.supervision.documents import bulletin_docx

    b = generate(personas.city, 2024, 2, TODAY)
    edit(personas.city, b, intro="导语：总体平稳")
    doc = Document(io.BytesIO(bulletin_docx(view_of(b))))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "2024年第2季度通报" in text and "导语：总体平稳" in text
    assert "兰山区" in cells and "做大一批商城地产企业" in cells and "{%" not in cells + text
    assert "县区工业专题研究与调研" in "\n".join(p.text for p in doc.paragraphs)


@pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_pdf_renders_and_its_chinese_text_extracts(filed, personas, tmp_path):
    from PIL import Image

    b = publish(personas.city, generate(personas.city, 2024, 2, TODAY))
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(bytes(b.pdf))
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    image = Image.open(page).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 500, "the first page is blank"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "2024年第2季度通报" in text and "兰山区" in text and "月调度报送及时率" in text


def test_pages_and_scope(filed, personas, login):
    city = login(personas.city)
    assert city.post("/supervision/bulletins/", {"year": "x", "quarter": "2"}).status_code == 302
    response = city.post("/supervision/bulletins/", {"year": "2024", "quarter": "2"})
    b = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/bulletins/{b.pk}/")
    city.post(f"/supervision/bulletins/{b.pk}/edit/", {"action": "intro", "intro": "季度导语"})
    html = city.get(f"/supervision/bulletins/{b.pk}/").content.decode()
    assert "季度导语" in html and "兰山区" in html
    draft_pdf = city.get(f"/supervision/bulletins/{b.pk}/bulletin.pdf")
    if has_cjk_font():
        assert draft_pdf["Content-Type"] == "application/pdf"
    else:  # a page that says which package is missing, not an error
        assert draft_pdf.status_code == 200 and "fonts-noto-cjk" in draft_pdf.content.decode()
    assert city.get(f"/supervision/bulletins/{b.pk}/bulletin.docx").status_code == 200
    city.post(f"/supervision/bulletins/{b.pk}/edit/", {"action": "publish"})
    b.refresh_from_db()
    assert b.is_published
    if has_cjk_font():
        stored = bytes(b.pdf)
        assert city.get(f"/supervision/bulletins/{b.pk}/bulletin.pdf").content == stored
    county = login(personas.county_a)
    assert county.get(f"/supervision/bulletins/{b.pk}/").status_code == 404
    assert county.get(f"/supervision/bulletins/{b.pk}/bulletin.pdf").status_code == 404
    assert "2024年第2季度" not in county.get("/supervision/bulletins/").content.decode()


def test_county_ranking_weighted_as_the_pack_says(filed, personas, monkeypatch):
    """Weights 30/30/20/20 (targets on time, punctuality, clearance progress, assessment points); a component
    without data is 暂无数据 and its weight goes to the others. Checked by hand."""
    import sys
    import types
    from decimal import Decimal

    from gongqiang.supervision.models import AssessmentSheet
    from gongqiang.supervision.services.assessments import create_sheets
    from gongqiang.targets.services.catalog import catalog
    from gongqiang.targets.services.overrides import set_override
    from gongqiang.targets.services.splits import save_shares
    from gongqiang.testing.factories import region

    # Punctuality alone so far (no decomposed target, no evaluation app, no approved sheet): 33.3 each, a tie.
    plain = generate(personas.city, 2024, 2, TODAY).content
    assert [(u["unit"], u["score"], u["rank"]) for u in plain["ranking"]] == [("兰山区", 33.3, 1), ("罗庄区", 33.3, 1)]
    assert plain["ranking"][0]["parts"] == {"targets_on_time": "暂无数据", "dispatch_punctuality": "33.3",
                                            "evaluation_progress": "暂无数据", "assessment_points": "暂无数据"}
    assert plain["ranking"][0]["missing"] == "目标按时序进度、低效企业出清进度、考核得分"
    assert plain["ranking_weights"] == "目标按时序进度 30%、调度按时报送 30%、低效企业出清进度 20%、考核得分 20%"

    cat, ls, lz = catalog(), region("371302"), region("371311")
    for target in ("G1.1", "T4.1"):
        save_shares(personas.city, cat.get(target), {ls: (None, Decimal("200")), lz: (None, Decimal("100"))})
    for target, unit, status in (("G1.1", ls, "on_track"), ("T4.1", ls, "achieved"), ("G1.1", lz, "achieved"),
                                 ("T4.1", lz, "behind")):
        set_override(personas.city, cat.get(target), unit, status, "人工认定")
    # 兰山 targets 100, 罗庄 50; no evaluation yet: ÷ 80 → 兰山 (3000 + 999) ÷ 60 = 66.65, 罗庄 (1500 + 999) ÷ 60 = 41.65
    content = generate(personas.city, 2024, 2, TODAY).content
    assert [(u["unit"], u["score"]) for u in content["ranking"]] == [("兰山区", 66.65), ("罗庄区", 41.65)]

    # The evaluation app answers: 兰山 40, 罗庄 90 (% of the baseline cohort cleared).
    monkeypatch.setattr("gongqiang.evaluation.services.lists.clearance_by_region",
                        lambda as_of: {"371302": 40, "371311": 90})
    # And 兰山's half-year sheet is approved at 72.5 of 100 (its period ends with the quarter).
    create_sheets(personas.city, "half", 2024, TODAY)
    AssessmentSheet.objects.filter(region=ls).update(state="approved", total=Decimal("72.50"))
    content = generate(personas.city, 2024, 2, TODAY).content
    # 兰山: (100×30 + 33.3×30 + 40×20 + 72.5×20) ÷ 100 = (3000 + 999 + 800 + 1450) ÷ 100 = 62.49
    # 罗庄: no approved sheet: (50×30 + 33.3×30 + 90×20) ÷ 80 = 4299 ÷ 80 = 53.74
    assert [(u["unit"], u["score"], u["rank"], u["missing"]) for u in content["ranking"]] == [
        ("兰山区", 62.49, 1, ""), ("罗庄区", 53.74, 2, "考核得分")]
    # The quarter before ends before the sheet's period: the sheet does not count there.
    q1 = generate(personas.city, 2024, 1, TODAY).content
    assert all(u["parts"]["assessment_points"] == "暂无数据" for u in q1["ranking"])
    # Without the evaluation app's service the component is 暂无数据 again (the weight shared out as before).
    fake = types.ModuleType("gongqiang.evaluation.services.lists")
    monkeypatch.setitem(sys.modules, "gongqiang.evaluation.services.lists", fake)
    without = generate(personas.city, 2024, 2, TODAY).content
    assert without["ranking"][1]["parts"]["evaluation_progress"] == "暂无数据"
    # 罗庄: (1500 + 999) ÷ 60 = 41.65; 兰山: (3000 + 999 + 1450) ÷ 80 = 68.11
    assert [(u["unit"], u["score"]) for u in without["ranking"]] == [("兰山区", 68.11), ("罗庄区", 41.65)]
    # Word and PDF carry the new table.
    published = publish(personas.city, Bulletin.objects.order_by("-pk").first())
    assert published.docx and (published.pdf or not has_cjk_font())


def test_publishing_without_the_chinese_font_keeps_word_and_draws_the_pdf_later(filed, personas, login, monkeypatch):
    from gongqiang.supervision import documents

    monkeypatch.setattr(documents, "FONT_CANDIDATES", ("/nonexistent/NotoSansCJK.ttc",))
    b = publish(personas.city, generate(personas.city, 2024, 2, TODAY))
    assert b.is_published and b.docx and b.pdf is None
    city = login(personas.city)
    page = city.get(f"/supervision/bulletins/{b.pk}/bulletin.pdf")
    assert page.status_code == 200 and "fonts-noto-cjk" in page.content.decode()
    monkeypatch.undo()
    if not has_cjk_font():
        pytest.skip("需要中文字体以生成 PDF：apt-get install fonts-noto-cjk")
    pdf = city.get(f"/supervision/bulletins/{b.pk}/bulletin.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    b.refresh_from_db()
    assert bytes(b.pdf) == pdf.content  # drawn once from the frozen content, then stored
