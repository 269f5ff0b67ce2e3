"""Unit conversion between the units the pack declares (value_in_base = value × factor ÷ divisor)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


class UnitError(ValueError):
    pass


@dataclass(frozen=True)
class Unit:
    name: str
    base: str
    factor: Decimal
    divisor: Decimal
    aliases: tuple[str, ...] = ()


def units_from_pack(specs: list[Any]) -> dict[str, Unit]:
    """Name and every alias → Unit."""
    out: dict[str, Unit] = {}
    for s in specs:
        unit = Unit(s.name, s.base, Decimal(s.factor), Decimal(s.divisor), tuple(s.aliases))
        for name in (s.name, *s.aliases):
            out[name] = unit
    return out


def compatible(unit: str, units: dict[str, Unit]) -> list[str]:
    """The units a value of `unit` may be entered in: itself first, then those of the same base."""
    own = units.get(unit)
    if own is None:
        return [unit]
    seen = {unit}
    out = [unit]
    for u in units.values():
        if u.base == own.base and u.name not in seen:
            seen.add(u.name)
            out.append(u.name)
    return out


def convert(value: Decimal, from_unit: str, to_unit: str, units: dict[str, Unit]) -> Decimal:
    if from_unit == to_unit:
        return value
    a, b = units.get(from_unit), units.get(to_unit)
    if a is None or b is None or a.base != b.base:
        raise UnitError(f"单位“{from_unit}”不能换算为“{to_unit}”")
    return value * a.factor / a.divisor * b.divisor / b.factor
