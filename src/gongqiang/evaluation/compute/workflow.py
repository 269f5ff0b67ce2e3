"""The run's life: draft (企业自查) → county review → city approval → public notice → published.

Pure: the legal steps and who may take them. The service asks `check` before changing anything.
"""

from __future__ import annotations

import datetime as dt

STEPS: dict[str, tuple[str, str, str]] = {
    # action: (from status, to status, role that may take it)
    "open_review": ("draft", "county_review", "city"),
    "submit": ("county_review", "city_approval", "city"),
    "return": ("city_approval", "county_review", "city"),
    "approve": ("city_approval", "public_notice", "city"),
    "publish": ("public_notice", "published", "city"),
    "discard_draft": ("draft", "discarded", "city"),
    "discard_review": ("county_review", "discarded", "city"),
    "discard_approval": ("city_approval", "discarded", "city"),
}
ACTION_NAMES = {
    "open_review": "转县区审核",
    "submit": "提交市级审定",
    "return": "退回县区",
    "approve": "审定并公示",
    "publish": "公示期满，发布",
    "discard": "作废",
}
STATUS_NAMES = {
    "draft": "企业自查",
    "county_review": "县区审核",
    "city_approval": "市级审定",
    "public_notice": "公示中",
    "published": "已发布",
    "superseded": "已被新版本取代",
    "discarded": "已作废",
}


class IllegalStep(ValueError):
    pass


def resolve(action: str, status: str) -> str:
    """The STEPS key for a user's action in a status (discard has one key per status)."""
    return (
        f"discard_{ {'draft': 'draft', 'county_review': 'review', 'city_approval': 'approval'}.get(status, 'x') }"
        if action == "discard"
        else action
    )


def check(
    action: str,
    status: str,
    *,
    kind: str = "official",
    today: dt.date | None = None,
    notice_end: dt.date | None = None,
    pending_reviews: int = 0,
) -> str:
    """The status after `action`, or IllegalStep with the reason in Chinese."""
    key = resolve(action, status)
    if key not in STEPS:
        if action == "discard":
            raise IllegalStep(f"评价处于“{STATUS_NAMES.get(status, status)}”状态，不能作废。")
        raise IllegalStep(f"未知的操作“{action}”")
    source, target, _ = STEPS[key]
    if status != source:
        raise IllegalStep(
            f"评价处于“{STATUS_NAMES.get(status, status)}”状态，不能{ACTION_NAMES.get(action, action)}。"
        )
    if kind != "official" and target not in ("discarded",):
        raise IllegalStep("模拟测算只用于比较，不能进入审核、公示和发布。")
    if key == "submit" and pending_reviews:
        raise IllegalStep(f"还有 {pending_reviews} 个县区（功能区）未完成审核，不能提交市级审定。")
    if key == "publish" and notice_end is not None and today is not None and today <= notice_end:
        raise IllegalStep(f"公示期至 {notice_end:%Y年%m月%d日}，期满后方可发布。")
    return target


def notice_window(start: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """A public notice of `days` natural days starting on `start` (inclusive)."""
    return start, start + dt.timedelta(days=days - 1)


def surcharge_step(classes_by_year: dict[int, str], year: int, steps: list) -> tuple[int, object | None]:
    """Consecutive years in D up to `year` and the electricity surcharge for that count (the last step
    applies from its year on); (0, None) when `year` is not in D."""
    n = 0
    y = year
    while classes_by_year.get(y) == "D":
        n += 1
        y -= 1
    if n == 0:
        return 0, None
    return n, steps[min(n, len(steps)) - 1]
