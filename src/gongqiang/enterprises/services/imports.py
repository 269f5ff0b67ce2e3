"""Department imports: stage a file (store, read, map, validate, preview), then commit or roll back.

    batch = stage(data, "税务2024.xlsx", source="tax", year=2024, user=u, mode=CommitMode.VALID_ROWS,
                  create_unknown=False)          # VALIDATED (or FAILED with the reason); nothing written
    preview_rows(batch); error_rows(batch)       # what the page shows
    commit(batch, u)                             # one transaction; history kept (import_commit.py)
    rollback(batch, u)

The pure layer (`..importers`) reads and validates; this module stores, compares with the database and
keeps the validated records for the commit (Parquet beside the upload, see import_files.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import polars as pl
from django.conf import settings
from django.core.files.base import ContentFile

from gongqiang.core.models import Department, Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS
from gongqiang.core.policy.schema import ImportSource, PolicyPackSpec
from gongqiang.core.services.policy import active_pack, active_spec

from ..models import BatchStatus, CommitMode, ImportBatch
from . import import_diff as diffs
from . import import_files as files
from .import_access import ImportRefused, import_access, in_county, require_batch_write, require_import
from .import_commit import commit, rollback

__all__ = [
    "ImportRefused",
    "commit",
    "commit_async",
    "discard",
    "error_rows",
    "may_import",
    "preview_rows",
    "rollback",
    "skipped_rows",
    "stage",
    "stage_validated",
    "template_for",
]

DEFAULT_MAX_ROWS = 1_048_575  # one sheet of Excel less its header; GONGQIANG_IMPORT_MAX_ROWS overrides


def pack_spec() -> PolicyPackSpec:
    spec = active_spec()
    if spec is None:
        raise ImportRefused("尚未加载政策包，无法导入：请先运行 gongqiang policy load。")
    return spec


def source_spec(spec: PolicyPackSpec, code: str) -> ImportSource:
    for source in spec.import_sources:
        if source.code == code:
            return source
    known = "、".join(s.code for s in spec.import_sources)
    raise ImportRefused(f"没有数据来源“{code}”（政策包中的来源：{known}）。")


def may_import(user: Any, source: str) -> bool:
    spec = active_spec()
    if spec is None:
        return False
    try:
        return import_access(user, source_spec(spec, source)).allowed
    except ImportRefused:
        return False


# --------------------------------------------------------------------------------------------------
# Staging
# --------------------------------------------------------------------------------------------------
def _new_batch(
    data: bytes,
    filename: str,
    source: ImportSource,
    year: int,
    user: Any,
    mode: str,
    create_unknown: bool,
    county: Region | None,
) -> ImportBatch:
    pack = active_pack()
    department = Department.objects.filter(code=source.department).first()
    if department is None:
        raise ImportRefused(
            f"数据来源“{source.name}”的部门 {source.department} 不在组织机构中：请先加载政策包。"
        )
    batch = ImportBatch(
        source=source.code,
        department=department,
        region=county,
        year=year,
        file_name=filename[:255],
        file_hash=hashlib.sha256(data).hexdigest(),
        mode=mode,
        create_unknown=create_unknown,
        uploaded_by=user if getattr(user, "pk", None) else None,
        uploaded_by_name=(str(user) if user is not None else "system:import")[:150],
        pack_version=pack.version if pack else "",
        pack_hash=pack.content_hash if pack else "",
        status=BatchStatus.UPLOADED,
    )
    batch.file.save(filename, ContentFile(data), save=False)
    batch.save()
    return batch


def _fail(batch: ImportBatch, reason: str, issues: dict[str, list] | None = None) -> ImportBatch:
    batch.status = BatchStatus.FAILED
    batch.message = reason
    if issues:
        files.save_issues(batch, issues)
    batch.save()
    return batch


def stage(
    data: bytes,
    filename: str,
    *,
    source: str,
    year: int,
    user: Any,
    mode: str = CommitMode.ALL_OR_NOTHING,
    create_unknown: bool = False,
) -> ImportBatch:
    """Store the file and validate it; returns the batch VALIDATED with its preview counts, or FAILED
    with the reason (a bad file writes nothing else). Refuses a user who may not import the source."""
    from ..importers import FileRejected, error_workbook, header_words, map_columns, read_table, validate

    spec = pack_spec()
    src = source_spec(spec, source)
    access = require_import(user, src)
    batch = _new_batch(data, filename, src, year, user, mode, create_unknown, access.county)
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024
    if len(data) > limit:
        return _fail(batch, f"文件大小 {len(data) / 1048576:.1f} MB，超过上限 {settings.UPLOAD_MAX_MB} MB。")
    registry = diffs.registry_frame(year)
    try:
        table = read_table(
            data,
            filename,
            max_rows=getattr(settings, "GONGQIANG_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS),
            header_words=header_words(spec.import_sources),
        )
        column_map = map_columns(table, src, spec.units, spec.metrics, sources=spec.import_sources)
        validated = validate(
            table,
            column_map,
            source=src,
            metrics=spec.metrics,
            units=spec.units,
            year=year,
            known=_known(registry),
            in_scope=_in_scope(access.county, registry),
            create_unknown=create_unknown,
            regions=_region_names(),
        )
    except FileRejected as exc:
        return _fail(batch, exc.reason)
    if create_unknown and access.county is None:
        _refuse_unplaceable(validated)
    report = None
    if validated.errors:
        report = error_workbook(table, validated)
    return _apply(batch, validated, column_map, report, registry)


def stage_validated(
    data: bytes,
    filename: str,
    validated: Any,
    *,
    source: str,
    year: int,
    user: Any,
    mode: str = CommitMode.ALL_OR_NOTHING,
    create_unknown: bool = False,
    mapping: Any = None,
    error_report: bytes | None = None,
) -> ImportBatch:
    """`stage` for a caller that ran the pure layer itself (benchmarks timing the phases, tests)."""
    spec = pack_spec()
    src = source_spec(spec, source)
    access = require_import(user, src)
    batch = _new_batch(data, filename, src, year, user, mode, create_unknown, access.county)
    return _apply(batch, validated, mapping, error_report, diffs.registry_frame(year))


def _known(registry: pl.DataFrame) -> Any:
    """uscc → what the validator knows of a registered enterprise (its name and region code that year)."""
    from ..importers.results import KnownFrame

    return KnownFrame(registry.select("uscc", pl.col("registry_name").alias("name"), "region_code"))


def _refuse_unplaceable(validated: Any) -> None:
    """A new enterprise needs a county: from the file's 区县 column, or the uploader's county. Rows of a
    city-wide upload that give neither become row errors here (the pure layer does not know who uploads)."""
    from ..importers.results import RowError

    records = validated.records
    if records.is_empty() or "new_enterprise" not in records.columns:
        return
    lost = records.filter(pl.col("new_enterprise") & pl.col("region").is_null())
    if lost.is_empty():
        return
    usccs = set(lost.get_column("uscc").to_list())
    rows = set(lost.get_column("row_no").to_list()) | {p.row_no for p in validated.parcels if p.uscc in usccs}
    reason = "企业库中没有该企业，文件也未写明所属县区，无法建档：请补充“所属区县”列或先在企业库中登记"
    newly = rows - validated.invalid_rows
    validated.rows_invalid += len(newly)
    validated.rows_valid -= len(newly & validated.valid_rows)
    validated.valid_rows -= rows
    validated.errors = sorted(
        [*validated.errors, *(RowError(n, "统一社会信用代码", reason) for n in sorted(rows))],
        key=lambda e: e.row_no or 0,
    )
    validated.records = records.filter(~pl.col("uscc").is_in(list(usccs)))
    validated.parcels = [p for p in validated.parcels if p.uscc not in usccs]
    validated.assumptions = [
        *validated.assumptions,
        f"其中 {len(usccs)} 家新企业未写明所属县区，无法建档，相应 {len(rows)} 行列为错误行",
    ]


def _region_names() -> dict[str, str]:
    """County-level region code → name, for the file's 区县 column and the scope errors."""
    return dict(Region.objects.filter(kind__in=COUNTY_LEVEL_KINDS).values_list("code", "name"))


