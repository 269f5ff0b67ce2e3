"""Checks of one entered or imported value, before anything is written. Messages are Chinese and say why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .periods import Period, allowed

COUNT_UNITS = frozenset({"家", "个", "项", "条", "个/县区"})
PERIODICITY_LABELS = {"year": "年度", "quarter": "季度", "month": "月度"}
KIND_LABELS = {"year": "年度", "quarter": "季度", "month": "月度"}


def check_value(
    *,
    kind: str,
    unit: str,
    periodicity: str,
    first_year: int,
    last_year: int,
    period: Period,
    value: Decimal,
    previous: tuple[Period, Decimal] | None,
    unit_check_ratio: float,
    today: dt.date,
) -> list[tuple[str, str]]:
    """Everything wrong with `value` for `period` as (field, reason), field "period" or "value"; empty when
    it may be saved.

    first_year..last_year is the target's span (baseline year to deadline); `previous` is the nearest
    earlier observation, used to catch a figure typed in the wrong unit (万元 for 亿元 is 10,000×).
    """
    errors: list[tuple[str, str]] = []
    if not allowed(period, periodicity):
        errors.append(("period", f"该目标按{PERIODICITY_LABELS[periodicity]}报送，不能填报{KIND_LABELS[period.kind]}数据（{period.label}）"))
    if not first_year <= period.year <= last_year:
        errors.append(("period", f"{period.label}不在目标期内（{first_year}–{last_year}年）"))
    elif period.end > today:
        errors.append(("period", f"{period.label}尚未结束，不能填报"))
    if unit == "%" and kind in ("share", "decrease_vs_baseline"):
        if value > 100:
            errors.append(("value", f"{value}% 超过 100%：占比或下降率不可能大于 100%（请填百分数，如 39.7）"))
        if value < 0 and kind == "share":
            errors.append(("value", f"{value}% 小于 0：占比不能为负"))
    if unit in COUNT_UNITS:
        if value < 0:
            errors.append(("value", f"个数不能为负（{value}{unit}）"))
        elif value != value.to_integral_value():
            errors.append(("value", f"个数应为整数（{value}{unit}）"))
    if previous is not None and previous[1] and value:
        ratio = abs(value / previous[1])
        if ratio >= Decimal(str(unit_check_ratio)) or ratio <= 1 / Decimal(str(unit_check_ratio)):
            shown = f"{ratio:,.0f} 倍" if ratio >= 1 else f"1/{(1 / ratio):,.0f}"
            errors.append(("value",
                f"数值 {value:,} {unit} 是上一期（{previous[0].label}：{previous[1]:,} {unit}）的 {shown}，"
                f"疑似单位错误（如万元与亿元相差 10,000 倍）；本目标的单位是“{unit}”，请核对"
            ))
    return errors


def parse_decimal(cell: object) -> Decimal | None:
    """A clerk's number: "1,234.5", full-width digits, "39.7%"; None for an empty cell.

    Raises ValueError with a Chinese reason. Floats from Excel keep 15 significant digits, as Excel does.
    """
    import unicodedata
    from decimal import InvalidOperation

    if cell is None:
        return None
    if isinstance(cell, bool):
        raise ValueError(f"“{cell}”不是数字")
    if isinstance(cell, int | Decimal):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(format(cell, ".15g"))
    text = unicodedata.normalize("NFKC", str(cell)).strip().replace(",", "").replace(" ", "")
    if text in ("", "-", "—", "/"):
        return None
    text = text.removesuffix("%")
    try:
        value = Decimal(text)
    except InvalidOperation:
        shown = str(cell).strip()
        raise ValueError(f"“{shown[:30]}”不是有效数字") from None
    if not value.is_finite():
        raise ValueError(f"“{cell}”不是有效数字")
    return value
