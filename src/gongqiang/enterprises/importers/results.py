"""What validation produces: row errors, skipped rows, land parcels and the long records."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

import polars as pl

RECORD_SCHEMA = {
    "uscc": pl.Utf8,
    "name": pl.Utf8,
    "region": pl.Utf8,
    "industry_code": pl.Utf8,
    "year": pl.Int32,
    "metric": pl.Utf8,
    "value": pl.Utf8,  # a Decimal as text: exact, never through a float
    "row_no": pl.Int64,
    "new_enterprise": pl.Boolean,
}


class KnownEnterprise(NamedTuple):
    """An enterprise of the registry, as validation needs it (a tuple: 100,000 are made per import)."""

    name: str
    region_code: str | None = None


class KnownFrame(Mapping[str, KnownEnterprise]):
    """The registry as validation reads it, over a frame (uscc, name, region_code): the fast path joins
    the frame; the row path looks single USCCs up, each KnownEnterprise made only when asked for."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame.select(
            pl.col("uscc").cast(pl.String), pl.col("name").cast(pl.String), pl.col("region_code").cast(pl.String)
        )
        self._index: dict[str, int] | None = None

    def _lookup(self) -> dict[str, int]:
        if self._index is None:
            usccs = self.frame.get_column("uscc").to_list()
            self._index = dict(zip(usccs, range(len(usccs)), strict=True))
        return self._index

    def __getitem__(self, uscc: str) -> KnownEnterprise:
        i = self._lookup()[uscc]
        return KnownEnterprise(self.frame.item(i, "name"), self.frame.item(i, "region_code"))

    def __contains__(self, uscc: object) -> bool:
        return uscc in self._lookup()

    def __iter__(self) -> Iterator[str]:
        return iter(self._lookup())

    def __len__(self) -> int:
        return self.frame.height


@dataclass(frozen=True)
class RowError:
    row_no: int | None  # the Excel row number; None for a file-level note
    column: str | None  # the header as written in the file
    reason: str

    def __str__(self) -> str:
        if self.row_no is None:
            return self.reason
        where = f"第 {self.row_no} 行" + (f"，列“{self.column}”" if self.column else "")
        return f"{where}：{self.reason}"


@dataclass(frozen=True)
class Parcel:
    uscc: str
    row_no: int
    certificate: str | None
    location: str | None
    use: str | None
    land_type: str | None
    tenure: str  # owned, leased_in or leased_out
    area_mu: Decimal  # unsigned; the tenure gives the sign


@dataclass
class Validated:
    records: pl.DataFrame
    parcels: list[Parcel]
    errors: list[RowError]
    skipped: list[RowError]
    file_errors: list[str]
    assumptions: list[str]
    rows_total: int
    rows_valid: int
    rows_invalid: int
    valid_rows: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.file_errors

    @property
    def invalid_rows(self) -> set[int]:
        return {e.row_no for e in self.errors if e.row_no is not None}


def plain(value: Decimal) -> str:
    """A Decimal as people write it: no exponent, no trailing zeros, no "-0"."""
    if value == 0:
        return "0"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
