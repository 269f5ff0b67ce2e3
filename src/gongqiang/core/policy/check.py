"""Read and check a policy pack: every error with its path in the file (and line), in Chinese.

Pure: no Django import. `gongqiang policy check FILE` prints what `check_file` returns.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .schema import PolicyPackSpec

PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的字段（拼写错误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "string_type": "应为文本",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "string_pattern_mismatch": "格式不正确",
    "too_short": "不能为空",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
}


@dataclass(frozen=True)
class PackError:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"第 {self.line} 行 " if self.line else ""
        return f"{where}{self.path or '(根)'}: {self.message}"


@dataclass(frozen=True)
class CheckedPack:
    spec: PolicyPackSpec | None
    errors: list[PackError]
    content_hash: str
    raw: Any

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.errors


def _path(loc: Iterable[Any], raw: Any) -> str:
    """('targets', 3, 'target', 'value') → 'targets[3](id=G1.2).target.value'."""
    out = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict):
                key = node.get("id") or node.get("code")
                if key is not None:
                    out += f"(id={key})"
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _line_of(loc: Iterable[Any], root: yaml.Node | None) -> int | None:
    """The 1-based line of the deepest YAML node that `loc` reaches."""
    node, line = root, None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _items(raw: dict, *keys: str) -> list[dict]:
    node: Any = raw
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return [i if isinstance(i, dict) else {} for i in node] if isinstance(node, list) else []


def _references(raw: dict) -> list[tuple[tuple[Any, ...], str]]:
    """Duplicates and cross-references, on the raw mapping so they are reported beside schema errors."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    for section, key in (
        (("organisation", "regions"), "code"),
        (("organisation", "departments"), "code"),
        (("thresholds",), "id"),
        (("goal_groups",), "id"),
        (("targets",), "id"),
        (("task_lines",), "id"),
        (("calibration",), "id"),
        (("industries",), "code"),
        (("metrics",), "code"),
        (("units",), "name"),
        (("import_sources",), "code"),
        (("task_lines",), "number"),
    ):
        values = [i.get(key) for i in _items(raw, *section)]
        seen = Counter(v for v in values if v is not None)
        for n, value in enumerate(values):
            if value is not None and seen[value] > 1:
                label = "专线序号" if key == "number" else "编号"
                problems.append(((*section, n, key), f"重复的{label}“{value}”"))

    departments = {d.get("code") for d in _items(raw, "organisation", "departments")}
    groups = {g.get("id") for g in _items(raw, "goal_groups")}
    lines = {t.get("id") for t in _items(raw, "task_lines")}

    def dept(loc: tuple[Any, ...], code: Any) -> None:
        if code is not None and code not in departments:
            problems.append((loc, f"未知的部门“{code}”（须在 organisation.departments 中定义）"))

    for n, t in enumerate(_items(raw, "targets")):
        if t.get("group") is not None and t["group"] not in groups:
            problems.append((("targets", n, "group"), f"未知的目标分组“{t['group']}”"))
        dept(("targets", n, "owner"), t.get("owner"))
        for k, c in enumerate(t.get("co_owners") or []):
            dept(("targets", n, "co_owners", k), c)
        dept(("targets", n, "data_source"), t.get("data_source"))
        if t.get("task_line") is not None and t["task_line"] not in lines:
            problems.append((("targets", n, "task_line"), f"未知的专线“{t['task_line']}”"))
        base, goal = t.get("baseline"), t.get("target")
        if isinstance(base, dict) and isinstance(goal, dict):
            by, ty = base.get("year"), goal.get("year")
            if isinstance(by, int) and isinstance(ty, int) and by >= ty:
                problems.append((("targets", n, "target", "year"), "目标年份须晚于基期年份"))
    for n, line in enumerate(_items(raw, "task_lines")):
        dept(("task_lines", n, "owner"), line.get("owner"))
        for k, c in enumerate(line.get("co_owners") or []):
            dept(("task_lines", n, "co_owners", k), c)
    metrics = {m.get("code") for m in _items(raw, "metrics")}
    units = {u.get("name") for u in _items(raw, "units")} | {a for u in _items(raw, "units") for a in u.get("aliases") or []}
    key_fields = {"uscc", "name", "region", "industry_code", "land_type", "account", "certificate", "location", "use"}
    for n, m in enumerate(_items(raw, "metrics")):
        dept(("metrics", n, "source"), m.get("source"))
    for n, src in enumerate(_items(raw, "import_sources")):
        dept(("import_sources", n, "department"), src.get("department"))
        fields = set()
        for k, col in enumerate(src.get("columns") or []):
            if not isinstance(col, dict):
                continue
            fields.add(col.get("field"))
            if col.get("field") not in metrics | key_fields:
                problems.append((("import_sources", n, "columns", k, "field"), f"未知的指标或字段“{col.get('field')}”"))
            if col.get("unit") is not None and col["unit"] not in units:
                problems.append((("import_sources", n, "columns", k, "unit"), f"未知的单位“{col['unit']}”（须在 units 中定义）"))
        if "uscc" not in fields:
            problems.append((("import_sources", n, "columns"), "数据来源须有统一社会信用代码列（field: uscc）"))
    pack = raw.get("pack") if isinstance(raw.get("pack"), dict) else {}
    by, hy = pack.get("baseline_year"), pack.get("horizon_year")
    if isinstance(by, int) and isinstance(hy, int) and hy <= by:
        problems.append((("pack", "horizon_year"), "目标年须晚于基期年"))
    return problems


def check_text(text: str) -> CheckedPack:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        raw = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return CheckedPack(None, [PackError("", f"YAML 语法错误：{exc}", mark.line + 1 if mark else None)], digest, None)
    if not isinstance(raw, dict):
        return CheckedPack(None, [PackError("", "政策包应为一个 YAML 映射")], digest, raw)
    errors: list[PackError] = []
    spec: PolicyPackSpec | None = None
    try:
        spec = PolicyPackSpec.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = PYDANTIC_MESSAGES.get(err["type"], "")
            detail = err["msg"].removeprefix("Value error, ")
            if err["type"] == "value_error":
                message = detail
            elif message:
                message = f"{message}（{detail}）" if err["type"] not in ("missing", "extra_forbidden") else message
            else:
                message = detail
            errors.append(PackError(_path(loc, raw), message, _line_of(loc, root)))
    errors += [PackError(_path(loc, raw), msg, _line_of(loc, root)) for loc, msg in _references(raw)]
    return CheckedPack(spec if not errors else None, errors, digest, raw)


def check_file(path: str | Path) -> CheckedPack:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return CheckedPack(None, [PackError("", f"文件不存在：{path}")], "", None)
    except UnicodeDecodeError:
        return CheckedPack(None, [PackError("", "文件不是 UTF-8 编码")], "", None)
    return check_text(text)
