"""A worker killed with SIGKILL in the middle of a commit leaves no half batch (PostgreSQL).

The child process runs `gongqiang import` against the test database; the test waits until the commit is
past the supersede step and inside the inserts (the commit writes its progress on a side connection),
kills it, and checks that the database is exactly as before: no fact of the batch, the previous values
current, one current value per key. The batch stays COMMITTING and a new commit takes it over.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, Sum

from gongqiang.core.models import Region
from gongqiang.enterprises.models import BatchStatus, Enterprise, Fact, ImportBatch
from gongqiang.enterprises.services import imports
from gongqiang.lib.uscc import make

pytestmark = pytest.mark.django_db(transaction=True)

N = 30_000
HEADER = "统一社会信用代码,单位详细名称,行业代码,营业收入（千元）,工业总产值（千元）,工业增加值（千元）,利润总额（千元）,从业人员平均人数（人）,综合能源消费量（吨标准煤）,研究开发费用（千元）"
METRICS = 7
APP_NAME = "gq-kill-test"


def uscc(i: int) -> str:
    return make(f"91371302MK{i:07d}")


def statistics_file(path: Path, bump: int) -> Path:
    lines = [HEADER]
    lines += [
        f"{uscc(i)},临沂杀进程测试企业{i}有限公司,2021,{i + bump}.5,{i + bump},{i},{bump},{i % 900 + 1},{i}.25,{bump}"
        for i in range(N)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def child_env(tmp_path: Path) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "GONGQIANG_VAR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
        "PGAPPNAME": APP_NAME,
        "DJANGO_SETTINGS_MODULE": "gongqiang.config.settings",
    }


def wait_for_backend_gone(timeout: float = 30) -> None:
    """The server aborts the dead client's transaction when it notices the closed socket."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APP_NAME])
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the killed importer's database session did not end")


def test_sigkill_inside_commit_leaves_no_half_batch(linyi, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("SIGKILL 测试只在 PostgreSQL 上运行：设置 DATABASE_URL=postgres://… 后再运行本测试")
    settings.MEDIA_ROOT = tmp_path / "media"

    # Reference data, committed: the enterprises and a first statistics batch.
    region = Region.objects.get(code="371302")
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                uscc=uscc(i), name=f"临沂杀进程测试企业{i}有限公司", region=region, industry_code="2021"
            )
            for i in range(N)
        ],
        batch_size=5000,
    )
    first = imports.stage(
        statistics_file(tmp_path / "v1.csv", 0).read_bytes(),
        "v1.csv",
        source="statistics",
        year=2024,
        user=None,
        mode="valid_rows",
    )
    first = imports.commit(first, None)
    assert first.counts["written"] == N * METRICS
    before = Fact.objects.filter(is_current=True).aggregate(n=Count("id"), total=Sum("value"))

    # The child imports a changed file; kill it once it is inside the inserts.
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gongqiang.cli",
            "import",
            "--source",
            "statistics",
            "--year",
            "2024",
            str(statistics_file(tmp_path / "v2.csv", 7)),
            "--mode",
            "valid_rows",
        ],
        env=child_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    batch = None
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            if child.poll() is not None:
                out, err = child.communicate()
                pytest.fail(
                    f"the importer ended before it could be killed ({child.returncode}):\n{out.decode()}\n{err.decode()}"
                )
            batch = (
                ImportBatch.objects.exclude(pk=first.pk)
                .filter(status=BatchStatus.COMMITTING, progress__gte=50)
                .first()
            )
            if batch is not None:
                break
            time.sleep(0.01)
        else:
            pytest.fail("the importer never reached the inserts")
        child.send_signal(signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    wait_for_backend_gone()

    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTING  # killed mid-commit, never committed
    assert not Fact.objects.filter(batch=batch).exists()
    assert not Fact.objects.filter(superseded_by=batch).exists()
    assert Fact.objects.filter(is_current=True).aggregate(n=Count("id"), total=Sum("value")) == before
    assert set(Fact.objects.filter(is_current=True).values_list("batch_id", flat=True).distinct()) == {
        first.pk
    }
    dupes = (
        Fact.objects.filter(is_current=True)
        .values("enterprise", "year", "month", "metric")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not dupes.exists()

    # The abandoned batch can simply be committed again: the new commit takes it over.
    batch = imports.commit(batch, None)
    assert batch.status == BatchStatus.COMMITTED
    assert Fact.objects.filter(batch=batch, is_current=True).count() == batch.counts["written"] > 0
    assert Fact.objects.filter(superseded_by=batch).count() == batch.counts["superseded"]
    assert not (
        Fact.objects.filter(is_current=True)
        .values("enterprise", "year", "month", "metric")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
