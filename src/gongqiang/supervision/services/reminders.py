"""Reminders before the dispatch due day and a chase after it; leader instructions (批示) awaiting the owner's
answer; the quarterly bulletin's due day (the city). In-app notifications plus e-mail.

Run by a scheduled job (`gongqiang remind`). Safe to run twice: each message has a key unique per recipient
(kind, task, month; instruction; quarter), so a second run finds it and sends nothing; e-mail goes out only for
a row just created.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gongqiang.core.models import Membership, Region
from gongqiang.core.services.policy import active_spec
from gongqiang.lib.workdays import next_workday_after, working_days_before

from ..compute import dispatch_due, report_months
from ..models import Bulletin, BulletinStatus, DispatchReport, NoteKind, Notification, ReviewNote, Task
from .dispatch import due_day_of, due_days


@dataclass
class RemindResult:
    reminders: int = 0
    chases: int = 0
    emails: int = 0
    skipped: int = 0  # already sent by an earlier run
    instructions: int = 0  # 批示 awaiting an answer
    bulletins: int = 0  # the quarterly bulletin due or overdue (to the city)

    def describe(self) -> str:
        return (f"提醒 {self.reminders} 条，催报 {self.chases} 条，批示待答复 {self.instructions} 条，"
                f"季通报提醒 {self.bulletins} 条，邮件 {self.emails} 封；此前已发送、本次跳过 {self.skipped} 条。")


def _previous_month(today: dt.date) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def _recipients(task: Task) -> list[Membership]:
    # scope: reviewed — a system job addressing the owner unit's own users
    qs = Membership.objects.select_related("user").filter(user__is_active=True)
    if task.owner_region_id:
        return list(qs.filter(role="county", region=task.owner_region_id))
    return list(qs.filter(role="department", department=task.owner_department_id))


def _send(membership: Membership, task: Task, key: str, text: str, result: RemindResult) -> bool:
    return _notify(membership, key, text, result, url=reverse("supervision:task", args=[task.pk]),
                   region_id=task.owner_region_id, department_id=task.owner_department_id, subject="【工强】月调度提醒")


def _notify(membership: Membership, key: str, text: str, result: RemindResult, *, url: str, region_id: int | None,
            department_id: int | None, subject: str) -> bool:
    """One notification (and e-mail) unless the recipient already has one with this key."""
    try:
        with transaction.atomic():
            # scope: reviewed — the job writes one row per recipient; the key makes it once only
            note, created = Notification.objects.get_or_create(
                recipient=membership.user, key=key,
                defaults={"text": text[:300], "region_id": region_id, "department_id": department_id, "url": url})
    except IntegrityError:  # a concurrent run created it first
        created = False
    if not created:
        result.skipped += 1
        return False
    email = membership.user.email
    if email:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)
        # scope: reviewed — marking the row this run just created
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        result.emails += 1
    return True


def remind(today: dt.date) -> RemindResult:
    """Remind owners whose report of last month is not filed, from `reminder_days_before` working days
    before the due day up to it; chase them from the first working day after it."""
    result = RemindResult()
    spec = active_spec()
    if spec is None:
        return result
    before = spec.supervision.schedule.reminder_days_before
    days = due_days()
    year, month = _previous_month(today)
    # scope: reviewed — a system job over every open task of the city
    tasks = Task.objects.select_related("line", "owner_region", "owner_department")
    filed = set(DispatchReport.objects.filter(year=year, month=month).values_list("task_id", flat=True))  # scope: reviewed
    for task in tasks:
        if task.pk in filed or (year, month) not in report_months(task.start_date, task.deadline,
                                                                  task.completed_on, today):
            continue
        due = dispatch_due(year, month, due_day_of(days, task))
        if working_days_before(due, before) <= today <= due:
            kind = "remind"
            text = f"请于 {due:%Y-%m-%d} 前报送任务“{task.code} {task.title}”{year}年{month}月的月调度报告。"
        elif today >= next_workday_after(due):
            kind = "chase"
            text = f"任务“{task.code} {task.title}”{year}年{month}月的月调度报告已逾期（应于 {due:%Y-%m-%d} 前报送），请尽快补报。"
        else:
            continue
        key = f"{kind}:{task.pk}:{year}-{month:02d}"
        for membership in _recipients(task):
            if _send(membership, task, key, text, result):
                if kind == "remind":
                    result.reminders += 1
                else:
                    result.chases += 1
    _instructions(result)
    _bulletin(today, before, spec.supervision.schedule.quarterly_bulletin_due_day, result)
    return result


def _instructions(result: RemindResult) -> None:
    """Every leader instruction (批示) not yet answered: once to the owner unit's users (an instruction has no
    due day; the key makes it one message per instruction and recipient)."""
    # scope: reviewed — a system job over every unanswered instruction of the city
    notes = (ReviewNote.objects.filter(kind=NoteKind.INSTRUCTION, answer="")
             .select_related("report__task__line", "report__task__owner_region", "report__task__owner_department"))
    for note in notes:
        report, task = note.report, note.report.task
        text = (f"领导批示待答复：任务“{task.code} {task.title}”{report.year}年{report.month}月的报告，"
                f"批示“{note.text[:60]}”（{note.author_name}），请答复落实情况。")
        for membership in _recipients(task):
            if _notify(membership, f"instruction:{note.pk}", text, result,
                       url=reverse("supervision:report", args=[report.pk]), region_id=task.owner_region_id,
                       department_id=task.owner_department_id, subject="【工强】领导批示待答复"):
                result.instructions += 1


def _bulletin(today: dt.date, before: int, due_day: int, result: RemindResult) -> None:
    """The last quarter's bulletin is due on the pack's `quarterly_bulletin_due_day` of the month after the
    quarter: the city's staff are reminded from `reminder_days_before` working days before it, and chased from
    the first working day after it, until it is published."""
    quarter = (today.month - 1) // 3  # the quarter before today's (0: the fourth of last year)
    year = today.year if quarter else today.year - 1
    quarter = quarter or 4
    first = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, quarter * 3 + 1, 1)
    due = first.replace(day=due_day)
    # scope: reviewed — a system job checking whether the city has published the quarter's bulletin
    if Bulletin.objects.filter(year=year, quarter=quarter, status=BulletinStatus.PUBLISHED).exists():
        return
    if working_days_before(due, before) <= today <= due:
        kind, text = "bulletin-remind", f"{year}年第{quarter}季度通报应于 {due:%Y-%m-%d} 前印发，请生成、审核并发布。"
    elif today >= next_workday_after(due):
        kind, text = "bulletin-chase", f"{year}年第{quarter}季度通报已逾期（应于 {due:%Y-%m-%d} 前印发），请尽快发布。"
    else:
        return
    # scope: reviewed — a system job addressing the city's staff; the city node anchors their notifications
    city = Region.objects.filter(kind="city").values_list("pk", flat=True).first()
    staff = Membership.objects.select_related("user").filter(user__is_active=True, role="city")
    for membership in staff:
        if _notify(membership, f"{kind}:{year}Q{quarter}", text, result, url=reverse("supervision:bulletins"),
                   region_id=city, department_id=None, subject="【工强】季通报提醒"):
            result.bulletins += 1
