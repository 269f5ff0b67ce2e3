"""What a staged batch keeps beside its upload until (and after) it is committed.

The validated records are written once at staging, as Parquet, under MEDIA_ROOT
`imports/staged/<batch id>/`: the commit writes exactly what the preview showed, without reading and
validating the file a second time. The row issues (errors, skipped rows, file errors) sit beside them as
JSON, so the page and the CLI list them without the file.
"""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import polars as pl
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ..models import ImportBatch
from .bulk import DECIMAL

RECORD_SCHEMA: dict[str, Any] = {
    "uscc": pl.String,
    "name": pl.String,
    "region": pl.String,
    "industry_code": pl.String,
    "month": pl.Int64,
    "metric": pl.String,
    "value": DECIMAL,
    "row_no": pl.Int64,
    "new_enterprise": pl.Boolean,
}
PARCEL_SCHEMA: dict[str, Any] = {
    "uscc": pl.String,
    "name": pl.String,
    "certificate": pl.String,
    "location": pl.String,
    "use": pl.String,
    "land_type": pl.String,
    "tenure": pl.String,  # owned, leased_in, leased_out
    "sign": pl.Int64,
    "area_mu": DECIMAL,
    "row_no": pl.Int64,
}


def _dir(batch: ImportBatch) -> str:
    return f"imports/staged/{batch.pk}"


def _frame(value: Any) -> pl.DataFrame:
    if value is None:
        return pl.DataFrame()
    if isinstance(value, pl.DataFrame):
        return value
    rows = [dataclasses.asdict(v) if dataclasses.is_dataclass(v) else dict(v) for v in value]
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def _conform(
    frame: pl.DataFrame, schema: dict[str, Any], aliases: dict[str, str], defaults: dict[str, Any]
) -> pl.DataFrame:
    """The frame with exactly `schema`'s columns: renamed from aliases, missing ones filled, cast."""
    frame = frame.rename({a: c for a, c in aliases.items() if a in frame.columns and c not in frame.columns})
    columns = []
    for name, dtype in schema.items():
        if name in frame.columns:
            column = pl.col(name)
            if dtype == DECIMAL:
                column = column.cast(pl.String).cast(DECIMAL)
            columns.append(column.cast(dtype).alias(name))
        else:
            columns.append(pl.lit(defaults.get(name), dtype=dtype).alias(name))
    return frame.select(columns) if frame.width else pl.DataFrame(schema=schema)


def records_frame(records: Any) -> pl.DataFrame:
    """The validator's long records, normalised: value as Decimal(24, 4), month 0 for yearly figures."""
    frame = _conform(
        _frame(records),
        RECORD_SCHEMA,
        aliases={},
        defaults={"month": 0, "new_enterprise": False, "name": "", "region": None, "industry_code": ""},
    )
    return frame.with_columns(
        pl.col("month").fill_null(0),
        pl.col("new_enterprise").fill_null(False),
        pl.col("uscc").str.to_uppercase(),
    )


def parcels_frame(parcels: Any) -> pl.DataFrame:
    return _conform(
        _frame(parcels),
        PARCEL_SCHEMA,
        aliases={"land_mu": "area_mu", "value": "area_mu", "area": "area_mu"},
        defaults={
            "sign": 1,
            "name": "",
            "certificate": "",
            "location": "",
            "use": "",
            "land_type": "",
            "tenure": None,
        },
    ).with_columns(pl.col("uscc").str.to_uppercase())


def issue_dict(issue: Any) -> dict[str, Any]:
    if isinstance(issue, dict):
        data = issue
    elif dataclasses.is_dataclass(issue):
        data = dataclasses.asdict(issue)
    elif isinstance(issue, str):
        data = {"reason": issue}
    else:
        data = {k: getattr(issue, k, None) for k in ("row_no", "column", "reason")}
    return {
        "row_no": data.get("row_no"),
        "column": data.get("column") or "",
        "reason": str(data.get("reason", "")),
    }


def _write_bytes(name: str, content: bytes) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(content))


def save_staged(
    batch: ImportBatch, records: pl.DataFrame, parcels: pl.DataFrame, issues: dict[str, list]
) -> None:
    for name, frame in (("records", records), ("parcels", parcels)):
        buffer = io.BytesIO()
        frame.write_parquet(buffer, compression="lz4")
        _write_bytes(f"{_dir(batch)}/{name}.parquet", buffer.getvalue())
    _write_bytes(f"{_dir(batch)}/issues.json", json.dumps(issues, ensure_ascii=False).encode())


def save_issues(batch: ImportBatch, issues: dict[str, list]) -> None:
    _write_bytes(f"{_dir(batch)}/issues.json", json.dumps(issues, ensure_ascii=False).encode())


def load_records(batch: ImportBatch) -> pl.DataFrame:
    return _load(batch, "records", RECORD_SCHEMA)


def load_parcels(batch: ImportBatch) -> pl.DataFrame:
    return _load(batch, "parcels", PARCEL_SCHEMA)


def _load(batch: ImportBatch, name: str, schema: dict[str, Any]) -> pl.DataFrame:
    path = f"{_dir(batch)}/{name}.parquet"
    if not default_storage.exists(path):
        return pl.DataFrame(schema=schema)
    with default_storage.open(path, "rb") as handle:
        return pl.read_parquet(handle.read())


def load_issues(batch: ImportBatch) -> dict[str, list[dict[str, Any]]]:
    path = f"{_dir(batch)}/issues.json"
    if not default_storage.exists(path):
        return {"errors": [], "skipped": [], "file_errors": []}
    with default_storage.open(path, "rb") as handle:
        return json.loads(handle.read())


def has_staged(batch: ImportBatch) -> bool:
    return default_storage.exists(f"{_dir(batch)}/records.parquet")


def drop_staged(batch: ImportBatch) -> None:
    for name in ("records.parquet", "parcels.parquet"):
        path = f"{_dir(batch)}/{name}"
        if default_storage.exists(path):
            default_storage.delete(path)
