"""Server time of the scoped pages on the demo city (18,300 enterprises), as a county and as the city.

Run: .venv/bin/python benchmarks/scope_bench.py [--runs 20]
Builds the demo in a scratch SQLite database (or the DATABASE_URL one, which it then empties) and
times each page through Django's test client: median server time, and the SQL queries per page.
The last line is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import json
import time

from harness import start_django, time_page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    start_django("gq-bench-")
    from django.test import Client

    from gongqiang.core.models import User
    from gongqiang.enterprises.demo import build_demo

    started = time.perf_counter()
    build_demo()
    demo_s = time.perf_counter() - started

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
            ms, n_queries, _ = time_page(client, url, args.runs)
            figures[f"{name}_{who}_ms"] = round(ms, 1)
            figures[f"{name}_{who}_queries"] = n_queries
        t = time.perf_counter()
        response = client.get("/enterprises/export.xlsx")
        figures[f"export_{who}_s"] = round(time.perf_counter() - t, 2)
        figures[f"export_{who}_kb"] = round(len(response.content) / 1024)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
