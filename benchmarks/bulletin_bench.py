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
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="gq-bulletin-bench-"))
    os.environ.setdefault("GONGQIANG_VAR", str(scratch))
    os.environ.setdefault("GONGQIANG_EPHEMERAL_KEY", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqiang.config.settings")
    os.environ["GONGQIANG_ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(ROOT / "src"))
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongqiang.core.models import Membership, Role, User
    from gongqiang.core.services.policy import load_pack
    from gongqiang.supervision.demo import build_demo_supervision, system_actor
    from gongqiang.supervision.documents import bulletin_docx, bulletin_pdf
    from gongqiang.supervision.services.bulletins import generate, view_of

    call_command("migrate", verbosity=0)
    load_pack(ROOT / "policies" / "linyi-2022.yaml")
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
