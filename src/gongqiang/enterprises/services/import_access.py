"""Who may import which department's file, and which rows of it.

City staff and administrators: every source, every row. A department: its own sources only. A county:
every source, but only rows of its own county (the others are row errors naming the reason). Leaders
read only; enterprises never import. `user=None` is the system actor (the CLI without --user).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from gongqiang.core.models import Region, Role
from gongqiang.core.policy.schema import ImportSource
from gongqiang.core.scope import memberships_of

from ..models import ImportBatch


class ImportRefused(Exception):
    """The operation was refused for a reason the user can act on (Chinese, shown as it is)."""


@dataclass(frozen=True)
class ImportAccess:
    allowed: bool
    county: Region | None = None  # rows are restricted to this county's subtree
    reason: str = ""


def import_access(user: Any, source: ImportSource) -> ImportAccess:
    if user is None:
        return ImportAccess(True)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ImportAccess(False, reason="请先登录。")
    if user.is_superuser:
        return ImportAccess(True)
    memberships = memberships_of(user, writing=True)
    county: Region | None = None
    departments: list[str] = []
    for m in memberships:
        if m.role in (Role.ADMIN, Role.CITY):
            return ImportAccess(True)
        if m.role == Role.DEPARTMENT and m.department_id:
            if m.department.code == source.department:
                return ImportAccess(True)
            departments.append(m.department.name)
        if m.role == Role.COUNTY and m.region_id and county is None:
            county = m.region
    if county is not None:
        return ImportAccess(True, county=county)
    if departments:
        return ImportAccess(
            False, reason=f"“{source.name}”不属于您所在部门（{'、'.join(departments)}），无权导入。"
        )
    if any(m.role == Role.LEADER for m in memberships_of(user)):
        return ImportAccess(False, reason="领导账号只能查看，不能导入数据。")
    return ImportAccess(False, reason="您的账号无权导入数据。")


def require_import(user: Any, source: ImportSource) -> ImportAccess:
    access = import_access(user, source)
    if not access.allowed:
        raise PermissionDenied(access.reason)
    return access


def require_batch_write(batch: ImportBatch, user: Any, action: str) -> None:
    """Commit, roll back or discard: the uploader's department or county, or the city (scope of the batch)."""
    if user is None or (getattr(user, "is_superuser", False) and user.is_active):
        return
    if not ImportBatch.objects.writable_by(user).filter(pk=batch.pk).exists():
        raise PermissionDenied(f"您无权{action}批次 #{batch.pk}。")


def in_county(region_path: str | None, county: Region) -> bool:
    return bool(region_path) and region_path.startswith(county.path)
