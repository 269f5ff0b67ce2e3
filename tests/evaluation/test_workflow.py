"""The run's legal steps, the public notice and the electricity surcharge step (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongqiang.evaluation.compute import workflow


def test_the_official_path():
    status = "draft"
    for action, expected in [
        ("open_review", "county_review"),
        ("submit", "city_approval"),
        ("approve", "public_notice"),
    ]:
        status = workflow.check(action, status)
        assert status == expected
    end = dt.date(2025, 7, 14)
    assert workflow.check("publish", status, today=dt.date(2025, 7, 15), notice_end=end) == "published"


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("publish", "draft"),
        ("approve", "county_review"),
        ("submit", "draft"),
        ("open_review", "published"),
        ("discard", "published"),
        ("approve", "public_notice"),
    ],
)
def test_illegal_steps_are_refused_in_chinese(action, status):
    with pytest.raises(workflow.IllegalStep, match="状态，不能"):
        workflow.check(action, status)


def test_publish_waits_for_the_end_of_the_notice():
    with pytest.raises(workflow.IllegalStep, match="期满后方可发布"):
        workflow.check(
            "publish", "public_notice", today=dt.date(2025, 7, 14), notice_end=dt.date(2025, 7, 14)
        )


def test_submit_waits_for_every_county():
    with pytest.raises(workflow.IllegalStep, match="还有 3 个县区"):
        workflow.check("submit", "county_review", pending_reviews=3)


def test_a_whatif_run_cannot_be_published_or_reviewed():
    with pytest.raises(workflow.IllegalStep, match="模拟测算"):
        workflow.check("open_review", "draft", kind="whatif")
    assert workflow.check("discard", "draft", kind="whatif") == "discarded"


def test_notice_window_counts_natural_days_inclusive():
    assert workflow.notice_window(dt.date(2025, 7, 10), 5) == (dt.date(2025, 7, 10), dt.date(2025, 7, 14))


def test_surcharge_steps_by_consecutive_years_in_d():
    steps = [Decimal("0.05"), Decimal("0.10"), Decimal("0.15")]
    history = {2021: "D", 2022: "C", 2023: "D", 2024: "D", 2025: "D"}
    assert workflow.surcharge_step(history, 2021, steps) == (1, Decimal("0.05"))
    assert workflow.surcharge_step(history, 2022, steps) == (0, None)
    assert workflow.surcharge_step(history, 2024, steps) == (2, Decimal("0.10"))
    assert workflow.surcharge_step({**history, 2026: "D"}, 2026, steps) == (4, Decimal("0.15"))
