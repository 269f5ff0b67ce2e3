"""Login lockout and auth events."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from ..audit import current_request_id
from ..models import AuthEvent
from ..models.audit import AuthEventKind


def _client(request: HttpRequest | None) -> dict:
    if request is None:
        return {"ip": None, "user_agent": ""}
    ip = request.META.get("REMOTE_ADDR") or None
    return {"ip": ip, "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]}


def record(kind: str, username: str, request: HttpRequest | None = None, user=None) -> None:
    AuthEvent.objects.create(
        kind=kind, username=username[:150], user=user, request_id=current_request_id(), **_client(request)
    )


def record_locked_attempt(username: str, request: HttpRequest | None) -> None:
    record(AuthEventKind.LOCKED, username, request)


def lockout_remaining_minutes(username: str) -> int:
    """Minutes left of a lockout (0 when not locked): N failures inside the window since the last success."""
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    now = timezone.now()
    since = now - window
    last_ok = (
        AuthEvent.objects.filter(username__iexact=username, kind=AuthEventKind.LOGIN, time__gte=since)
        .order_by("-time")
        .values_list("time", flat=True)
        .first()
    )
    failures = AuthEvent.objects.filter(
        username__iexact=username, kind=AuthEventKind.LOGIN_FAILED, time__gte=last_ok or since
    ).order_by("-time")
    times = list(failures.values_list("time", flat=True)[: settings.LOGIN_LOCKOUT_FAILURES])
    if len(times) < settings.LOGIN_LOCKOUT_FAILURES:
        return 0
    # Locked for the window counted from the latest failure that completed the series.
    remaining = (times[0] + window - now).total_seconds()
    return max(1, math.ceil(remaining / 60)) if remaining > 0 else 0
