"""Loading packs into the database, and the `gongqiang policy` command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from gongqiang.core.models import Department, PolicyPack, Region
from gongqiang.core.services.policy import PackInvalid, active_spec, load_pack

ROOT = Path(__file__).resolve().parents[2]
LINYI = ROOT / "policies" / "linyi-2022.yaml"
INVENTED = ROOT / "policies" / "examples" / "invented-city.yaml"

pytestmark = pytest.mark.django_db


def test_linyi_loaded_with_hash_and_organisation(linyi):
    assert linyi.is_active and len(linyi.content_hash) == 64
    assert Region.objects.filter(kind__in=["district", "county", "zone"]).count() >= 15
    assert Region.objects.get(code="371302").path == "371300/371302/"
    assert Department.objects.filter(code="gxj").exists()
    assert active_spec().pack.code == "linyi-2022"


def test_load_is_idempotent(linyi):
    before = PolicyPack.objects.count(), Region.objects.count(), Department.objects.count()
    result = load_pack(LINYI)
    assert not result.created and result.pack.pk == linyi.pk
    assert (PolicyPack.objects.count(), Region.objects.count(), Department.objects.count()) == before


def test_changed_content_needs_a_new_version(linyi, tmp_path):
    data = yaml.safe_load(LINYI.read_text(encoding="utf-8"))
    data["pack"]["title"] += "（修订）"
    same_version = tmp_path / "same.yaml"
    same_version.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackInvalid, match="提升版本号"):
        load_pack(same_version)
    original_version = data["pack"]["version"]
    data["pack"]["version"] = original_version + ".1"
    new_version = tmp_path / "new.yaml"
    new_version.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = load_pack(new_version)
    assert result.created and result.pack.version == original_version + ".1" and result.pack.is_active
    assert PolicyPack.objects.filter(code="linyi-2022", is_active=True).count() == 1
    assert PolicyPack.objects.get(code="linyi-2022", version=original_version).content_hash != result.pack.content_hash


def test_invented_city_loads_without_code_change(linyi):
    result = load_pack(INVENTED)
    spec = yaml.safe_load(INVENTED.read_text(encoding="utf-8"))
    city = spec["organisation"]["city"]["code"]
    assert result.created
    assert Region.objects.filter(path__startswith=f"{city}/").count() == len(spec["organisation"]["regions"]) + 1
    assert active_spec().pack.code == spec["pack"]["code"]


def test_invalid_pack_loads_nothing(linyi, tmp_path):
    data = yaml.safe_load(INVENTED.read_text(encoding="utf-8"))
    data["targets"][0]["owner"] = "no-such-dept"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    count = PolicyPack.objects.count()
    with pytest.raises(PackInvalid, match="no-such-dept"):
        load_pack(bad)
    assert PolicyPack.objects.count() == count


def test_policy_check_command_passes_linyi(capsys):
    call_command("policy", "check", str(LINYI))
    assert "校验通过" in capsys.readouterr().out


def _bad_pack(tmp_path: Path) -> Path:
    data = yaml.safe_load(LINYI.read_text(encoding="utf-8"))
    del data["targets"][0]["target"]["value"]
    data["targets"][1]["owner"] = "unknown-dept"
    data["targets"][3]["id"] = data["targets"][2]["id"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_policy_check_command_names_every_error(tmp_path, capsys):
    path = _bad_pack(tmp_path)
    with pytest.raises(CommandError):
        call_command("policy", "check", str(path))
    err = capsys.readouterr().err
    assert "target.value" in err and "缺少必填项" in err
    assert "unknown-dept" in err
    assert "重复的编号" in err


def test_policy_check_cli_exit_code(tmp_path):
    """The console command itself: non-zero with every error on stderr, zero for the Linyi pack."""
    gongqiang = Path(sys.executable).with_name("gongqiang")
    if not gongqiang.exists():
        pytest.skip("console script gongqiang not installed in this environment")
    ok = subprocess.run([str(gongqiang), "policy", "check", str(LINYI)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([str(gongqiang), "policy", "check", str(_bad_pack(tmp_path))], capture_output=True, text=True)
    assert bad.returncode != 0
    assert bad.stderr.count("bad.yaml:") >= 3


def test_pack_carries_industry_divisions(linyi):
    names = active_spec().industry_names()
    assert {f"{n:02d}" for n in range(13, 44)} <= set(names)
    assert names["20"].startswith("木材加工") and names["44"].startswith("电力")
