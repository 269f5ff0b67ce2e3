"""`gongqiang policy check FILE` and `gongqiang policy load FILE`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongqiang.core.audit import audit_context
from gongqiang.core.policy.check import check_file


class Command(BaseCommand):
    help = "检查或加载政策包（policies/*.yaml）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        check = sub.add_parser("check", help="校验政策包，列出全部错误及其在文件中的位置")
        check.add_argument("file")
        load = sub.add_parser("load", help="加载政策包（幂等：同一版本同一内容不重复加载）")
        load.add_argument("file")

    def handle(self, *args, action: str, file: str, **options) -> None:
        if action == "check":
            self._check(file)
        else:
            self._load(file)

    def _check(self, file: str) -> None:
        checked = check_file(file)
        if not checked.ok:
            for error in checked.errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError(f"政策包校验未通过：共 {len(checked.errors)} 处错误。", returncode=1)
        spec = checked.spec
        self.stdout.write(
            f"{file}: 校验通过。{spec.pack.title} v{spec.pack.version}，目标 {len(spec.targets)} 项，"
            f"专线 {len(spec.task_lines)} 条，区域 {len(spec.organisation.regions)} 个，"
            f"部门 {len(spec.organisation.departments)} 个；内容哈希 {checked.content_hash[:12]}。"
        )

    def _load(self, file: str) -> None:
        from gongqiang.core.services.policy import PackInvalid, load_pack

        try:
            with audit_context(actor_name="system:policy-load"):
                result = load_pack(file, loaded_by="system:policy-load")
        except PackInvalid as exc:
            for error in exc.errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError("政策包未加载。", returncode=1) from exc
        self.stdout.write(result.describe())
