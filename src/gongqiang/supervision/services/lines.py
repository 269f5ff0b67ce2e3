"""The ten task lines, synced from the active policy pack (on first use and whenever the pack changes)."""

from __future__ import annotations

from django.db import transaction

from gongqiang.core.models import Department
from gongqiang.core.services.policy import active_spec

from ..models import TaskLine


def sync_lines() -> int:
    """Create or update one TaskLine per line of the active pack; lines are never deleted (tasks hang on them)."""
    spec = active_spec()
    if spec is None:
        return 0
    # scope: reviewed — reference data synced from the pack, not a user read
    departments = {d.code: d for d in Department.objects.all()}
    with transaction.atomic():
        for line in spec.task_lines:
            owner = departments.get(line.owner)
            if owner is None:
                continue
            # scope: reviewed — the pack's lines are public reference data
            obj, _ = TaskLine.objects.update_or_create(
                code=line.id, defaults={"number": line.number, "name": line.name, "owner": owner,
                                        "summary": line.summary})
            obj.co_owners.set([departments[c] for c in line.co_owners if c in departments])
    return len(spec.task_lines)


def ensure_lines() -> None:
    """Sync when the active pack names a line the table lacks (the first page opened after a pack is loaded)."""
    spec = active_spec()
    if spec is None:
        return
    # scope: reviewed — the codes of public reference data
    known = set(TaskLine.objects.values_list("code", flat=True))
    if any(line.id not in known for line in spec.task_lines):
        sync_lines()
