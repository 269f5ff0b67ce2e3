"""Who may see and write which targets (the rule of issue 5, on top of the rows' data scope).

- leaders, city staff and administrators: every target (leaders read only);
- county users: every target's city total, and their own county's decomposed targets;
- department users: the targets their department owns.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import memberships_of

from .catalog import Catalog, TargetInfo

SEE_ALL = frozenset({"admin", "city", "leader", "county"})
STAFF = frozenset({"admin", "city", "leader", "department", "county"})
WRITERS = frozenset({"admin", "city", "department", "county"})
CITY_WRITERS = frozenset({"admin", "city"})


def owned_departments(user: Any) -> set[str] | None:
    """The department codes a department-only user owns; None when the user sees every target."""
    if roles_of(user) & SEE_ALL:
        return None
    return {m.department.code for m in memberships_of(user) if m.department_id}


def visible_targets(user: Any, cat: Catalog) -> list[TargetInfo]:
    owned = owned_departments(user)
    return [t for t in cat.targets if owned is None or t.spec.owner in owned]


def target_or_404(user: Any, cat: Catalog, target_id: str) -> TargetInfo:
    info = cat.get(target_id)
    owned = owned_departments(user)
    if owned is not None and info.spec.owner not in owned:
        raise Http404("未找到，或不在您的数据范围内。")
    return info


def sees_all_counties(user: Any) -> bool:
    """Sums over counties are shown only to those who see every county (otherwise they mislead)."""
    return bool(roles_of(user) & {"admin", "city", "leader", "department"})


def county_regions_of(user: Any) -> list[Any]:
    return [m.region for m in memberships_of(user) if m.role == "county" and m.region_id]


def can_enter(user: Any, info: TargetInfo) -> bool:
    """May enter values for the city total (city staff, the owning department)."""
    roles = roles_of(user)
    if roles & CITY_WRITERS:
        return True
    return any(m.department_id and m.department.code == info.spec.owner
               for m in memberships_of(user, writing=True))


def can_split(user: Any) -> bool:
    return bool(roles_of(user) & CITY_WRITERS)
