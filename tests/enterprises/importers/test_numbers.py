from decimal import Decimal

import pytest

from gongqiang.enterprises.importers.numbers import NumberError, parse_number


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (12, Decimal(12)),
        (0.1, Decimal("0.1")),
        (537.46, Decimal("537.46")),
        (0.1 + 0.2, Decimal("0.3")),  # binary noise past 15 digits is Excel's, not the figure
        (686.0, Decimal(686)),
        ("1,234.5", Decimal("1234.5")),
        ("5,567,105", Decimal(5567105)),
        ("１２３", Decimal(123)),
        ("１，２３４．５", Decimal("1234.5")),
        ("−12", Decimal(-12)),
        ("－12.5", Decimal("-12.5")),
        ("(12.3)", Decimal("-12.3")),
        ("（12.3）", Decimal("-12.3")),
        ("  42  ", Decimal(42)),
        ("\u300042\u3000", Decimal(42)),
        ("+7", Decimal(7)),
        (".5", Decimal("0.5")),
        ("1.2E+3", Decimal(1200)),
        (Decimal("3.14"), Decimal("3.14")),
    ],
)
def test_numbers_as_departments_type_them(cell, expected):
    assert parse_number(cell) == expected


@pytest.mark.parametrize("cell", [None, "", "   ", "-", "—", "－", "/", "--", "——"])
def test_empty_marks_are_no_value(cell):
    assert parse_number(cell) is None


@pytest.mark.parametrize(
    "cell", ["12a", "1.2.3", "NaN", "nan", "inf", "-inf", "1,23", "abc", "()", "(-5)", "1 234", "12%"]
)
def test_garbage_is_refused_with_a_reason(cell):
    with pytest.raises(NumberError) as info:
        parse_number(cell)
    assert info.value.reason == f"“{cell.strip()}”不是有效数字"


@pytest.mark.parametrize("cell", [float("nan"), float("inf"), True, "1e400"])
def test_non_finite_booleans_and_huge_values_are_refused(cell):
    with pytest.raises(NumberError):
        parse_number(cell)


def test_a_date_is_not_a_number():
    import datetime as dt

    with pytest.raises(NumberError, match="日期"):
        parse_number(dt.datetime(2024, 5, 1))


def test_the_reason_quotes_the_cell():
    with pytest.raises(NumberError) as info:
        parse_number("12a")
    assert info.value.reason == "“12a”不是有效数字"
