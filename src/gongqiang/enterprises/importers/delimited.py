"""CSV and tab-separated text as departments export it: UTF-8 (with or without BOM), GBK, UTF-16."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator

from .table import FileRejected

DELIMITERS = (",", "\t", ";")
_SNIFF_CHARS = 64 * 1024
_SNIFF_LINES = 30


def looks_like_text(data: bytes) -> bool:
    """No NUL byte and almost no control characters in the first 64 KB (UTF-16 is checked before)."""
    sample = data[:_SNIFF_CHARS]
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 0x20 and b not in b"\t\n\r\x0c\x1a")
    return controls <= len(sample) // 100


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in. GB18030 is the superset of GBK that Chinese Excel writes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode 文本" export: UTF-16 with a BOM, tab-separated.
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise FileRejected("文件的文字编码无法识别（UTF-16 内容已损坏）") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise FileRejected("文件的文字编码无法识别（应为 UTF-8 或 GBK）") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most rows of the same width (> 1)."""
    lines = text[:_SNIFF_CHARS].splitlines()[:_SNIFF_LINES]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = Counter(len(r) for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r))
        width, count = max(widths.items(), key=lambda kv: (kv[1], kv[0]), default=(0, 0))
        score = (count, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def csv_rows(text: str, delimiter: str) -> Iterator[list[object]]:
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [cell if cell.strip() else None for cell in row]
