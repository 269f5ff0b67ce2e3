"""Tasks as the user may see them, with their derived status; filters shared by the page and the export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from ..compute import Status, days_late, task_status
from ..models import Task


@dataclass(frozen=True)
class TaskRow:
    task: Task
    status: Status
    days_late: int


def status_of(task: Task, today: date) -> Status:
    return task_status(task.start_date, task.deadline, task.completed_on, today)


def visible_tasks(user: Any) -> QuerySet:
    return (Task.objects.visible_to(user)
            .select_related("line", "owner_department", "owner_region", "parent")
            .prefetch_related("co_owners"))


def filtered_rows(user: Any, params: Any, today: date) -> list[TaskRow]:
    """The user's tasks narrowed by line, owner, status and a text query (the page and the export agree)."""
    qs = visible_tasks(user)
    line = (params.get("line") or "").strip()
    if line:
        qs = qs.filter(line__code=line)
    owner = (params.get("owner") or "").strip()
    if owner:
        qs = qs.filter(owner_region__code=owner) | qs.filter(owner_department__code=owner)
    text = (params.get("q") or "").strip()
    if text:
        qs = qs.filter(title__icontains=text) | qs.filter(code__icontains=text)
    rows = [TaskRow(t, status_of(t, today), days_late(t.deadline, t.completed_on, today)) for t in qs]
    wanted = (params.get("status") or "").strip()
    if wanted:
        rows = [r for r in rows if r.status.value == wanted]
    return rows


EXPORT_HEADER = ["专线", "任务编号", "上级任务", "任务名称", "责任单位", "配合单位", "开始日期", "完成时限",
                 "成果形式", "关联目标", "状态", "逾期天数", "延期原因"]


def export_rows(rows: list[TaskRow]) -> list[list[Any]]:
    return [[r.task.line.code, r.task.code, r.task.parent.code if r.task.parent else "", r.task.title,
             r.task.owner_name, "、".join(d.name for d in r.task.co_owners.all()),
             r.task.start_date.isoformat(), r.task.deadline.isoformat(), r.task.deliverable,
             "、".join(r.task.target_ids), r.status.value, r.days_late, r.task.delay_reason] for r in rows]
