"""Property test of the row validator: it never raises, and accepts exactly the rows an oracle accepts.

The oracle below knows each cell's meaning from how it was generated (a valid code, a corrupted one, a
number written in some way, garbage) and applies the rules in a few plain lines; it shares no code with
the validator beyond `uscc.make` to produce valid codes.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongqiang.enterprises.importers import KnownEnterprise, KnownFrame, RawTable, map_columns, validate
from gongqiang.lib.uscc import make

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODES = [make(f"91371302MA{i:07d}") for i in range(3)] + [make(f"91371311MA{i:07d}") for i in range(3, 6)]
KNOWN = {c: KnownEnterprise(name="库", region_code=c[2:8]) for c in CODES[:4]}  # the last two are unknown
HEADERS = ["统一社会信用代码", "单位详细名称", "营业收入", "从业人员平均人数"]
INVALID = object()
BLANK_NAMES = [None, "", "  "]
SKIP_NAMES = ["合计", "小计", "全市合计", "制表人：张三", "注：单位为千元"]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def code_cell(draw):
    """(cell, the code it stands for, or None when it is not a valid code)."""
    kind = draw(
        st.sampled_from(["valid", "lower", "wide", "spaced", "check", "short", "garbage", "empty", "int"])
    )
    code = draw(st.sampled_from(CODES))
    if kind == "valid":
        return code, code
    if kind == "lower":
        return code.lower(), code
    if kind == "wide":
        return full_width(code), code
    if kind == "spaced":
        return f" {code[:9]} {code[9:]}\u3000", code
    if kind == "check":
        wrong = draw(st.sampled_from([c for c in ALPHABET if c != code[-1]]))
        return code[:-1] + wrong, None
    if kind == "short":
        return code[: draw(st.integers(0, 17))], None
    if kind == "garbage":
        return draw(st.text(alphabet="ABCxyz12-", max_size=17)), None
    if kind == "int":
        return draw(st.integers(0, 10**17 - 1)), None
    return None, None


@st.composite
def number_cell(draw):
    """(cell, its value as a Decimal, None for empty, or INVALID)."""
    kind = draw(
        st.sampled_from(["empty", "int", "float", "text", "commas", "wide", "parens", "garbage", "nonfinite"])
    )
    d = draw(
        st.decimals(min_value=-(10**6), max_value=10**6, places=draw(st.integers(0, 3)), allow_nan=False)
    )
    if kind == "empty":
        return draw(st.sampled_from([None, "", " ", "-", "—", "/", "－"])), None
    if kind == "int":
        return int(d), Decimal(int(d))
    if kind == "float":
        return float(d), d
    if kind == "text":
        return f"  {d}  ", d
    if kind == "commas":
        return f"{d:,}", d
    if kind == "wide":
        return full_width(f"{d:,}"), d
    if kind == "parens":
        return f"({abs(d):,})", -abs(d)
    if kind == "nonfinite":
        return draw(st.sampled_from([float("nan"), float("inf"), "NaN", "inf", "-Infinity"])), INVALID
    garbage = draw(
        st.one_of(
            st.just(f"{d}a"),
            st.just(f"{d}.5.5"),
            st.text(alphabet="abxy元万", min_size=1, max_size=6),
            st.just("1,23"),
        )
    )
    return garbage, INVALID


@st.composite
def row(draw):
    code, meaning = draw(code_cell())
    name = draw(st.sampled_from(["甲公司", "乙厂", *BLANK_NAMES, *SKIP_NAMES]))
    revenue, employees = draw(number_cell()), draw(number_cell())
    return [code, name, revenue[0], employees[0]], (meaning, name, revenue[1], employees[1])


def blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def oracle(rows, create_unknown: bool, allowed: set | None):
    """Row numbers that are valid, skipped and invalid, by the rules of the issue, plainly."""
    valid, skipped, invalid, values = [], set(), set(), {}
    for row_no, (cells, (code, name, revenue, employees)) in rows:
        if all(blank(c) for c in cells):
            skipped.add(row_no)
            continue
        if code is None and name in SKIP_NAMES:
            skipped.add(row_no)  # a total or a footer
            continue
        ok = code is not None and INVALID not in (revenue, employees)
        ok = ok and (revenue is None or revenue >= 0)
        ok = ok and (employees is None or (employees == int(employees) and employees >= 0))
        ok = ok and (revenue, employees) != (None, None)
        if code is not None and code not in KNOWN:
            ok = ok and create_unknown and not blank(name)
        if code is not None and allowed is not None:
            region = KNOWN[code].region_code if code in KNOWN else None
            ok = ok and region in allowed
        if ok:
            valid.append(row_no)
            values[row_no] = (code, revenue, employees)
        else:
            invalid.add(row_no)
    by_code: dict[str, list[int]] = {}
    for row_no in valid:
        by_code.setdefault(values[row_no][0], []).append(row_no)
    accepted = set(valid)
    for group in by_code.values():
        if len(group) < 2:
            continue
        if len({values[n][1:] for n in group}) == 1:
            skipped.update(group[1:])  # identical repeats: the first counts
            accepted.difference_update(group[1:])
        else:
            invalid.update(group)  # a conflict: every row of the enterprise
            accepted.difference_update(group)
    return accepted, skipped, invalid, values


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row(), min_size=1, max_size=12),
    create_unknown=st.booleans(),
    allowed=st.one_of(st.none(), st.sets(st.sampled_from(["371302", "371311", None]))),
)
def test_row_validator_accepts_exactly_the_valid_rows(spec, rows, create_unknown, allowed):
    numbered = list(enumerate(rows, start=2))
    table = RawTable("s", [], 1, HEADERS, [(n, cells) for n, (cells, _) in numbered], "xlsx")
    source = spec.source("statistics")
    mapping = map_columns(table, source, spec.units, spec.metrics)
    in_scope = None if allowed is None else (lambda region, uscc: region in allowed)
    result = validate(
        table,
        mapping,
        source=source,
        metrics=spec.metrics,
        units=spec.units,
        year=2024,
        known=KNOWN,
        in_scope=in_scope,
        create_unknown=create_unknown,
    )
    accepted, skipped, invalid, values = oracle(numbered, create_unknown, allowed)
    assert result.valid_rows == accepted
    assert result.invalid_rows == invalid
    assert {s.row_no for s in result.skipped} == skipped
    assert result.rows_valid + result.rows_invalid + len(skipped) == result.rows_total == len(rows)
    for record in result.records.iter_rows(named=True):
        code, revenue, employees = values[record["row_no"]]
        assert record["uscc"] == code
        expected = revenue * 1000 if record["metric"] == "revenue" else employees
        assert Decimal(record["value"]) == expected


def _both(spec, numbered, create_unknown=False, in_scope=None, known=KNOWN):
    table = RawTable("s", [], 1, HEADERS, [(n, cells) for n, (cells, _) in numbered], "xlsx")
    source = spec.source("statistics")
    mapping = map_columns(table, source, spec.units, spec.metrics)
    return [
        validate(
            table,
            mapping,
            source=source,
            metrics=spec.metrics,
            units=spec.units,
            year=2024,
            known=known,
            in_scope=in_scope,
            create_unknown=create_unknown,
            fast=fast,
        )
        for fast in (True, False)
    ]


def _same(fast, slow):
    assert fast.records.to_dicts() == slow.records.to_dicts()
    assert fast.errors == slow.errors
    assert fast.skipped == slow.skipped
    assert fast.valid_rows == slow.valid_rows
    assert (fast.rows_valid, fast.rows_invalid, fast.rows_total) == (slow.rows_valid, slow.rows_invalid, slow.rows_total)
    assert fast.assumptions == slow.assumptions


@st.composite
def plain_number(draw):
    """Mostly what a big statistics file holds (Excel numbers, plain digits), with the edges."""
    kind = draw(st.sampled_from(["float", "float", "int", "text", "edge", "other"]))
    if kind == "float":
        return draw(st.floats(min_value=-1e7, max_value=1e9, allow_nan=False))
    if kind == "int":
        return draw(st.integers(-(10**22), 10**22))
    if kind == "text":
        return str(draw(st.decimals(min_value=-(10**8), max_value=10**8, places=draw(st.integers(0, 8)), allow_nan=False)))
    if kind == "edge":
        return draw(st.sampled_from([-0.0, 0.0, 0.1 + 0.2, 1e-5, 1e16, 1234567890123456.0, 0.005, -0.0049,
                                     2.675, 1.0000000000000002, "0012", "1.", ".5", "-0", "12.50", " 7 "]))
    return draw(number_cell())[0]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(["甲公司", None, " 乙厂 "]), plain_number(),
                            plain_number()), min_size=1, max_size=12),
    mixed=st.lists(row(), max_size=4),
    create_unknown=st.booleans(),
    allowed=st.one_of(st.none(), st.sets(st.sampled_from(["371302", "371311", None]))),
)
def test_fast_path_gives_the_row_path_result(spec, rows, mixed, create_unknown, allowed):
    """Whole-column validation (the fast path) and the row-by-row path agree on every result."""
    cells = [([c, n, a, b], None) for c, n, a, b in rows] + mixed
    numbered = list(enumerate(cells, start=2))
    in_scope = None if allowed is None else (lambda region, uscc: region in allowed)
    fast, slow = _both(spec, numbered, create_unknown, in_scope)
    _same(fast, slow)
    # the registry as a frame (what the service passes): the same again
    frame = KnownFrame(pl.DataFrame(
        [(c, k.name, k.region_code) for c, k in KNOWN.items()], schema=["uscc", "name", "region_code"], orient="row"
    ))
    _same(_both(spec, numbered, create_unknown, in_scope, known=frame)[0], slow)