def _in_scope(county: Region | None, registry: pl.DataFrame) -> Callable[[str | None, str], bool] | None:
    """For a county upload: a row is in scope when its enterprise belongs to the county (in the
    registry for that year; for an enterprise not yet registered, by the file's region, or the county
    itself when the file names none)."""
    if county is None:
        return None
    paths = dict(registry.select("uscc", "region_path").iter_rows())
    regions = diffs.county_regions()

    def in_scope(region: str | None, uscc: str) -> bool:
        path = paths.get((uscc or "").strip().upper())
        if path is not None:
            return in_county(path, county)
        if not region:
            return True
        ref = regions.get(str(region).strip())
        return ref is not None and in_county(ref.path, county)

    return in_scope


def _assumptions(validated: Any, mapping: Any) -> dict[str, Any]:
    sentences = [
        a if isinstance(a, str) else str(getattr(a, "text", a)) for a in (validated.assumptions or [])
    ]
    columns = [
        {"header": c.header, "field": c.field, "unit": c.unit.name if c.unit else None, "reason": c.reason}
        for c in getattr(mapping, "columns", [])
    ]
    unmatched = list(getattr(mapping, "unmatched", []))
    return {"notes": sentences, "mapping": columns, "unmatched": unmatched}


def _apply(
    batch: ImportBatch, validated: Any, mapping: Any, report: bytes | None, registry: pl.DataFrame
) -> ImportBatch:
    issues = {
        "errors": [files.issue_dict(e) for e in validated.errors],
        "skipped": [files.issue_dict(e) for e in validated.skipped],
        "file_errors": [files.issue_dict(e) for e in validated.file_errors],
    }
    batch.assumptions = _assumptions(validated, mapping)
    if issues["file_errors"]:
        return _fail(batch, "；".join(e["reason"] for e in issues["file_errors"][:5]), issues)
    records = files.records_frame(validated.records)
    parcels = files.parcels_frame(getattr(validated, "parcels", None))
    diffed = diffs.diff(diffs.with_enterprise_ids(records, registry), batch.year)
    by_status = diffs.status_counts(diffed)
    batch.counts = {
        "rows": int(validated.rows_total),
        "valid": int(validated.rows_valid),
        "invalid": int(validated.rows_invalid),
        "skipped": len(issues["skipped"]),
        **by_status,
        "enterprises_new": int(
            diffed.filter(pl.col("enterprise_id").is_null()).get_column("uscc").n_unique()
        ),
        "values": records.height,
        "parcels": parcels.height,
    }
    files.save_staged(batch, records, parcels, issues)
    if report:
        batch.error_report.save(f"errors-{batch.pk}.xlsx", ContentFile(report), save=False)
    batch.status = BatchStatus.VALIDATED
    batch.message = _summary(batch)
    batch.save()
    return batch


