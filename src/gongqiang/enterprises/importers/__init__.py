"""Department files in, validated long records out: the pure layer of the import workflow.

read (bytes → RawTable) → mapping (headers → fields and units) → validate (rows → records, errors,
skipped rows) → reports (error workbook, templates). No Django import here: the services wrap these.
See docs/imports.md.
"""

from .mapping import ColumnMapping, MappedColumn, guess_source, header_words, map_columns, year_in_title
from .numbers import NumberError, parse_number
from .read import find_header, read_table
from .reports import error_workbook, template_workbook
from .results import KnownEnterprise, KnownFrame, Parcel, RowError, Validated
from .table import FileRejected, RawTable
from .validate import validate

__all__ = [
    "ColumnMapping",
    "FileRejected",
    "KnownEnterprise",
    "KnownFrame",
    "MappedColumn",
    "NumberError",
    "Parcel",
    "RawTable",
    "RowError",
    "Validated",
    "error_workbook",
    "find_header",
    "guess_source",
    "header_words",
    "map_columns",
    "parse_number",
    "read_table",
    "template_workbook",
    "validate",
    "year_in_title",
]
