"""Fact's indexes (migration 0005) still serve the queries that read facts.

Every index on Fact costs each of an import's rows an insert, so the table has only those the reads
need; these tests ask the database's planner which index each read takes (PostgreSQL with sequential
scans discouraged, since the test tables are tiny) and fail if one falls back to scanning the table.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from gongqiang.core.models import Department
from gongqiang.enterprises.models import BatchStatus, Enterprise, Fact, ImportBatch
from gongqiang.enterprises.services import import_diff
from gongqiang.enterprises.services.bulk import id_list_param, is_postgres
from gongqiang.testing.factories import EnterpriseFactory, region

YEAR = 2024
ONE_CURRENT = "fact_one_current"


@pytest.fixture
def facts(linyi):
    county = region("371302")
    batch = ImportBatch.objects.create(
        source="statistics", department=Department.objects.get(code="tjj"), year=YEAR, file_name="s.xlsx",
        file_hash="0" * 64, status=BatchStatus.COMMITTED,
    )
    enterprises = [EnterpriseFactory(region=county) for _ in range(3)]
    Fact.objects.bulk_create(
        Fact(enterprise=e, year=y, metric=m, value=Decimal("1.5"), batch=batch, is_current=y == YEAR)
        for e in enterprises
        for y in (YEAR - 1, YEAR)
        for m in ("revenue", "tax")
    )
    if is_postgres():
        # No ANALYZE here: its row count outlives the test's rollback, and a later test's big table
        # planned as 12 rows takes minutes to update.
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
    yield batch, enterprises
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")


def plan_of_sql(sql: str, params: list) -> str:
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN " if is_postgres() else "EXPLAIN QUERY PLAN ") + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def test_current_values_by_year_and_metric_use_the_one_current_index(facts):
    """The import's diff (and current_facts, the evaluation's and targets' inputs) read the current
    values of a year's metrics through the one-current index, which leads with (year, metric)."""
    sql = (
        f"SELECT id FROM {Fact._meta.db_table} WHERE year = %s AND is_current AND "
        + import_diff.id_list_sql("metric")
    )
    plan = plan_of_sql(sql, [YEAR, id_list_param(["revenue", "tax"])])
    assert ONE_CURRENT in plan, plan
    frame = import_diff.current_values(YEAR, ["revenue"])
    assert frame.height == 3 and set(frame.get_column("metric")) == {"revenue"}


def test_orm_reads_of_current_facts_use_the_one_current_index(facts):
    from gongqiang.enterprises.services.facts import current_facts

    query = Fact.objects.filter(year=YEAR, is_current=True, metric__in=["revenue"], month=0)
    assert ONE_CURRENT in query.explain(), query.explain()
    by_year = Fact.objects.filter(year=YEAR, month=0, is_current=True)  # reconciliation
    assert ONE_CURRENT in by_year.explain(), by_year.explain()
    assert current_facts(YEAR, ["revenue", "tax"]).height == 6


def test_an_enterprises_history_and_a_batch_have_their_indexes(facts):
    batch, enterprises = facts
    history = Fact.objects.filter(enterprise=enterprises[0], month=0)  # the enterprise page, all years
    plan = history.explain()
    assert "enterprises_enterpr" in plan, plan
    assert history.count() == 4
    retired = Fact.objects.filter(batch=batch, is_current=True)  # rollback
    plan = retired.explain()
    assert "Seq Scan" not in plan and ("Index" in plan or "USING INDEX" in plan), plan
    assert retired.count() == 6


def test_a_second_current_value_of_the_same_key_is_refused(facts):
    from django.db import IntegrityError, transaction

    batch, enterprises = facts
    with pytest.raises(IntegrityError), transaction.atomic():
        Fact.objects.create(enterprise=enterprises[0], year=YEAR, metric="revenue", value=1, batch=batch)
    # not current: history may hold any number of them
    Fact.objects.create(enterprise=enterprises[0], year=YEAR, metric="revenue", value=2, batch=batch, is_current=False)
    assert Enterprise.objects.count() >= 3


def test_enterprise_years_keep_cascade_and_protect_without_database_keys(world):
    """EnterpriseYear's keys are Django's since migration 0006: deleting an enterprise still removes its
    years, a county or town still used by a year cannot be deleted."""
    from django.db.models import ProtectedError

    from gongqiang.enterprises.models import EnterpriseYear

    ent = world.lanshan_ent
    EnterpriseYear.objects.create(enterprise=ent, year=YEAR, region=ent.region, town=world.lanshan_town)
    with pytest.raises(ProtectedError):
        world.lanshan_town.delete()
    ent.delete()
    assert not EnterpriseYear.objects.filter(enterprise_id=ent.pk).exists()
