"""Server time of the targets cockpit on the demo city: 80 targets × 16 regions × 6 years of observations.

Run: .venv/bin/python benchmarks/cockpit_bench.py [--runs 20] [--above N --below N]
Builds the demo registry (18,300 enterprises with their 2021–2025 facts, as `gongqiang demo`) in a
scratch SQLite database (or the DATABASE_URL one, which it then empties), loads the Linyi pack widened
to 80 targets (the 52 of the pack plus 28 copies), computes the computed targets from the registry
(`gongqiang demo_targets`), then fills every target × region (city + 15 counties) × year 2021–2026
that has no value yet, and splits every target to the 15 counties. It times each page through Django's
test client: median server time and the SQL queries per page. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from harness import ROOT, start_django, time_page

EXTRA_TARGETS = 28


def widened_pack(directory: Path) -> Path:
    """The Linyi pack with copies of its scored targets, so there are 80: a pack's size is data."""
    import yaml

    raw = yaml.safe_load((ROOT / "policies" / "linyi-2022.yaml").read_text(encoding="utf-8"))
    scored = [t for t in raw["targets"] if t.get("target") and not t.get("tracked_only")]
    for n in range(EXTRA_TARGETS):
        copy = dict(scored[n % len(scored)])
        copy.pop("computation", None)
        copy["id"] = f"{copy['id']}.bench{n}"
        copy["name"] = f"{copy['name']}（基准测试副本{n}）"
        raw["targets"].append(copy)
    raw["pack"]["version"] = "bench.1"
    path = directory / "linyi-bench.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def fill(seed: int = 7) -> dict[str, int]:
    """Every target × region × year 2021–2025 (and 2026 Q3) without a value gets one; every target is split."""
    from decimal import Decimal

    from gongqiang.core.models import Department, Region
    from gongqiang.targets.compute import parse_period
    from gongqiang.targets.models import Allocation, Observation, Source
    from gongqiang.targets.services.catalog import catalog

    rng = random.Random(seed)
    cat = catalog()
    regions = list(Region.objects.filter(kind__in=["city", "district", "county", "zone"]).order_by("sort_order"))
    departments = {d.code: d for d in Department.objects.all()}
    have = set(Observation.objects.filter(is_current=True).values_list("target", "region_id", "period"))
    split = set(Allocation.objects.filter(is_current=True).values_list("target", "region_id"))
    rows, shares = [], []
    for info in cat.targets:
        goal = info.defn.goal_value or 100.0
        start = info.defn.start_value if info.defn.start_value is not None else goal * 0.5
        for region in regions:
            scale = 1.0 if region.kind == "city" else 1 / 15
            pace = rng.uniform(0.6, 1.2)
            for n, key in enumerate(("2021", "2022", "2023", "2024", "2025", "2026Q3")):
                if (info.id, region.pk, key) in have:
                    continue
                p = parse_period(key)
                value = (start + (goal - start) * min(1.0, pace * n / 5)) * scale
                rows.append(Observation(
                    target=info.id, region=region, department=departments[info.spec.owner], period=p.key,
                    year=p.year, months=p.months, value=Decimal(str(round(value, 4))), unit=info.spec.unit,
                    source=Source.ENTERED, created_by_name="system:bench", pack_version=cat.pack_version))
            if region.kind != "city" and info.spec.target is not None and (info.id, region.pk) not in split:
                shares.append(Allocation(
                    target=info.id, region=region, department=departments[info.spec.owner],
                    goal_value=Decimal(str(round(goal / 15, 4))), start_value=Decimal(str(round(start / 15, 4))),
                    unit=info.spec.unit, created_by_name="system:bench"))
    Observation.objects.bulk_create(rows, batch_size=2000)
    Allocation.objects.bulk_create(shares, batch_size=2000)
    return {"observations": Observation.objects.filter(is_current=True).count(),
            "allocations": Allocation.objects.filter(is_current=True).count(), "targets": len(cat.targets)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--above", type=int, default=3300)
    parser.add_argument("--below", type=int, default=15000)
    args = parser.parse_args()

    scratch = start_django("gq-cockpit-bench-")
    from django.test import Client

    from gongqiang.core.models import User
    from gongqiang.core.services.policy import load_pack
    from gongqiang.enterprises.demo import build_demo
    from gongqiang.targets.demo import build_demo_targets

    started = time.perf_counter()
    build_demo(above=args.above, below=args.below)
    figures: dict[str, float] = {"demo_build_s": round(time.perf_counter() - started, 2)}
    load_pack(widened_pack(scratch))
    started = time.perf_counter()
    demo = build_demo_targets()
    figures["demo_targets_s"] = round(time.perf_counter() - started, 2)
    figures["computed_observations"] = demo["computed"]
    figures.update(fill())

    def timed(client: Client, url: str) -> tuple[float, int]:
        ms, n_queries, _ = time_page(client, url, args.runs)
        return ms, n_queries

    pages = {"cockpit": "/targets/", "target_page": "/targets/G1.1/", "ranking": "/targets/ranking/",
             "api_targets": "/api/targets/"}
    for who, username in (("", "leader"), ("_county", "lanshan")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name, url in pages.items():
            ms, n = timed(client, url)
            figures[f"{name}{who}_ms"] = round(ms, 1)
            figures[f"{name}{who}_queries"] = n
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    for name, url in (("export_xlsx", "/targets/export.xlsx"), ("brief_pdf", "/targets/brief.pdf")):
        t = time.perf_counter()
        response = client.get(url)
        figures[f"{name}_ms"] = round((time.perf_counter() - t) * 1000, 1)
        figures[f"{name}_kb"] = round(len(response.content) / 1024)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
