"""Working days in mainland China (chinese-calendar), falling back to Monday–Friday for years it does not know."""

from __future__ import annotations

import datetime as dt


def is_workday(day: dt.date) -> bool:
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (NotImplementedError, ImportError):
        # The library ships official holiday tables only up to the year it was released for.
        return day.weekday() < 5


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The date n working days before `day` (n = 0 gives `day` itself)."""
    current = day
    left = n
    while left > 0:
        current -= dt.timedelta(days=1)
        if is_workday(current):
            left -= 1
    return current


def next_workday_after(day: dt.date) -> dt.date:
    current = day + dt.timedelta(days=1)
    while not is_workday(current):
        current += dt.timedelta(days=1)
    return current
