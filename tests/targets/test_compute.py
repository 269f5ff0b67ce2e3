"""Progress computation on hand-computed cases. Pure: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongqiang.targets.compute import (
    Bound,
    Point,
    Rules,
    Status,
    TargetDef,
    annual_points,
    check_sum,
    county_def,
    evaluate,
    parse_period,
    rank_counties,
    trajectories,
)
from gongqiang.targets.compute.checks import check_value
from gongqiang.targets.compute.periods import Period, PeriodError

RULES = Rules(behind_gap=0.05, seriously_behind_gap=0.15, projection_periods=3)
TODAY = dt.date(2026, 11, 25)


def pts(**values: float) -> list[Point]:
    return [Point(int(y[1:]), v) for y, v in values.items()]


def level(**kw) -> TargetDef:
    base = dict(kind="level", start_year=2021, goal_year=2026, goal_value=10000, comparison="gt",
                start_value=5000, flow=True)
    base.update(kw)
    return TargetDef(**base)


def test_level_on_the_straight_line():
    p = evaluate(level(), pts(y2022=6000, y2023=7000), RULES, TODAY)
    # 24 of 60 months elapsed; (7000 − 5000) / (10000 − 5000) = 0.4 done
    assert p.elapsed == pytest.approx(0.4) and p.completion == pytest.approx(0.4) and p.gap == pytest.approx(0)
    assert p.status == Status.on_track
    # 1000 a year for three more years reaches exactly 10000, which is not "over" 10000 (gt)
    assert p.pace == pytest.approx(1000) and p.projected == pytest.approx(10000)
    assert p.projected_meets is False
    assert p.required_pace == pytest.approx(1000)
    assert p.required_growth == pytest.approx(2 ** (1 / 5) - 1)  # 14.87 % a year
    assert p.achieved_growth == pytest.approx(1.4 ** 0.5 - 1)  # 18.32 %
    assert p.required_growth_now == pytest.approx((10000 / 7000) ** (1 / 3) - 1)  # 12.62 %


def test_level_behind_and_seriously_behind():
    assert evaluate(level(), pts(y2023=6500), RULES, TODAY).status == Status.behind  # gap 0.4 − 0.3 = 0.1
    assert evaluate(level(), pts(y2023=5500), RULES, TODAY).status == Status.seriously_behind  # gap 0.3


def test_projection_uses_only_the_last_three_periods():
    p = evaluate(level(), pts(y2021=5000, y2022=8000, y2023=8100, y2024=8200, y2025=8300), RULES, TODAY)
    # 2022→2025: +300 in 3 years = 100 a year; one more year → 8400
    assert p.pace == pytest.approx(100) and p.projected == pytest.approx(8400)
    assert p.status == Status.behind  # 0.8 elapsed − 0.66 done = 0.14


def test_decreasing_share_without_baseline_uses_first_year():
    defn = TargetDef(kind="share", start_year=2021, goal_year=2026, goal_value=10, comparison="lt",
                     direction="decrease", milestones=(Bound(30, "le", 2022),))
    p = evaluate(defn, pts(y2021=40, y2022=32, y2023=28), RULES, TODAY)
    assert p.start == 40 and p.start_year == 2021
    assert p.completion == pytest.approx(12 / 30) and p.status == Status.on_track
    assert p.projected == pytest.approx(10) and p.projected_meets is False  # 10 is not "below 10"
    assert [(m.year, m.state, m.observed) for m in p.milestones] == [(2022, "missed", 32)]
    slow = evaluate(defn, pts(y2021=40, y2023=36), RULES, TODAY)
    assert slow.completion == pytest.approx(4 / 30) and slow.status == Status.seriously_behind


def test_zero_baseline():
    share = TargetDef(kind="share", start_year=2021, goal_year=2026, goal_value=100, start_value=0,
                      milestones=(Bound(40, "ge", 2022),))
    p = evaluate(share, pts(y2022=40), RULES, TODAY)
    assert p.completion == pytest.approx(0.4) and p.elapsed == pytest.approx(0.2) and p.status == Status.on_track
    assert p.milestones[0].state == "met"
    count = TargetDef(kind="stock_count", start_year=2021, goal_year=2026, goal_value=100, start_value=0)
    p = evaluate(count, pts(y2023=30), RULES, TODAY)
    assert p.gap == pytest.approx(0.1) and p.status == Status.behind
    assert p.required_growth is None  # no growth rate from zero


def test_cumulative_new_with_a_missing_year():
    defn = TargetDef(kind="cumulative_new", start_year=2021, goal_year=2026, goal_value=22)
    p = evaluate(defn, pts(y2022=3, y2024=5), RULES, TODAY)
    assert [(x.year, x.value) for x in p.levels] == [(2022, 3), (2024, 8)]
    assert p.incomplete is True
    assert p.completion == pytest.approx(8 / 22) and p.elapsed == pytest.approx(0.6)
    assert p.status == Status.seriously_behind
    assert p.projected == pytest.approx(8 + 8 / 36 * 24)


def test_new_per_year_annualises_a_partial_year():
    defn = TargetDef(kind="new_per_year", start_year=2021, goal_year=2026, goal_value=1000, flow=True)
    points = annual_points([(parse_period("2024"), 1100), (parse_period("2025Q2"), 300),
                            (parse_period("2025Q3"), 600)], flow=True)
    assert points == [Point(2024, 1100, 12), Point(2025, 800, 9)]
    p = evaluate(defn, points, RULES, TODAY)
    assert p.elapsed == pytest.approx(0.75) and p.completion == pytest.approx(0.8)
    assert p.status == Status.on_track  # gap −0.05; a partial year is never "achieved"
    assert p.projected == pytest.approx(950) and p.projected_meets is False
    full = evaluate(defn, [Point(2025, 1000)], RULES, TODAY)
    assert full.status == Status.achieved


def test_multiple_of_baseline_with_floor():
    defn = TargetDef(kind="multiple_of_baseline", start_year=2021, goal_year=2026, goal_value=2, start_value=250,
                     also=(Bound(500, "gt"),), flow=True)
    p = evaluate(defn, pts(y2025=500), RULES, TODAY)
    assert p.goal == 500 and p.status == Status.on_track  # doubled, but not yet "over 500"
    assert evaluate(defn, pts(y2026=510), RULES, dt.date(2027, 3, 1)).status == Status.achieved
    no_base = TargetDef(kind="multiple_of_baseline", start_year=2021, goal_year=2026, goal_value=2, flow=True)
    assert evaluate(no_base, pts(y2024=300), RULES, TODAY).status == Status.no_data


def test_composite_and_first_year_baseline():
    defn = TargetDef(kind="composite", start_year=2021, goal_year=2026, goal_value=4)
    p = evaluate(defn, pts(y2022=1, y2024=2), RULES, TODAY)
    assert p.start_year == 2022 and p.elapsed == pytest.approx(0.5)
    assert p.completion == pytest.approx(1 / 3) and p.status == Status.seriously_behind
    one = evaluate(defn, pts(y2024=2), RULES, TODAY)
    assert one.status == Status.no_data and "基期" in one.reason and one.current == 2
    assert evaluate(defn, pts(y2024=4), RULES, TODAY).status == Status.achieved  # reached is reached


def test_decrease_vs_baseline_as_a_rising_cut():
    defn = TargetDef(kind="decrease_vs_baseline", start_year=2021, goal_year=2026, goal_value=6, start_value=0)
    assert evaluate(defn, pts(y2023=2.4), RULES, TODAY).status == Status.on_track


def test_deadline_passed_and_no_data_and_tracked():
    defn = TargetDef(kind="cumulative_new", start_year=2021, goal_year=2022, goal_value=30)
    p = evaluate(defn, pts(y2022=25), RULES, TODAY)
    assert p.status == Status.seriously_behind and "目标期已到" in p.reason
    assert evaluate(defn, pts(y2022=31), RULES, TODAY).status == Status.achieved
    assert evaluate(defn, [], RULES, TODAY).status == Status.no_data
    # values after the deadline do not count
    assert evaluate(defn, pts(y2023=40), RULES, TODAY).status == Status.no_data
    tracked = TargetDef(kind="stock_count", start_year=2021, goal_year=2021, goal_value=None, tracked_only=True)
    assert evaluate(tracked, pts(y2024=3), RULES, TODAY).status == Status.tracked


def test_upper_cap_must_hold():
    defn = TargetDef(kind="stock_count", start_year=2021, goal_year=2026, goal_value=1, start_value=0,
                     also=(Bound(2, "le"),))
    assert evaluate(defn, pts(y2025=2), RULES, TODAY).status == Status.achieved
    assert evaluate(defn, pts(y2025=3), RULES, TODAY).status != Status.achieved


def test_milestone_pending_and_without_data():
    defn = level(milestones=(Bound(6000, "ge", 2023), Bound(9000, "ge", 2026)))
    p = evaluate(level(milestones=defn.milestones), pts(y2022=6000), RULES, TODAY)
    assert [m.state for m in p.milestones] == ["no_data", "pending"]


def test_trajectories():
    p = evaluate(level(), pts(y2022=6000), RULES, TODAY)
    paths = trajectories(level(), p)
    assert paths["straight"][0] == (2021, 5000) and paths["straight"][-1] == (2026, 10000)
    assert paths["straight"][2] == (2023, 7000)
    assert paths["growth"][-1][1] == pytest.approx(10000)


def test_county_def_turns_a_multiple_into_an_amount():
    city = TargetDef(kind="multiple_of_baseline", start_year=2021, goal_year=2026, goal_value=2, start_value=250,
                     also=(Bound(500, "gt"),), flow=True)
    county = county_def(city, 20, 45)
    p = evaluate(county, pts(y2023=30), RULES, TODAY)
    assert p.goal == 45 and p.completion == pytest.approx(10 / 25)


def test_ranking_weights_and_ties():
    weights = {"achieved": 1, "on_track": 1, "behind": 0.5, "seriously_behind": 0, "no_data": 0}
    rows = [("A", "G1.1", Status.achieved), ("A", "T3.1", Status.behind),
            ("B", "G1.1", Status.seriously_behind), ("B", "T3.1", Status.on_track),
            ("D", "G1.1", Status.achieved), ("D", "T3.1", Status.behind), ("D", "G2.2", Status.tracked)]
    scores = {c.region: c for c in rank_counties(rows, ["A", "B", "C", "D"], weights, {"G1.1": 2})}
    assert scores["A"].score == pytest.approx(250 / 3) and scores["A"].rank == 1
    assert scores["D"].rank == 1 and scores["D"].targets == 2  # the tracked one is not scored
    assert scores["B"].score == pytest.approx(100 / 3) and scores["B"].rank == 3
    assert scores["C"].score is None and scores["C"].rank is None


def test_sum_check():
    assert check_sum(10000, [6000, 3990], 0.005).ok is True
    bad = check_sum(10000, [6000, 3900], 0.005)
    assert bad.ok is False and bad.diff == -100 and "少 1.0%" in bad.message
    assert check_sum(None, [1], 0.005).ok is None


@pytest.mark.parametrize(("text", "key"), [
    ("2024", "2024"), (2024, "2024"), (2024.0, "2024"), ("2024年", "2024"), ("2024Q3", "2024Q3"),
    ("2024年第3季度", "2024Q3"), ("2024年三季度", "2024Q3"), ("2024-03", "2024-03"), ("2024年3月", "2024-03"),
    ("2024/12", "2024-12"),
])
def test_periods(text, key):
    assert parse_period(text).key == key


@pytest.mark.parametrize("text", ["24", "2024Q5", "2024-13", "明年", ""])
def test_bad_periods(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def _check(**kw):
    base = dict(kind="level", unit="亿元", periodicity="year", first_year=2021, last_year=2026,
                period=Period(2024, 12, "year"), value=Decimal("8600"), previous=(Period(2023, 12, "year"), Decimal("8000")),
                unit_check_ratio=100, today=TODAY)
    base.update(kw)
    return [message for _, message in check_value(**base)]


def test_checks_of_a_value():
    assert _check() == []
    [wrong_unit] = _check(value=Decimal("86000000"))
    assert "疑似单位错误" in wrong_unit and "2023年" in wrong_unit
    assert "不在目标期内" in _check(period=Period(2030, 12, "year"))[0]
    assert "尚未结束" in _check(period=Period(2026, 12, "year"))[0]
    assert "按年度报送" in _check(period=Period(2024, 9, "quarter"))[0]
    assert "超过 100%" in _check(kind="share", unit="%", value=Decimal("120"), previous=None)[0]
    assert "整数" in _check(unit="家", value=Decimal("3.5"), previous=None)[0]


def test_closing_dates_and_numbers():
    from gongqiang.targets.compute.checks import parse_decimal
    from gongqiang.targets.compute.periods import closes_on

    assert closes_on(parse_period("2024"), 5, "02-28") == dt.date(2025, 2, 28)
    assert closes_on(parse_period("2024Q4"), 5, "02-28") == dt.date(2025, 1, 5)
    assert closes_on(parse_period("2024-03"), 5, "02-28") == dt.date(2024, 4, 5)
    assert parse_decimal("１，２３４.５") == Decimal("1234.5")
    assert parse_decimal("39.7%") == Decimal("39.7")
    assert parse_decimal(0.1 + 0.2) == Decimal("0.3")
    assert parse_decimal(" ") is None
    with pytest.raises(ValueError, match="不是有效数字"):
        parse_decimal("约八千")
