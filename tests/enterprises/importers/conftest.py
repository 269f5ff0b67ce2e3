"""The Linyi pack's import sources, the shared sample files, and small builders of department files."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
import xlsxwriter

from gongqiang.core.policy.check import check_file
from gongqiang.enterprises.importers import (
    KnownEnterprise,
    header_words,
    map_columns,
    read_table,
    validate,
)

ROOT = Path(__file__).resolve().parents[3]
PACK = ROOT / "policies" / "linyi-2022.yaml"
SAMPLES = ROOT.parent / "shared" / "samples"


@pytest.fixture(scope="session")
def spec():
    return check_file(PACK).spec


@pytest.fixture(scope="session")
def regions(spec) -> dict[str, str]:
    return {r.code: r.name for r in spec.organisation.regions}


@pytest.fixture(scope="session")
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("shared/samples is not beside the checkout")
    return SAMPLES


@dataclass
class Run:
    table: object
    mapping: object
    result: object


@pytest.fixture
def run(spec, regions):
    """Read, map and validate bytes as `source` for 2024; every valid-looking USCC is known unless told."""

    def _run(
        data: bytes, source: str, *, known=None, year: int = 2024, filename: str = "upload.xlsx", **kw
    ) -> Run:
        table = read_table(data, filename, header_words=header_words(spec.import_sources))
        src = spec.source(source)
        mapping = map_columns(table, src, spec.units, spec.metrics, sources=spec.import_sources)
        if known is None:
            known = known_from(table, mapping)
        result = validate(
            table,
            mapping,
            source=src,
            metrics=spec.metrics,
            units=spec.units,
            year=year,
            known=known,
            regions=regions,
            **kw,
        )
        return Run(table, mapping, result)

    return _run


def known_from(table, mapping, region: str = "371302") -> dict[str, KnownEnterprise]:
    """A registry holding every code of the file (as the clerk's registry would)."""
    from gongqiang.lib.uscc import is_valid, normalise

    index = mapping.key("uscc").index
    out = {}
    for _, cells in table.rows:
        if index < len(cells) and cells[index] is not None and is_valid(str(cells[index])):
            out[normalise(str(cells[index]))] = KnownEnterprise(name="库中名称", region_code=region)
    return out


def xlsx(rows: list[list[object]], *, sheet: str = "Sheet1", build=None) -> bytes:
    """A workbook with `rows` from A1; `build(workbook, worksheet)` adds merges, hidden rows, more sheets."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet(sheet)
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, date)
            elif value is not None:
                ws.write(r, c, value)
    if build is not None:
        build(wb, ws)
    wb.close()
    return buffer.getvalue()
