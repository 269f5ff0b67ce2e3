"""`gongqiang export-template --source tax --year 2024 OUT.xlsx`: a department's import template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "导出某数据来源的导入模板（.xlsx：中文列名含单位、下拉选项、填表说明、年度）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="输出文件（.xlsx）")
        parser.add_argument("--source", required=True, help="数据来源代码（政策包 import_sources，如 tax）")
        parser.add_argument("--year", type=int, required=True, help="数据年度")

    def handle(self, *args: Any, out: str, source: str, year: int, **options: Any) -> None:
        from ...services.imports import ImportRefused, template_for

        try:
            content = template_for(source, year)
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=2) from exc
        path = Path(out)
        path.write_bytes(content)
        self.stdout.write(f"模板已写到 {path}（{year} 年，来源 {source}）。")
