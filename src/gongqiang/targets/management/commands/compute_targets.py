"""`gongqiang compute_targets [--target G1.1 ...] [--year 2024 ...]`: the pack's computed targets from the
registry's current facts. Idempotent: an unchanged value is not written again."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from gongqiang.core.audit import audit_context


class Command(BaseCommand):
    help = "按政策包中的计算方法，用企业库现行数据计算目标值（全市及各县区）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--target", action="append", help="目标编号（可重复；默认全部有计算方法的目标）")
        parser.add_argument("--year", action="append", type=int, help="年度（可重复；默认目标期内已结束的年度）")

    def handle(self, *args, target: list[str] | None, year: list[int] | None, **options) -> None:
        from gongqiang.targets.computations import run

        with audit_context(actor_name="system:computation"):
            report = run(target, year)
        self.stdout.write(report.describe())
