"""The fact grid: display units (元 → 万元), current vs history, provenance."""

from decimal import Decimal
from types import SimpleNamespace

from gongqiang.enterprises.presenters import display_value, fact_grid

TAX = SimpleNamespace(code="tax_paid", name="实缴税金", unit="元", decimals=2)
LAND = SimpleNamespace(code="land_mu", name="实际用地面积", unit="亩", decimals=4)
EMPTY = SimpleNamespace(code="profit", name="利润总额", unit="元", decimals=2)


def fact(metric, year, value, current=True, batch=1):
    return {"metric": metric, "year": year, "value": Decimal(value), "is_current": current, "source": "税务",
            "batch_id": batch, "batch_label": "tax.xlsx", "time": "2025-05-20 10:00"}


def test_display_units():
    assert display_value(Decimal("12345678"), "元", 2) == ("1,234.57", "万元")
    assert display_value(Decimal("-5000"), "元", 2) == ("-0.50", "万元")
    assert display_value(Decimal("12.34565"), "亩", 4) == ("12.3457", "亩")
    assert display_value(Decimal("0.005"), "元", 2) == ("0.00", "万元")


def test_grid_current_history_and_empty_metrics():
    rows = fact_grid(
        [fact("tax_paid", 2023, "1000000", current=False, batch=1), fact("tax_paid", 2023, "1200000", batch=2),
         fact("tax_paid", 2024, "1500000", batch=3), fact("land_mu", 2024, "30.5")],
        [TAX, LAND, EMPTY], [2023, 2024],
    )
    assert [r.code for r in rows] == ["tax_paid", "land_mu"]
    tax = rows[0]
    assert tax.unit == "万元" and tax.cells[2023].text == "120.00" and tax.cells[2023].batch_id == 2
    assert len(tax.cells[2023].history) == 1 and "100.00" in tax.cells[2023].history[0]
    assert tax.cells[2024].history == []
    assert 2023 not in rows[1].cells and rows[1].cells[2024].text == "30.5000"
