"""`gongqiang import` and `gongqiang export-template`: output in Chinese, exit codes, the system actor."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongqiang.core.models import ChangeRecord
from gongqiang.enterprises.models import BatchStatus, Enterprise, Fact, ImportBatch

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def tax_file(tmp_path: Path, rows: list[tuple[str, str, str, str]], name: str = "tax.csv") -> Path:
    path = tmp_path / name
    lines = ["统一社会信用代码,企业名称,所属区县,实缴税金（万元）", *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing(linyi, tmp_path):
    out = run(
        "import",
        str(SAMPLES / "tax-2024.xlsx"),
        "--source",
        "tax",
        "--year",
        "2024",
        "--dry-run",
        "--create-unknown",
    )
    assert "识别与假定" in out and "“纳税人识别号”→ 统一社会信用代码" in out and "单位 万元" in out
    assert "共 53 行，正确 50 行，错误 0 行" in out and "试运行" in out
    assert not Fact.objects.exists() and not Enterprise.objects.exists()
    assert ImportBatch.objects.get().status == BatchStatus.VALIDATED


@pytest.mark.django_db
def test_import_commits_as_the_system_actor(linyi, tmp_path):
    out = run(
        "import", str(SAMPLES / "tax-2024.xlsx"), "--source", "tax", "--year", "2024", "--create-unknown"
    )
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.COMMITTED and "已入库：写入 50 个数值" in out
    assert "写入进度 100%" in out
    assert Fact.objects.filter(batch=batch, is_current=True).count() == 50
    record = ChangeRecord.objects.filter(
        model_label="enterprises.ImportBatch", object_id=str(batch.pk)
    ).first()
    assert record is not None and record.user_name == "system:import"


@pytest.mark.django_db
def test_bad_file_exits_2_with_the_reason(linyi, tmp_path):
    bad = tmp_path / "报表.xlsx"
    bad.write_bytes(b"MZ\x90\x00\x03 this is an executable")
    with pytest.raises(CommandError) as caught:
        run("import", str(bad), "--source", "tax", "--year", "2024")
    assert caught.value.returncode == 2 and str(caught.value).startswith("文件未导入：")
    assert ImportBatch.objects.get().status == BatchStatus.FAILED
    with pytest.raises(CommandError) as missing:
        run("import", str(tmp_path / "none.xlsx"), "--source", "tax", "--year", "2024")
    assert missing.value.returncode == 2 and "文件不存在" in str(missing.value)
    with pytest.raises(CommandError) as unknown:
        run("import", str(SAMPLES / "tax-2024.xlsx"), "--source", "nosuch", "--year", "2024")
    assert unknown.value.returncode == 2 and "没有数据来源“nosuch”" in str(unknown.value)


@pytest.mark.django_db
def test_all_or_nothing_refusal_exits_1_lists_errors_and_writes_the_report(world, tmp_path, capsys):
    a, b = world.lanshan_ent, world.lanshan_below
    path = tax_file(tmp_path, [(a.uscc, a.name, "兰山区", "5"), (b.uscc, b.name, "兰山区", "12x3")])
    report = tmp_path / "错误.xlsx"
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import", str(path), "--source", "tax", "--year", "2024", "--errors", str(report), stdout=out
        )
    text = out.getvalue()
    assert caught.value.returncode == 1 and "有 1 行错误" in str(caught.value)
    assert "错误（共 1 处" in text and "第 3 行“实缴税金（万元）”列：" in text
    assert report.exists()
    cells = [c for row in openpyxl.load_workbook(report).active.iter_rows(values_only=True) for c in row if c]
    assert b.uscc in cells
    assert not Fact.objects.exists()
    # the same file in valid_rows mode writes the good row and exits 0
    run("import", str(path), "--source", "tax", "--year", "2024", "--mode", "valid_rows")
    assert list(Fact.objects.values_list("enterprise_id", "value")) == [(a.pk, Decimal("50000"))]


@pytest.mark.django_db
def test_dry_run_in_all_or_nothing_mode_with_errors_exits_1(world, tmp_path):
    a = world.lanshan_ent
    path = tax_file(tmp_path, [(a.uscc, a.name, "兰山区", "oops")])
    with pytest.raises(CommandError) as caught:
        run("import", str(path), "--source", "tax", "--year", "2024", "--dry-run")
    assert caught.value.returncode == 1


@pytest.mark.django_db
def test_user_option_applies_the_users_scope(personas, world, tmp_path):
    a, lz = world.lanshan_ent, world.luozhuang_ent
    path = tax_file(tmp_path, [(a.uscc, a.name, "兰山区", "5"), (lz.uscc, lz.name, "罗庄区", "6")])
    out = run(
        "import",
        str(path),
        "--source",
        "tax",
        "--year",
        "2024",
        "--mode",
        "valid_rows",
        "--user",
        "p-lanshan",
    )
    assert "不在您的数据范围内（属地：罗庄区）" in out
    assert list(Fact.objects.values_list("enterprise_id", flat=True)) == [a.pk]
    for username, reason in (
        ("p-leader", "领导账号只能查看"),
        ("p-kjj", "不属于您所在部门"),
        ("nobody-here", "没有用户"),
    ):
        with pytest.raises(CommandError) as caught:
            run("import", str(path), "--source", "tax", "--year", "2024", "--user", username)
        assert caught.value.returncode == 2 and reason in str(caught.value)


@pytest.mark.django_db
def test_export_template_then_import_the_filled_template(world, tmp_path):
    out_file = tmp_path / "税务模板.xlsx"
    assert "模板已写到" in run("export-template", "--source", "tax", "--year", "2024", str(out_file))
    wb = openpyxl.load_workbook(out_file)
    ws = wb.worksheets[0]
    header_row = next(r for r in range(1, 6) if any("信用代码" in str(c.value or "") for c in ws[r]))
    headers = [str(c.value or "") for c in ws[header_row]]
    a, lz = world.lanshan_ent, world.luozhuang_ent
    values = {
        a.uscc: {"uscc": a.uscc, "name": a.name, "region": "兰山区", "tax": "12.34"},
        lz.uscc: {"uscc": lz.uscc, "name": lz.name, "region": "罗庄区", "tax": "-0.5"},
    }
    for n, row in enumerate(values.values(), start=header_row + 1):
        for col, header in enumerate(headers, start=1):
            key = (
                "uscc"
                if "信用代码" in header or "识别号" in header
                else "name"
                if "名称" in header
                else "region"
                if "区" in header
                else "tax"
                if "税" in header
                else None
            )
            if key:
                ws.cell(n, col, row[key])
    wb.save(out_file)
    out = run("import", str(out_file), "--source", "tax", "--year", "2024")
    assert "错误 0 行" in out
    current = dict(Fact.objects.filter(is_current=True).values_list("enterprise_id", "value"))
    assert current == {a.pk: Decimal("123400"), lz.pk: Decimal("-5000")}


@pytest.mark.django_db
def test_export_template_of_an_unknown_source_exits_2(linyi, tmp_path):
    with pytest.raises(CommandError) as caught:
        run("export-template", "--source", "nosuch", "--year", "2024", str(tmp_path / "x.xlsx"))
    assert caught.value.returncode == 2


def test_the_console_script_knows_both_verbs(tmp_path):
    """`export-template` is a module with a hyphen: Django's loader imports it by name, so it works."""
    env = {
        **os.environ,
        "GONGQIANG_VAR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gongqiang.config.settings",
    }
    env.pop("DATABASE_URL", None)
    for verb in ("import", "export-template"):
        done = subprocess.run(
            [sys.executable, "-m", "gongqiang.cli", verb, "--help"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "--source" in done.stdout and "--year" in done.stdout
