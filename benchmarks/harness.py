"""What every benchmark shares: Django on a scratch database with the Linyi pack, and page timing.

Imported by the scripts beside it (`python benchmarks/x.py` puts this folder on sys.path).
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def start_django(prefix: str, *, var: str | None = None) -> Path:
    """Set up Django on a scratch GONGQIANG_VAR (SQLite unless DATABASE_URL is set), migrated, pack loaded."""
    scratch = Path(var or tempfile.mkdtemp(prefix=prefix))
    os.environ["GONGQIANG_VAR"] = str(scratch)
    os.environ.setdefault("GONGQIANG_EPHEMERAL_KEY", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqiang.config.settings")
    os.environ["GONGQIANG_ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.core.management import call_command

    from gongqiang.core.services.policy import load_pack

    call_command("migrate", verbosity=0)
    load_pack(ROOT / "policies" / "linyi-2022.yaml")
    return scratch


def time_page(client: Any, url: str, runs: int) -> tuple[float, int, int]:
    """(median server time in ms over `runs` GETs after one warm-up, SQL queries, response bytes)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches and the template loader
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(samples) * 1000, len(queries), len(response.content)
