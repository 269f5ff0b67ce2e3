"""Demo data for supervision: one year of tasks under the ten lines, monthly reports (some late, some missing),
review comments and 批示, reminders, two quarterly bulletins (one published) and one half-year assessment.

Deterministic for a seed. Rows are written by a system actor (an unsaved superuser object that never exists
as an account), the way an operator's job would; the generated bulletins and sheets go through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from gongqiang.core.models import Department, Membership, Region, User
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS

from .compute import dispatch_due, report_months
from .models import (
    AssessmentSheet,
    Bulletin,
    DispatchReport,
    Milestone,
    NoteKind,
    ReviewNote,
    Task,
    TaskLine,
    county_reviewer_code,
)
from .services.assessments import act, create_sheets
from .services.bulletins import edit, generate, publish
from .services.dispatch import due_day_of, due_days
from .services.lines import sync_lines
from .services.reminders import remind

PROGRESS = ["按计划推进，完成阶段任务", "召开专题推进会，明确责任分工", "完成项目摸底，建立工作台账", "组织企业对接，落实帮扶措施"]
PROBLEMS = ["", "", "用地指标紧张", "企业融资困难", "审批环节较多"]
HELP = ["", "", "请市级部门协调用地指标", "请协调金融机构对接"]


def system_actor(name: str) -> Any:
    """A superuser that exists only in memory: scope checks pass, nothing can sign in as it."""
    user = User(username=name, display_name=name, is_superuser=True, is_active=True)
    user._gq_memberships = []
    return user


def build_demo_supervision(year: int, *, seed: int = 2026, stdout: Any = None) -> dict[str, int]:
    rng = random.Random(seed)
    sync_lines()
    if Task.objects.filter(line__isnull=False, created_by_name="system:demo").exists():
        raise RuntimeError("督导演示数据已存在；请在新的数据库上运行。")
    lines = list(TaskLine.objects.select_related("owner"))
    counties = list(Region.objects.filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order"))
    end = dt.date(year, 12, 31)
    tasks: list[Task] = []
    with transaction.atomic():
        for line in lines:
            owners: list[tuple[Region | None, Any]] = [(None, line.owner)] + [(r, None) for r in counties]
            for n, (region, department) in enumerate(owners, start=1):
                start = dt.date(year, rng.randint(1, 3), 1)
                deadline = dt.date(year, rng.choice([6, 9, 12]), 30 if rng.random() < 0.5 else 28)
                unit = region.name if region else department.name
                task = Task.objects.create(
                    line=line, code=f"{line.code}-{n:02d}", title=f"{unit}{line.name}年度任务",
                    owner_region=region, owner_department=department, start_date=start, deadline=deadline,
                    deliverable=rng.choice(["工作方案", "项目清单", "总结报告"]), created_by_name="system:demo")
                Milestone.objects.create(task=task, title="完成阶段目标", due=start + (deadline - start) / 2)
                roll = rng.random()
                if roll < 0.55:
                    task.completed_on = deadline - dt.timedelta(days=rng.randint(0, 40))
                elif roll < 0.75:
                    task.completed_on = min(end, deadline + dt.timedelta(days=rng.randint(3, 45)))
                    task.delay_reason = rng.choice(["项目审批延迟", "企业资金未到位"])
                elif roll < 0.9:
                    task.delay_reason = "受用地指标制约，正在协调"
                task.save()
                tasks.append(task)
        days = due_days()
        reports = []
        for task in tasks:
            for y, m in report_months(task.start_date, task.deadline, task.completed_on, end):
                roll = rng.random()
                if roll < 0.08:
                    continue  # missing
                due = dispatch_due(y, m, due_day_of(days, task))
                filed = due + dt.timedelta(days=rng.randint(1, 6)) if roll < 0.2 else due - dt.timedelta(days=rng.randint(0, 4))
                reports.append(DispatchReport(
                    task=task, year=y, month=m, progress=rng.choice(PROGRESS), problems=rng.choice(PROBLEMS),
                    help_needed=rng.choice(HELP), next_plan="继续推进", filed_on=filed,
                    completed_on=task.completed_on if task.completed_on and (task.completed_on.year,
                                                                             task.completed_on.month) == (y, m) else None,
                    filed_by_name="演示填报员"))
        DispatchReport.objects.bulk_create(reports, batch_size=1000)
        notes = []
        for report in rng.sample(list(DispatchReport.objects.all()), k=min(12, len(reports))):
            notes.append(ReviewNote(report=report, kind=NoteKind.COMMENT, text="进度偏慢，请加快推进", author_name="市工信局"))
            notes.append(ReviewNote(report=report, kind=NoteKind.INSTRUCTION, text="请专题研究，限期解决",
                                    author_name="分管市领导", answer="已专题研究，正在落实" if rng.random() < 0.5 else ""))
        ReviewNote.objects.bulk_create(notes)
    reminders = remind(dt.date(year, 12, 8))
    city, approver = system_actor("system:demo"), system_actor("system:demo-approve")
    # The first review of the county sheets is the reviewing department's (the pack's assessment.county_reviewer).
    reviewer = system_actor("system:demo-review")
    reviewer._gq_memberships = [Membership(role="department", department=Department.objects.get(code=county_reviewer_code()))]
    today = dt.date(year + 1, 1, 20)
    q1 = generate(city, year, 1, today)
    edit(city, q1, intro=f"{year}年一季度，各专线任务总体有序推进，部分县区调度报送不够及时。")
    publish(city, q1)
    generate(city, year, 2, today)
    create_sheets(city, "half", year, today)
    for sheet in AssessmentSheet.objects.filter(year=year, kind="half", region__isnull=False):
        manual = sheet.scores.get(rule="manual")
        manual.self_score = rng.choice([9, 11, 13, 15])
        manual.reason = "工作成效与典型经验（演示自评）"
        manual.save()
        sheet.state = "submitted"
        sheet.save(update_fields=["state"])
        act(reviewer, sheet, "review")
        act(approver, sheet, "approve")
    counts = {"tasks": len(tasks), "reports": len(reports), "notes": len(notes),
              "notifications": reminders.reminders + reminders.chases,
              "bulletins": Bulletin.objects.count(), "sheets": AssessmentSheet.objects.count()}
    if stdout is not None:
        stdout.write("督导演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    return counts
