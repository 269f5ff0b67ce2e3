"""Load a policy pack into the database: idempotent, versioned, with its content hash."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ..models import Department, PolicyPack, Region
from ..models.org import RegionKind
from ..policy.check import PackError, check_file
from ..policy.schema import PolicyPackSpec


class PackInvalid(Exception):
    def __init__(self, errors: list[PackError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class LoadResult:
    pack: PolicyPack
    created: bool
    regions: int
    departments: int

    def describe(self) -> str:
        verb = "已加载" if self.created else "未变化（内容哈希相同，跳过）"
        return (
            f"政策包 {self.pack.code} v{self.pack.version} {verb}；哈希 {self.pack.content_hash[:12]}；"
            f"区域 {self.regions} 个，部门 {self.departments} 个。"
        )


def default_pack_path() -> Path:
    return Path(settings.POLICY_DIR) / settings.GONGQIANG_POLICY_FILE


def load_pack(path: str | Path, *, loaded_by: str = "system") -> LoadResult:
    checked = check_file(path)
    if not checked.ok:
        raise PackInvalid(checked.errors)
    spec = checked.spec
    assert spec is not None
    header = spec.pack
    with transaction.atomic():
        existing = PolicyPack.objects.select_for_update().filter(code=header.code, version=header.version).first()
        if existing is not None:
            if existing.content_hash != checked.content_hash:
                raise PackInvalid(
                    [PackError("pack.version", f"版本 {header.version} 已加载过且内容不同：修改政策包须提升版本号。")]
                )
            created = False
            pack = existing
        else:
            created = True
            pack = PolicyPack.objects.create(
                code=header.code,
                version=header.version,
                title=header.title,
                content_hash=checked.content_hash,
                source_file=str(Path(path).name),
                data=spec.model_dump(mode="json"),
                loaded_by=loaded_by,
            )
        if not pack.is_active:
            PolicyPack.objects.filter(code=header.code).exclude(pk=pack.pk).update(is_active=False)
            pack.is_active = True
            pack.save(update_fields=["is_active"])
        regions, departments = _sync_organisation(spec)
    return LoadResult(pack, created, regions, departments)


def _upsert(model, lookup: dict, values: dict):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [k for k, v in values.items() if getattr(obj, k if not hasattr(v, "pk") else f"{k}_id") != (v.pk if hasattr(v, "pk") else v)]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save()
    return obj


def _sync_organisation(spec: PolicyPackSpec) -> tuple[int, int]:
    org = spec.organisation
    city = _upsert(Region, {"code": org.city.code}, {"name": org.city.name, "kind": RegionKind.CITY, "parent": None, "sort_order": 0})
    for n, r in enumerate(org.regions, start=1):
        _upsert(
            Region,
            {"code": r.code},
            {"name": r.name, "short_name": r.short_name, "kind": r.kind.value, "parent": city, "sort_order": n},
        )
    for n, d in enumerate(org.departments, start=1):
        _upsert(
            Department,
            {"code": d.code},
            {"name": d.name, "short_name": d.short_name, "region": city, "supplies_data": d.supplies_data, "sort_order": n},
        )
    return len(org.regions) + 1, len(org.departments)


@lru_cache(maxsize=4)
def _spec_for(content_hash: str, pk: int) -> PolicyPackSpec:
    return PolicyPackSpec.model_validate(PolicyPack.objects.get(pk=pk).data)


def active_spec() -> PolicyPackSpec | None:
    """The active pack as a validated spec (None before any pack is loaded)."""
    row = PolicyPack.objects.filter(is_active=True).order_by("-loaded_at").first()
    return _spec_for(row.content_hash, row.pk) if row else None


def active_pack() -> PolicyPack | None:
    return PolicyPack.objects.filter(is_active=True).order_by("-loaded_at").first()
