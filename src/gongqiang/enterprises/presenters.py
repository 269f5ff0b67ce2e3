"""Turn facts into what a page shows: a metric × year grid in display units, with provenance.

Pure: works on plain rows, so it is tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# Money is stored in 元 and shown in 万元 (architecture.md: "show 万元/亿元 in the interface").
DISPLAY_UNITS = {"元": ("万元", Decimal(10000))}


def display_value(value: Decimal, unit: str, decimals: int) -> tuple[str, str]:
    """(text, unit shown): 12345678 元 → ("1,234.57", "万元")."""
    shown_unit, divisor = DISPLAY_UNITS.get(unit, (unit, Decimal(1)))
    places = 2 if unit in DISPLAY_UNITS else decimals
    q = Decimal(1).scaleb(-places)
    number = (Decimal(value) / divisor).quantize(q, rounding=ROUND_HALF_UP)
    return f"{number:,.{places}f}", shown_unit


@dataclass
class Cell:
    text: str
    source: str
    batch_id: int | None
    batch_label: str
    time: str
    history: list[str] = field(default_factory=list)


@dataclass
class GridRow:
    code: str
    name: str
    unit: str
    cells: dict[int, Cell]


def fact_grid(facts: Iterable[dict[str, Any]], metrics: Sequence[Any], years: Sequence[int]) -> list[GridRow]:
    """facts: dicts with metric, year, value, is_current, source, batch_id, batch_label, time (text).

    One row per metric of the catalogue that has any value; superseded values go into the cell's history.
    """
    by_key: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for f in facts:
        by_key.setdefault((f["metric"], f["year"]), []).append(f)
    rows = []
    for m in metrics:
        cells = {}
        for year in years:
            entries = by_key.get((m.code, year), [])
            current = next((e for e in entries if e["is_current"]), None)
            if current is None:
                continue
            text, unit = display_value(current["value"], m.unit, m.decimals)
            history = [
                f"{display_value(e['value'], m.unit, m.decimals)[0]}（{e['source']}，批次 #{e['batch_id']}，{e['time']}，已被替代）"
                for e in entries if not e["is_current"]
            ]
            cells[year] = Cell(text, current["source"], current["batch_id"], current["batch_label"], current["time"], history)
        if cells:
            rows.append(GridRow(m.code, m.name, display_value(Decimal(0), m.unit, m.decimals)[1], cells))
    return rows
