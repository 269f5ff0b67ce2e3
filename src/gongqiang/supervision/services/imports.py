"""Excel import of a task list (a department's 专项方案): every row checked, nothing written on any error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction

from gongqiang.core.models import Department, Region
from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import ScopeViolation, memberships_of
from gongqiang.core.services.policy import active_spec
from gongqiang.targets.services.workbooks import RowError, SheetRejected, cell_text, read_sheet, workbook

from ..models import Milestone, Task, TaskLine
from .lines import ensure_lines

REQUIRED = ("专线", "任务编号", "任务名称", "责任单位", "开始日期", "完成时限")
OPTIONAL = ("上级任务编号", "配合单位", "成果形式", "关联目标", "里程碑")
HEADER = [*REQUIRED, *OPTIONAL]
SEPARATORS = re.compile(r"[、,，;；\s]+")


@dataclass
class ImportOutcome:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rejected(Exception):
    pass


def template() -> bytes:
    example = ["T4", "T4-01", "组织科技型中小企业评价入库", "kjj", "2024-01-01", "2024-12-31", "",
               "gxj", "入库名单", "T4.1", "完成半数入库@2024-06-30；全部入库@2024-12-31"]
    notes = [
        "每行一个任务。专线填编号（T1…T10）；任务编号在本专线内唯一。",
        "责任单位填部门代码或名称，或县区区划代码或名称（二选一，一个单位）。",
        "上级任务编号：子任务填其上级任务的编号（同一专线，只支持一级子任务）。",
        "日期格式 YYYY-MM-DD；完成时限不得早于开始日期。",
        "配合单位、关联目标用顿号分隔；里程碑写成“节点@日期”，多个用分号分隔。",
        "任何一行有错，整个文件不写入。",
    ]
    return workbook([("任务清单", HEADER, [example])], notes)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    try:
        return date.fromisoformat(text.replace("/", "-").replace(".", "-"))
    except ValueError:
        raise _Rejected(f"“{text}”不是有效日期（应为 YYYY-MM-DD）") from None


def _unit(text: str, departments: dict[str, Department], regions: dict[str, Region]) -> Department | Region:
    unit = departments.get(text) or regions.get(text)
    if unit is None:
        raise _Rejected(f"找不到单位“{text}”（填部门代码/名称或县区区划代码/名称）")
    return unit


def _milestones(text: str, start: date, deadline: date) -> list[tuple[str, date]]:
    out = []
    for part in filter(None, (p.strip() for p in re.split(r"[;；\n]", text))):
        if "@" not in part:
            raise _Rejected(f"里程碑“{part}”应写成“节点@日期”")
        title, _, when = part.rpartition("@")
        due = _date(when)
        if not title.strip():
            raise _Rejected(f"里程碑“{part}”缺少节点名称")
        if due < start or due > deadline:
            raise _Rejected(f"里程碑“{title}”的日期 {due} 不在任务起止日期之内")
        out.append((title.strip(), due))
    return out


def import_tasks(data: bytes, user: Any) -> ImportOutcome:
    """Check every row; write all of them in one transaction only when none has an error."""
    outcome = ImportOutcome()
    try:
        sheet = read_sheet(data, REQUIRED, OPTIONAL)
    except SheetRejected as exc:
        outcome.errors.append(RowError(0, "", str(exc)))
        return outcome
    ensure_lines()
    spec = active_spec()
    target_ids = {t.id for t in spec.targets} if spec else set()
    # scope: reviewed — lookups of reference data (lines, departments, regions) to resolve names
    lines = {line.code: line for line in TaskLine.objects.all()}
    departments: dict[str, Department] = {}
    for d in Department.objects.all():  # scope: reviewed — departments are public reference data
        departments[d.code] = departments[d.name] = d
        if d.short_name:
            departments[d.short_name] = d
    regions: dict[str, Region] = {}
    for r in Region.objects.filter(kind__in=("district", "county", "zone")):  # scope: reviewed — name lookup only
        regions[r.code] = regions[r.name] = r
        if r.short_name:
            regions[r.short_name] = r
    # scope: reviewed — uniqueness check of (line, code) across the city, nothing is shown
    existing = set(Task.objects.values_list("line__code", "code"))
    existing_parents = {(t.line.code, t.code): t for t in Task.objects.filter(parent__isnull=True)  # scope: reviewed
                        .select_related("line")}
    planned: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for number, cells in sheet.rows:
        def cell(name: str, _cells: list[Any] = cells) -> str:
            return cell_text(sheet.cell(_cells, name))

        def raw(name: str, _cells: list[Any] = cells) -> Any:
            return sheet.cell(_cells, name)

        row: dict[str, Any] = {"row": number}
        for column, check in (
            ("专线", lambda: lines[cell("专线")] if cell("专线") in lines else _fail(f"专线“{cell('专线')}”不存在")),
            ("任务编号", lambda: cell("任务编号") or _fail("任务编号不能为空")),
            ("任务名称", lambda: cell("任务名称") or _fail("任务名称不能为空")),
            ("责任单位", lambda: _unit(cell("责任单位"), departments, regions)),
            ("开始日期", lambda: _date(raw("开始日期"))),
            ("完成时限", lambda: _date(raw("完成时限"))),
            ("配合单位", lambda: [departments.get(c) or _fail(f"找不到部门“{c}”")
                                  for c in SEPARATORS.split(cell("配合单位")) if c]),
            ("关联目标", lambda: [c if c in target_ids else _fail(f"政策包中没有目标“{c}”")
                                  for c in SEPARATORS.split(cell("关联目标")) if c]),
        ):
            try:
                row[column] = check()
            except _Rejected as exc:
                outcome.errors.append(RowError(number, column, str(exc)))
        if len(row) < 9:
            continue
        line, code = row["专线"], row["任务编号"]
        if row["完成时限"] < row["开始日期"]:
            outcome.errors.append(RowError(number, "完成时限", "完成时限早于开始日期"))
            continue
        if (line.code, code) in existing or (line.code, code) in seen:
            outcome.errors.append(RowError(number, "任务编号", f"专线 {line.code} 中已有任务编号“{code}”"))
            continue
        seen.add((line.code, code))
        try:
            row["里程碑"] = _milestones(cell("里程碑"), row["开始日期"], row["完成时限"])
        except _Rejected as exc:
            outcome.errors.append(RowError(number, "里程碑", str(exc)))
            continue
        row["上级任务编号"] = cell("上级任务编号")
        row["成果形式"] = cell("成果形式")
        planned.append(row)
    codes_in_file = {(r["专线"].code, r["任务编号"]): r for r in planned}
    for r in planned:
        parent = r["上级任务编号"]
        if not parent:
            continue
        key = (r["专线"].code, parent)
        if key in codes_in_file:
            if codes_in_file[key]["上级任务编号"]:
                outcome.errors.append(RowError(r["row"], "上级任务编号", f"“{parent}”本身是子任务：只支持一级子任务"))
        elif key not in existing_parents:
            outcome.errors.append(RowError(r["row"], "上级任务编号", f"专线 {key[0]} 中找不到上级任务“{parent}”"))
    if outcome.errors:
        return outcome
    try:
        outcome.created = _write(planned, existing_parents, user)
    except ScopeViolation:
        outcome.errors.append(RowError(0, "责任单位", "文件中有任务超出您的数据范围（不是您负责的专线或县区），整个文件未写入"))
    return outcome


def _fail(reason: str) -> Any:
    raise _Rejected(reason)


def _write(planned: list[dict[str, Any]], existing_parents: dict, user: Any) -> int:
    name = user.get_full_name() or user.get_username()
    with transaction.atomic():
        made: dict[tuple[str, str], Task] = {}
        # Parents first, so a sub-task in the same file finds its parent.
        for r in sorted(planned, key=lambda r: bool(r["上级任务编号"])):
            line, unit = r["专线"], r["责任单位"]
            parent = None
            if r["上级任务编号"]:
                key = (line.code, r["上级任务编号"])
                parent = made.get(key) or existing_parents[key]
            task = Task.objects.create(
                line=line, parent=parent, code=r["任务编号"], title=r["任务名称"],
                owner_department=unit if isinstance(unit, Department) else None,
                owner_region=unit if isinstance(unit, Region) else None,
                start_date=r["开始日期"], deadline=r["完成时限"], deliverable=r["成果形式"],
                target_ids=r["关联目标"], created_by_name=name)
            task.co_owners.set(r["配合单位"])
            Milestone.objects.bulk_create([Milestone(task=task, title=t, due=d) for t, d in r["里程碑"]])
            made[(line.code, task.code)] = task
        # Like a save_scoped for the whole batch: every new row must be writable by the importer.
        ids = [t.pk for t in made.values()]
        if Task.objects.writable_by(user).filter(pk__in=ids).count() != len(ids):
            raise ScopeViolation("超出数据范围")
        # A department files for the tasks it owns on any line, but plans (imports) only the lines it leads.
        if not roles_of(user) & {"admin", "city"}:
            led = {m.department_id for m in memberships_of(user, writing=True) if m.role == "department"}
            if any(t.owner_department_id and t.line.owner_id not in led for t in made.values()):
                raise ScopeViolation("超出数据范围")
    return len(made)
