"""`gongqiang evaluate --facts FILE --year 2024 [--method FILE] [--previous FILE] --out OUT.csv|.xlsx`

Evaluates one year from a file, without the database: for batch runs and for anyone checking our numbers.
The method is the policy pack's for the year (the pack file the site runs on) unless --method gives a YAML
file of one method, checked against the pack's metrics and items. --previous is last year's file in the
same format; the method takes its benchmarks from it (falling back to the year's own data per unit).

Exit status: 0 done; 2 a file, a cell or the method was refused (every problem printed, nothing written).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

SHOW_ERRORS = 50


class Command(BaseCommand):
    help = (
        "按亩产效益评价方法评价一个年度的企业数据文件（.xlsx / .csv），结果写到 .csv 或 .xlsx。不读写数据库。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facts", required=True, metavar="FILE", help="当年企业数据（一行一家企业）")
        parser.add_argument("--year", type=int, required=True, help="评价年度")
        parser.add_argument(
            "--method", metavar="FILE", help="评价方法 YAML（一个方法）；默认用政策包中该年度的方法"
        )
        parser.add_argument(
            "--previous", metavar="FILE", help="上一年度企业数据（用于基准值），格式同 --facts"
        )
        parser.add_argument("--out", required=True, metavar="OUT", help="结果文件（.csv 或 .xlsx）")
        parser.add_argument("--pack", metavar="FILE", help="政策包文件；默认为本站使用的政策包")

    def handle(self, *args: Any, **options: Any) -> None:
        from gongqiang.evaluation.cli_io import FactsError, read_facts, result_table, write_table
        from gongqiang.evaluation.compute import evaluate

        year: int = options["year"]
        out = Path(options["out"])
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError(f"输出文件须为 .csv 或 .xlsx：{out}", returncode=2)
        spec = self._pack(options["pack"])
        method = self._method(spec, year, options["method"])
        items = {i.code: i.name for i in spec.evaluation.items}
        frames = {}
        for key, label in (("facts", "当年数据"), ("previous", "上年数据")):
            if not options[key]:
                continue
            path = Path(options[key])
            if not path.is_file():
                raise CommandError(f"{label}文件不存在：{path}", returncode=2)
            try:
                frames[key] = read_facts(path, items=items, year=year if key == "facts" else year - 1)
            except FactsError as exc:
                self._refuse(f"{label}文件 {path.name}", exc.errors)
        if frames["facts"].is_empty():
            raise CommandError(f"当年数据文件 {options['facts']} 没有数据行。", returncode=2)
        result = evaluate(
            frames["facts"], method, year=year, previous=frames.get("previous"), item_names=items
        )
        table = result_table(result)
        try:
            write_table(table, out)
        except OSError as exc:
            raise CommandError(f"无法写入结果文件 {out}：{exc}", returncode=2) from exc
        self._summary(table, method, year, out)

    def _pack(self, path: str | None) -> Any:
        from gongqiang.core.policy.check import check_file

        if path is None:
            from gongqiang.core.services.policy import default_pack_path

            path = str(default_pack_path())
        checked = check_file(path)
        if not checked.ok:
            raise CommandError(
                f"政策包 {path} 有错误：\n" + "\n".join(f"  {e}" for e in checked.errors[:SHOW_ERRORS]),
                returncode=2,
            )
        if checked.spec.evaluation is None:
            raise CommandError(f"政策包 {path} 没有评价方法（evaluation）。", returncode=2)
        return checked.spec

    def _method(self, spec: Any, year: int, path: str | None) -> Any:
        from gongqiang.core.policy.evaluation import parse_method

        if path is None:
            method = spec.evaluation.method_for(year)
            if method is None:
                raise CommandError(f"政策包中没有适用于 {year} 年度的评价方法。", returncode=2)
            return method
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"评价方法文件不存在：{path}", returncode=2) from None
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CommandError(f"评价方法文件 {path} 不是有效的 UTF-8 YAML：{exc}", returncode=2) from None
        if not isinstance(raw, dict):
            raise CommandError(f"评价方法文件 {path} 应为一个方法（YAML 映射）。", returncode=2)
        try:
            return parse_method(
                raw, metrics={m.code for m in spec.metrics}, items=spec.evaluation.item_kinds()
            )
        except ValueError as exc:
            raise CommandError(f"评价方法文件 {path} 有错误：\n{exc}", returncode=2) from None

    def _refuse(self, what: str, errors: list[Any]) -> None:
        lines = [f"  {e}" for e in errors[:SHOW_ERRORS]]
        if len(errors) > SHOW_ERRORS:
            lines.append(f"  ……另有 {len(errors) - SHOW_ERRORS} 处")
        raise CommandError(f"{what}有 {len(errors)} 处错误，未评价：\n" + "\n".join(lines), returncode=2)

    def _summary(self, table: pl.DataFrame, method: Any, year: int, out: Path) -> None:
        status = Counter(table["status"].to_list())
        classes = Counter(c for c in table.filter(pl.col("status") == "evaluated")["class"].to_list())
        low = int(table["low_efficiency"].sum())
        self.stdout.write(
            f"{year} 年度按“{method.name}”（{method.version}）评价 {table.height} 家："
            f"参评 {status['evaluated']} 家（A {classes['A']}、B {classes['B']}、C {classes['C']}、D {classes['D']}），"
            f"T 类 {status['T']} 家，无法评价 {status['exception']} 家，不参评 {status['excluded']} 家；"
            f"低效企业 {low} 家。结果已写到 {out}"
        )
