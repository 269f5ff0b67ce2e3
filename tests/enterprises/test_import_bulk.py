"""The commit's bulk insert: constants bound once, facts sent in index order, same facts either way."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from gongqiang.core.models import Region
from gongqiang.enterprises.models import BatchStatus, CommitMode, Enterprise, Fact
from gongqiang.enterprises.services import imports
from gongqiang.enterprises.services.bulk import insert_frame
from gongqiang.lib.uscc import make

YEAR = 2024
N = 60


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_insert_frame_binds_constants_once_and_keeps_values_exact(world):
    from gongqiang.core.models import Department
    from gongqiang.enterprises.models import ImportBatch

    batch = ImportBatch.objects.create(
        source="tax", department=Department.objects.get(code="sw"), year=YEAR, file_name="t.csv", file_hash="0" * 64,
        status=BatchStatus.COMMITTED,
    )
    frame = pl.DataFrame(
        {
            "enterprise_id": [world.lanshan_ent.pk, world.luozhuang_ent.pk],
            "month": [0, 0],
            "metric": ["tax_paid", "tax_paid"],
            "value": ["12345678.9", "0.0001"],
        }
    )
    assert insert_frame(Fact._meta.db_table, frame, {"year": YEAR, "batch_id": batch.pk, "is_current": True}) == 2
    facts = {f.enterprise_id: f for f in Fact.objects.filter(batch=batch)}
    assert facts[world.lanshan_ent.pk].value == Decimal("12345678.9")
    assert facts[world.luozhuang_ent.pk].value == Decimal("0.0001")
    assert all(f.year == YEAR and f.is_current and f.month == 0 and f.superseded_by_id is None for f in facts.values())
    # no constants: the frame's own columns, as before
    more = frame.with_columns(pl.lit(YEAR - 1).alias("year"), pl.lit(batch.pk).alias("batch_id"), pl.lit(False).alias("is_current"))
    assert insert_frame(Fact._meta.db_table, more) == 2
    assert Fact.objects.filter(batch=batch, year=YEAR - 1, is_current=False).count() == 2


def _file(order: list[int], bump: int) -> bytes:
    lines = ["统一社会信用代码,企业名称,所属区县,实缴税金（万元）"]
    lines += [f"{make(f'91371302TB{i:07d}')},排序测试企业{i}有限公司,兰山区,{i}.{bump:02d}" for i in order]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.django_db
def test_rows_in_any_order_give_the_same_facts_and_history(personas):
    """The commit sorts the facts by the index key before inserting: a file in an order unrelated to
    the registry's ids (here the reverse, then shuffled) gives exactly the facts of the file, one
    current value per key, and a re-import supersedes and keeps the old ones."""
    region = Region.objects.get(code="371302")
    Enterprise.objects.bulk_create(
        Enterprise(uscc=make(f"91371302TB{i:07d}"), name=f"排序测试企业{i}有限公司", region=region) for i in range(N)
    )
    shuffled = list(range(N))[::-1]
    shuffled = shuffled[1::2] + shuffled[::2]
    first = imports.stage(_file(shuffled, 10), "tax.csv", source="tax", year=YEAR, user=personas.city,
                          mode=CommitMode.ALL_OR_NOTHING)
    assert first.status == BatchStatus.VALIDATED, first.message
    first = imports.commit(first, personas.city)
    assert first.counts["written"] == N
    ids = {e.uscc: e.pk for e in Enterprise.objects.filter(uscc__startswith="91371302TB")}
    got = dict(Fact.objects.filter(batch=first, is_current=True).values_list("enterprise_id", "value"))
    assert got == {ids[make(f"91371302TB{i:07d}")]: Decimal(f"{i}.10") * 10000 for i in range(N)}

    second = imports.stage(_file(list(range(N)), 20), "tax2.csv", source="tax", year=YEAR, user=personas.city,
                           mode=CommitMode.ALL_OR_NOTHING)
    second = imports.commit(second, personas.city)
    assert second.counts["changed"] == N and second.counts["superseded"] == N
    assert Fact.objects.filter(batch=first, is_current=False, superseded_by=second).count() == N
    assert Fact.objects.filter(year=YEAR, metric="tax_paid", is_current=True, enterprise_id__in=ids.values()).count() == N
    imports.rollback(second, personas.city)
    assert Fact.objects.filter(batch=first, is_current=True).count() == N
