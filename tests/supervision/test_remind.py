"""`gongqiang remind`: before the due day a reminder, after it a chase; safe to run twice (dates passed in)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from gongqiang.supervision.models import Notification, Task
from gongqiang.supervision.services.dispatch import file_report
from gongqiang.supervision.services.reminders import remind

pytestmark = pytest.mark.django_db
DATA = {"progress": "推进中"}


@pytest.fixture
def one_task(tasks, personas):
    # Only the 兰山 task is open in the months tested; the others end before.
    Task.objects.exclude(pk=tasks["lanshan"].pk).delete()
    # Reporting starts with March 2024 (else February's report would be chased on the days tested).
    Task.objects.filter(pk=tasks["lanshan"].pk).update(start_date=date(2024, 3, 1))
    tasks["lanshan"].refresh_from_db()
    personas.county_a.email = "lanshan@example.cn"
    personas.county_a.save()
    return tasks["lanshan"]


def test_reminder_window_uses_working_days(one_task, personas):
    # March 2024 is due 2024-04-05 (the pack's day 5). 清明 makes 4–6 April holidays, so 3 working days
    # before the due day are 3, 2 and 1 April: the window opens on Monday 2024-04-01. Sunday 31 March: nothing.
    assert remind(date(2024, 3, 31)).reminders == 0
    assert remind(date(2024, 3, 31)).chases == 0
    result = remind(date(2024, 4, 1))
    assert result.reminders == 1 and result.emails == 1
    assert len(mail.outbox) == 1 and "2024-04-05" in mail.outbox[0].body
    # The same day again, and the next day: nothing new (the key is per task and month).
    again = remind(date(2024, 4, 1))
    assert again.reminders == 0 and again.skipped == 1 and len(mail.outbox) == 1
    assert remind(date(2024, 4, 5)).reminders == 0


def test_chase_after_the_due_day_and_not_when_filed(one_task, personas):
    # The due day 2024-04-05 is a holiday (清明); the first working day after it is 2024-04-07 (Sun, 调休).
    assert remind(date(2024, 4, 6)).chases == 0
    assert remind(date(2024, 4, 7)).chases == 1
    assert remind(date(2024, 4, 8)).chases == 0  # once only
    assert Notification.objects.filter(recipient=personas.county_a, key__startswith="chase:").count() == 1
    file_report(personas.county_a, one_task, 2024, 4, DATA, {}, date(2024, 5, 2))
    result = remind(date(2024, 5, 2))  # April filed: no reminder
    assert result.reminders == 0 and result.chases == 0


def test_command_runs_twice(one_task, personas, capsys):
    call_command("remind", "--today", "2024-04-01")
    call_command("remind", "--today", "2024-04-01")
    out = capsys.readouterr().out
    assert "提醒 1 条" in out and "跳过 1 条" in out
    assert Notification.objects.count() == 1


def test_notifications_page_shows_only_mine(one_task, personas, login):
    remind(date(2024, 4, 1))
    html = login(personas.county_a).get("/supervision/notifications/").content.decode()
    assert "月调度报告" in html
    assert "月调度报告" not in login(personas.county_b).get("/supervision/notifications/").content.decode()


def test_instruction_awaiting_an_answer_is_notified_once(one_task, personas):
    from gongqiang.supervision.services.dispatch import add_note, answer_note

    report = file_report(personas.county_a, one_task, 2024, 3, DATA, {}, date(2024, 4, 2))
    note = add_note(personas.leader, report, "instruction", "请专题研究")
    add_note(personas.city, report, "comment", "进度偏慢")  # a comment needs no answer
    result = remind(date(2024, 4, 3))
    assert result.instructions == 1 and result.emails == 1
    message = Notification.objects.get(recipient=personas.county_a, key=f"instruction:{note.pk}")
    assert "请专题研究" in message.text and message.url == f"/supervision/reports/{report.pk}/"
    assert "领导批示" in mail.outbox[-1].subject
    # Again (the same day, the next day): nothing new; the other county hears nothing.
    assert remind(date(2024, 4, 3)).instructions == 0 and remind(date(2024, 4, 8)).instructions == 0
    assert not Notification.objects.filter(recipient=personas.county_b).exists()
    # Answered before a first run: no message at all.
    second = add_note(personas.leader, report, "instruction", "再研究")
    answer_note(personas.county_a, second, "已研究")
    assert remind(date(2024, 4, 9)).instructions == 0
    assert not Notification.objects.filter(key=f"instruction:{second.pk}").exists()


def test_bulletin_due_day_reminds_then_chases_the_city(one_task, personas):
    """Q1 2024's bulletin is due on 2024-04-15 (the pack's quarterly_bulletin_due_day): reminded from 3 working
    days before (10 April), chased from the first working day after (16 April), until published."""
    from gongqiang.supervision.services.bulletins import generate, publish

    Task.objects.filter(pk=one_task.pk).update(start_date=date(2024, 1, 1))  # Q1 has data to publish
    personas.city.email = "city@example.cn"
    personas.city.save()
    assert remind(date(2024, 4, 9)).bulletins == 0
    first = remind(date(2024, 4, 10))
    assert first.bulletins == 1
    assert Notification.objects.get(recipient=personas.city, key="bulletin-remind:2024Q1").url == "/supervision/bulletins/"
    assert "2024-04-15" in mail.outbox[-1].body and "季通报" in mail.outbox[-1].subject
    assert remind(date(2024, 4, 15)).bulletins == 0  # once only
    assert remind(date(2024, 4, 16)).bulletins == 1  # the chase
    assert remind(date(2024, 4, 17)).bulletins == 0
    # Counties and departments get no bulletin message.
    assert not Notification.objects.filter(key__startswith="bulletin", recipient__in=[
        personas.county_a, personas.dept, personas.leader]).exists()
    # Published: no more messages about it (Q2's window opens in July).
    publish(personas.city, generate(personas.city, 2024, 1, date(2024, 4, 17)))
    Notification.objects.filter(key__startswith="bulletin").delete()
    assert remind(date(2024, 4, 18)).bulletins == 0
    assert remind(date(2024, 7, 10)).bulletins == 1  # Q2 due 2024-07-15: 3 working days before


def test_bulletin_of_the_fourth_quarter_is_due_in_january(one_task, personas):
    assert remind(date(2025, 1, 10)).bulletins == 1
    assert Notification.objects.filter(key="bulletin-remind:2024Q4").exists()


def test_command_counts_instructions_and_bulletins(one_task, personas, capsys):
    from gongqiang.supervision.services.dispatch import add_note

    report = file_report(personas.county_a, one_task, 2024, 3, DATA, {}, date(2024, 4, 2))
    add_note(personas.leader, report, "instruction", "请专题研究")
    call_command("remind", "--today", "2024-04-10")
    call_command("remind", "--today", "2024-04-10")
    first, second = capsys.readouterr().out.strip().splitlines()
    assert "批示待答复 1 条" in first and "季通报提醒 1 条" in first
    assert "批示待答复 0 条" in second and "季通报提醒 0 条" in second and "跳过 2 条" in second
