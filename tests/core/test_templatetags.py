"""Money is stored in 元 and shown in 万元/亿元; counts get thousands separators."""

from decimal import Decimal

from gongqiang.core.templatetags.gq import get_item, thousands, wan_yuan, yi_yuan


def test_money_units():
    assert wan_yuan(Decimal("12345678")) == "1,234.57 万元"
    assert wan_yuan(5000) == "0.50 万元"
    assert yi_yuan(Decimal("1000000000000")) == "10,000.00 亿元"
    assert yi_yuan(None) == "—" and wan_yuan("abc") == "—"


def test_thousands_and_lookup():
    assert thousands(18300) == "18,300"
    assert thousands(Decimal("1234.5")) == "1,234.5"
    assert get_item({"a": 1}, "a") == 1 and get_item({}, "b") == "b"
