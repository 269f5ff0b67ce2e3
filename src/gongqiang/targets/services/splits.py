"""Decomposing city targets to counties (目标分解): by form or by workbook, only by the city."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gongqiang.core.models import Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS
from gongqiang.core.scope import ScopeViolation, save_scoped

from ..compute.checks import COUNT_UNITS, parse_decimal
from ..models import Allocation, ImportKind, ImportStatus, TargetImport
from .access import can_split
from .catalog import Catalog, TargetInfo
from .observations import owner_department
from .progress import city_region
from .workbooks import RowError, SheetRejected, read_sheet, workbook

HEADER = ["目标编号", "目标名称", "县区代码", "县区名称", "基期值", "目标值", "说明"]
REQUIRED = ("目标编号", "县区代码", "目标值")


class SplitInvalid(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("；".join(e.reason for e in errors))
        self.errors = errors


def counties() -> list[Region]:
    # scope: reviewed — only city staff split targets (checked by the callers); the county list is the pack's.
    return list(Region.objects.filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order"))


def check_share(info: TargetInfo, start: Any, goal: Any, row: int) -> tuple[list[RowError], Decimal | None,
                                                                             Decimal | None]:
    errors = []
    values: list[Decimal | None] = []
    for column, cell in (("基期值", start), ("目标值", goal)):
        try:
            values.append(parse_decimal(cell))
        except ValueError as exc:
            errors.append(RowError(row, column, str(exc)))
            values.append(None)
    s, g = values
    if g is None and not errors:
        errors.append(RowError(row, "目标值", "目标值不能为空"))
    for column, v in (("基期值", s), ("目标值", g)):
        if v is None:
            continue
        if info.spec.unit == "%" and not 0 <= v <= 100:
            errors.append(RowError(row, column, f"{v}% 不在 0–100% 之间"))
        if info.spec.unit in COUNT_UNITS and (v < 0 or v != v.to_integral_value()):
            errors.append(RowError(row, column, f"个数应为非负整数（{v}）"))
    if info.spec.target is None:
        errors.append(RowError(row, "目标编号", f"目标 {info.id} 仅跟踪、没有目标值，不能分解"))
    return errors, s, g


def save_shares(user: Any, info: TargetInfo, shares: dict[Region, tuple[Decimal | None, Decimal | None]],
                batch: TargetImport | None = None, note: str = "") -> int:
    """Replace the current shares of the given counties (goal None withdraws the county's share)."""
    if not can_split(user):
        raise ScopeViolation("只有市级用户可以分解目标。")
    name = getattr(user, "display_name", "") or user.get_username()
    department = owner_department(info)
    written = 0
    with transaction.atomic():
        current = {a.region_id: a for a in Allocation.objects.writable_by(user).filter(target=info.id, is_current=True)}
        for region, (start, goal) in shares.items():
            old = current.get(region.pk)
            if old is not None:
                if goal is not None and old.goal_value == goal and old.start_value == start:
                    continue
                old.is_current, old.superseded_at = False, timezone.now()
                save_scoped(old, user, update_fields=["is_current", "superseded_at"])
            if goal is None:
                continue
            save_scoped(Allocation(target=info.id, region=region, department=department, start_value=start,
                                   goal_value=goal, unit=info.spec.unit, batch=batch, note=note[:200],
                                   created_by=user, created_by_name=name), user)
            written += 1
    return written


def split_template(cat: Catalog) -> bytes:
    lines = []
    for info in cat.targets:
        if info.spec.target is None:
            continue
        for r in counties():
            lines.append([info.id, info.spec.name, r.code, r.name, "", "", ""])
    notes = [
        "填表说明（目标分解到县区）",
        "1. 每行一个目标、一个县区：目标值为该县区到目标年应达到的数（与目标同单位；倍数型目标填金额），基期值可空。",
        "2. 目标值留空的行不导入；已分解的县区再次导入会替换原分解，原分解保留在历史中。",
        "3. 可累加的目标（金额、个数）导入后会核对县区合计与全市目标，差额超过政策包规定的比例时提示。",
        "4. 任何一行有错，整个文件都不写入。",
    ]
    return workbook([("目标分解", HEADER, lines)], notes)


def import_split(user: Any, cat: Catalog, data: bytes, file_name: str) -> TargetImport:
    batch = TargetImport(kind=ImportKind.SPLIT, region=city_region(), file_name=file_name[:255],
                         file_hash=hashlib.sha256(data).hexdigest(), status=ImportStatus.REJECTED, uploaded_by=user,
                         uploaded_by_name=getattr(user, "display_name", "") or user.get_username())
    errors: list[RowError] = []
    shares: dict[str, dict[Region, tuple[Decimal | None, Decimal | None]]] = {}
    notes: dict[str, str] = {}
    if not can_split(user):
        errors.append(RowError(0, "", "只有市级用户可以分解目标"))
    try:
        sheet = read_sheet(data, REQUIRED, ("目标名称", "县区名称", "基期值", "说明"))
    except SheetRejected as exc:
        errors.append(RowError(0, "", str(exc)))
        sheet = None
    if sheet is not None and not errors:
        regions = {r.code: r for r in counties()}
        for row_no, cells in sheet.rows:
            goal = sheet.cell(cells, "目标值")
            if goal in (None, ""):
                continue
            info = cat.by_id.get(str(sheet.cell(cells, "目标编号") or ""))
            if info is None:
                errors.append(RowError(row_no, "目标编号", f"未知的目标编号“{sheet.cell(cells, '目标编号')}”"))
                continue
            region = regions.get(str(sheet.cell(cells, "县区代码") or "").removesuffix(".0"))
            if region is None:
                errors.append(RowError(row_no, "县区代码", f"“{sheet.cell(cells, '县区代码')}”不是县级单位的代码"))
                continue
            row_errors, start, value = check_share(info, sheet.cell(cells, "基期值"), goal, row_no)
            if region in shares.get(info.id, {}):
                row_errors.append(RowError(row_no, "县区代码", f"{info.id} {region.name} 重复出现"))
            errors += row_errors
            if not row_errors:
                shares.setdefault(info.id, {})[region] = (start, value)
                notes[info.id] = str(sheet.cell(cells, "说明") or "")
        batch.rows = len(sheet.rows)
    batch.errors = [{"row": e.row, "column": e.column, "reason": e.reason} for e in errors]
    with transaction.atomic():
        batch.file.save(f"{batch.file_hash[:16]}.xlsx", ContentFile(data), save=False)
        save_scoped(batch, user)
        if not errors and shares:
            written = 0
            for target, by_region in shares.items():
                written += save_shares(user, cat.by_id[target], by_region, batch, notes.get(target, ""))
            batch.status, batch.written = ImportStatus.COMMITTED, written
            save_scoped(batch, user, update_fields=["status", "written"])
    return batch
