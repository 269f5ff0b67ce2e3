"""Monthly dispatch: filing, refusals (nothing saved), derived states, figures → target observations, 批示."""

from __future__ import annotations

from datetime import date

import pytest

from gongqiang.supervision.compute import DispatchState
from gongqiang.supervision.models import DispatchReport, ReviewNote, Task
from gongqiang.supervision.services.dispatch import (
    DispatchRefused,
    add_note,
    answer_note,
    file_report,
    overview,
    parse_month,
)

pytestmark = pytest.mark.django_db
DATA = {"progress": "完成园区规划初稿", "problems": "用地指标紧张", "help_needed": "请市自然资源局协调",
        "next_plan": "报批规划"}


def test_owner_files_a_report(tasks, personas):
    report = file_report(personas.county_a, tasks["lanshan"], 2024, 3, DATA, {}, date(2024, 4, 3))
    assert report.filed_on == date(2024, 4, 3) and report.filed_by_name
    rows, units = overview(personas.city, 2024, 3, date(2024, 4, 10))
    states = {r.task.code: r.state for r in rows}
    assert states == {"T6-LS": DispatchState.FILED, "T6-LZ": DispatchState.MISSING, "T4-01": DispatchState.MISSING}
    lanshan = next(u for u in units if u["unit"] == "兰山区")
    assert lanshan["punctuality"] == 100.0


def test_late_filing_is_marked_late(tasks, personas):
    file_report(personas.county_a, tasks["lanshan"], 2024, 3, DATA, {}, date(2024, 4, 6))
    rows, _ = overview(personas.county_a, 2024, 3, date(2024, 4, 10))
    assert [(r.task.code, r.state) for r in rows] == [("T6-LS", DispatchState.FILED_LATE)]


@pytest.mark.parametrize(("who", "task", "year", "month", "today", "reason"), [
    ("county_a", "lanshan", 2024, 5, date(2024, 4, 20), "尚未开始"),
    ("county_a", "luozhuang", 2024, 3, date(2024, 4, 2), "不由您的单位负责"),
    ("city", "lanshan", 2024, 3, date(2024, 4, 2), "不由您的单位负责"),
    ("leader", "lanshan", 2024, 3, date(2024, 4, 2), "不由您的单位负责"),
    ("county_a", "lanshan", 2023, 12, date(2024, 4, 2), "无需报送"),
])
def test_refusals_save_nothing(tasks, personas, who, task, year, month, today, reason):
    with pytest.raises(DispatchRefused) as exc:
        file_report(getattr(personas, who), tasks[task], year, month, DATA, {}, today)
    assert reason in str(exc.value)
    assert not DispatchReport.objects.exists()


def test_second_report_and_empty_progress_are_refused(tasks, personas):
    file_report(personas.county_a, tasks["lanshan"], 2024, 3, DATA, {}, date(2024, 4, 3))
    with pytest.raises(DispatchRefused, match="不能重复报送"):
        file_report(personas.county_a, tasks["lanshan"], 2024, 3, DATA, {}, date(2024, 4, 4))
    with pytest.raises(DispatchRefused, match="本月进展"):
        file_report(personas.county_a, tasks["lanshan"], 2024, 4, {**DATA, "progress": " "}, {}, date(2024, 4, 4))
    assert DispatchReport.objects.count() == 1


def test_completion_late_needs_a_reason_and_sets_the_status(tasks, personas):
    task = tasks["lanshan"]  # deadline 2024-06-30
    data = {**DATA, "completed_on": "2024-07-03"}
    with pytest.raises(DispatchRefused, match="延期原因"):
        file_report(personas.county_a, task, 2024, 7, data, {}, date(2024, 7, 5))
    assert not DispatchReport.objects.exists()
    file_report(personas.county_a, task, 2024, 7, {**data, "delay_reason": "规划调整"}, {}, date(2024, 7, 5))
    task.refresh_from_db()
    assert task.completed_on == date(2024, 7, 3) and task.delay_reason == "规划调整"
    from gongqiang.supervision.services.tasks import status_of

    assert status_of(task, date(2024, 8, 1)).value == "逾期完成"


def test_figures_become_target_observations_with_provenance(tasks, personas):
    from gongqiang.targets.models import Observation

    report = file_report(personas.dept, tasks["kjj"], 2024, 6, DATA, {"T4.1": "650"}, date(2024, 7, 2))
    obs = Observation.objects.get(pk=report.figures["T4.1"]["observation"])
    assert obs.target == "T4.1" and obs.inputs["dispatch_report"] == report.pk
    assert "月调度" in obs.note and obs.created_by_name


def test_bad_figure_refuses_everything(tasks, personas):
    from gongqiang.targets.models import Observation

    with pytest.raises(DispatchRefused, match="T4.1"):
        file_report(personas.dept, tasks["kjj"], 2024, 6, DATA, {"T4.1": "很多"}, date(2024, 7, 2))
    assert not DispatchReport.objects.exists() and not Observation.objects.exists()


