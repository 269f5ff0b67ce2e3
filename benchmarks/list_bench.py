"""Server time of the enterprise list for a county user, on 20,000 enterprises with their 2021–2025 facts.

Run: .venv/bin/python benchmarks/list_bench.py [--runs 30] [--above 3300 --below 16700] [--use-database-url]
Builds the demo city (`build_demo(above=3300, below=16700)`: 20,000 enterprises, their years and the
departments' facts for 2021–2025) in a scratch SQLite database under a temporary GONGQIANG_VAR (with
--use-database-url: the DATABASE_URL database instead, which must be a scratch one: it is migrated and
filled). Then, as the demo county user `lanshan` (force_login), times through Django's test client:
the first page of /enterprises/, a filtered page (a year's above-scale enterprises of one industry
division, which joins the enterprise years) and a name search: median server time over --runs after one
warm-up request, and the SQL queries of one request. Target (issue 3): ≤ 50 ms median.
Human lines first; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import time

from harness import start_django

PAGES = {
    "list_first": "/enterprises/",
    "list_filtered": "/enterprises/?year=2024&scale=above&industry=20",
    "list_search": "/enterprises/?q=木业",
}
TARGET_MS = 50.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--above", type=int, default=3300)
    parser.add_argument("--below", type=int, default=16700)
    parser.add_argument("--use-database-url", action="store_true")
    args = parser.parse_args()

    if not args.use_database_url:
        os.environ.pop("DATABASE_URL", None)
    scratch = start_django("gq-list-bench-")  # migrated, the Linyi pack loaded
    atexit.register(shutil.rmtree, scratch, True)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongqiang.core.models import User
    from gongqiang.enterprises.demo import build_demo
    from gongqiang.enterprises.models import Enterprise, EnterpriseYear, Fact

    started = time.perf_counter()
    build_demo(above=args.above, below=args.below)
    figures: dict[str, object] = {
        "database": connection.vendor,
        "demo_build_s": round(time.perf_counter() - started, 1),
        "enterprises": Enterprise.objects.count(),
        "enterprise_years": EnterpriseYear.objects.count(),
        "facts": Fact.objects.count(),
    }
    user = User.objects.get(username="lanshan")
    figures["county_enterprises"] = Enterprise.objects.visible_to(user).count()
    print(f"demo: {figures['enterprises']:,} enterprises, {figures['enterprise_years']:,} enterprise years, "
          f"{figures['facts']:,} facts on {figures['database']} in {figures['demo_build_s']} s; "
          f"lanshan sees {figures['county_enterprises']:,} enterprises", flush=True)

    client = Client()
    client.force_login(user)
    queries: list[int] = []
    for name, url in PAGES.items():
        response = client.get(url)  # warm caches and the template loader
        assert response.status_code == 200, (url, response.status_code)
        samples = []
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        ms = statistics.median(samples) * 1000
        figures[f"{name}_ms"] = round(ms, 1)
        figures[f"{name}_p90_ms"] = round(sorted(samples)[int(len(samples) * 0.9) - 1] * 1000, 1)
        figures[f"{name}_queries"] = len(captured)
        queries.append(len(captured))
        rows = response.content.count(b"<tr") - 1
        print(f"{name}: {url} median {ms:.1f} ms (p90 {figures[f'{name}_p90_ms']} ms), {len(captured)} queries, "
              f"~{max(rows, 0)} table rows, {len(response.content) / 1024:.0f} KB "
              f"{'≤' if ms <= TARGET_MS else '>'} {TARGET_MS:.0f} ms", flush=True)
        if os.environ.get("LIST_BENCH_SQL"):
            for q in captured.captured_queries:
                print(f"    {q['time']} s  {q['sql'][:300]}")
    figures["queries_per_page"] = max(queries)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
