"""`gongqiang demo_evaluation [--seed N]`: published evaluations 2021–2024 and task one's lists (after `gongqiang demo`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from gongqiang.core.audit import audit_context


class Command(BaseCommand):
    help = "生成亩产效益评价演示数据：2021–2024年评价（完整流程发布）、低效企业清单及整治结果、调档申请、2025年县区审核中的评价。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")

    def handle(self, *args, seed: int, **options) -> None:
        from gongqiang.evaluation.demo import build_demo_evaluation

        with audit_context(actor_name="system:demo"):
            build_demo_evaluation(seed=seed, stdout=self.stdout)
