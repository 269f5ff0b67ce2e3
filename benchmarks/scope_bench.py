"""Server time of the scoped pages on the demo city (18,300 enterprises), as a county and as the city.

Run: .venv/bin/python benchmarks/scope_bench.py [--runs 20]
Builds the demo in a scratch SQLite database (or the DATABASE_URL one, which it then empties) and
times each page through Django's test client: median server time, and the SQL queries per page.
The last line is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    os.environ.setdefault("GONGQIANG_VAR", tempfile.mkdtemp(prefix="gq-bench-"))
    os.environ.setdefault("GONGQIANG_EPHEMERAL_KEY", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqiang.config.settings")
    os.environ["GONGQIANG_ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongqiang.core.models import User
    from gongqiang.core.services.policy import load_pack
    from gongqiang.enterprises.demo import build_demo

    call_command("migrate", verbosity=0)
    load_pack(ROOT / "policies" / "linyi-2022.yaml")
    started = time.perf_counter()
    build_demo()
    demo_s = time.perf_counter() - started

    def timed(client: Client, url: str) -> tuple[float, int, int]:
        client.get(url)  # warm caches and the template loader
        samples = []
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return statistics.median(samples) * 1000, len(queries), len(response.content)

    figures: dict[str, float] = {"demo_build_s": round(demo_s, 2)}
    for who, username in (("county", "lanshan"), ("city", "city")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages = {
            "home": "/",
            "list": "/enterprises/",
            "list_filtered": "/enterprises/?scale=above&industry=20&q=木",
            "api_list": "/api/enterprises/?scale=above",
        }
        for name, url in pages.items():
            ms, n_queries, _ = timed(client, url)
            figures[f"{name}_{who}_ms"] = round(ms, 1)
            figures[f"{name}_{who}_queries"] = n_queries
        t = time.perf_counter()
        response = client.get("/enterprises/export.xlsx")
        figures[f"export_{who}_s"] = round(time.perf_counter() - t, 2)
        figures[f"export_{who}_kb"] = round(len(response.content) / 1024)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
