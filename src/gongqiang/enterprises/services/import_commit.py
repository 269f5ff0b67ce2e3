"""Commit and roll back a staged batch: one transaction each, set-based, history kept.

Commit. The batch is claimed first (VALIDATED → COMMITTING, committed on its own so the page shows it),
then everything else happens in ONE transaction: unknown enterprises created, names that differ from
the registry recorded, the changed values' current facts marked not current (`superseded_by` = the
batch), the new and changed values inserted as current, statistics' above-scale years upserted, land
parcels replaced, the county scope rechecked, the batch marked COMMITTED. A worker killed anywhere in
between leaves the batch COMMITTING and not one of its rows (the transaction never committed); `commit`
accepts a COMMITTING batch again, so it can simply be rerun.

Unchanged values are not written again: the current fact keeps its batch (where the figure first came
from) and the count says how many were unchanged. A rollback therefore never touches them.

Progress: the callback is called at phase boundaries (and per insert chunk). On PostgreSQL the
percentage is also written to the batch on a second connection (the page polls it); on SQLite the one
writer is the commit itself, so the batch shows 1 % while writing and 100 % when done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gongqiang.core.models import Region
from gongqiang.core.scope import ScopeViolation, bulk_check_scoped

from ..models import (
    BatchStatus,
    CommitMode,
    Enterprise,
    EnterpriseName,
    EnterpriseStatus,
    EnterpriseYear,
    Fact,
    ImportBatch,
    LandParcel,
    LandTenure,
)
from . import import_diff as diffs
from . import import_files as files
from .bulk import (
    SideProgress,
    execute,
    id_list_param,
    id_list_sql,
    insert_frame,
    lock_batch,
    now_param,
    qn,
    select_frame,
    temp_table,
)
from .import_access import ImportRefused, import_access, require_batch_write, require_import

Progress = Callable[[int], None]
INSERT_CHUNKS = 8
SCOPE_CHUNK = 10_000


def _spec_and_source(batch: ImportBatch) -> tuple[Any, Any]:
    from .imports import pack_spec, source_spec

    spec = pack_spec()
    return spec, source_spec(spec, batch.source)


def precheck(batch: ImportBatch, user: Any) -> None:
    """Everything that refuses a commit without doing any work."""
    _, source = _spec_and_source(batch)
    require_import(user, source)
    require_batch_write(batch, user, "入库")
    if batch.status not in (BatchStatus.VALIDATED, BatchStatus.COMMITTING):
        raise ImportRefused(f"批次 #{batch.pk} 当前状态为“{batch.get_status_display()}”，不能入库。")
    invalid = int(batch.counts.get("invalid", 0))
    if batch.mode == CommitMode.ALL_OR_NOTHING and invalid:
        batch.message = (
            f"有 {invalid} 行错误，按“有任何错误则全部不写入”未写入任何数据："
            "请修正后重新上传，或改为“写入全部正确行”。"
        )
        ImportBatch.objects.filter(pk=batch.pk).update(message=batch.message)
        raise ImportRefused(batch.message)
    if not files.has_staged(batch):
        raise ImportRefused(f"批次 #{batch.pk} 的校验结果已不存在，请重新上传文件。")


def claim(batch: ImportBatch, message: str = "正在写入。") -> None:
    """VALIDATED (or a COMMITTING left by a dead worker) → COMMITTING, committed at once."""
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(
            pk=batch.pk, status__in=[BatchStatus.VALIDATED, BatchStatus.COMMITTING]
        ).update(status=BatchStatus.COMMITTING, progress=1, message=message)
    if not claimed:
        batch.refresh_from_db()
        raise ImportRefused(f"批次 #{batch.pk} 当前状态为“{batch.get_status_display()}”，不能入库。")
    batch.status, batch.progress, batch.message = BatchStatus.COMMITTING, 1, message


def commit(batch: ImportBatch, user: Any, progress: Progress | None = None) -> ImportBatch:
    precheck(batch, user)
    claim(batch)
    side = SideProgress(batch.pk)

    def report(percent: int) -> None:
        side.write(percent)
        if progress is not None:
            progress(percent)

    try:
        with transaction.atomic():
            lock_batch(batch.pk)
            status = ImportBatch.objects.filter(pk=batch.pk).values_list("status", flat=True).first()
            if status != BatchStatus.COMMITTING:
                raise ImportRefused(
                    f"批次 #{batch.pk} 已由其他操作处理（当前状态：{BatchStatus(status).label}）。"
                )
            counts = _write(batch, user, report)
            side.close()  # no more side writes: the batch row is updated below, inside this transaction
            batch.counts = {**batch.counts, **counts}
            batch.status = BatchStatus.COMMITTED
            batch.committed_at = timezone.now()
            batch.progress = 100
            batch.message = (
                f"已入库：写入 {counts['written']} 个数值（新增 {counts['new']}、变化 {counts['changed']}），"
                f"{counts['unchanged']} 个数值与现行值相同，未重复写入。"
            )
            batch.save()
    except (ImportRefused, PermissionDenied) as exc:
        ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.COMMITTING).update(
            status=BatchStatus.VALIDATED, progress=0, message=str(exc)
        )
        batch.refresh_from_db()
        raise
    except Exception as exc:
        mark_failed(batch.pk, f"写入失败，未写入任何数据：{exc}")
        raise
    finally:
        side.close()
    if progress is not None:
        progress(100)
    return batch


def mark_failed(batch_id: int, reason: str) -> None:
    try:
        ImportBatch.objects.filter(pk=batch_id).exclude(status=BatchStatus.COMMITTED).update(
            status=BatchStatus.FAILED, progress=0, message=reason[:2000]
        )
    except Exception:  # the database itself is gone; the batch stays COMMITTING and can be rerun
        pass


# --------------------------------------------------------------------------------------------------
# The writes (inside the transaction)
# --------------------------------------------------------------------------------------------------
def _write(batch: ImportBatch, user: Any, report: Progress) -> dict[str, int]:
    _, source = _spec_and_source(batch)
    records = files.load_records(batch)
    parcels = files.load_parcels(batch)
    report(5)
    usccs = pl.concat([records.get_column("uscc"), parcels.get_column("uscc")]).unique().sort()
    registry = diffs.registry_frame(batch.year, usccs=usccs)
    records = diffs.with_enterprise_ids(records, registry)
    created, refused = _create_unknown(batch, records)
    if created.height:
        records = (
            records.join(created.rename({"enterprise_id": "_created"}), on="uscc", how="left")
            .with_columns(pl.coalesce("enterprise_id", "_created").alias("enterprise_id"))
            .drop("_created")
        )
    if refused:
        if batch.mode == CommitMode.ALL_OR_NOTHING:
            first = refused[0]
            raise ImportRefused(
                f"有 {len(refused)} 行无法入库，未写入任何数据。第 {first['row_no']} 行：{first['reason']}"
            )
        refused_rows = [r["row_no"] for r in refused]
        records = records.filter(~pl.col("row_no").is_in(refused_rows))
        parcels = parcels.filter(~pl.col("row_no").is_in(refused_rows))
    records = records.filter(pl.col("enterprise_id").is_not_null())
    _no_duplicate_keys(records)
    report(20)
    names = _record_names(records, source.name)
    diffed = diffs.diff(records, batch.year)
    by_status = diffs.status_counts(diffed)
    report(30)
    old_ids = diffed.filter(pl.col("status") == diffs.CHANGED).get_column("old_id").to_list()
    superseded = _supersede(old_ids, batch.pk)
    report(45)
    written = _insert_facts(diffed.filter(pl.col("status") != diffs.UNCHANGED), batch, report)
    if source.marks_above_scale:
        _mark_above_scale(records, batch.year)
    report(88)
    parcel_ids: dict[str, int] = {}
    if parcels.height:  # only land files have parcels: no 100,000-entry dict for the others
        parcel_ids = dict(registry.select("uscc", "enterprise_id").iter_rows())
        parcel_ids.update(dict(created.iter_rows()) if created.height else {})
    parcels_written = _replace_parcels(parcels, parcel_ids, batch)
    report(94)
    _check_scope(user, source, records, parcels, parcel_ids, batch.year)
    report(98)
    return {
        **by_status,
        "written": written,
        "superseded": superseded,
        "enterprises_created": created.height,
        "names_recorded": names,
        "parcels_written": parcels_written,
        "refused": len(refused),
    }


def _no_duplicate_keys(records: pl.DataFrame) -> None:
    dupes = records.group_by("enterprise_id", "month", "metric").len().filter(pl.col("len") > 1)
    if dupes.height:
        raise ImportRefused(f"校验结果中同一企业同一指标出现多次（{dupes.height} 处），请重新上传文件。")


def _create_unknown(batch: ImportBatch, records: pl.DataFrame) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Register the enterprises the file brings that the registry lacks (when the uploader chose to).
    Returns (uscc, enterprise_id) of those created, and the rows refused because they can't be placed."""
    unknown = records.filter(pl.col("enterprise_id").is_null())
    empty = pl.DataFrame(schema={"uscc": pl.String, "enterprise_id": pl.Int64})
    if not unknown.height:
        return empty, []
    firsts = unknown.sort("row_no").unique("uscc", keep="first", maintain_order=True)
    regions = diffs.county_regions()
    county: Region | None = batch.region
    refused: list[dict[str, Any]] = []
    rows = []
    for r in firsts.iter_rows(named=True):
        reason = None
        if not batch.create_unknown:
            reason = f"企业库中没有该企业（{r['uscc']}），且未选择自动建档。"
        else:
            ref = regions.get((r["region"] or "").strip()) if r["region"] else None
            if r["region"] and ref is None:
                reason = f"所属县区“{r['region']}”不是本市的县区。"
            elif ref is None and county is None:
                reason = "企业库中没有该企业，文件也未写明所属县区，无法建档。"
            elif ref is not None and county is not None and not ref.path.startswith(county.path):
                reason = f"该企业属于{ref.name}，不在您的数据范围（{county.name}）内。"
            else:
                region_id = ref.id if ref is not None else county.pk
                rows.append(
                    (
                        r["uscc"],
                        (r["name"] or f"未命名企业{r['uscc']}")[:200],
                        region_id,
                        (r["industry_code"] or "")[:4],
                    )
                )
        if reason:
            for row_no in unknown.filter(pl.col("uscc") == r["uscc"]).get_column("row_no").unique().to_list():
                refused.append({"row_no": row_no, "column": "统一社会信用代码", "reason": reason})
    if not rows:
        return empty, sorted(refused, key=lambda x: x["row_no"])
    now = now_param()
    frame = pl.DataFrame(
        rows, schema=["uscc", "name", "region_id", "industry_code"], orient="row"
    ).with_columns(
        pl.lit(_is_stats(batch)).alias("above_scale"),
        pl.lit(EnterpriseStatus.OPERATING.value).alias("status"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    )
    insert_frame(Enterprise._meta.db_table, frame)
    created = select_frame(
        f"SELECT uscc, id FROM {Enterprise._meta.db_table} WHERE {id_list_sql('uscc')}",
        [id_list_param(frame.get_column("uscc").to_list())],
        {"uscc": pl.String, "enterprise_id": pl.Int64},
    )
    return created, sorted(refused, key=lambda x: x["row_no"])


def _is_stats(batch: ImportBatch) -> bool:
    _, source = _spec_and_source(batch)
    return bool(source.marks_above_scale)


def _record_names(records: pl.DataFrame, source_name: str) -> int:
    """A name in the file that differs from the registry's: the registry keeps its name; the file's is
    recorded once per source as an EnterpriseName (the reconciliation report lists disagreements)."""
    candidates = (
        records.filter(
            pl.col("registry_name").is_not_null()
            & (pl.col("name").fill_null("").str.strip_chars() != "")
            & (pl.col("name").str.strip_chars() != pl.col("registry_name"))
        )
        .select("enterprise_id", pl.col("name").str.strip_chars().str.slice(0, 200))
        .unique()
    )
    if not candidates.height:
        return 0
    table = EnterpriseName._meta.db_table
    existing = select_frame(
        f"SELECT enterprise_id, name FROM {table} WHERE source = %s AND {id_list_sql('enterprise_id')}",
        [source_name[:60], id_list_param(candidates.get_column("enterprise_id").unique().to_list())],
        {"enterprise_id": pl.Int64, "name": pl.String},
    )
    fresh = candidates.join(existing, on=["enterprise_id", "name"], how="anti").with_columns(
        pl.lit(source_name[:60]).alias("source")
    )
    return insert_frame(table, fresh)


def _supersede(old_ids: list[int], batch_id: int) -> int:
    if not old_ids:
        return 0
    return execute(
        f"UPDATE {Fact._meta.db_table} SET is_current = %s, superseded_by_id = %s WHERE {id_list_sql('id')}",
        [False, batch_id, id_list_param(old_ids)],
    )


def _insert_facts(rows: pl.DataFrame, batch: ImportBatch, report: Progress) -> int:
    """The new and changed values as current facts of the batch.

    Sorted by (enterprise, month, metric), the key of the one-current index and of (enterprise, year):
    each index then grows at a few points instead of at random places (a file in another order than
    the registry's ids cost SQLite three times as long to insert, measured on 800,000 facts). The
    year, batch and current flag are the same on every row: bound once (`insert_frame`'s constants).
    """
    frame = rows.select(
        pl.col("enterprise_id"),
        pl.col("month"),
        pl.col("metric"),
        pl.col("value").cast(pl.String),
    ).sort("enterprise_id", "month", "metric")
    constants = {"year": batch.year, "batch_id": batch.pk, "is_current": True}
    total = frame.height
    if not total:
        return 0
    size = max(1, -(-total // INSERT_CHUNKS))
    for n, start in enumerate(range(0, total, size), start=1):
        insert_frame(Fact._meta.db_table, frame.slice(start, size), constants)
        report(45 + int(40 * n / INSERT_CHUNKS))
    return total


def _mark_above_scale(records: pl.DataFrame, year: int) -> None:
    """Statistics lists the year's above-scale enterprises: their EnterpriseYear says so (created with
    the enterprise's region when missing), and an enterprise without an industry code takes the file's."""
    codes = (
        records.sort("row_no")
        .group_by("enterprise_id", maintain_order=True)
        .agg(
            pl.col("industry_code")
            .fill_null("")
            .str.slice(0, 4)
            .filter(pl.col("industry_code") != "")
            .first()
        )
        .select(pl.col("enterprise_id").alias("eid"), pl.col("industry_code").fill_null("").alias("code"))
    )
    if not codes.height:
        return
    ey, ent = qn(EnterpriseYear._meta.db_table), qn(Enterprise._meta.db_table)
    with temp_table("gq_tmp_above", {"eid": "bigint", "code": "varchar(4)"}, codes) as tmp:
        execute(
            f"UPDATE {ey} SET above_scale = %s, industry_code = CASE WHEN t.code <> '' THEN t.code "
            f"ELSE {ey}.industry_code END FROM {tmp} t WHERE {ey}.enterprise_id = t.eid AND {ey}.year = %s",
            [True, year],
        )
        execute(
            f"INSERT INTO {ey} (enterprise_id, year, region_id, town_id, above_scale, industry_code, status) "
            f"SELECT t.eid, %s, e.region_id, e.town_id, %s, CASE WHEN t.code <> '' THEN t.code ELSE e.industry_code END, "
            f"e.status FROM {tmp} t JOIN {ent} e ON e.id = t.eid "
            f"WHERE NOT EXISTS (SELECT 1 FROM {ey} y WHERE y.enterprise_id = t.eid AND y.year = %s)",
            [year, True, year],
        )
        execute(
            f"UPDATE {ent} SET industry_code = t.code FROM {tmp} t "
            f"WHERE {ent}.id = t.eid AND {ent}.industry_code = '' AND t.code <> ''",
        )


def _tenure(land_type: str | None, sign: int | None) -> str:
    text = land_type or ""
    if (sign is not None and sign < 0) or text in ("租出", "出租"):
        return LandTenure.LEASED_OUT
    if "租" in text:
        return LandTenure.LEASED_IN
    return LandTenure.OWNED


def _replace_parcels(parcels: pl.DataFrame, ids: dict[str, int], batch: ImportBatch) -> int:
    """The file's parcels become the enterprises' parcels of the year; the earlier ones stay, not current."""
    if not parcels.height:
        return 0
    frame = parcels.with_columns(
        pl.col("uscc").replace_strict(ids, default=None, return_dtype=pl.Int64).alias("enterprise_id")
    ).filter(pl.col("enterprise_id").is_not_null())
    if not frame.height:
        return 0
    enterprise_ids = frame.get_column("enterprise_id").unique().to_list()
    execute(
        f"UPDATE {LandParcel._meta.db_table} SET is_current = %s "
        f"WHERE year = %s AND is_current = %s AND {id_list_sql('enterprise_id')}",
        [False, batch.year, True, id_list_param(enterprise_ids)],
    )
    tenures = [
        tenure or _tenure(t, s) for tenure, t, s in frame.select("tenure", "land_type", "sign").iter_rows()
    ]
    rows = frame.select(
        pl.col("enterprise_id"),
        pl.lit(batch.year, dtype=pl.Int64).alias("year"),
        pl.col("certificate").fill_null("").str.slice(0, 100),
        pl.col("location").fill_null("").str.slice(0, 200),
        pl.col("use").fill_null("").str.slice(0, 40),
        pl.Series("tenure", tenures, dtype=pl.String),
        pl.col("area_mu").abs().cast(pl.String),
        pl.lit(batch.pk, dtype=pl.Int64).alias("batch_id"),
        pl.lit(True).alias("is_current"),
    )
    return insert_frame(LandParcel._meta.db_table, rows)


def _check_scope(
    user: Any, source: Any, records: pl.DataFrame, parcels: pl.DataFrame, ids: dict[str, int], year: int
) -> None:
    """A county upload must have stayed in the county: every enterprise written is re-read through the
    user's write scope and the counts compared (before the transaction ends, so an escape rolls back)."""
    if user is None or import_access(user, source).county is None:
        return
    written = set(records.get_column("enterprise_id").to_list())
    written.update(ids[u] for u in parcels.get_column("uscc").to_list() if u in ids)
    # The county of the year decides (an enterprise that moved counts for its county of that year, as
    # the validation said): through its EnterpriseYear where there is one, else its current region.
    pks = sorted(written)
    for start in range(0, len(pks), SCOPE_CHUNK):
        chunk = pks[start : start + SCOPE_CHUNK]
        years = EnterpriseYear.objects.filter(year=year, enterprise_id__in=chunk)
        placed = set(years.values_list("enterprise_id", flat=True))
        if placed and years.model._default_manager.writable_by(user).filter(
            year=year, enterprise_id__in=chunk
        ).count() != len(placed):
            raise ScopeViolation("部分记录超出您的数据范围，已全部撤销。")
        rest = [pk for pk in chunk if pk not in placed]
        if rest:
            bulk_check_scoped(Enterprise, user, rest)


# --------------------------------------------------------------------------------------------------
# Rollback
# --------------------------------------------------------------------------------------------------
def rollback(batch: ImportBatch, user: Any) -> ImportBatch:
    """Undo a committed batch: its facts and parcels stop being current (kept, with the batch marked
    ROLLED_BACK), the values it superseded are current again. Refused while a later committed batch
    has superseded any of its values: that one must be rolled back first."""
    require_batch_write(batch, user, "撤销")
    with transaction.atomic():
        lock_batch(batch.pk)
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.COMMITTED:
            raise ImportRefused(
                f"只有已入库的批次可以撤销；批次 #{batch.pk} 当前状态为“{batch.get_status_display()}”。"
            )
        later = set(
            Fact.objects.filter(batch=batch, is_current=False, superseded_by__isnull=False)
            .values_list("superseded_by_id", flat=True)
            .distinct()
        )
        later.update(_later_parcel_batches(batch))
        if later:
            numbers = "、".join(f"#{n}" for n in sorted(later))
            raise ImportRefused(f"请先撤销其后的批次 {numbers}：它们已替代本批次的部分数值。")
        retired = Fact.objects.filter(batch=batch, is_current=True).update(is_current=False)
        restored = Fact.objects.filter(superseded_by=batch).update(is_current=True, superseded_by=None)
        parcels_restored = _restore_parcels(batch)
        batch.status = BatchStatus.ROLLED_BACK
        batch.rolled_back_at = timezone.now()
        batch.rolled_back_by = (getattr(user, "username", None) or "system:import")[:150]
        batch.counts = {
            **batch.counts,
            "retired": retired,
            "restored": restored,
            "parcels_restored": parcels_restored,
        }
        batch.message = f"已撤销：本批次 {retired} 个数值不再现行，{restored} 个此前的数值恢复为现行值。"
        batch.save()
    return batch


def _parcel_keys(batch: ImportBatch) -> list[int]:
    return list(LandParcel.objects.filter(batch=batch).values_list("enterprise_id", flat=True).distinct())


def _later_parcel_batches(batch: ImportBatch) -> set[int]:
    enterprises = _parcel_keys(batch)
    if not enterprises:
        return set()
    return set(
        LandParcel.objects.filter(
            year=batch.year,
            enterprise_id__in=enterprises,
            batch__status=BatchStatus.COMMITTED,
            batch__committed_at__gt=batch.committed_at,
        )
        .exclude(batch=batch)
        .values_list("batch_id", flat=True)
    )


def _restore_parcels(batch: ImportBatch) -> int:
    """Each enterprise's parcels of the year from the latest earlier committed batch become current again."""
    enterprises = _parcel_keys(batch)
    LandParcel.objects.filter(batch=batch).update(is_current=False)
    if not enterprises:
        return 0
    earlier = (
        LandParcel.objects.filter(
            year=batch.year,
            enterprise_id__in=enterprises,
            batch__status=BatchStatus.COMMITTED,
            batch__committed_at__lt=batch.committed_at,
        )
        .exclude(batch=batch)
        .values_list("enterprise_id", "batch_id", "batch__committed_at")
    )
    latest: dict[int, tuple[Any, int]] = {}
    for enterprise_id, batch_id, at in earlier:
        if enterprise_id not in latest or at > latest[enterprise_id][0]:
            latest[enterprise_id] = (at, batch_id)
    restored = 0
    for enterprise_id, (_, batch_id) in latest.items():
        restored += LandParcel.objects.filter(
            year=batch.year, enterprise_id=enterprise_id, batch_id=batch_id
        ).update(is_current=True)
    return restored


__all__ = ["claim", "commit", "mark_failed", "precheck", "rollback"]
