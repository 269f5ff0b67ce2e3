"""`gongqiang import --source tax --year 2024 FILE`: stage a department file, report, and commit.

Exit status: 0 done (or a clean dry run); 1 rows refused in all-or-nothing mode (nothing written);
2 the file, the source, the user or the permission was refused (nothing written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongqiang.core.audit import audit_context

from ...models import BatchStatus, CommitMode, ImportBatch

SHOW_ERRORS = 20


class Command(BaseCommand):
    help = "导入部门数据文件（.xlsx / .xls / .csv）：校验、报告所作假定与错误，并入库（--dry-run 只校验）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="部门数据文件")
        parser.add_argument("--source", required=True, help="数据来源代码（政策包 import_sources，如 tax）")
        parser.add_argument("--year", type=int, required=True, help="数据年度")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不入库")
        parser.add_argument("--errors", metavar="OUT.xlsx", help="把错误报告（原始行 + 原因）写到此文件")
        parser.add_argument(
            "--mode",
            choices=list(CommitMode.values),
            default=CommitMode.ALL_OR_NOTHING,
            help="all_or_nothing：有错误行则全部不写入（默认）；valid_rows：写入全部正确行",
        )
        parser.add_argument("--create-unknown", action="store_true", help="企业库中没有的企业自动建档")
        parser.add_argument(
            "--user", metavar="USERNAME", help="以该用户身份导入（按其数据范围）；默认系统身份"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from ...services.imports import ImportRefused

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        user = self._user(options["user"])
        with audit_context(user=user, actor_name="" if user else "system:import"):
            try:
                self._run(path, user, options)
            except PermissionDenied as exc:
                raise CommandError(str(exc) or "无权导入。", returncode=2) from exc
            except ImportRefused as exc:
                raise CommandError(str(exc), returncode=2) from exc

    def _user(self, username: str | None) -> Any:
        if not username:
            return None
        from gongqiang.core.models import User

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户“{username}”。", returncode=2)
        return user

    def _run(self, path: Path, user: Any, options: dict[str, Any]) -> None:
        from ...services import imports

        batch = imports.stage(
            path.read_bytes(),
            path.name,
            source=options["source"],
            year=options["year"],
            user=user,
            mode=options["mode"],
            create_unknown=options["create_unknown"],
        )
        self._assumptions(batch)
        errors = imports.error_rows(batch, limit=None)
        if batch.status == BatchStatus.FAILED:
            self._errors(errors)
            raise CommandError(f"文件未导入：{batch.message}", returncode=2)
        self._counts(batch)
        self._errors(errors)
        if options["errors"]:
            self._write_errors(batch, Path(options["errors"]))
        refused = batch.mode == CommitMode.ALL_OR_NOTHING and batch.counts.get("invalid", 0)
        if options["dry_run"]:
            self.stdout.write(f"试运行：批次 #{batch.pk} 已校验，未入库（可在“数据导入”页面核对后确认）。")
            if refused:
                raise CommandError(
                    f"有 {batch.counts['invalid']} 行错误：按“有任何错误则全部不写入”，入库将被拒绝。",
                    returncode=1,
                )
            return
        try:
            batch = imports.commit(batch, user, progress=self._progress)
        except imports.ImportRefused as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(f"批次 #{batch.pk}：{batch.message}")

    def _assumptions(self, batch: ImportBatch) -> None:
        sentences = (batch.assumptions or {}).get("notes") or []
        if sentences:
            self.stdout.write("识别与假定：")
            for sentence in sentences:
                self.stdout.write(f"  · {sentence}")

    def _counts(self, batch: ImportBatch) -> None:
        c = batch.counts
        self.stdout.write(
            f"批次 #{batch.pk}：共 {c.get('rows', 0)} 行，正确 {c.get('valid', 0)} 行，错误 {c.get('invalid', 0)} 行，"
            f"跳过 {c.get('skipped', 0)} 行；数值 新增 {c.get('new', 0)}、变化 {c.get('changed', 0)}、"
            f"未变 {c.get('unchanged', 0)}；新企业 {c.get('enterprises_new', 0)} 家。"
        )

    def _errors(self, errors: list[dict[str, Any]]) -> None:
        if not errors:
            return
        self.stdout.write(f"错误（共 {len(errors)} 处，列出前 {min(len(errors), SHOW_ERRORS)} 处）：")
        for e in errors[:SHOW_ERRORS]:
            where = f"第 {e['row_no']} 行" if e.get("row_no") else "文件"
            column = f"“{e['column']}”列" if e.get("column") else ""
            self.stdout.write(f"  {where}{column}：{e['reason']}")

    def _write_errors(self, batch: ImportBatch, out: Path) -> None:
        if not batch.error_report:
            self.stdout.write("没有错误行，未生成错误报告。")
            return
        with batch.error_report.open("rb") as handle:
            out.write_bytes(handle.read())
        self.stdout.write(f"错误报告已写到 {out}")

    def _progress(self, percent: int) -> None:
        self.stdout.write(f"写入进度 {percent}%")
        self.stdout.flush()
