"""Periods of observations: a year ("2024"), a quarter ("2024Q3") or a month ("2024-03").

Sub-year values are year-to-date: "2024Q3" is January–September 2024. A period knows how many months
of its year it covers, when it ends, and how a clerk writes it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

PERIODICITIES = ("year", "quarter", "month")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_QUARTER = re.compile(r"^(\d{4})\s*(?:年\s*第?\s*|[-/ ]?)[Qq季]?\s*([1-4])\s*(?:季度?)?$")
_MONTH = re.compile(r"^(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*月?$")
_CN_QUARTER = {"一": "1", "二": "2", "三": "3", "四": "4"}


class PeriodError(ValueError):
    """The text is not a period; the message is Chinese and shown as it is."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    months: int  # months of the year covered, from January: 12 for a year, 9 for Q3, 3 for March
    kind: str  # "year" | "quarter" | "month"

    @property
    def key(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.months // 3}"
        return f"{self.year}-{self.months:02d}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.year}年"
        if self.kind == "quarter":
            return f"{self.year}年第{self.months // 3}季度"
        return f"{self.year}年{self.months}月"

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        if self.months == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, self.months + 1, 1) - dt.timedelta(days=1)

    @property
    def is_full_year(self) -> bool:
        return self.months == 12


def year_period(year: int) -> Period:
    return Period(year, 12, "year")


def parse_period(text: object) -> Period:
    """"2024" / 2024 / "2024年" → year; "2024Q3" / "2024年第3季度" / "2024年三季度" → quarter;
    "2024-03" / "2024年3月" → month. Raises PeriodError with the reason."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    raw = str(text).strip().replace("（", "(").replace("）", ")")
    for cn, digit in _CN_QUARTER.items():
        raw = raw.replace(f"{cn}季", f"{digit}季")
    if m := _YEAR.match(raw):
        return year_period(int(m.group(1)))
    if "季" in raw or "Q" in raw.upper():
        if m := _QUARTER.match(raw):
            return Period(int(m.group(1)), int(m.group(2)) * 3, "quarter")
    elif m := _MONTH.match(raw):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"“{text}”的月份不在 1–12 之间")
        return Period(int(m.group(1)), month, "month")
    raise PeriodError(f"“{text}”不是有效的期间（应写作 2024、2024Q3 或 2024-03）")


def allowed(period: Period, periodicity: str) -> bool:
    """A yearly target takes only years; a quarterly one years and quarters; a monthly one all three."""
    return PERIODICITIES.index(period.kind) <= PERIODICITIES.index(periodicity)


def months_between(start_year: int, year: int, months: int) -> int:
    """Months from the end of `start_year` to the end of month `months` of `year` (negative when before)."""
    return (year - start_year - 1) * 12 + months


def closes_on(period: Period, monthly_due_day: int, annual_due: str) -> dt.date:
    """The day the period's reporting closes (the pack's schedule): a value entered after it is late.

    Months and quarters close on the monthly dispatch due day of the next month; a year closes on the
    annual assessment date ("MM-DD") of the next year.
    """
    if period.months == 12 and period.kind == "year":
        month, day = (int(x) for x in annual_due.split("-"))
        return dt.date(period.year + 1, month, day)
    end = period.end + dt.timedelta(days=1)
    return dt.date(end.year, end.month, monthly_due_day)
