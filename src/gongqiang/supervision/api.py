"""Tasks and the month's dispatch in the JSON API (scoped like the pages: a foreign task is a 404)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from .models import Task
from .services.dispatch import DispatchRefused, overview, parse_month
from .services.tasks import filtered_rows, status_of

router = Router(tags=["督导考核"])


class TaskOut(Schema):
    id: int
    line: str
    code: str
    title: str
    parent: str | None
    owner: str
    start_date: dt.date
    deadline: dt.date
    deliverable: str
    target_ids: list[str]
    completed_on: dt.date | None
    status: str
    days_late: int


class DispatchRowOut(Schema):
    task: int
    code: str
    owner: str
    due: dt.date
    state: str
    filed_on: dt.date | None


def _task_out(task: Task, today: dt.date, late: int | None = None) -> TaskOut:
    from .compute import days_late

    return TaskOut(id=task.pk, line=task.line.code, code=task.code, title=task.title,
                   parent=task.parent.code if task.parent_id else None, owner=task.owner_name,
                   start_date=task.start_date, deadline=task.deadline, deliverable=task.deliverable,
                   target_ids=list(task.target_ids), completed_on=task.completed_on,
                   status=status_of(task, today).value,
                   days_late=days_late(task.deadline, task.completed_on, today) if late is None else late)


@router.get("/tasks", response=list[TaskOut], summary="任务清单（可按 line、owner、status、q 筛选）")
def tasks(request: HttpRequest, line: str = "", owner: str = "", status: str = "", q: str = ""):
    today = timezone.localdate()
    rows = filtered_rows(request.auth, {"line": line, "owner": owner, "status": status, "q": q}, today)
    return [_task_out(r.task, today, r.days_late) for r in rows]


@router.get("/dispatch", response=list[DispatchRowOut], summary="某月月调度报送情况（month=YYYY-MM）")
def dispatch(request: HttpRequest, month: str):
    try:
        year, mon = parse_month(month)
    except DispatchRefused as exc:
        raise HttpError(400, str(exc)) from None
    rows, _ = overview(request.auth, year, mon, timezone.localdate())
    return [DispatchRowOut(task=r.task.pk, code=r.task.code, owner=r.task.owner_name, due=r.due,
                           state=r.state.value, filed_on=r.report.filed_on if r.report else None) for r in rows]
