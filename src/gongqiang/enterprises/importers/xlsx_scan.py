"""What calamine does not tell about an .xlsx sheet: hidden rows and formulas saved without a value.

A file written by a program (openpyxl, some government systems) holds formulas that were never
calculated: calamine reads them as empty, and the figure would silently be missing. Excel itself
always saves the computed value. We stream the sheet's XML once (rows are cut at "</row>", so memory
stays flat on a 1,048,576-row sheet) and only parse the pieces that contain a formula or a hidden row.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_ROW_NO = re.compile(rb'\br="(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_TYPE = re.compile(rb'\bt="(\w+)"')
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_CHUNK = 1 << 20


@dataclass
class SheetScan:
    hidden_rows: set[int] = field(default_factory=set)
    missing_formulas: set[tuple[int, int]] = field(default_factory=set)  # (row number, column index)


def column_index(letters: str) -> int:
    """ "A" → 0, "AB" → 27."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _sheet_path(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = None
    for el in workbook.iter():
        if el.tag.endswith("}sheet") and el.get("name") == sheet_name:
            rel_id = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
    if rel_id is None:
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for el in rels.iter():
        if el.tag.endswith("}Relationship") and el.get("Id") == rel_id:
            target = el.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _scan_piece(piece: bytes, scan: SheetScan) -> None:
    # Plain substring tests first (memchr-fast); the regexes only run on pieces that may match.
    if b"hidden=" in piece and _HIDDEN.search(piece):
        for attrs in _ROW_TAG.findall(piece):
            number = _ROW_NO.search(attrs)
            if number and _HIDDEN.search(attrs):
                scan.hidden_rows.add(int(number.group(1)))
    if (b"<f" not in piece and b":f" not in piece) or not _FORMULA.search(piece):
        return
    for attrs, body in _CELL.findall(piece):
        if not body or not _FORMULA.search(body):
            continue
        value = _VALUE.search(body)
        kind = _TYPE.search(attrs)
        text_result = kind is not None and kind.group(1) in (b"str", b"inlineStr")
        if value is None or (not value.group(1) and not text_result):
            ref = _REF.search(attrs)
            if ref:
                scan.missing_formulas.add((int(ref.group(2)), column_index(ref.group(1).decode())))


def _last_row_end(buffer: bytes) -> int:
    """Where the last "</row>" (or "</x:row>") of the buffer ends; 0 when there is none."""
    plain = buffer.rfind(b"</row>")
    if plain >= 0 and b":row>" not in buffer[plain:]:
        return plain + len(b"</row>")
    return max((m.end() for m in _ROW_END.finditer(buffer)), default=0)


def scan_sheet(data_file: zipfile.ZipFile, sheet_name: str) -> SheetScan:
    """Best effort: a sheet we cannot scan yields an empty result, never an error."""
    scan = SheetScan()
    try:
        path = _sheet_path(data_file, sheet_name)
        if path is None:
            return scan
        carry = b""
        with data_file.open(path) as stream:
            while chunk := stream.read(_CHUNK):
                buffer = carry + chunk
                cut = _last_row_end(buffer)
                if not cut:  # a row longer than a chunk: keep reading
                    carry = buffer
                    continue
                _scan_piece(buffer[:cut], scan)
                carry = buffer[cut:]
        _scan_piece(carry, scan)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, EOFError):
        return SheetScan()
    return scan
