"""Publishing the demo year's evaluation into the database, and the results page as a county user.

Run: .venv/bin/python benchmarks/evaluation_publish_bench.py [--runs 20] [--above N --below N]
Builds the demo registry (18,300 enterprises with 2021–2025 facts, as `gongqiang demo`) in a scratch SQLite
database (or the DATABASE_URL one, which it then empties), publishes 2023 (the benchmarks' previous year),
then times publishing 2024 end to end: the registry's inputs read and snapshotted, the engine, every result
row written, review, approval, notice, publication and the low-efficiency list derived. Then the results
page of 2024 for 兰山区 and for the city: median server time and SQL queries. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time

from harness import start_django, time_page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--above", type=int, default=3300)
    parser.add_argument("--below", type=int, default=15000)
    args = parser.parse_args()

    start_django("gq-eval-publish-bench-")
    from django.test import Client
    from django.urls import reverse

    from gongqiang.core.models import User
    from gongqiang.enterprises.demo import build_demo
    from gongqiang.evaluation.demo import publish_year
    from gongqiang.evaluation.models import Result

    build_demo(above=args.above, below=args.below)
    city = User.objects.get(username="city")
    publish_year(2023, city)
    started = time.perf_counter()
    run = publish_year(2024, city)
    figures: dict[str, float] = {"publish_demo_year_s": round(time.perf_counter() - started, 2),
                                 "results_rows": Result.objects.filter(run=run).count()}
    url = reverse("evaluation:results") + f"?run={run.pk}"
    for who, username in (("", "lanshan"), ("_city", "city")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        ms, queries, _ = time_page(client, url, args.runs)
        figures[f"results_page{who}_ms"] = round(ms, 1)
        figures[f"results_page{who}_queries"] = queries
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
