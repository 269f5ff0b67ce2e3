"""Template filters: money in 万元/亿元 (stored in 元), dictionary lookups."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if hasattr(mapping, "get") else key


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def wan_yuan(value, places: int = 2) -> str:
    """元 → "1,234.56 万元"."""
    d = _decimal(value)
    return "—" if d is None else f"{d / 10000:,.{int(places)}f} 万元"


@register.filter
def yi_yuan(value, places: int = 2) -> str:
    """元 → "12.35 亿元"."""
    d = _decimal(value)
    return "—" if d is None else f"{d / 100000000:,.{int(places)}f} 亿元"


@register.filter
def thousands(value) -> str:
    """12345 → "12,345" whatever the locale's grouping (Chinese locale formats leave it out)."""
    d = _decimal(value)
    if d is None:
        return "—"
    return f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,}"
