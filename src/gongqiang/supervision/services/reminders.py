"""Reminders before the dispatch due day and a chase after it: in-app notifications plus e-mail.

Run by a scheduled job (`gongqiang remind`). Safe to run twice: each message has a key unique per recipient
(kind, task, month), so a second run finds it and sends nothing; e-mail goes out only for a row just created.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gongqiang.core.models import Membership
from gongqiang.core.services.policy import active_spec
from gongqiang.lib.workdays import next_workday_after, working_days_before

from ..compute import dispatch_due, report_months
from ..models import DispatchReport, Notification, Task
from .dispatch import due_day_of, due_days


@dataclass
class RemindResult:
    reminders: int = 0
    chases: int = 0
    emails: int = 0
    skipped: int = 0  # already sent by an earlier run

    def describe(self) -> str:
        return (f"提醒 {self.reminders} 条，催报 {self.chases} 条，邮件 {self.emails} 封；"
                f"此前已发送、本次跳过 {self.skipped} 条。")


def _previous_month(today: dt.date) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def _recipients(task: Task) -> list[Membership]:
    # scope: reviewed — a system job addressing the owner unit's own users
    qs = Membership.objects.select_related("user").filter(user__is_active=True)
    if task.owner_region_id:
        return list(qs.filter(role="county", region=task.owner_region_id))
    return list(qs.filter(role="department", department=task.owner_department_id))


def _send(membership: Membership, task: Task, key: str, text: str, result: RemindResult) -> bool:
    try:
        with transaction.atomic():
            # scope: reviewed — the job writes one row per recipient; the key makes it once only
            note, created = Notification.objects.get_or_create(
                recipient=membership.user, key=key,
                defaults={"text": text[:300], "region_id": task.owner_region_id,
                          "department_id": task.owner_department_id,
                          "url": reverse("supervision:task", args=[task.pk])})
    except IntegrityError:  # a concurrent run created it first
        created = False
    if not created:
        result.skipped += 1
        return False
    email = membership.user.email
    if email:
        send_mail("【工强】月调度提醒", text, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)
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
    return result
