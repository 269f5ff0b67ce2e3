"""`gongqiang demo_supervision [--year Y] [--seed N]`: supervision demo data (after the pack is loaded)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gongqiang.core.audit import audit_context


class Command(BaseCommand):
    help = "生成督导演示数据：一年的专线任务、月调度报告（部分逾期、部分缺报）、两期季通报和一次半年评估。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="演示年度（默认去年）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")

    def handle(self, *args, year: int | None, seed: int, **options) -> None:
        from gongqiang.core.services.policy import active_spec
        from gongqiang.supervision.demo import build_demo_supervision

        if active_spec() is None:
            raise CommandError("尚未加载政策包：请先运行 gongqiang policy load 或 gongqiang demo。")
        try:
            with audit_context(actor_name="system:demo"):
                build_demo_supervision(year or timezone.localdate().year - 1, seed=seed, stdout=self.stdout)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
