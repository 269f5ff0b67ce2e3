"""Half-year and annual assessments: sheets scored from the data and by hand, two-level review, ranking.

The scheme (indicators, full marks, rules, grades and their rewards/penalties) is the pack's `assessment`.
Refusals are Chinese sentences and write nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from gongqiang.core.models import Department, Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS
from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import memberships_of, save_scoped
from gongqiang.core.services.policy import active_pack, active_spec

from ..compute import (
    ACTION_LABELS,
    IllegalTransition,
    SheetState,
    UnitFacts,
    auto_score,
    competition_rank,
    dispatch_due,
    grade_for,
    meeting_months,
    report_months,
    transition,
)
from ..models import (
    AssessmentKind,
    AssessmentScore,
    AssessmentSheet,
    DispatchReport,
    Task,
    county_reviewer_code,
)
from .dispatch import due_day_of, due_days, owns, user_name
from .meetings import months_meeting_minimum
from .ranking import targets_by_county, targets_by_department

CITY = {"admin", "city"}


class AssessmentRefused(Exception):
    pass


def period_of(kind: str, year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 6, 30) if kind == AssessmentKind.HALF_YEAR else dt.date(year, 12, 31)


def facts_for(tasks: list[Task], reports: set[tuple[int, int, int]], filed: dict[tuple[int, int, int], dt.date],
              start: dt.date, end: dt.date, today: dt.date, days: dict[str, int]) -> UnitFacts:
    as_of = min(end, today)
    reports_due = on_time = tasks_due = tasks_on_time = overdue = 0
    for task in tasks:
        for y, m in report_months(task.start_date, task.deadline, task.completed_on, as_of):
            if not start <= dt.date(y, m, 1) <= end:
                continue
            due = dispatch_due(y, m, due_day_of(days, task))
            if due >= today:
                continue
            reports_due += 1
            if (task.pk, y, m) in reports and filed[(task.pk, y, m)] <= due:
                on_time += 1
        if task.deadline <= as_of:
            tasks_due += 1
            if task.completed_on is not None and task.completed_on <= task.deadline:
                tasks_on_time += 1
            elif task.completed_on is None or task.completed_on > as_of:
                overdue += 1
    return UnitFacts(reports_due, on_time, tasks_due, tasks_on_time, overdue)


def create_sheets(user: Any, kind: str, year: int, today: dt.date) -> int:
    """One sheet per county-level region and per department owning tasks, with the automatic scores."""
    if not roles_of(user) & CITY:
        raise AssessmentRefused("只有市级工作人员可以发起考核")
    if kind not in AssessmentKind.values:
        raise AssessmentRefused("考核类型不正确")
    spec = active_spec()
    if spec is None or spec.assessment is None:
        raise AssessmentRefused("当前政策包没有考核方案（assessment），无法发起考核")
    # scope: reviewed — departments are public reference data
    if not Department.objects.filter(code=spec.assessment.county_reviewer).exists():
        raise AssessmentRefused(f"政策包指定的县区考核表初审部门“{spec.assessment.county_reviewer}”不存在，无法发起考核")
    start, end = period_of(kind, year)
    if today < start:
        raise AssessmentRefused(f"{year}年尚未开始，不能发起考核")
    if AssessmentSheet.objects.visible_to(user).filter(kind=kind, year=year).exists():
        raise AssessmentRefused(f"{year}年{AssessmentKind(kind).label}已发起，不能重复发起")
    tasks = list(Task.objects.visible_to(user).select_related("line").filter(start_date__lte=end))
    if not tasks:
        raise AssessmentRefused(f"{year}年没有任务数据，无法发起考核")
    filed = {(r.task_id, r.year, r.month): r.filed_on
             for r in DispatchReport.objects.visible_to(user).filter(year=year).only("task_id", "year", "month", "filed_on")}
    days = due_days()
    # scope: reviewed — the city (checked above) assesses every county-level unit and department
    counties = list(Region.objects.filter(kind__in=COUNTY_LEVEL_KINDS))
    departments = {t.owner_department_id for t in tasks if t.owner_department_id}
    pack = active_pack()
    made = 0
    with transaction.atomic():
        units: list[tuple[Region | None, Department | None, list[Task]]] = [
            (r, None, [t for t in tasks if t.owner_region_id == r.pk]) for r in counties]
        # scope: reviewed — departments are public reference data
        units += [(None, d, [t for t in tasks if t.owner_department_id == d.pk])
                  for d in Department.objects.filter(pk__in=departments)]
        as_of = min(end, today)
        months = meeting_months(start, end, today)
        met = months_meeting_minimum(user, months)
        by_county, by_department = targets_by_county(user, as_of), targets_by_department(user, as_of)
        for region, department, own in units:
            facts = facts_for(own, set(filed), filed, start, end, today, days)
            if region is not None:
                on, scored = by_county.get(region.pk, (0, 0))
                facts = replace(facts, targets_scored=scored, targets_on_time=on, meeting_months=len(months),
                                meeting_months_met=met.get(region.pk, 0))
            else:
                # Meetings are the county leadership's: a department's sheet has no month to judge (full points).
                on, scored = by_department.get(department.code, (0, 0)) if department else (0, 0)
                facts = replace(facts, targets_scored=scored, targets_on_time=on)
            sheet = AssessmentSheet(kind=kind, year=year, region=region, department=department,
                                    facts=facts.__dict__, pack_version=pack.version if pack else "",
                                    history=[{"action": "create", "by": user_name(user), "at": today.isoformat()}])
            save_scoped(sheet, user)
            AssessmentScore.objects.bulk_create([
                AssessmentScore(sheet=sheet, indicator=i.id, name=i.name, points=Decimal(str(i.points)), rule=i.rule,
                                auto_score=_dec(auto_score(i.rule, i.points, i.per_item, facts)))
                for i in spec.assessment.indicators])
            made += 1
    return made


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _owner_of(user: Any, sheet: AssessmentSheet) -> bool:
    from ..models import Task as T

    probe = T(owner_region=sheet.region, owner_department=sheet.department)
    return owns(user, probe)


def first_reviewer(user: Any, sheet: AssessmentSheet) -> bool:
    """Who does the first review (初审): for a county's sheet, staff of the department the pack names
    (`assessment.county_reviewer`, the bureau by default); for a department's sheet, the city."""
    if sheet.region_id is None:
        return bool(roles_of(user) & CITY)
    reviewer = county_reviewer_code()
    return any(m.role == "department" and m.department_id and m.department.code == reviewer
               for m in memberships_of(user, writing=True))


