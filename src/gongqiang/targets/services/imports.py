"""Importing target values from a workbook: every row checked; any error, nothing written.

Same style as the registry imports: the report names the row (as Excel numbers it), the column and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from gongqiang.core.models import Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS
from gongqiang.core.scope import ScopeViolation, save_scoped

from ..models import ImportKind, ImportStatus, Source, TargetImport
from .access import owned_departments, visible_targets
from .catalog import Catalog
from .observations import Entry, EntryInvalid, commit, may_write_region, prepare
from .progress import city_region
from .workbooks import RowError, SheetRejected, read_sheet, workbook

HEADER = ["目标编号", "目标名称", "区域代码", "区域名称", "期间", "数值", "单位", "说明"]
REQUIRED = ("目标编号", "区域代码", "期间", "数值")
FIELD_COLUMNS = {"region": "区域代码", "period": "期间", "value": "数值", "unit": "单位"}


def template(user: Any, cat: Catalog, today: dt.date) -> bytes:
    """One line per target (and region) the user may enter, the period and value left to fill."""
    city = city_region()
    lines = []
    for info in visible_targets(user, cat):
        regions = [city] if may_write_region(user, info, city) is None else []
        if not regions:
            counties = Region.objects.visible_to(user).filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order")
            regions = [r for r in counties if may_write_region(user, info, r) is None]
        for r in regions:
            lines.append([info.id, info.spec.name, r.code, r.name, "", "", info.spec.unit, ""])
    notes = [
        "填表说明（目标数据导入）",
        "1. 每行一个目标、一个区域、一个期间的数值；“数值”留空的行不导入。",
        "2. 期间写作 2025（年度）、2025Q3（1–9月累计）或 2025-10（1–10月累计）；只能填目标报送周期允许的期间。",
        "3. 数值按“单位”列的单位填写；单位可改为同类单位（如 亿元 → 万元），系统换算为目标的单位。",
        "4. 同一目标、区域、期间已有数值的，导入值替换原值，原值保留在历史中。",
        "5. 任何一行有错，整个文件都不写入；错误报告列出行号、列和原因。",
        f"6. 政策包：{cat.spec.pack.title} v{cat.pack_version}。下载时间 {today.isoformat()}。",
    ]
    return workbook([("目标数据", HEADER, lines)], notes)


def _uploader_region(user: Any) -> tuple[Region, Any]:
    from gongqiang.core.scope import memberships_of

    for m in memberships_of(user, writing=True):
        if m.role == "county" and m.region_id:
            return m.region, None
    dept = None
    if owned_departments(user):
        dept = next((m.department for m in memberships_of(user, writing=True) if m.department_id), None)
    return city_region(), dept


def import_observations(user: Any, cat: Catalog, data: bytes, file_name: str, today: dt.date) -> TargetImport:
    """Check every row; write all of them in one transaction, or none and keep the errors."""
    region, dept = _uploader_region(user)
    batch = TargetImport(kind=ImportKind.OBSERVATIONS, region=region, department=dept, file_name=file_name[:255],
                         file_hash=hashlib.sha256(data).hexdigest(), status=ImportStatus.REJECTED,
                         uploaded_by=user, uploaded_by_name=getattr(user, "display_name", "") or user.get_username())
    errors: list[RowError] = []
    entries: list[tuple[int, Entry, str]] = []
    try:
        sheet = read_sheet(data, REQUIRED, ("目标名称", "区域名称", "单位", "说明"))
    except SheetRejected as exc:
        errors.append(RowError(0, "", str(exc)))
        sheet = None
    if sheet is not None:
        regions = {r.code: r for r in Region.objects.visible_to(user).filter(kind__in=COUNTY_LEVEL_KINDS)}
        city = city_region()
        regions[city.code] = city
        seen: dict[tuple[str, str, str], int] = {}
        for row_no, cells in sheet.rows:
            value = sheet.cell(cells, "数值")
            if value in (None, ""):
                continue  # a template line left empty
            code = str(sheet.cell(cells, "目标编号") or "")
            info = cat.by_id.get(code)
            if info is None or info not in visible_targets(user, cat):
                errors.append(RowError(row_no, "目标编号", f"未知的目标编号“{code}”或不在您的范围内"))
                continue
            rcode = str(sheet.cell(cells, "区域代码") or "").removesuffix(".0")
            reg = regions.get(rcode)
            if reg is None:
                errors.append(RowError(row_no, "区域代码", f"区域代码“{rcode}”不是全市或您范围内的县区"))
                continue
            try:
                entry = prepare(user, cat, info, reg, sheet.cell(cells, "期间"), value, sheet.cell(cells, "单位"), today)
            except EntryInvalid as exc:
                errors += [RowError(row_no, FIELD_COLUMNS.get(f, f), m) for f, m in exc.cells]
                continue
            key = (info.id, reg.code, entry.period.key)
            if key in seen:
                errors.append(RowError(row_no, "期间", f"与第 {seen[key]} 行重复（同一目标、区域、期间只能有一个值）"))
                continue
            seen[key] = row_no
            entries.append((row_no, entry, str(sheet.cell(cells, "说明") or "")))
        batch.rows = len(sheet.rows)
        if not entries and not errors:
            errors.append(RowError(0, "数值", "文件中没有填写数值的行"))
    batch.errors = [{"row": e.row, "column": e.column, "reason": e.reason} for e in errors]
    with transaction.atomic():
        batch.file.save(f"{batch.file_hash[:16]}.xlsx", ContentFile(data), save=False)
        save_scoped(batch, user)
        if not errors:
            try:
                with transaction.atomic():
                    for row_no, entry, note in entries:
                        commit(user, cat, entry, note=note, source=Source.IMPORTED, batch=batch,
                               inputs={"row": row_no})
            except ScopeViolation as exc:
                batch.errors = [{"row": 0, "column": "", "reason": str(exc)}]
            else:
                batch.status, batch.written = ImportStatus.COMMITTED, len(entries)
            save_scoped(batch, user, update_fields=["status", "written", "errors"])
    return batch
