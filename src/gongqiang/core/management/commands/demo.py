"""`gongqiang demo [--seed N] [--above N] [--below N] [--no-facts]`: build the synthetic Linyi of the demo.

Idempotent: the same arguments twice leave the same database. Loads the default policy pack first
when none is active. The generator lives in `gongqiang.enterprises.demo` (imported inside handle(),
so `core` does not depend on `enterprises` at import time).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongqiang.core.audit import audit_context


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "生成演示数据：乡镇街道、规上和规下企业、演示账号（可重复运行，结果相同）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=2026, help="随机种子（默认 2026）；同一种子生成同一批企业"
        )
        parser.add_argument("--above", type=_non_negative, default=3300, help="规上企业数（默认 3300）")
        parser.add_argument("--below", type=_non_negative, default=15000, help="规下企业数（默认 15000）")
        parser.add_argument(
            "--no-facts", action="store_true", help="只生成企业库，不生成 2021–2025 年各部门数据"
        )

    def handle(self, *args, seed: int, above: int, below: int, no_facts: bool = False, **options) -> None:
        from gongqiang.core.services.policy import PackInvalid, active_pack, default_pack_path, load_pack
        from gongqiang.enterprises.demo import DemoError, build_demo

        with audit_context(actor_name="system:demo"):
            if active_pack() is None:
                path = default_pack_path()
                try:
                    result = load_pack(path, loaded_by="system:demo")
                except PackInvalid as exc:
                    for error in exc.errors:
                        self.stderr.write(f"{path}: {error}")
                    raise CommandError("默认政策包未能加载，演示数据未生成。", returncode=1) from exc
                self.stdout.write(result.describe())
            try:
                report = build_demo(
                    seed=seed, above=above, below=below, stdout=self.stdout, facts=not no_facts
                )
            except DemoError as exc:
                raise CommandError(str(exc), returncode=1) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write("")
        for line in report.account_lines():
            self.stdout.write(line)
