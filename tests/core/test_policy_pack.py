"""The shipped policy packs: they pass the checker, carry every number of policy.md as data, and the
checker names the path of what is wrong. Pure: no database, no Django."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongqiang.core.policy.check import check_file, check_text

REPO = Path(__file__).resolve().parents[2]
LINYI = REPO / "policies" / "linyi-2022.yaml"
INVENTED = REPO / "policies" / "examples" / "invented-city.yaml"
POLICY_MD = REPO.parent / "shared" / "docs" / "policy.md"

# Tokens of policy.md that contain digits but are not policy figures. Keep this list short.
NOT_POLICY_DATA = {
    "14th": "the ordinal of the city's 14th five-year plan (十四五): names a document, not a figure",
    "5G": "a technology name (5G base stations), not a quantity",
}

# Goal and batch ids (G1.1, T3, T10) are labels, not figures.
ID_RE = re.compile(r"(?<![A-Za-z0-9])[GT]\d+(?:\.\d+)?(?![0-9])")
# Markdown list markers ("1. ") at the start of a line.
LIST_MARKER_RE = re.compile(r"^\s*\d+\.\s", re.MULTILINE)
# "1,000", "4,805.25", "39.7", "371302"; the unit that follows is captured for 万亿.
NUMBER_RE = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])\s*(万亿)?")


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _key(value: float) -> float:
    return round(float(value), 6)


def policy_numbers(text: str) -> dict[str, set[float]]:
    """Each number token of policy.md → the values that count as carrying it (1 万亿 = 1 or 10000 亿)."""
    for token in NOT_POLICY_DATA:
        text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])", " ", text)
    text = ID_RE.sub(" ", text)
    text = LIST_MARKER_RE.sub(" ", text)
    found: dict[str, set[float]] = {}
    for match in NUMBER_RE.finditer(text):
        raw, wan_yi = match.group(1), match.group(2)
        value = float(raw.replace(",", ""))
        accepted = {_key(value)}
        if wan_yi:  # 1 万亿元 may be written as 10000 亿元
            accepted.add(_key(value * 10000))
        found.setdefault(match.group(0).strip(), set()).update(accepted)
    return found


def data_numbers(node: Any, key: str | None = None) -> set[float]:
    """Every number held as data in a loaded pack: numeric values, and strings that are wholly a number
    (region codes such as "371302"). Numbers inside prose (the `text` quotes, notes, names) do not count."""
    out: set[float] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            out |= data_numbers(v, k)
    elif isinstance(node, list):
        for item in node:
            out |= data_numbers(item, key)
    elif isinstance(node, bool) or node is None:
        pass
    elif isinstance(node, int | float):
        out.add(_key(node))
    elif isinstance(node, str) and key != "text" and re.fullmatch(r"\d+(?:\.\d+)?", node.strip()):
        out.add(_key(float(node)))
    return out


def _policy_md() -> str:
    if not POLICY_MD.exists():
        pytest.skip(
            f"policy.md not found at {POLICY_MD}: the shared docs are not checked out next to the repo"
        )
    return POLICY_MD.read_text(encoding="utf-8")


def _check(raw: dict[str, Any]):
    return check_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))


def _index(raw: dict[str, Any], target_id: str) -> int:
    return next(n for n, t in enumerate(raw["targets"]) if t["id"] == target_id)


# ----------------------------------------------------------------------------------------------- packs pass


def test_linyi_pack_passes_the_checker():
    checked = check_file(LINYI)
    assert checked.errors == []
    assert checked.ok
    pack = checked.spec.pack
    assert (pack.code, pack.version, pack.baseline_year, pack.horizon_year) == (
        "linyi-2022",
        "2022.4",
        2021,
        2026,
    )


def test_invented_city_pack_passes_the_checker():
    checked = check_file(INVENTED)
    assert checked.errors == []
    assert checked.ok
    assert checked.spec.organisation.city.code != "371300"


# ------------------------------------------------------------------------------------ policy.md → pack data


def test_number_extraction_handles_the_formats_of_policy_md():
    found = policy_numbers(
        "G1.1 > 1 万亿元 (10,000 亿元); GDP 4,805.25; 39.7%; T10 −6%; 1–2 个; 5G; 14th plan\n1. item"
    )
    assert found == {
        "1 万亿": {1.0, 10000.0},
        "10,000": {10000.0},
        "4,805.25": {4805.25},
        "39.7": {39.7},
        "6": {6.0},
        "1": {1.0},
        "2": {2.0},
    }


def test_prose_numbers_do_not_count_as_data():
    assert data_numbers(
        {"text": "突破1万亿", "name": "50家", "code": "371302", "value": 3, "flag": True}
    ) == {
        371302.0,
        3.0,
    }


def test_every_number_of_policy_md_is_data_in_the_linyi_pack():
    numbers = policy_numbers(_policy_md())
    assert len(numbers) > 50, "policy.md looks truncated"
    data = data_numbers(_load(LINYI))
    missing = sorted(token for token, accepted in numbers.items() if not accepted & data)
    assert not missing, f"numbers of policy.md not held as data in {LINYI.name}: {missing}"


def test_every_region_code_of_policy_md_is_in_the_pack():
    codes = set(re.findall(r"(?<!\d)3713\d\d(?!\d)", _policy_md()))
    spec = check_file(LINYI).spec
    pack_codes = {spec.organisation.city.code} | {r.code for r in spec.organisation.regions}
    assert len(codes) == 13
    assert codes <= pack_codes, sorted(codes - pack_codes)


def test_linyi_has_twelve_counties_and_three_zones():
    regions = check_file(LINYI).spec.organisation.regions
    counties = [r for r in regions if r.kind in ("district", "county")]
    zones = [r for r in regions if r.kind == "zone"]
    assert len(counties) == 12 and len(zones) == 3
    assert all(r.kind == ("district" if r.name.endswith("区") else "county") for r in counties)
    assert {z.short_name for z in zones} == {"高新区", "经开区", "临港区"}
    assert all(r.short_name and not r.short_name.endswith(("区", "县")) for r in counties if r.name != "费县")
    assert all(r.specialty for r in regions if r.short_name in ("兰山", "罗庄", "河东", "平邑", "沂南"))


def test_linyi_has_the_ten_task_lines_with_known_owners():
    spec = check_file(LINYI).spec
    departments = spec.department_codes()
    assert {"gxj", "kjj"} <= departments  # the demo relies on these codes
    lines = {line.id: line for line in spec.task_lines}
    assert list(lines) == [f"T{n}" for n in range(1, 11)]
    assert [line.number for line in spec.task_lines] == list(range(1, 11))
    for line in spec.task_lines:
        assert line.owner in departments and set(line.co_owners) <= departments
        assert line.name and line.summary
    assert lines["T1"].name == "淘汰一批落后企业"
    assert lines["T4"].owner == "kjj"
    assert "技改动态项目库" in lines["T3"].lists
    assert any("招商推介项目库" in name for name in lines["T8"].lists)
    assert "上市潜力企业培育库" in lines["T9"].lists
    # every line has at least one target
    assert {line.id for line in spec.task_lines} <= {t.task_line for t in spec.targets}


def test_linyi_has_every_goal_and_batch_target():
    spec = check_file(LINYI).spec
    ids = {t.id for t in spec.targets}
    goals = {"G1.1", "G1.2", "G1.3", "G2.1", "G2.2", "G3.1", "G3.2", "G4.1", "G5.1", "G5.2"}
    assert goals <= ids, sorted(goals - ids)
    for n in range(1, 11):
        assert any(i.startswith(f"T{n}.") for i in ids), f"no target for T{n}"
    assert {g.id for g in spec.goal_groups} == {f"G{n}" for n in range(1, 6)} | {
        f"T{n}" for n in range(1, 11)
    }
    g12, g21, g22, g51 = (spec.target(i) for i in ("G1.2", "G2.1", "G2.2", "G5.1"))
    assert (g12.kind, g12.target.value, g12.also[0].value) == ("multiple_of_baseline", 2, 500)
    assert g21.kind == "composite" and g21.member_threshold.value == 1000 and len(g21.components) == 4
    assert g22.tracked_only
    assert (g51.kind, g51.direction, g51.target.value) == ("decrease_vs_baseline", "decrease", 6)
    assert spec.target("G4.1").baseline.value == 39.7
    assert spec.threshold("low_efficiency_tax_per_mu").comparison == "le"
    assert len(spec.lists["t8_target_chains"]) == 8


# ------------------------------------------------------------------------------- the checker names the path


def test_missing_target_value_is_reported_with_its_path():
    raw = _load(LINYI)
    n = _index(raw, "G1.1")
    del raw["targets"][n]["target"]["value"]
    checked = _check(raw)
    assert not checked.ok
    paths = [e.path for e in checked.errors]
    assert any(f"targets[{n}]" in p and "target" in p and p.endswith("value") for p in paths), paths


def test_unknown_owner_is_reported_with_code_path_and_line():
    raw = _load(LINYI)
    n = _index(raw, "T3.1")
    raw["targets"][n]["owner"] = "nosuchdept"
    checked = _check(raw)
    assert not checked.ok
    [error] = checked.errors
    assert "nosuchdept" in error.message
    assert error.path == f"targets[{n}](id=T3.1).owner"
    assert error.line is not None and error.line > 1


def test_duplicate_target_id_is_reported():
    raw = _load(LINYI)
    raw["targets"][1]["id"] = raw["targets"][0]["id"]
    checked = _check(raw)
    assert not checked.ok
    assert any("G1.1" in e.message and e.path.startswith("targets[") for e in checked.errors), checked.errors


def test_unknown_field_is_reported():
    raw = _load(LINYI)
    raw["targets"][0]["colour"] = "red"
    checked = _check(raw)
    assert not checked.ok
    assert any(e.path.endswith("colour") and "未知的字段" in e.message for e in checked.errors), (
        checked.errors
    )


def test_wrong_kind_is_reported():
    raw = _load(LINYI)
    raw["targets"][0]["kind"] = "ratio"
    checked = _check(raw)
    assert not checked.ok
    assert any(e.path.startswith("targets[0]") and e.path.endswith("kind") for e in checked.errors), (
        checked.errors
    )


def test_share_above_100_is_reported():
    raw = _load(LINYI)
    n = _index(raw, "G4.1")
    raw["targets"][n]["target"]["value"] = 120
    checked = _check(raw)
    assert not checked.ok
    assert any(f"targets[{n}]" in e.path and "0–100" in e.message for e in checked.errors), checked.errors


def test_milestone_after_target_year_is_reported():
    raw = _load(LINYI)
    n = _index(raw, "T1.2")
    raw["targets"][n]["milestones"][0]["year"] = 2030
    checked = _check(raw)
    assert not checked.ok
    assert any(f"targets[{n}]" in e.path and "2030" in e.message for e in checked.errors), checked.errors


# ------------------------------------------------------------------------------------------------ property


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), break_it=st.booleans())
def test_order_of_targets_does_not_change_validity(seed, break_it):
    raw = _load(LINYI)
    if break_it:
        raw["targets"][0]["owner"] = "nosuchdept"
    random.Random(seed).shuffle(raw["targets"])
    checked = _check(raw)
    assert checked.ok is (not break_it)
    if break_it:
        assert [e.message for e in checked.errors] == [
            "未知的部门“nosuchdept”（须在 organisation.departments 中定义）"
        ]
