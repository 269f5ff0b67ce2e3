"""Generic audit hooks: the one place where signals are allowed (style.md).

Every create, update and delete of a row of a gongqiang model is written to `ChangeRecord` with the
user, the request id and the before/after values. The middleware (or `audit_context` for commands and
jobs) says who is acting. Bulk loads that bypass `save()` record a business event instead.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("gq_request_id", default="")
_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("gq_actor", default=None)
_actor_name: contextvars.ContextVar[str] = contextvars.ContextVar("gq_actor_name", default="")

# Fields never copied into the trail.
# Never copied: token digests. Passwords are copied only as a short fingerprint of the hash, so a
# password change shows in the trail without anything that could be used to guess it.
SECRET_FIELDS = {"digest"}
FINGERPRINTED_FIELDS = {"password"}
NOT_AUDITED = {"core.ChangeRecord", "core.AuthEvent"}


def actor_name(user: Any, default: str = "system") -> str:
    """The name written beside a change (created_by_name …): the person's name, else the login, else
    `default` (a system job has no user)."""
    return getattr(user, "display_name", "") or getattr(user, "username", "") or default


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def audit_context(user: Any = None, request_id: str | None = None, actor_name: str = "") -> Iterator[str]:
    """Attribute every change inside the block to `user` (or to `actor_name`, e.g. "system:demo")."""
    rid = request_id or str(uuid.uuid4())
    tokens = (
        _request_id.set(rid),
        _actor.set(user),
        _actor_name.set(actor_name),
    )
    try:
        yield rid
    finally:
        _request_id.reset(tokens[0])
        _actor.reset(tokens[1])
        _actor_name.reset(tokens[2])


def is_audited(model: type[models.Model]) -> bool:
    meta = model._meta
    return (
        meta.app_config is not None
        and meta.app_config.name.startswith("gongqiang.")
        and meta.label not in NOT_AUDITED
        and not getattr(model, "audit_exempt", False)
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | bytes):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def snapshot(instance: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        if field.name in FINGERPRINTED_FIELDS:
            value = getattr(instance, field.attname) or ""
            data[field.attname] = f"已设置（指纹 {hashlib.sha256(value.encode()).hexdigest()[:6]}）" if value else ""
            continue
        data[field.attname] = _json_value(getattr(instance, field.attname))
    return data


def _write(action: str, instance: models.Model, before: dict | None, after: dict | None) -> None:
    from .models import ChangeRecord

    actor = _actor.get()
    if hasattr(actor, "resolve"):  # the request's lazy user
        actor = actor.resolve()
    user = actor if getattr(actor, "pk", None) else None
    ChangeRecord.objects.create(
        user=user,
        user_name=_actor_name.get() or (user.username if user else "system"),
        request_id=_request_id.get(),
        action=action,
        model_label=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def _without_stamps(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    """The snapshot less the fields every save sets (auto_now), which are no change of their own."""
    stamps = {f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
    return {k: v for k, v in data.items() if k not in stamps}


@receiver(pre_save, dispatch_uid="gq_audit_pre_save")
def _remember_before(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if raw or not is_audited(sender) or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._gq_before = snapshot(old) if old is not None else None


@receiver(post_save, dispatch_uid="gq_audit_post_save")
def _record_save(sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not is_audited(sender):
        return
    before = None if created else getattr(instance, "_gq_before", None)
    after = snapshot(instance)
    if not created and before is not None and _without_stamps(sender, before) == _without_stamps(sender, after):
        return  # nothing changed but the auto_now time stamp
    _write("create" if created else "update", instance, before, after)


@receiver(post_delete, dispatch_uid="gq_audit_post_delete")
def _record_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if is_audited(sender):
        _write("delete", instance, snapshot(instance), None)


# Logins, failed logins and logouts: Django's auth signals, recorded as AuthEvent rows.
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed  # noqa: E402


@receiver(user_logged_in, dispatch_uid="gq_login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .services.auth import record

    record("login", user.get_username(), request, user)


@receiver(user_login_failed, dispatch_uid="gq_login_failed")
def _login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    from .services.auth import lockout_remaining_minutes, record

    username = str(credentials.get("username", ""))
    # A refused attempt while locked is recorded by the form as "locked", not as another failure.
    if not lockout_remaining_minutes(username):
        record("login_failed", username, request)


@receiver(user_logged_out, dispatch_uid="gq_logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .services.auth import record

    if user is not None:
        record("logout", user.get_username(), request, user)
