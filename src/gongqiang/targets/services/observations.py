"""Entering a target's value: checked completely before anything is written, replacing with history.

`prepare` collects every reason a value cannot be saved (Chinese, one sentence each) or returns what
will be written, with the converted value, so the form can show it before saving. `commit` writes it:
the current row of the same target, region and period stops being current, the new one is saved
through the data scope (rechecked in the transaction), and a late value is marked as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongqiang.core.models import Department, Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS
from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import memberships_of, save_scoped

from ..compute import Period, PeriodError, parse_period
from ..compute.checks import check_value, parse_decimal
from ..compute.periods import closes_on
from ..compute.units import UnitError, convert
from ..models import Allocation, Observation, Source
from .access import can_enter
from .catalog import Catalog, TargetInfo


class EntryInvalid(Exception):
    """Every reason the value cannot be saved, each with the field it is about (region, period, value, unit)."""

    def __init__(self, cells: list[tuple[str, str]]) -> None:
        self.cells = cells
        self.errors = [message for _, message in cells]
        super().__init__("；".join(self.errors))


@dataclass
class Entry:
    info: TargetInfo
    region: Region
    period: Period
    value: Decimal  # in the target's unit
    entered_value: Decimal
    entered_unit: str
    late: bool
    replaces: Observation | None
    previous: tuple[Period, Decimal] | None

    @property
    def converted(self) -> bool:
        return self.entered_unit != self.info.spec.unit


def may_write_region(user: Any, info: TargetInfo, region: Region) -> str | None:
    """None when the user may enter values of `info` for `region`, else why not."""
    if region.kind == "city":
        return None if can_enter(user, info) else "您无权填报该目标的全市数据（由责任部门或市工信局填报）"
    if region.kind not in COUNTY_LEVEL_KINDS:
        return f"“{region.name}”不是县级单位：目标数据只按全市和县区填报"
    if can_enter(user, info):
        return None
    for m in memberships_of(user, writing=True):
        if m.role == "county" and m.region_id and region.path.startswith(m.region.path):
            # scope: reviewed — only whether the city decomposed this target to the user's own county.
            if Allocation.objects.filter(target=info.id, region=region, is_current=True).exists():
                return None
            return "该目标尚未分解到本县区，不能填报县区数据"
    return "您无权填报该区域的数据"


def _neighbour(info: TargetInfo, region: Region, period: Period) -> tuple[Period, Decimal] | None:
    """The nearest earlier current value (else the nearest later one): the yardstick of the unit check."""
    # scope: reviewed — the comparison value is of the same target and region the user may write.
    qs = Observation.objects.filter(target=info.id, region=region, is_current=True).exclude(period=period.key)
    from .progress import period_of

    before = qs.filter(Q(year__lt=period.year) | Q(year=period.year, months__lt=period.months))
    row = before.order_by("-year", "-months").first() or qs.order_by("year", "months").first()
    return (period_of(row.period, row.year, row.months), row.value) if row else None


def prepare(user: Any, cat: Catalog, info: TargetInfo, region: Region, period_text: Any, value_text: Any,
            unit: str | None, today: dt.date) -> Entry:
    errors: list[tuple[str, str]] = []
    if not (roles_of(user) - {"leader", "enterprise"}):
        raise EntryInvalid([("region", "您的角色只读，不能填报")])
    why = may_write_region(user, info, region)
    if why:
        errors.append(("region", why))
    try:
        period: Period | None = parse_period(period_text)
    except PeriodError as exc:
        errors.append(("period", str(exc)))
        period = None
    try:
        entered = parse_decimal(value_text)
        if entered is None:
            errors.append(("value", "数值不能为空"))
    except ValueError as exc:
        errors.append(("value", str(exc)))
        entered = None
    unit = (unit or "").strip() or info.spec.unit
    allowed_units = cat.entry_units(info.spec.unit)
    value = None
    if unit not in allowed_units:
        errors.append(("unit", f"单位“{unit}”不适用于本目标（本目标单位为“{info.spec.unit}”，可填：{'、'.join(allowed_units)}）"))
    elif entered is not None:
        try:
            value = convert(entered, unit, info.spec.unit, cat.units)
        except UnitError as exc:
            errors.append(("unit", str(exc)))
    previous = _neighbour(info, region, period) if period is not None else None
    if period is not None and value is not None and cat.progress is not None:
        errors += check_value(
            kind=info.defn.kind, unit=info.spec.unit, periodicity=info.spec.periodicity,
            first_year=info.first_year, last_year=info.last_year, period=period, value=value,
            previous=previous, unit_check_ratio=cat.progress.unit_check_ratio, today=today,
        )
    if errors:
        raise EntryInvalid(errors)
    assert period is not None and value is not None and entered is not None
    schedule = cat.spec.supervision.schedule
    # scope: reviewed — the row this value replaces is of the same target and region, checked above.
    replaces = Observation.objects.filter(target=info.id, region=region, period=period.key, is_current=True).first()
    late = today > closes_on(period, schedule.monthly_dispatch_due_day, schedule.annual_assessment_due)
    return Entry(info, region, period, value.quantize(Decimal("0.000001")), entered, unit, late, replaces, previous)


def owner_department(info: TargetInfo) -> Department:
    # scope: reviewed — departments are public reference data.
    return Department.objects.get(code=info.spec.owner)


def commit(user: Any, cat: Catalog, entry: Entry, *, note: str = "", attachment: Any = None,
           source: str = Source.ENTERED, batch: Any = None, inputs: dict | None = None) -> Observation:
    """Write the entry: the old current row is kept, marked replaced; both steps rechecked against the scope."""
    name = getattr(user, "display_name", "") or getattr(user, "username", "")
    with transaction.atomic():
        if entry.replaces is not None:
            old = entry.replaces
            old.is_current = False
            old.superseded_at = timezone.now()
            old.superseded_by_name = name
            save_scoped(old, user, update_fields=["is_current", "superseded_at", "superseded_by_name"])
        obs = Observation(
            target=entry.info.id, region=entry.region, department=owner_department(entry.info),
            period=entry.period.key, year=entry.period.year, months=entry.period.months,
            value=entry.value, unit=entry.info.spec.unit, entered_value=entry.entered_value,
            entered_unit=entry.entered_unit, source=source, note=note, batch=batch, inputs=inputs or {},
            created_by=user if getattr(user, "pk", None) else None, created_by_name=name, late=entry.late,
            pack_version=cat.pack_version, pack_hash=cat.pack_hash,
        )
        if attachment:
            obs.attachment = attachment
        save_scoped(obs, user)
    return obs
