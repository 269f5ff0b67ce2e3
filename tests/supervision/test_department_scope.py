"""A department owning (or co-owning) a task on a line it does not lead: it sees that task, with its reports,
notes and milestones, and files the task's reports when it owns it; it sees nothing else of that line."""

from __future__ import annotations

from datetime import date

import pytest

from gongqiang.supervision.models import DispatchReport, Milestone, ReviewNote, Task
from gongqiang.supervision.services.dispatch import DispatchRefused, add_note, answer_note, file_report
from gongqiang.supervision.services.imports import HEADER, import_tasks
from gongqiang.targets.services.workbooks import workbook

pytestmark = pytest.mark.django_db
DATA = {"progress": "推进中"}


@pytest.fixture
def other_line(tasks, lines, personas):
    """On T6 (led by 市商务局): a task 市科技局 owns, one it co-owns (owned by 市工信局), one of 市发改委 alone."""
    from gongqiang.core.models import Department

    kjj, gxj, fgw = (Department.objects.get(code=c) for c in ("kjj", "gxj", "fgw"))
    span = {"start_date": date(2024, 1, 1), "deadline": date(2024, 12, 31)}
    owned = Task.objects.create(line=lines["T6"], code="T6-KJ", title="科技赋能商城制造端", owner_department=kjj, **span)
    co = Task.objects.create(line=lines["T6"], code="T6-GX", title="商城产品本地配套", owner_department=gxj, **span)
    co.co_owners.set([kjj, fgw])  # two co-owners: the task must still be one row for each of them
    alone = Task.objects.create(line=lines["T6"], code="T6-FG", title="商城物流降本", owner_department=fgw, **span)
    Milestone.objects.create(task=owned, title="科技赋能方案印发", due=date(2024, 3, 31))
    return {"owned": owned, "co": co, "alone": alone}


def test_sees_own_and_co_owned_tasks_and_nothing_else_of_the_line(other_line, tasks, personas, login):
    kjj = personas.dept
    codes = sorted(Task.objects.visible_to(kjj).values_list("code", flat=True))
    assert codes == ["T4-01", "T6-GX", "T6-KJ"]  # not T6-LS, T6-LZ (counties), T6-FG (another department)
    assert sorted(Milestone.objects.visible_to(kjj).values_list("title", flat=True)) == ["科技赋能方案印发"]
    client = login(kjj)
    html = client.get("/supervision/tasks/?line=T6").content.decode().split("<tbody>")[-1]
    assert "科技赋能商城制造端" in html and "商城产品本地配套" in html
    assert "商城物流降本" not in html and "兰山文体用品特色园区建设" not in html
    assert client.get(f"/supervision/tasks/{other_line['owned'].pk}/").status_code == 200
    assert client.get(f"/supervision/tasks/{other_line['co'].pk}/").status_code == 200
    for foreign in (other_line["alone"], tasks["lanshan"]):
        assert client.get(f"/supervision/tasks/{foreign.pk}/").status_code == 404
    assert sorted(r["code"] for r in client.get("/api/supervision/tasks?line=T6").json()) == ["T6-GX", "T6-KJ"]
    # The line's leader (市商务局 has no user here) and other departments are unaffected: 市发改委 sees its two.
    from gongqiang.core.models import Department
    from gongqiang.testing.factories import Role, member

    fgw = member(Role.DEPARTMENT, username="p-fgw", department=Department.objects.get(code="fgw"))
    assert sorted(Task.objects.visible_to(fgw).values_list("code", flat=True)) == ["T6-FG", "T6-GX"]


def test_files_the_report_of_an_owned_task_on_another_line(other_line, tasks, personas, login):
    kjj = personas.dept
    report = file_report(kjj, other_line["owned"], 2024, 3, DATA, {}, date(2024, 4, 2))
    assert DispatchReport.objects.visible_to(kjj).filter(pk=report.pk).exists()
    # The page too: the form opens and posts.
    client = login(kjj)
    assert client.get(f"/supervision/tasks/{other_line['owned'].pk}/report/").status_code == 200
    # A co-owner reads but does not file: the owner unit reports (one report a month).
    with pytest.raises(DispatchRefused, match="不由您的单位负责"):
        file_report(kjj, other_line["co"], 2024, 3, DATA, {}, date(2024, 4, 2))
    with pytest.raises(DispatchRefused, match="不由您的单位负责"):
        file_report(kjj, tasks["lanshan"], 2024, 3, DATA, {}, date(2024, 4, 2))
    assert not DispatchReport.objects.filter(task__in=[other_line["co"], tasks["lanshan"]]).exists()
    # A 批示 on its report reaches it and it answers.
    note = add_note(personas.leader, report, "instruction", "抓紧推进")
    answer_note(kjj, ReviewNote.objects.visible_to(kjj).get(pk=note.pk), "已落实")
    assert ReviewNote.objects.get(pk=note.pk).answer == "已落实"


def test_co_owner_reads_the_owners_reports_but_not_others(other_line, tasks, personas):
    from gongqiang.core.models import Department
    from gongqiang.testing.factories import Role, member

    gxj = member(Role.DEPARTMENT, username="p-gxj", department=Department.objects.get(code="gxj"))
    theirs = file_report(gxj, other_line["co"], 2024, 3, DATA, {}, date(2024, 4, 2))
    county = file_report(personas.county_a, tasks["lanshan"], 2024, 3, {**DATA, "delay_reason": "x"}, {},
                         date(2024, 4, 2))
    kjj = personas.dept
    visible = set(DispatchReport.objects.visible_to(kjj).values_list("pk", flat=True))
    assert theirs.pk in visible and county.pk not in visible
    # Read only: the co-owner cannot write the owner's report.
    assert not DispatchReport.objects.writable_by(kjj).filter(pk=theirs.pk).exists()
    note = add_note(personas.leader, theirs, "instruction", "请配合")
    with pytest.raises(DispatchRefused, match="只有任务责任单位"):
        answer_note(kjj, note, "好")


def test_plans_only_the_lines_it_leads(other_line, personas):
    """Owning a task on T6 does not let 市科技局 add tasks to T6 (its plan, 专项方案, is T4's)."""
    row = ["T6", "T6-KJ2", "另一项", "临沂市科学技术局", "2024-01-01", "2024-12-31"]
    outcome = import_tasks(workbook([("任务清单", HEADER, [row])]), personas.dept)
    assert not outcome.ok and "超出您的数据范围" in outcome.errors[0].reason
    assert not Task.objects.filter(code="T6-KJ2").exists()
    ok = import_tasks(workbook([("任务清单", HEADER, [["T4", "T4-02", "高企培育", "临沂市科学技术局", "2024-01-01",
                                                        "2024-12-31"]])]), personas.dept)
    assert ok.ok and ok.created == 1
