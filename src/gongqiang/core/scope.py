"""Data scope by construction.

Every model that belongs to a region, a department or an enterprise declares once, as `data_scope`,
the lookup path from its rows to that owner; its default manager is a `ScopedManager`. Views, the API
and exports read through `Model.objects.visible_to(user)` (the base classes in `views.py` and `api.py`
do it for them), and writes go through `save_scoped` / `delete_scoped`, which recheck the row inside
the transaction and roll back when it escaped the user's scope.

The rule is fixed, not configurable: user → memberships → (role, region subtree | department |
enterprise). A user without any membership sees nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q

if TYPE_CHECKING:
    from .models import Membership


class ScopeViolation(PermissionDenied):
    """A write that would leave (or reach outside) the user's data scope."""


@dataclass(frozen=True)
class ScopePath:
    """Where a model's rows hang in the organisation.

    region:     lookup path to a `Region` ("" when the row is a Region), e.g. "enterprise__region".
    department: lookup path to a `Department` ("" when the row is a Department).
    enterprise: lookup path to an `Enterprise` ("" when the row is an Enterprise).
    public:     reference data every member may read (departments, the policy pack).
    departments_read_regions: department staff read region rows city-wide (their data sources cover
                the whole city); set False for rows that only the owning department may read.
    """

    region: str | None = None
    department: str | None = None
    enterprise: str | None = None
    public: bool = False
    departments_read_regions: bool = True


def _lookup(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


def _membership_filter(scope: ScopePath, membership: Membership) -> Q | None:
    """The rows one membership reaches; None for nothing, an empty Q for everything."""
    from .models import Role

    role = membership.role
    if role in (Role.ADMIN, Role.CITY, Role.LEADER) or scope.public:
        return Q()
    if role == Role.COUNTY and membership.region_id:
        if scope.region is not None:
            return Q(**{_lookup(scope.region, "path__startswith"): membership.region.path})
        return None
    if role == Role.DEPARTMENT and membership.department_id:
        if scope.department is not None:
            return Q(**{_lookup(scope.department, "pk"): membership.department_id})
        if scope.departments_read_regions and (scope.region is not None or scope.enterprise is not None):
            return Q()
        return None
    if role == Role.ENTERPRISE and membership.enterprise_id:
        if scope.enterprise is not None:
            return Q(**{_lookup(scope.enterprise, "pk"): membership.enterprise_id})
        return None
    return None


def memberships_of(user: Any, *, writing: bool = False) -> list[Membership]:
    """The user's active memberships (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_gq_memberships", None)
    if cached is None:
        cached = list(user.memberships.select_related("region", "department", "enterprise"))
        user._gq_memberships = cached
    if writing:
        from .models import Role

        return [m for m in cached if m.role != Role.LEADER]
    return cached


def scope_filter(model: type[models.Model], user: Any, *, writing: bool = False) -> Q | None:
    """The Q restricting `model` to what `user` may read (or write); None when nothing."""
    scope: ScopePath | None = getattr(model, "data_scope", None)
    if scope is None:
        raise TypeError(f"{model.__name__} declares no data_scope")
    if getattr(user, "is_superuser", False) and user.is_active:
        return Q()
    combined: Q | None = None
    for membership in memberships_of(user, writing=writing):
        q = _membership_filter(scope, membership)
        if q is None:
            continue
        if not q:  # everything
            return Q()
        combined = q if combined is None else combined | q
    return combined


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ScopedQuerySet:
        q = scope_filter(self.model, user)
        return self.none() if q is None else self.filter(q)

    def writable_by(self, user: Any) -> ScopedQuerySet:
        q = scope_filter(self.model, user, writing=True)
        return self.none() if q is None else self.filter(q)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def can_write(user: Any, model: type[models.Model]) -> bool:
    return scope_filter(model, user, writing=True) is not None


def save_scoped(obj: models.Model, user: Any, *, update_fields: Iterable[str] | None = None) -> models.Model:
    """Save `obj` as `user`: refused (and rolled back) unless the row is writable before and after."""
    model = type(obj)
    with transaction.atomic():
        if obj.pk is not None and model._default_manager.filter(pk=obj.pk).exists():
            if not model._default_manager.writable_by(user).filter(pk=obj.pk).exists():
                raise ScopeViolation("无权修改该记录。")
        obj.save(update_fields=update_fields)
        # Re-read through the scope: a row moved or created outside it must not survive.
        if not model._default_manager.writable_by(user).filter(pk=obj.pk).exists():
            raise ScopeViolation("该记录超出您的数据范围，已撤销保存。")
    return obj


def delete_scoped(obj: models.Model, user: Any) -> None:
    model = type(obj)
    with transaction.atomic():
        if not model._default_manager.writable_by(user).filter(pk=obj.pk).exists():
            raise ScopeViolation("无权删除该记录。")
        obj.delete()


def bulk_check_scoped(model: type[models.Model], user: Any, pks: Iterable[Any]) -> None:
    """For bulk writes: every written pk must be writable (counts compared, as NetBox does)."""
    pks = list(set(pks))
    if model._default_manager.writable_by(user).filter(pk__in=pks).count() != len(pks):
        raise ScopeViolation("部分记录超出您的数据范围，已全部撤销。")
