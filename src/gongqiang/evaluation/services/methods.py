"""The method of each evaluation year: taken from the pack, copied from the previous year, edited by the
city. Every change is a new `MethodVersion`; the engine reads the validated `EvaluationMethod`."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction

from gongqiang.core.audit import actor_name
from gongqiang.core.policy.evaluation import EvaluationMethod, EvaluationSection, parse_method
from gongqiang.core.policy.schema import PolicyPackSpec
from gongqiang.core.services.policy import active_pack, active_spec

from ..models import MethodOrigin, MethodVersion


class MethodError(ValueError):
    """The method cannot be used or saved; the message is Chinese, one problem per line."""


def section(spec: PolicyPackSpec | None = None) -> EvaluationSection:
    spec = spec or active_spec()
    if spec is None or spec.evaluation is None:
        raise MethodError("当前政策包没有亩产效益评价方法（evaluation 部分），请先加载含评价方法的政策包。")
    return spec.evaluation


def item_names(spec: PolicyPackSpec | None = None) -> dict[str, str]:
    return {i.code: i.name for i in section(spec).items}


def spec_hash(spec: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def to_method(raw: dict[str, Any]) -> EvaluationMethod:
    spec = active_spec()
    ev = section(spec)
    try:
        return parse_method(raw, metrics={m.code for m in spec.metrics}, items=ev.item_kinds())  # type: ignore[union-attr]
    except ValueError as exc:
        raise MethodError(str(exc)) from None


def as_json(method: EvaluationMethod) -> dict[str, Any]:
    return method.model_dump(mode="json", by_alias=True)


def current_version(year: int) -> MethodVersion:
    """The latest method version of `year`, created from the pack's method for that year on first use."""
    found = MethodVersion.objects.filter(year=year).order_by("-version").first()
    if found is not None:
        return found
    method = section().method_for(year)
    if method is None:
        raise MethodError(
            f"政策包没有适用于{year}年的评价方法（最早的方法自{section().methods[0].from_year}年起）。"
        )
    return _save(year, as_json(method), MethodOrigin.PACK, based_on=None, note="政策包默认方法", user=None)


def copy_previous(year: int, user: Any) -> MethodVersion:
    """A new version of `year` identical to the latest method of `year - 1`."""
    previous = MethodVersion.objects.filter(year=year - 1).order_by("-version").first()
    if previous is None:
        raise MethodError(f"{year - 1}年还没有评价方法，无法复制。")
    spec = dict(previous.spec)
    return _save(
        year,
        spec,
        MethodOrigin.COPY,
        based_on=previous,
        note=f"复制{year - 1}年第{previous.version}版",
        user=user,
    )


def save_edit(year: int, raw: dict[str, Any], user: Any, note: str) -> MethodVersion:
    """Validate an edited method and keep it as the next version of `year`; unchanged → no new version."""
    if not note.strip():
        raise MethodError("请填写修改说明。")
    method = to_method(raw)
    spec = as_json(method)
    latest = current_version(year)
    if spec_hash(spec) == latest.sha256:
        raise MethodError("方法没有变化，未保存新版本。")
    return _save(year, spec, MethodOrigin.EDIT, based_on=latest, note=note.strip(), user=user)


def _save(
    year: int, spec: dict[str, Any], origin: str, *, based_on: MethodVersion | None, note: str, user: Any
) -> MethodVersion:
    pack = active_pack()
    with transaction.atomic():
        last = MethodVersion.objects.select_for_update().filter(year=year).order_by("-version").first()
        return MethodVersion.objects.create(
            year=year,
            version=(last.version + 1) if last else 1,
            spec=spec,
            sha256=spec_hash(spec),
            origin=origin,
            based_on=based_on,
            note=note,
            pack_version=pack.version if pack else "",
            pack_hash=pack.content_hash if pack else "",
            created_by=user if getattr(user, "pk", None) else None,
            created_by_name=actor_name(user),
        )


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The parameters that differ between two method specs, as readable lines (path: old → new)."""
    lines: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b), key=str):
                walk(a.get(k), b.get(k), f"{path}.{k}" if path else str(k))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for n, (x, y) in enumerate(zip(a, b, strict=True)):
                key = x.get("code") or x.get("item") or x.get("class") if isinstance(x, dict) else None
                walk(x, y, f"{path}[{key or n}]")
        elif a != b:
            lines.append(f"{path}：{_short(a)} → {_short(b)}")

    walk(old, new, "")
    return [line for line in lines if not line.startswith(("version", "name"))]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "…"
