"""End-to-end department import of a 100,000-row workbook, ours against django-import-export (issue 3).

Run: .venv/bin/python benchmarks/import_bench.py [--rows 100000] [--postgres postgres://postgres@127.0.0.1:5432/NAME]
     [--no-postgres] [--no-peer] [--peer-rows N]
Peer: pip install -e '.[bench]' (django-import-export 4.x).

The workbook is the statistics department's file (`import_sources: statistics` of the Linyi pack): a
title line with the year, "单位：万元", then USCC, 单位详细名称, 所属区县, 年度 and the source's metric
columns. That source has the eight metric columns the issue names: 营业收入, 工业总产值(当年价格), 工业增加值,
利润总额, 研究开发费用 and 资产总计 in 万元 with 2 decimals (the title's unit), 从业人员平均人数(人) as
integers and 综合能源消费量 in 吨标准煤 with 2 decimals (not money: the title's 万元 does not apply to
them). So 100,000 rows give 800,000 facts. 所属区县 and 年度 are not columns of that source: the importer
lists them as unused (the registry already knows each enterprise's county).

Every measurement runs in a fresh Django process (this script with `--child KIND`), on its own scratch
database: SQLite in a temporary GONGQIANG_VAR, PostgreSQL in a database created here on 127.0.0.1 and
dropped afterwards (or the `--postgres` URL, which must be a scratch database: it is migrated and
filled). Each child registers the 100,000 enterprises first (bulk), then times:

* ours: read the file bytes, `stage` (read, map, validate, preview against the current facts, staged
  records written), `commit` (one transaction; the first import of the year, so all 800,000 values are
  new; the supersede-and-keep-history path runs, with nothing to supersede). Peak RSS of the child.
* the peer, django-import-export 4.x, into the same database (SQLite) and the same table. Our facts are
  long and the project has no wide model of the statistics figures, so the peer gets what a developer
  would write with it: a `ModelResource` for `Fact` (enterprise by USCC through `ForeignKeyWidget`,
  year, month, metric, value in 元, batch), fed the same 100,000 rows reshaped long (8 facts a row).
  Its time covers loading the workbook with tablib (openpyxl), reshaping it and `import_data`. It
  does none of our checks (USCC checksum, units, ranges, duplicates, preview, history). Two runs, each
  in its own process and database: its defaults, and its fastest as the issue names it (`use_bulk=True`,
  `skip_diff=True`, `batch_size=1000`). It costs about 1 ms a fact in either configuration (three
  queries a fact: the enterprise by USCC, the batch by id, the instance by id; `use_bulk` only batches
  the INSERTs), so 800,000 facts would take over ten minutes a run: by default (`--peer-rows 10000`) the
  peer imports the first 10,000 rows' facts (80,000) and its reshape + import time is scaled linearly
  to all rows (the workbook read is the whole file, measured). `--peer-rows 0` imports everything.

Human lines first; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
SOURCE = "statistics"
# (header, metric code, kind): money in 万元 with 2 decimals, employees integer, energy 2 decimals.
COLUMNS = [
    ("营业收入", "revenue", "money"),
    ("工业总产值(当年价格)", "output", "money"),
    ("工业增加值", "value_added", "money"),
    ("利润总额", "profit", "money"),
    ("从业人员平均人数(人)", "employees", "count"),
    ("综合能源消费量", "energy_tce", "energy"),
    ("研究开发费用", "rd_spending", "money"),
    ("资产总计", "total_assets", "money"),
]
MONEY_FACTOR = 10000  # 万元 → 元, the metric's unit in the pack
TARGETS = {"ours_s": 5.0, "ratio": 3.0, "rss_mb": 1024.0}


# --------------------------------------------------------------------------------------------------
# Data (parent): the rows, the workbook, and the same rows as Parquet for the children
# --------------------------------------------------------------------------------------------------
def plan_rows(n: int, counties: list[tuple[str, str]], seed: int = 3) -> dict[str, list]:
    from gongqiang.lib.uscc import USCC_ALPHABET, make

    rng = random.Random(seed)
    cols: dict[str, list] = {"uscc": [], "name": [], "region_code": [], "region_name": []}
    for _, code, _ in COLUMNS:
        cols[code] = []
    used: set[str] = set()
    for i in range(n):
        while True:
            first17 = "91371300" + "BN" + "".join(rng.choices(USCC_ALPHABET, k=7))
            if first17 not in used:
                used.add(first17)
                break
        code, name = counties[i % len(counties)]
        revenue = round(rng.uniform(2000, 200000), 2)  # 万元: 2,000 万元 is the above-scale threshold
        output = round(revenue * rng.uniform(0.9, 1.15), 2)
        cols["uscc"].append(make(first17))
        cols["name"].append(f"基准测试{name[:2]}第{i + 1:06d}号工业有限公司")
        cols["region_code"].append(code)
        cols["region_name"].append(name)
        cols["revenue"].append(f"{revenue:.2f}")
        cols["output"].append(f"{output:.2f}")
        cols["value_added"].append(f"{output * rng.uniform(0.18, 0.35):.2f}")
        cols["profit"].append(f"{revenue * rng.uniform(-0.03, 0.12):.2f}")
        cols["employees"].append(str(int(20 + revenue / 200 * rng.uniform(0.5, 2))))
        cols["energy_tce"].append(f"{revenue * rng.uniform(0.005, 0.2):.2f}")
        cols["rd_spending"].append(f"{revenue * rng.uniform(0.0, 0.05):.2f}")
        cols["total_assets"].append(f"{revenue * rng.uniform(0.6, 1.8):.2f}")
    return cols


def write_workbook(path: Path, cols: dict[str, list]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("规上工业")
    money = book.add_format({"num_format": "0.00"})
    sheet.write_string(0, 0, f"{YEAR}年度规模以上工业企业主要指标")
    sheet.write_string(1, 0, "单位：万元")
    headers = ["统一社会信用代码", "单位详细名称", "所属区县", "年度", *(h for h, _, _ in COLUMNS)]
    for c, h in enumerate(headers):
        sheet.write_string(2, c, h)
    for i in range(len(cols["uscc"])):
        r = i + 3
        sheet.write_string(r, 0, cols["uscc"][i])
        sheet.write_string(r, 1, cols["name"][i])
        sheet.write_string(r, 2, cols["region_name"][i])
        sheet.write_number(r, 3, YEAR)
        for c, (_, code, kind) in enumerate(COLUMNS, start=4):
            value = cols[code][i]
            sheet.write_number(r, c, int(value) if kind == "count" else float(value), money if kind != "count" else None)
    book.close()


# --------------------------------------------------------------------------------------------------
# Children: one fresh Django process per measurement
# --------------------------------------------------------------------------------------------------
def setup_django() -> None:
    os.environ.setdefault("GONGQIANG_EPHEMERAL_KEY", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqiang.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)


def prepare_database(work: Path) -> tuple[object, dict]:
    """Migrate, load the pack, a superuser, and the 100,000 enterprises of the workbook (bulk)."""
    import polars as pl
    from django.core.management import call_command

    from gongqiang.core.models import Region, User
    from gongqiang.core.services.policy import load_pack
    from gongqiang.enterprises.models import Enterprise

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_pack(ROOT / "policies" / "linyi-2022.yaml")
    user = User.objects.create_superuser("bench", "bench@example.invalid", "Bench@2026!x")
    rows = pl.read_parquet(work / "rows.parquet")
    region_ids = dict(Region.objects.values_list("code", "pk"))
    Enterprise.objects.bulk_create(
        (
            Enterprise(uscc=u, name=n, region_id=region_ids[c], industry_code="2011", above_scale=True)
            for u, n, c in rows.select("uscc", "name", "region_code").iter_rows()
        ),
        batch_size=2000,
    )
    return user, {"setup_s": round(time.perf_counter() - t, 2), "enterprises": Enterprise.objects.count()}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KB


def child_ours(work: Path) -> dict:
    from django.db import connection

    from gongqiang.enterprises.models import BatchStatus, CommitMode, Fact
    from gongqiang.enterprises.services.imports import commit, stage

    user, out = prepare_database(work)
    out["rss_before_mb"] = round(rss_mb(), 1)
    t0, c0 = time.perf_counter(), time.process_time()
    data = (work / "statistics.xlsx").read_bytes()
    batch = stage(data, "统计2024.xlsx", source=SOURCE, year=YEAR, user=user, mode=CommitMode.ALL_OR_NOTHING)
    t1, c1 = time.perf_counter(), time.process_time()
    if batch.status != BatchStatus.VALIDATED:
        raise SystemExit(f"stage failed: {batch.message}")
    batch = commit(batch, user)
    t2, c2 = time.perf_counter(), time.process_time()
    out.update(
        vendor=connection.vendor,
        stage_s=round(t1 - t0, 2),
        commit_s=round(t2 - t1, 2),
        total_s=round(t2 - t0, 2),
        # this process's own CPU time (not the database server's): a check on a machine shared with others
        cpu_s=round(c2 - c0, 2),
        stage_cpu_s=round(c1 - c0, 2),
        peak_rss_mb=round(rss_mb(), 1),
        counts=batch.counts,
        assumptions=batch.assumptions.get("notes", []),
        units=[f"{c['header']}→{c['field']} {c['unit']}（{c['reason']}）" for c in batch.assumptions.get("mapping", [])
               if c.get("unit")],
        facts_current=Fact.objects.filter(is_current=True).count(),
    )
    return out


def child_peer(work: Path, fastest: bool, peer_rows: int) -> dict:
    import tablib
    from import_export import fields, resources, widgets

    from gongqiang.core.models import Department
    from gongqiang.enterprises.models import BatchStatus, Enterprise, Fact, ImportBatch

    user, out = prepare_database(work)
    batch = ImportBatch.objects.create(
        source=SOURCE, department=Department.objects.get(code="tjj"), year=YEAR, file_name="peer.xlsx",
        file_hash="0" * 64, uploaded_by=user, status=BatchStatus.COMMITTED,
    )

    class Meta:
        model = Fact
        fields = ("id", "enterprise", "year", "month", "metric", "value", "batch", "is_current")
        if fastest:
            use_bulk = True
            skip_diff = True
            batch_size = 1000

    FactResource = type(
        "FactResource",
        (resources.ModelResource,),
        {
            "__module__": __name__,
            "enterprise": fields.Field(
                attribute="enterprise", column_name="enterprise", widget=widgets.ForeignKeyWidget(Enterprise, field="uscc")
            ),
            "Meta": Meta,
        },
    )

    t0 = time.perf_counter()
    with open(work / "statistics.xlsx", "rb") as fh:
        wide = tablib.Dataset().load(fh, format="xlsx", skip_lines=2)
    t1 = time.perf_counter()
    long = tablib.Dataset(headers=["id", "enterprise", "year", "month", "metric", "value", "batch", "is_current"])
    index = {h: wide.headers.index(h) for h, _, _ in COLUMNS}
    for n, row in enumerate(wide):
        if n >= peer_rows:
            break
        for header, code, kind in COLUMNS:
            value = row[index[header]]
            if kind == "money":
                value = f"{float(value) * MONEY_FACTOR:.2f}"
            long.append(["", row[0], YEAR, 0, code, value, batch.pk, 1])
    t2 = time.perf_counter()
    result = FactResource().import_data(long, dry_run=False, raise_errors=True)
    t3 = time.perf_counter()
    wide_rows = len(wide)
    scale = wide_rows / min(peer_rows, wide_rows)
    out.update(
        config="use_bulk=True, skip_diff=True, batch_size=1000" if fastest else "defaults",
        read_s=round(t1 - t0, 2),
        reshape_s=round(t2 - t1, 2),
        import_measured_s=round(t3 - t2, 2),
        facts_imported=long.height,
        wide_rows_imported=min(peer_rows, wide_rows),
        scaled=scale != 1,
        total_s=round((t1 - t0) + ((t2 - t1) + (t3 - t2)) * scale, 2),
        peak_rss_mb=round(rss_mb(), 1),
        totals={k: v for k, v in result.totals.items() if v},
        facts_in_db=Fact.objects.count(),
    )
    return out


def run_child(kind: str, work: Path, env_extra: dict[str, str], args: argparse.Namespace) -> dict | None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGQIANG_VAR")}
    env["GONGQIANG_VAR"] = tempfile.mkdtemp(prefix=f"gq-import-{kind}-", dir=work)
    env.update(env_extra)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--work", str(work),
           "--peer-rows", str(args.peer_rows)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"  [{kind}] failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}", flush=True)
        return None
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    result = json.loads(lines[-1])
    result["process_s"] = round(time.perf_counter() - started, 1)
    return result


# --------------------------------------------------------------------------------------------------
# PostgreSQL scratch database
# --------------------------------------------------------------------------------------------------
def scratch_postgres(base: str) -> tuple[str | None, str | None, str]:
    """(database URL, name to drop afterwards, note)."""
    import psycopg

    name = f"gq_import_bench_{os.getpid()}"
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # unreachable, no rights: measured on SQLite only
        return None, None, f"PostgreSQL not reachable at {base} ({str(exc).strip()[:200]}): skipped"
    return f"{base}/{name}", name, f"scratch database {name} on {base}"


def drop_postgres(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default="", help="a scratch database URL (default: create one on 127.0.0.1)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--peer-rows", type=int, default=10_000,
                        help="wide rows the peer imports, its time scaled to all rows (0: all; default 10,000)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (workbook, SQLite files)")
    parser.add_argument("--child", default="")
    parser.add_argument("--work", default="")
    args = parser.parse_args()

    if args.child:
        setup_django()
        work = Path(args.work)
        if args.child in ("sqlite", "postgres"):
            result = child_ours(work)
        else:
            rows = args.peer_rows or 10**9
            result = child_peer(work, fastest=args.child == "peer-fastest", peer_rows=rows)
        print(json.dumps(result, ensure_ascii=False, default=str))
        return

    work = Path(tempfile.mkdtemp(prefix="gq-import-bench-"))
    if not args.keep:
        import atexit
        import shutil

        atexit.register(shutil.rmtree, work, True)
    sys.path.insert(0, str(ROOT / "src"))  # the parent only needs gongqiang.lib (no Django)
    import polars as pl
    import yaml

    pack = yaml.safe_load((ROOT / "policies" / "linyi-2022.yaml").read_text(encoding="utf-8"))
    counties = [(r["code"], r["name"]) for r in _county_regions(pack)]
    t = time.perf_counter()
    cols = plan_rows(args.rows, counties)
    pl.DataFrame(cols).write_parquet(work / "rows.parquet")
    write_workbook(work / "statistics.xlsx", cols)
    size_mb = (work / "statistics.xlsx").stat().st_size / 1048576
    print(f"workbook: {args.rows:,} rows × {len(COLUMNS)} metrics ({size_mb:.1f} MB) written in "
          f"{time.perf_counter() - t:.1f} s to {work / 'statistics.xlsx'}", flush=True)
    print(f"  the statistics source's {len(COLUMNS)} metric columns: " + "、".join(h for h, _, _ in COLUMNS), flush=True)

    figures: dict[str, object] = {"rows": args.rows, "metrics_per_row": len(COLUMNS), "facts": args.rows * len(COLUMNS),
                                  "cpus": os.cpu_count(), "load_avg_at_start": round(os.getloadavg()[0], 2)}

    ours = run_child("sqlite", work, {}, args)
    if ours:
        print(f"ours, SQLite: {ours['total_s']} s (stage {ours['stage_s']} s, commit {ours['commit_s']} s), "
              f"CPU of the process {ours['cpu_s']} s, "
              f"peak RSS {ours['peak_rss_mb']} MB (before the import {ours['rss_before_mb']} MB), "
              f"{ours['facts_current']:,} current facts", flush=True)
        for line in ours["units"]:
            print(f"  unit: {line}", flush=True)
        print(f"  counts: {ours['counts']}", flush=True)
    figures["ours_sqlite_s"] = ours["total_s"] if ours else None
    figures["ours_sqlite_stage_s"] = ours["stage_s"] if ours else None
    figures["ours_sqlite_commit_s"] = ours["commit_s"] if ours else None
    figures["ours_sqlite_cpu_s"] = ours["cpu_s"] if ours else None
    rss = [ours["peak_rss_mb"]] if ours else []

    pg = None
    if not args.no_postgres:
        base, name, url = "postgres://postgres@127.0.0.1:5432", None, args.postgres
        if url:
            note = f"the given database {url}"
        else:
            url, name, note = scratch_postgres(base)
        print(f"PostgreSQL: {note}", flush=True)
        if url:
            try:
                pg = run_child("postgres", work, {"DATABASE_URL": url}, args)
            finally:
                if name:
                    drop_postgres(base, name)
        if pg:
            print(f"ours, PostgreSQL: {pg['total_s']} s (stage {pg['stage_s']} s, commit {pg['commit_s']} s), "
                  f"CPU of the process {pg['cpu_s']} s, "
                  f"peak RSS {pg['peak_rss_mb']} MB, {pg['facts_current']:,} current facts", flush=True)
            rss.append(pg["peak_rss_mb"])
    figures["ours_postgres_s"] = pg["total_s"] if pg else None
    figures["ours_postgres_stage_s"] = pg["stage_s"] if pg else None
    figures["ours_postgres_commit_s"] = pg["commit_s"] if pg else None
    figures["ours_postgres_cpu_s"] = pg["cpu_s"] if pg else None

    peers: dict[str, dict | None] = {"peer-default": None, "peer-fastest": None}
    if not args.no_peer:
        print("peer: django-import-export, ModelResource for Fact (enterprise by USCC), the same rows reshaped "
              f"long ({len(COLUMNS)} facts a row), SQLite, tablib xlsx read included", flush=True)
        for kind in peers:
            peers[kind] = res = run_child(kind, work, {}, args)
            if res:
                scaled = (f"; measured on {res['wide_rows_imported']:,} rows ({res['facts_imported']:,} facts) "
                          f"in {res['import_measured_s']} s and scaled to {args.rows:,} rows") if res["scaled"] else ""
                print(f"{kind} ({res['config']}): {res['total_s']} s (tablib read {res['read_s']} s, reshape "
                      f"{res['reshape_s']} s, import_data {res['import_measured_s']} s{scaled}), "
                      f"{res['facts_in_db']:,} facts, peak RSS {res['peak_rss_mb']} MB", flush=True)
    figures["peer_default_s"] = peers["peer-default"]["total_s"] if peers["peer-default"] else None
    figures["peer_fastest_s"] = peers["peer-fastest"]["total_s"] if peers["peer-fastest"] else None
    figures["peer_scaled_from_rows"] = (
        peers["peer-fastest"]["wide_rows_imported"] if peers["peer-fastest"] and peers["peer-fastest"]["scaled"] else None
    )
    figures["peer_imported"] = (f"Fact ModelResource, {len(COLUMNS)} long facts per wide row, "
                                "enterprise by USCC (ForeignKeyWidget), SQLite")
    worst = max((v for v in (figures["ours_sqlite_s"], figures["ours_postgres_s"]) if v is not None), default=None)
    figures["ratio_vs_peer_fastest"] = (
        round(figures["peer_fastest_s"] / worst, 1) if worst and figures["peer_fastest_s"] else None
    )
    figures["ratio_vs_issue_peer_fastest_16s"] = round(16 / worst, 1) if worst else None
    figures["peak_rss_mb"] = max(rss) if rss else None
    verdicts = []
    for key in ("ours_sqlite_s", "ours_postgres_s"):
        if figures[key] is not None:
            verdicts.append(f"{key} {figures[key]} s {'≤' if figures[key] <= TARGETS['ours_s'] else '>'} 5 s")
    if figures["ratio_vs_peer_fastest"] is not None:
        r = figures["ratio_vs_peer_fastest"]
        verdicts.append(f"{r}× the peer's fastest ({'≥' if r >= TARGETS['ratio'] else '<'} 3×, against the slower of our two)")
    if figures["peak_rss_mb"] is not None:
        verdicts.append(f"peak RSS {figures['peak_rss_mb']} MB {'≤' if figures['peak_rss_mb'] <= TARGETS['rss_mb'] else '>'} 1 GB")
    print("targets: " + "; ".join(verdicts), flush=True)
    print(json.dumps(figures, ensure_ascii=False))


def _county_regions(pack: dict) -> list[dict]:
    """The pack's county-level regions (districts, counties, zones), wherever the pack lists them."""
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("kind") in ("district", "county", "zone") and node.get("code") and node.get("name"):
                found.append({"code": str(node["code"]), "name": node["name"]})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(pack)
    seen, out = set(), []
    for r in found:
        if r["code"] not in seen:
            seen.add(r["code"])
            out.append(r)
    return out


if __name__ == "__main__":
    main()
