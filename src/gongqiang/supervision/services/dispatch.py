"""Monthly dispatch (月调度): filing a report, with figures that become target observations; reviews and 批示.

Every refusal is a Chinese sentence and nothing is written: the checks run before the transaction opens,
and the writes inside it are rechecked against the data scope.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import ScopeViolation, memberships_of, save_scoped
from gongqiang.core.services.policy import active_spec

from ..compute import DispatchState, dispatch_due, dispatch_state, month_open, report_months
from ..models import DispatchReport, NoteKind, ReviewNote, Task

MONTH = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?\s*$")


class DispatchRefused(Exception):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("；".join(errors))


def user_name(user: Any) -> str:
    return getattr(user, "display_name", "") or user.get_full_name() or user.get_username()


def parse_month(text: Any) -> tuple[int, int]:
    match = MONTH.match(str(text or ""))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise DispatchRefused([f"月份“{text or ''}”格式不正确，应为 YYYY-MM（如 2024-03）"])
    return int(match.group(1)), int(match.group(2))


def due_day(task: Task) -> int:
    """The pack's due day: the line's own schedule when it has one, else the supervision schedule."""
    spec = active_spec()
    if spec is None:
        raise DispatchRefused(["尚未加载政策包，无法确定报送期限"])
    for line in spec.task_lines:
        if line.id == task.line.code and line.schedule is not None:
            return line.schedule.monthly_dispatch_due_day
    return spec.supervision.schedule.monthly_dispatch_due_day


def due_days() -> dict[str, int]:
    """Due day per line code (a line's own schedule wins); the key "" holds the pack's default."""
    spec = active_spec()
    if spec is None:
        return {"": 1}
    days = {"": spec.supervision.schedule.monthly_dispatch_due_day}
    for line in spec.task_lines:
        if line.schedule is not None:
            days[line.id] = line.schedule.monthly_dispatch_due_day
    return days


def due_day_of(days: dict[str, int], task: Task) -> int:
    return days.get(task.line.code, days[""])


def owns(user: Any, task: Task) -> bool:
    """Whether the user writes for the task's owner unit (the county, or the department)."""
    for m in memberships_of(user, writing=True):
        if m.role == "county" and m.region_id and task.owner_region_id:
            if task.owner_region.path.startswith(m.region.path):
                return True
        if m.role == "department" and m.department_id and m.department_id == task.owner_department_id:
            return True
    return False


@dataclass(frozen=True)
class MonthRow:
    task: Task
    state: DispatchState
    report: DispatchReport | None
    due: dt.date


def month_rows(tasks: list[Task], reports: dict[tuple[int, int, int], DispatchReport], year: int, month: int,
               today: dt.date, days: dict[str, int]) -> list[MonthRow]:
    """The tasks that owe a report for the month, each with its derived state."""
    rows = []
    for task in tasks:
        if (year, month) not in report_months(task.start_date, task.deadline, task.completed_on, today):
            continue
        report = reports.get((task.pk, year, month))
        day = due_day_of(days, task)
        state = dispatch_state(year, month, day, report.filed_on if report else None, today)
        rows.append(MonthRow(task, state, report, dispatch_due(year, month, day)))
    return rows


def overview(user: Any, year: int, month: int, today: dt.date) -> tuple[list[MonthRow], list[dict[str, Any]]]:
    """The month's rows for the tasks the user may see, and punctuality per owner unit."""
    tasks = list(Task.objects.visible_to(user).select_related("line", "owner_region", "owner_department"))
    reports = {(r.task_id, r.year, r.month): r
               for r in DispatchReport.objects.visible_to(user).filter(year=year, month=month)}
    rows = month_rows(tasks, reports, year, month, today, due_days())
    units: dict[str, dict[str, Any]] = {}
    for row in rows:
        unit = units.setdefault(row.task.owner_name, {"unit": row.task.owner_name, **{s.value: 0 for s in DispatchState}})
        unit[row.state.value] += 1
    for unit in units.values():
        due = unit["已报送"] + unit["逾期报送"] + unit["未报送"]
        unit["punctuality"] = round(100 * unit["已报送"] / due, 1) if due else None
    return rows, sorted(units.values(), key=lambda u: u["unit"])


def _period_text(periodicity: str, year: int, month: int) -> str | None:
    """The target period a month's report can carry: the month, the quarter it closes, or the year it closes."""
    if periodicity == "month":
        return f"{year}-{month:02d}"
    if periodicity == "quarter":
        return f"{year}Q{month // 3}" if month % 3 == 0 else None
    return f"{year}" if month == 12 else None


def _figures(user: Any, task: Task, year: int, month: int, values: dict[str, str], today: dt.date):
    """Prepared target observations for the figures given; errors as Chinese sentences."""
    from gongqiang.targets.services.catalog import catalog
    from gongqiang.targets.services.observations import EntryInvalid, prepare
    from gongqiang.targets.services.progress import city_region

    entries, errors = [], []
    given = {k: v for k, v in values.items() if str(v or "").strip()}
    if not given:
        return entries, errors
    cat = catalog()
    region = task.owner_region or city_region()
    for target_id, value in given.items():
        if target_id not in task.target_ids:
            errors.append(f"目标 {target_id} 不是本任务关联的目标")
            continue
        try:
            info = cat.get(target_id)
            period = _period_text(info.spec.periodicity, year, month)
            if period is None:
                errors.append(f"目标 {target_id} 按{'季度' if info.spec.periodicity == 'quarter' else '年度'}报送，"
                              f"请在{'季末月份（3、6、9、12月）' if info.spec.periodicity == 'quarter' else '12月'}的报告中填写")
                continue
            entries.append(prepare(user, cat, info, region, period, value, None, today))
        except EntryInvalid as exc:
            errors += [f"目标 {target_id}：{e}" for e in exc.errors]
        except Exception:  # the catalog answers 404 for an unknown target
            errors.append(f"政策包中没有目标 {target_id}")
    return entries, errors


def file_report(user: Any, task: Task, year: int, month: int, data: dict[str, Any], figures: dict[str, str],
                today: dt.date, attachments: list[Any] | None = None) -> DispatchReport:
    if not owns(user, task):
        raise DispatchRefused(["该任务不由您的单位负责，不能报送月调度"])
    errors: list[str] = []
    if not month_open(year, month, today):
        raise DispatchRefused([f"{year}年{month}月的调度尚未开始（当月1日起方可报送）"])
    if (year, month) not in report_months(task.start_date, task.deadline, task.completed_on, today):
        raise DispatchRefused([f"该任务 {year}年{month}月无需报送（任务起止 {task.start_date} 至 {task.deadline}"
                               f"{'，已于 ' + str(task.completed_on) + ' 完成' if task.completed_on else ''}）"])
    # scope: reviewed — an existence check on the task the user owns (checked above)
    if DispatchReport.objects.filter(task=task, year=year, month=month).exists():
        raise DispatchRefused([f"{year}年{month}月的调度报告已报送，不能重复报送"])
    progress = str(data.get("progress") or "").strip()
    if not progress:
        errors.append("“本月进展”不能为空")
    completed_on = None
    raw = str(data.get("completed_on") or "").strip()
    if raw:
        try:
            completed_on = dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(f"完成日期“{raw}”格式不正确，应为 YYYY-MM-DD")
        else:
            if completed_on > today:
                errors.append("完成日期不能晚于今天")
            elif completed_on < task.start_date:
                errors.append("完成日期不能早于任务开始日期")
            elif (completed_on.year, completed_on.month) > (year, month):
                errors.append("完成日期晚于本报告所属月份，请在完成当月的报告中填写")
    delay_reason = str(data.get("delay_reason") or "").strip()
    late = (completed_on or today) > task.deadline
    if late and not delay_reason and not task.delay_reason:
        errors.append(f"任务已超过完成时限（{task.deadline}），须填写延期原因")
    entries, figure_errors = _figures(user, task, year, month, figures, today)
    errors += figure_errors
    from .attachments import check_attachments

    errors += check_attachments(attachments or [])
    if errors:
        raise DispatchRefused(errors)
    from gongqiang.targets.models import Source
    from gongqiang.targets.services.catalog import catalog
    from gongqiang.targets.services.observations import commit

    with transaction.atomic():
        report = DispatchReport(
            task=task, year=year, month=month, progress=progress,
            problems=str(data.get("problems") or "").strip(), help_needed=str(data.get("help_needed") or "").strip(),
            next_plan=str(data.get("next_plan") or "").strip(), completed_on=completed_on, filed_on=today,
            filed_by_name=user_name(user))
        save_scoped(report, user)
        stored = {}
        for entry in entries:
            obs = commit(user, catalog(), entry, note=f"月调度报告：{task.code} {year}年{month}月",
                         source=Source.ENTERED, inputs={"dispatch_report": report.pk, "task": task.code})
            stored[entry.info.id] = {"value": str(entry.value), "unit": entry.info.spec.unit, "observation": obs.pk}
        for upload in attachments or []:
            from ..models import ReportAttachment

            save_scoped(ReportAttachment(report=report, file=upload, name=upload.name[:200], size=upload.size), user)
        if stored:
            report.figures = stored
            save_scoped(report, user, update_fields=["figures"])
        fields = []
        if completed_on is not None:
            task.completed_on = completed_on
            fields.append("completed_on")
        if delay_reason:
            task.delay_reason = delay_reason
            fields.append("delay_reason")
        if fields:
            save_scoped(task, user, update_fields=fields)
    return report


def add_note(user: Any, report: DispatchReport, kind: str, text: str) -> ReviewNote:
    """City staff comment; leaders (and the city) give instructions (批示). `report` was read through visible_to."""
    roles = roles_of(user)
    text = (text or "").strip()
    if kind not in NoteKind.values:
        raise DispatchRefused(["意见类型不正确"])
    allowed = {"admin", "city"} if kind == NoteKind.COMMENT else {"admin", "city", "leader"}
    if not roles & allowed:
        raise DispatchRefused(["您的角色不能填写" + NoteKind(kind).label])
    if not text:
        raise DispatchRefused([NoteKind(kind).label + "内容不能为空"])
    # scope: reviewed — leaders write 批示 by role (their scope is read-only); the report was read via visible_to
    return ReviewNote.objects.create(report=report, kind=kind, text=text[:4000], author_name=user_name(user))


def answer_note(user: Any, note: ReviewNote, text: str) -> ReviewNote:
    if not owns(user, note.report.task):
        raise DispatchRefused(["只有任务责任单位可以答复"])
    text = (text or "").strip()
    if not text:
        raise DispatchRefused(["答复内容不能为空"])
    note.answer, note.answered_by_name, note.answered_at = text[:4000], user_name(user), timezone.now()
    try:
        save_scoped(note, user, update_fields=["answer", "answered_by_name", "answered_at"])
    except ScopeViolation as exc:
        raise DispatchRefused([str(exc)]) from None
    return note
