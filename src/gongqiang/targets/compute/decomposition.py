"""Decomposition check: do the counties' figures add up to the city's?"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SumCheck:
    city: float | None
    total: float
    counties: int
    diff: float | None  # total − city
    ok: bool | None  # None when there is nothing to compare

    @property
    def message(self) -> str:
        if self.ok is None:
            return "无可比对的全市值"
        if self.ok:
            return "县区合计与全市一致"
        assert self.diff is not None
        return f"县区合计与全市相差 {self.diff:+,.2f}（{'多' if self.diff > 0 else '少'} {abs(self.rel):.1%}）"

    @property
    def rel(self) -> float:
        return (self.diff or 0) / self.city if self.city else 0.0


def check_sum(city: float | None, county_values: list[float], tolerance: float) -> SumCheck:
    """A mismatch beyond `tolerance` (a fraction of the city value) is flagged."""
    total = sum(county_values)
    if city is None or not county_values:
        return SumCheck(city, total, len(county_values), None, None)
    diff = total - city
    limit = tolerance * abs(city) if city else tolerance
    return SumCheck(city, total, len(county_values), diff, abs(diff) <= limit + 1e-9)
