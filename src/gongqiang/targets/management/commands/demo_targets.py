"""`gongqiang demo_targets [--seed N]`: the targets' demo observations (after `gongqiang demo`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from gongqiang.core.audit import audit_context


class Command(BaseCommand):
    help = "生成目标演示数据：2021–2025年观测值（企业库有数据的目标按企业库计算）、县区分解和一条人工认定。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")

    def handle(self, *args, seed: int, **options) -> None:
        from gongqiang.targets.demo import build_demo_targets

        with audit_context(actor_name="system:demo"):
            build_demo_targets(seed=seed, stdout=self.stdout)
