"""Units as departments write them, from the pack's `units`: lookup, header and title parsing, conversion."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext

from gongqiang.core.policy.schema import UnitSpec

from .text import fold

# "单位：万元", "金额单位：千元；能耗：吨标准煤", "（面积单位：平方米）": a label, a colon, a unit.
_LABELLED = re.compile(r"([^\s:：;；,，、()（）]*)\s*[:：]\s*([^\s:：;；,，、()（）]+)")
_TRAILING = re.compile(r"^(.*)\(([^()]*)\)$")
_SLASH = re.compile(r"^(.*?)[/:]([^/:]+)$")
# Enough digits that any figure a department sends (≤ 10^20, a few decimals) converts exactly.
PRECISION = 40


@dataclass(frozen=True)
class TitleUnit:
    unit: UnitSpec
    label: str  # "金额单位", "能耗", "单位"
    text: str  # as written in the title line: "单位：万元"


class UnitBook:
    def __init__(self, units: list[UnitSpec]) -> None:
        self.units = units
        self._by_name = {fold(n): u for u in units for n in (u.name, *u.aliases)}

    def get(self, text: str | None) -> UnitSpec | None:
        return self._by_name.get(fold(text)) if text else None

    def require(self, name: str) -> UnitSpec:
        unit = self.get(name)
        if unit is None:  # a pack mistake, not a file problem: the pack check should have caught it
            raise ValueError(f"单位“{name}”不在政策包的 units 中")
        return unit

    def split_header(self, header: str) -> tuple[str, UnitSpec | None]:
        """("实缴税金", 万元) for "实缴税金（万元）", "实缴税金(单位:万元)" or "实缴税金/万元"; folded."""
        text = fold(header)
        for pattern in (_TRAILING, _SLASH):
            match = pattern.match(text)
            if match:
                inner = match.group(2).removeprefix("单位:").removeprefix("单位")
                unit = self.get(inner)
                if unit is not None and match.group(1):
                    return match.group(1), unit
        return text, None

    def title_units(self, lines: list[str]) -> list[TitleUnit]:
        found = []
        for line in lines:
            for match in _LABELLED.finditer(line):
                unit = self.get(match.group(2))
                if unit is not None:
                    found.append(TitleUnit(unit, match.group(1), match.group(0).strip()))
        return found


def pick_title_unit(found: list[TitleUnit], base: str, *names: str) -> TitleUnit | None:
    """The title unit for a column whose unit base is `base`: one labelled with the column's name
    ("能耗：吨标准煤" for 综合能源消费量 only if no better), else a generic "单位"/"金额单位"."""
    fitting = [t for t in found if t.unit.base == base]
    if not fitting:
        return None
    folded = [fold(n) for n in names if n]
    for t in fitting:
        label = fold(t.label).removesuffix("单位")
        if label and any(label in n for n in folded):
            return t
    return fitting[0]


def convert(value: Decimal, unit: UnitSpec, per: float | None = None) -> Decimal:
    """value × factor ÷ divisor (÷ per): exact for multiplications, 40 significant digits for divisions."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        result = value * Decimal(unit.factor) / Decimal(unit.divisor)
        if per is not None:
            result = result / Decimal(format(per, ".15g"))
        return +result