def _summary(batch: ImportBatch) -> str:
    c = batch.counts
    text = (
        f"共 {c['rows']} 行：正确 {c['valid']} 行，错误 {c['invalid']} 行，跳过 {c['skipped']} 行；"
        f"数值 新增 {c['new']}、变化 {c['changed']}、未变 {c['unchanged']}"
    )
    if c.get("enterprises_new"):
        text += f"；新建企业 {c['enterprises_new']} 家"
    return text + "。"


# --------------------------------------------------------------------------------------------------
# What the page and the CLI show
# --------------------------------------------------------------------------------------------------
def preview_rows(batch: ImportBatch, limit: int = 200) -> list[dict[str, Any]]:
    """A staged batch's values beside the current ones: changed first, then new, then unchanged.

    Each row: uscc, name (the registry's), row_no, metric, metric_name, unit, old_value / new_value
    (Decimal, None when there is no current value), old / new (the same as plain text), status."""
    from ..importers.results import plain

    if not files.has_staged(batch):
        return []
    spec = active_spec()
    metrics = {m.code: m for m in spec.metrics} if spec else {}
    records = files.load_records(batch)
    registry = diffs.registry_frame(usccs=records.get_column("uscc").unique().to_list())
    diffed = diffs.diff(diffs.with_enterprise_ids(records, registry), batch.year)
    order = {diffs.CHANGED: 0, diffs.NEW: 1, diffs.UNCHANGED: 2}
    diffed = diffed.with_columns(pl.col("status").replace_strict(order, return_dtype=pl.Int8).alias("_order"))
    rows = diffed.sort(["_order", "row_no", "metric"]).head(limit)
    out = []
    for r in rows.iter_rows(named=True):
        metric = metrics.get(r["metric"])
        out.append(
            {
                "uscc": r["uscc"],
                "name": r["registry_name"] or r["name"],
                "row_no": r["row_no"],
                "metric": r["metric"],
                "metric_name": metric.name if metric else r["metric"],
                "unit": metric.unit if metric else "",
                "old_value": r["old_value"],
                "new_value": r["value"],
                "old": plain(r["old_value"]) if r["old_value"] is not None else None,
                "new": plain(r["value"]),
                "status": r["status"],
            }
        )
    return out


