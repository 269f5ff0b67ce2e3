"""Manual status judgements: one current per target and region, the old ones kept."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from gongqiang.core.models import Region
from gongqiang.core.scope import save_scoped

from ..compute import Status
from ..models import StatusOverride
from .catalog import TargetInfo
from .observations import owner_department


class OverrideInvalid(Exception):
    pass


def set_override(user: Any, info: TargetInfo, region: Region, status: str, reason: str) -> StatusOverride | None:
    """Replace the current judgement (status "" withdraws it). Rechecked against the user's write scope."""
    if status and status not in {s.value for s in Status if s != Status.tracked}:
        raise OverrideInvalid(f"未知的状态“{status}”")
    if status and not reason.strip():
        raise OverrideInvalid("人工认定状态须写明理由。")
    name = getattr(user, "display_name", "") or user.get_username()
    with transaction.atomic():
        current = StatusOverride.objects.writable_by(user).filter(target=info.id, region=region, is_current=True)
        for old in current:
            old.is_current = False
            save_scoped(old, user, update_fields=["is_current"])
        if not status:
            return None
        obj = StatusOverride(target=info.id, region=region, department=owner_department(info), status=status,
                             reason=reason.strip(), created_by=user, created_by_name=name)
        save_scoped(obj, user)
    return obj
