"""County ranking: the weighted share of each county's decomposed targets that are on time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import Status


@dataclass
class CountyScore:
    region: str
    score: float | None  # 0–100; None when the county has no decomposed target
    targets: int
    counts: Counter = field(default_factory=Counter)
    rank: int | None = None


def rank_counties(
    rows: Iterable[tuple[str, str, Status]],
    regions: Iterable[str],
    status_weights: dict[str, float],
    target_weights: dict[str, float],
) -> list[CountyScore]:
    """rows: (region, target id, status) of each decomposed target. Score = Σ w_t × s(status) ÷ Σ w_t × 100.

    Tracked-only targets are not scored. Ties share a rank; counties without targets come last, unranked.
    """
    by_region: dict[str, list[tuple[str, Status]]] = {r: [] for r in regions}
    for region, target, status in rows:
        if status != Status.tracked:
            by_region.setdefault(region, []).append((target, status))
    scores = []
    for region, items in by_region.items():
        counts = Counter(s for _, s in items)
        total_w = sum(target_weights.get(t, 1.0) for t, _ in items)
        score = None
        if items and total_w > 0:
            score = 100 * sum(target_weights.get(t, 1.0) * status_weights[s.value] for t, s in items) / total_w
        scores.append(CountyScore(region, score, len(items), counts))
    scores.sort(key=lambda c: (c.score is None, -(c.score or 0)))
    rank, previous = 0, None
    for n, c in enumerate(scores, start=1):
        if c.score is None:
            continue
        if previous is None or abs(c.score - previous) > 1e-9:
            rank, previous = n, c.score
        c.rank = rank
    return scores
