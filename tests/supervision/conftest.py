"""Tasks for the supervision tests: one 兰山 task, one 罗庄 task, one department task on T4 (市科技局)."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def lines(linyi):
    from gongqiang.supervision.models import TaskLine
    from gongqiang.supervision.services.lines import sync_lines

    sync_lines()
    return {line.code: line for line in TaskLine.objects.all()}


@pytest.fixture
def tasks(lines, personas):
    from gongqiang.core.models import Department
    from gongqiang.supervision.models import Milestone, Task
    from gongqiang.testing.factories import region

    ls = Task.objects.create(line=lines["T6"], code="T6-LS", title="兰山文体用品特色园区建设",
                             owner_region=region("371302"), start_date=date(2024, 1, 1), deadline=date(2024, 6, 30))
    lz = Task.objects.create(line=lines["T6"], code="T6-LZ", title="罗庄不锈钢制品园区建设",
                             owner_region=region("371311"), start_date=date(2024, 1, 1), deadline=date(2024, 6, 30))
    kj = Task.objects.create(line=lines["T4"], code="T4-01", title="科技型中小企业评价入库",
                             owner_department=Department.objects.get(code="kjj"), start_date=date(2024, 1, 1),
                             deadline=date(2024, 12, 31), target_ids=["T4.1"])
    Milestone.objects.create(task=ls, title="园区规划获批", due=date(2024, 3, 31))
    return {"lanshan": ls, "luozhuang": lz, "kjj": kj}