def error_rows(batch: ImportBatch, limit: int | None = 50) -> list[dict[str, Any]]:
    """File errors, then row errors: {row_no, column, reason}."""
    issues = files.load_issues(batch)
    rows = issues.get("file_errors", []) + issues.get("errors", [])
    return rows if limit is None else rows[:limit]


def skipped_rows(batch: ImportBatch, limit: int | None = 50) -> list[dict[str, Any]]:
    rows = files.load_issues(batch).get("skipped", [])
    return rows if limit is None else rows[:limit]


def discard(batch: ImportBatch, user: Any) -> ImportBatch:
    """Give up a staged (or failed) batch: nothing was written, nothing will be."""
    require_batch_write(batch, user, "放弃")
    if batch.status not in (BatchStatus.VALIDATED, BatchStatus.FAILED, BatchStatus.UPLOADED):
        raise ImportRefused(f"批次 #{batch.pk} 当前状态为“{batch.get_status_display()}”，不能放弃。")
    batch.status = BatchStatus.DISCARDED
    batch.message = "已放弃，未写入任何数据。"
    batch.save()
    files.drop_staged(batch)
    return batch


def template_for(source: str, year: int, region_names: list[str] | None = None) -> bytes:
    """The .xlsx template of a source for a year (headers with units, drop-downs, instructions)."""
    from ..importers import template_workbook

    spec = pack_spec()
    src = source_spec(spec, source)
    if region_names is None:
        region_names = list(
            Region.objects.filter(kind__in=COUNTY_LEVEL_KINDS)
            .order_by("sort_order", "code")
            .values_list("name", flat=True)
        )
    return template_workbook(src, spec.metrics, spec.units, year, region_names)


# --------------------------------------------------------------------------------------------------
# Background commit
# --------------------------------------------------------------------------------------------------
def commit_async(batch: ImportBatch, user: Any) -> ImportBatch:
    """Commit in the background (Celery), inline without a broker. Refusals that need no work (scope,
    status, errors in all-or-nothing mode) are raised here, before anything is queued."""
    from ..tasks import commit_batch_task
    from .import_commit import claim, precheck

    precheck(batch, user)
    claim(batch, message="已排队，等待写入。")
    try:
        commit_batch_task.delay(batch.pk, getattr(user, "pk", None))
    except Exception as exc:  # the broker is down: say so on the batch rather than leave it queued
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.VALIDATED, message=f"未能提交后台任务：{exc}"
        )
    batch.refresh_from_db()
    return batch
