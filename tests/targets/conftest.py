"""Target data for the views: city totals, two counties' shares and values, an override.

Written through the services as the city user, so the fixtures exercise the write path too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def cat(linyi):
    from gongqiang.targets.services.catalog import catalog

    return catalog()


def enter(user, cat, target, region, period, value, unit=None, today=TODAY, **kw):
    from gongqiang.targets.services.observations import commit, prepare

    entry = prepare(user, cat, cat.get(target), region, period, value, unit, today)
    return commit(user, cat, entry, **kw)


@pytest.fixture
def targets_data(personas, cat):
    from gongqiang.targets.services.overrides import set_override
    from gongqiang.targets.services.progress import city_region
    from gongqiang.targets.services.splits import save_shares
    from gongqiang.testing.factories import region

    city, ls, lz = city_region(), region("371302"), region("371311")
    u = personas.city
    for year, value in ((2022, 6000), (2023, 7000), (2024, 7600), (2025, 8200)):
        enter(u, cat, "G1.1", city, str(year), value)
    for year, value in ((2022, 1250), (2023, 1100), (2024, 1300)):
        enter(u, cat, "T4.1", city, str(year), value)
    save_shares(u, cat.get("G1.1"), {ls: (Decimal("800"), Decimal("1600")), lz: (Decimal("500"), Decimal("1000"))})
    save_shares(u, cat.get("T4.1"), {ls: (None, Decimal("200")), lz: (None, Decimal("150"))})
    for year, (a, b) in {2022: (950, 600), 2023: (1100, 650), 2024: (1250, 690)}.items():
        enter(u, cat, "G1.1", ls, str(year), a, note="兰山区统计局报送")
        enter(u, cat, "G1.1", lz, str(year), b, note="罗庄哨兵不锈钢有限公司等")
    enter(u, cat, "T4.1", ls, "2024", 210)
    enter(u, cat, "T4.1", lz, "2024", 90)
    set_override(u, cat.get("T4.1"), lz, "behind", "罗庄区入库材料延迟，人工认定")
    return {"city": city, "lanshan": ls, "luozhuang": lz}
