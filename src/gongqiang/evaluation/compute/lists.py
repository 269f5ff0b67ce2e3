"""Task one's figures from the low-efficiency lists and the results: pure Polars.

entries: one row per list entry with region, cohort_year, status, status_date (date or null),
         first_batch (bool).
results: one row per enterprise of a published run with region, group, status, class, land_mu.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

TRANSITIONS: dict[str, set[str]] = {
    "listed": {"in_progress", "upgraded", "cleared", "removed"},
    "in_progress": {"upgraded", "cleared", "removed", "listed"},
    "upgraded": set(),
    "cleared": set(),
    "removed": set(),
}
NAMES = {
    "listed": "待整治",
    "in_progress": "整治中",
    "upgraded": "已提升",
    "cleared": "已出清",
    "removed": "已移出",
}


def check_transition(old: str, new: str, *, exit_kind: str = "", note: str = "") -> str | None:
    """None when the change is legal, else the reason in Chinese."""
    if new not in TRANSITIONS.get(old, set()):
        return f"“{NAMES.get(old, old)}”的企业不能改为“{NAMES.get(new, new)}”。"
    if new == "cleared" and not exit_kind:
        return "出清须选择出清方式（关闭、破产、兼并重组、土地收回或转让）。"
    if new in ("cleared", "upgraded", "removed") and not note.strip():
        return "请填写佐证或理由。"
    return None


@dataclass(frozen=True)
class ListFigures:
    cohort: int
    cleared: int
    upgraded: int
    removed: int
    first_batch: int
    first_batch_done: int

    @property
    def clearance_rate(self) -> float | None:
        return self.cleared / self.cohort * 100 if self.cohort else None

    @property
    def open(self) -> int:
        # `cohort` already leaves the removed entries out
        return self.cohort - self.cleared - self.upgraded


def list_figures(
    entries: pl.DataFrame, *, cohort_year: int, as_of: dt.date, group: str | None = None
) -> dict[str | None, ListFigures]:
    """Per region (and None for the city): the cohort of `cohort_year` (of evaluation `group` when
    given: the clearance target counts above-scale enterprises only), how many had cleared or been
    upgraded by `as_of`, and the first batch's progress. Removed entries (listed by mistake) leave the
    cohort's denominator."""
    if entries.is_empty():
        return {}
    base = entries.filter(pl.col("cohort_year") == cohort_year)
    if group is not None:
        base = base.filter(pl.col("group") == group)
    done_by = pl.col("status_date").is_not_null() & (pl.col("status_date") <= as_of)
    frame = base.select(
        "region",
        "first_batch",
        pl.col("status").eq("cleared").and_(done_by).alias("c"),
        pl.col("status").eq("upgraded").and_(done_by).alias("u"),
        pl.col("status").eq("removed").alias("r"),
    )

    def figures(df: pl.DataFrame) -> ListFigures:
        kept = df.filter(~pl.col("r"))
        fb = kept.filter(pl.col("first_batch"))
        return ListFigures(
            cohort=kept.height,
            cleared=int(kept["c"].sum()),
            upgraded=int(kept["u"].sum()),
            removed=df.height - kept.height,
            first_batch=fb.height,
            first_batch_done=int((fb["c"] | fb["u"]).sum()) if fb.height else 0,
        )

    out: dict[str | None, ListFigures] = {None: figures(frame)}
    for (region,), part in frame.group_by("region"):
        out[region] = figures(part)
    return out


def below_scale_land_share(
    results: pl.DataFrame, *, group: str, classes: list[str]
) -> dict[str | None, float | None]:
    """Land of evaluated enterprises of `group` whose class is in `classes`, as a percentage of the land of
    all evaluated enterprises of `group`; per region and for the city (None)."""
    df = results.filter((pl.col("group") == group) & (pl.col("status") == "evaluated")).with_columns(
        pl.col("land_mu").cast(pl.Float64).fill_null(0)
    )

    def share(part: pl.DataFrame) -> float | None:
        land = part["land_mu"].sum()
        if not land:
            return None
        return part.filter(pl.col("class").is_in(classes))["land_mu"].sum() / land * 100

    out: dict[str | None, float | None] = {None: share(df)}
    for (region,), part in df.group_by("region"):
        out[region] = share(part)
    return out
