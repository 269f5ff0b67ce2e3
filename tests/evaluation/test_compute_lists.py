"""Task one's pure figures (compute/lists.py) on small frames checked by hand, and the status transitions."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from gongqiang.evaluation.compute.lists import (
    ListFigures,
    below_scale_land_share,
    check_transition,
    list_figures,
)

D = dt.date

ENTRY_SCHEMA = {
    "region": pl.String,
    "cohort_year": pl.Int64,
    "status": pl.String,
    "status_date": pl.Date,
    "first_batch": pl.Boolean,
    "group": pl.String,
}


def entries(rows):
    return pl.DataFrame(rows, schema=ENTRY_SCHEMA, orient="row")


# region, cohort, status, date, first batch, group
ROWS = [
    ("A", 2021, "cleared", D(2022, 6, 1), True, "above"),  # e1: cleared in 2022
    ("A", 2021, "cleared", D(2023, 3, 1), False, "above"),  # e2: cleared only in 2023
    ("A", 2021, "upgraded", D(2022, 9, 1), True, "above"),  # e3: upgraded in place in 2022
    ("A", 2021, "listed", D(2022, 7, 15), False, "above"),  # e4: still open
    ("A", 2021, "removed", D(2022, 1, 10), True, "above"),  # e5: listed by mistake
    ("A", 2021, "in_progress", D(2022, 5, 1), True, "below"),  # e6: below-scale, open
    ("B", 2021, "cleared", D(2022, 2, 1), False, "above"),  # e7
    ("B", 2021, "listed", None, False, "above"),  # e8
    ("A", 2022, "cleared", D(2022, 12, 1), False, "above"),  # e9: the 2022 cohort, not the baseline
]


def test_cohort_cleared_upgraded_by_date_and_removed_leave_the_denominator():
    figs = list_figures(entries(ROWS), cohort_year=2021, as_of=D(2022, 12, 31))
    # A: e1..e6 minus the removed e5 = 5; cleared by 2022: e1 only; upgraded: e3
    assert figs["A"] == ListFigures(
        cohort=5, cleared=1, upgraded=1, removed=1, first_batch=3, first_batch_done=2
    )
    assert figs["B"] == ListFigures(
        cohort=2, cleared=1, upgraded=0, removed=0, first_batch=0, first_batch_done=0
    )
    assert figs[None] == ListFigures(
        cohort=7, cleared=2, upgraded=1, removed=1, first_batch=3, first_batch_done=2
    )
    assert figs["A"].clearance_rate == pytest.approx(20.0)
    assert figs[None].clearance_rate == pytest.approx(200 / 7)
    # still open at the end of 2022: A has e2 (cleared later), e4 and e6; B has e8
    assert figs["A"].open == 3
    assert figs["B"].open == 1
    assert figs[None].open == 4


def test_cleared_counts_from_its_date():
    early = list_figures(entries(ROWS), cohort_year=2021, as_of=D(2021, 12, 31))
    assert early["A"].cleared == 0 and early["A"].upgraded == 0 and early["A"].clearance_rate == 0
    later = list_figures(entries(ROWS), cohort_year=2021, as_of=D(2023, 12, 31))
    assert later["A"].cleared == 2
    assert later[None].clearance_rate == pytest.approx(300 / 7)


def test_group_filter_counts_one_group_only():
    figs = list_figures(entries(ROWS), cohort_year=2021, as_of=D(2022, 12, 31), group="above")
    # A above-scale, not removed: e1, e2, e3, e4
    assert figs["A"].cohort == 4 and figs["A"].cleared == 1
    assert figs["A"].clearance_rate == pytest.approx(25.0)
    assert figs["A"].first_batch == 2  # e1, e3 (e5 removed, e6 below-scale)
    assert figs[None].cohort == 6


def test_other_cohorts_and_empty_frames():
    figs = list_figures(entries(ROWS), cohort_year=2022, as_of=D(2022, 12, 31))
    assert figs[None] == ListFigures(
        cohort=1, cleared=1, upgraded=0, removed=0, first_batch=0, first_batch_done=0
    )
    assert list_figures(entries([]), cohort_year=2021, as_of=D(2022, 12, 31)) == {}
    nobody = list_figures(entries(ROWS), cohort_year=2019, as_of=D(2022, 12, 31))
    assert nobody[None].cohort == 0 and nobody[None].clearance_rate is None


def test_only_removed_gives_no_rate():
    figs = list_figures(
        entries([("A", 2021, "removed", D(2022, 1, 1), False, "above")]),
        cohort_year=2021,
        as_of=D(2022, 12, 31),
    )
    assert figs["A"].cohort == 0 and figs["A"].removed == 1 and figs["A"].clearance_rate is None
    assert figs["A"].open == 0


RESULT_SCHEMA = {
    "region": pl.String,
    "group": pl.String,
    "status": pl.String,
    "class": pl.String,
    "land_mu": pl.Float64,
}
RESULTS = [
    ("A", "below", "evaluated", "D", 10.0),
    ("A", "below", "evaluated", "C", 30.0),
    ("A", "below", "exception", "D", 100.0),  # not evaluated: neither numerator nor denominator
    ("A", "above", "evaluated", "D", 50.0),  # above-scale: another group
    ("B", "below", "evaluated", "D", None),  # no land: counts 0
    ("B", "below", "evaluated", "B", 20.0),
    ("C", "below", "evaluated", "D", 0.0),  # no land at all: no share
]


def test_below_scale_land_share_per_county_and_city():
    frame = pl.DataFrame(RESULTS, schema=RESULT_SCHEMA, orient="row")
    shares = below_scale_land_share(frame, group="below", classes=["D"])
    assert shares["A"] == pytest.approx(25.0)  # 10 / (10 + 30)
    assert shares["B"] == pytest.approx(0.0)  # 0 / 20
    assert shares["C"] is None
    assert shares[None] == pytest.approx(100 * 10 / 60)
    wider = below_scale_land_share(frame, group="below", classes=["C", "D"])
    assert wider["A"] == pytest.approx(100.0)
    assert wider[None] == pytest.approx(100 * 40 / 60)


def test_below_scale_land_share_of_nothing():
    empty = pl.DataFrame([], schema=RESULT_SCHEMA, orient="row")
    assert below_scale_land_share(empty, group="below", classes=["D"]) == {None: None}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("listed", "in_progress"),
        ("in_progress", "listed"),
        ("listed", "removed"),
        ("in_progress", "upgraded"),
        ("listed", "cleared"),
        ("in_progress", "cleared"),
    ],
)
def test_legal_transitions(old, new):
    assert check_transition(old, new, exit_kind="closed", note="关停文件") is None


def test_moving_into_work_needs_no_evidence():
    assert check_transition("listed", "in_progress") is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("upgraded", "listed"),
        ("cleared", "in_progress"),
        ("removed", "listed"),
        ("cleared", "upgraded"),
        ("listed", "listed"),
        ("listed", "nonsense"),
        ("nonsense", "listed"),
    ],
)
def test_illegal_transitions_say_why_in_chinese(old, new):
    message = check_transition(old, new, exit_kind="closed", note="理由")
    assert message is not None and "不能改为" in message


def test_clearing_needs_an_exit_kind_and_evidence():
    assert "出清方式" in check_transition("listed", "cleared", note="已关停")
    assert check_transition("listed", "cleared", exit_kind="bankrupt", note="  ") == "请填写佐证或理由。"
    assert check_transition("in_progress", "upgraded", note="") == "请填写佐证或理由。"
    assert check_transition("listed", "removed", note="") == "请填写佐证或理由。"