def test_comment_instruction_and_answer(tasks, personas):
    report = file_report(personas.county_a, tasks["lanshan"], 2024, 3, DATA, {}, date(2024, 4, 3))
    add_note(personas.city, report, "comment", "进度偏慢")
    note = add_note(personas.leader, report, "instruction", "请加快用地报批")
    with pytest.raises(DispatchRefused):
        add_note(personas.leader, report, "comment", "x")
    with pytest.raises(DispatchRefused):
        add_note(personas.county_a, report, "instruction", "x")
    with pytest.raises(DispatchRefused, match="责任单位"):
        answer_note(personas.county_b, note, "已落实")
    answer_note(personas.county_a, note, "已与自然资源局对接")
    note.refresh_from_db()
    assert note.answer == "已与自然资源局对接" and ReviewNote.objects.count() == 2


def test_parse_month():
    assert parse_month("2024-03") == (2024, 3) and parse_month("2024年3月") == (2024, 3)
    for bad in ("", "2024-13", "三月"):
        with pytest.raises(DispatchRefused):
            parse_month(bad)


def test_pages(login, personas, tasks):
    client = login(personas.county_a)
    task = tasks["lanshan"]
    page = client.get(f"/supervision/tasks/{task.pk}/report/?month=2024-03").content.decode()
    assert "本月进展" in page
    response = client.post(f"/supervision/tasks/{task.pk}/report/", {"month": "2099-01", **DATA})
    assert response.status_code == 200 and "尚未开始" in response.content.decode()
    response = client.post(f"/supervision/tasks/{task.pk}/report/", {"month": "abc", **DATA})
    assert response.status_code == 200 and "格式不正确" in response.content.decode()
    assert client.post(f"/supervision/tasks/{tasks['luozhuang'].pk}/report/", {"month": "2024-03", **DATA}).status_code == 404
    Task.objects.filter(pk=task.pk).update(start_date=date(2020, 1, 1), deadline=date(2099, 12, 31))
    response = client.post(f"/supervision/tasks/{task.pk}/report/", {"month": "2024-03", **DATA})
    assert response.status_code == 302
    report = DispatchReport.objects.get()
    assert "完成园区规划初稿" in client.get(f"/supervision/reports/{report.pk}/").content.decode()
    city = login(personas.city)
    city.post(f"/supervision/reports/{report.pk}/notes/", {"kind": "instruction", "text": "抓紧推进"})
    note = ReviewNote.objects.get()
    client = login(personas.county_a)
    client.post(f"/supervision/notes/{note.pk}/answer/", {"answer": "正在推进"})
    assert "正在推进" in client.get(f"/supervision/reports/{report.pk}/").content.decode()
    assert "2024年3月" in city.get("/supervision/dispatch/?month=2024-03").content.decode()
    assert "格式不正确" in city.get("/supervision/dispatch/?month=zz").content.decode()


def test_quarterly_target_only_in_a_quarter_end_month(tasks, personas):
    with pytest.raises(DispatchRefused, match="季末月份"):
        file_report(personas.dept, tasks["kjj"], 2024, 5, DATA, {"T4.1": "650"}, date(2024, 6, 2))
    assert not DispatchReport.objects.exists()


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_attachments_checked_then_stored(tasks, personas, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    task = tasks["lanshan"]
    for files, reason in (([_upload("x.exe", b"MZ...")], "类型不允许"),
                          ([_upload("x.pdf", b"PK\x03\x04zip")], "内容与扩展名不符")):
        with pytest.raises(DispatchRefused, match=reason):
            file_report(personas.county_a, task, 2024, 3, DATA, {}, date(2024, 4, 3), attachments=files)
    settings.SUPERVISION_ATTACHMENT_MAX_MB = 0
    with pytest.raises(DispatchRefused, match="超过"):
        file_report(personas.county_a, task, 2024, 3, DATA, {}, date(2024, 4, 3),
                    attachments=[_upload("a.pdf", b"%PDF-1.4 x")])
    assert not DispatchReport.objects.exists()
    settings.SUPERVISION_ATTACHMENT_MAX_MB = 20
    report = file_report(personas.county_a, task, 2024, 3, DATA, {}, date(2024, 4, 3),
                         attachments=[_upload("进展佐证.pdf", b"%PDF-1.4 evidence")])
    item = report.attachments.get()
    client = login(personas.county_a)
    assert "进展佐证.pdf" in client.get(f"/supervision/reports/{report.pk}/").content.decode()
    response = client.get(f"/supervision/attachments/{item.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 evidence"
    assert login(personas.county_b).get(f"/supervision/attachments/{item.pk}/").status_code == 404


def test_attachment_refused_on_the_page(tasks, personas, login):
    Task.objects.filter(pk=tasks["lanshan"].pk).update(start_date=date(2020, 1, 1), deadline=date(2099, 12, 31))
    client = login(personas.county_a)
    response = client.post(f"/supervision/tasks/{tasks['lanshan'].pk}/report/",
                           {"month": "2024-03", **DATA, "attachments": [_upload("bad.exe", b"MZ")]})
    assert response.status_code == 200 and "类型不允许" in response.content.decode()
    assert not DispatchReport.objects.exists()
