"""Quarterly bulletin and dispatch page on the supervision demo year (10 lines × 16 owner units).

Run: .venv/bin/python benchmarks/bulletin_bench.py [--runs 20]
Builds the demo year (`gongqiang demo_supervision`) in a scratch SQLite database (or the DATABASE_URL one),
then times generating the third-quarter bulletin as a draft with its Word and PDF files (target ≤ 5 s), and
the month's dispatch overview page through Django's test client (median server time, target ≤ 200 ms).
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import time

from harness import start_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()

    start_django("gq-bulletin-bench-")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongqiang.core.models import Membership, Role, User
    from gongqiang.supervision.demo import build_demo_supervision, system_actor
    from gongqiang.supervision.documents import bulletin_docx, bulletin_pdf
    from gongqiang.supervision.services.bulletins import generate, view_of

    started = time.perf_counter()
    counts = build_demo_supervision(args.year)
    figures: dict[str, float] = {"demo_build_s": round(time.perf_counter() - started, 2), **counts}

    actor = system_actor("system:bench")
    today = datetime.date(args.year + 1, 1, 20)
    started = time.perf_counter()
    bulletin = generate(actor, args.year, 3, today)
    content = view_of(bulletin)
    docx, pdf = bulletin_docx(content), bulletin_pdf(content)
    figures["bulletin_s"] = round(time.perf_counter() - started, 3)
    figures["bulletin_docx_kb"] = round(len(docx) / 1024, 1)
    figures["bulletin_pdf_kb"] = round(len(pdf) / 1024, 1)

    user, _ = User.objects.get_or_create(username="bench-city")
    Membership.objects.get_or_create(user=user, role=Role.CITY)
    client = Client()
    client.force_login(user)
    url = f"/supervision/dispatch/?month={args.year}-06"
    client.get(url)
    samples = []
    for _ in range(args.runs):
        t = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    figures["dispatch_page_ms"] = round(statistics.median(samples) * 1000, 1)
    figures["dispatch_page_queries"] = len(queries)
    print(f"bulletin (draft + Word + PDF): {figures['bulletin_s']} s (target ≤ 5 s)")
    print(f"dispatch overview {url}: median {figures['dispatch_page_ms']} ms over {args.runs} runs "
          f"(target ≤ 200 ms), {len(queries)} queries")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
