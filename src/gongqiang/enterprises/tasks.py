"""Background jobs of the enterprises app (Celery; inline when no broker is configured)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.core.exceptions import PermissionDenied

from gongqiang.core.audit import audit_context

logger = logging.getLogger(__name__)


@shared_task(name="enterprises.commit_batch")
def commit_batch_task(batch_id: int, user_id: int | None) -> dict[str, Any]:
    """Commit a staged batch. A refusal leaves it VALIDATED with the reason; any other failure marks it
    FAILED with the reason (nothing is written either way: the commit is one transaction)."""
    from gongqiang.core.models import User

    from .models import ImportBatch
    from .services.import_commit import commit, mark_failed
    from .services.imports import ImportRefused

    batch = ImportBatch.objects.get(pk=batch_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    with audit_context(user=user, actor_name="" if user else "system:import"):
        try:
            batch = commit(batch, user)
        except (ImportRefused, PermissionDenied) as exc:
            return {"batch": batch_id, "status": "refused", "message": str(exc)}
        except Exception as exc:  # recorded on the batch; the page shows it
            logger.exception("import batch %s failed", batch_id)
            mark_failed(batch_id, f"写入失败，未写入任何数据：{exc}")
            return {"batch": batch_id, "status": "failed", "message": str(exc)}
    return {"batch": batch_id, "status": batch.status, "counts": batch.counts}