def reviewer_label(sheet: AssessmentSheet) -> str:
    if sheet.region_id is None:
        return "市级"
    spec = active_spec()
    code = county_reviewer_code()
    names = {d.code: d.short_name or d.name for d in spec.organisation.departments} if spec else {}
    return names.get(code, code)


def set_score(user: Any, score: AssessmentScore, value: Any, reason: str) -> AssessmentScore:
    """The unit's self-score while the sheet is a draft; the first reviewer's score while it awaits 初审."""
    sheet = score.sheet
    state = SheetState(sheet.state)
    if state is SheetState.DRAFT and _owner_of(user, sheet):
        field = "self_score"
    elif state is SheetState.SUBMITTED and first_reviewer(user, sheet):
        field = "review_score"
    elif state is SheetState.APPROVED:
        raise AssessmentRefused("考核表已审定，分数不能再修改")
    else:
        raise AssessmentRefused(f"您现在不能修改该考核表的分数（自评由被考核单位在自评阶段填写，审核分由"
                                f"{reviewer_label(sheet)}在初审阶段填写）")
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise AssessmentRefused(f"分数“{value}”不是数字") from None
    if number < 0:
        raise AssessmentRefused("分数不能为负数")
    if number > score.points:
        raise AssessmentRefused(f"分数 {number} 超过该指标满分 {score.points} 分")
    reason = (reason or "").strip()
    if not reason and (score.rule == "manual" or number != score.auto_score):
        raise AssessmentRefused("人工评分或调整自动得分须写明理由")
    setattr(score, field, number)
    if reason:
        score.reason = reason[:2000]
    save_scoped(score, user, update_fields=[field, "reason"])
    return score


def act(user: Any, sheet: AssessmentSheet, action: str) -> AssessmentSheet:
    """Move the sheet one step: submit (the unit); review, or return, at 初审 (the first reviewer: the pack's
    department for a county, the city for a department); approve, or return, at 审定 (the city, another person)."""
    state = SheetState(sheet.state)
    try:
        new = transition(state, action)
    except IllegalTransition as exc:
        raise AssessmentRefused(str(exc)) from None
    first_level = action == "review" or (action == "return" and state is SheetState.SUBMITTED)
    if action == "submit" and not _owner_of(user, sheet):
        raise AssessmentRefused("只有被考核单位可以提交自评")
    if first_level and not first_reviewer(user, sheet):
        raise AssessmentRefused(f"该考核表的初审由{reviewer_label(sheet)}进行")
    if not first_level and action in ("approve", "return") and not roles_of(user) & CITY:
        raise AssessmentRefused("只有市级工作人员可以审定考核表")
    name = user_name(user)
    if action == "submit" and sheet.scores.filter(rule="manual", self_score__isnull=True).exists():
        raise AssessmentRefused("人工评分指标尚未自评，不能提交")
    if action == "approve" and name == sheet.reviewed_by:
        raise AssessmentRefused("审定须由初审以外的另一位工作人员进行")
    with transaction.atomic():
        sheet.state = new
        if action == "review":
            sheet.reviewed_by = name
        sheet.history = [*sheet.history, {"action": action, "label": ACTION_LABELS[action], "by": name}]
        if action == "approve":
            _finalise(sheet)
        save_scoped(sheet, user)
        if action == "approve":
            _rerank(user, sheet)
    return sheet


def _finalise(sheet: AssessmentSheet) -> None:
    spec = active_spec()
    total = sum((s.final or Decimal(0)) for s in sheet.scores.all())
    sheet.total = Decimal(total).quantize(Decimal("0.01"))
    if spec is not None and spec.assessment is not None:
        grades = [(g.name, g.min_score, g.outcome) for g in spec.assessment.grades]
        sheet.grade, sheet.outcome = grade_for(float(sheet.total), grades)


def _rerank(user: Any, sheet: AssessmentSheet) -> None:
    """Rank the approved sheets of the same assessment, counties and departments apart."""
    peers = AssessmentSheet.objects.writable_by(user).filter(kind=sheet.kind, year=sheet.year, state="approved",
                                                             region__isnull=sheet.region_id is None)
    ranks = competition_rank({p.pk: float(p.total or 0) for p in peers})
    for peer in peers:
        if peer.rank != ranks[peer.pk]:
            peer.rank = ranks[peer.pk]
            save_scoped(peer, user, update_fields=["rank"])


EXPORT_HEADER = ["名次", "单位", "类型", "状态", "总分", "等次", "奖惩"]


def export_rows(sheets: list[AssessmentSheet], indicators: list[str]) -> list[list[Any]]:
    from ..compute import STATE_LABELS

    rows = []
    for s in sheets:
        finals = {sc.indicator: sc.final for sc in s.scores.all()}
        rows.append([s.rank or "", s.unit_name, "县区" if s.region_id else "部门", STATE_LABELS[SheetState(s.state)],
                     float(s.total) if s.total is not None else "", s.grade, s.outcome,
                     *[float(finals[i]) if finals.get(i) is not None else "" for i in indicators]])
    return rows
