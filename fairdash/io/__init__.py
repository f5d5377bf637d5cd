"""Read uploaded tables and write safe exports.

:func:`read_table` reads CSV/TSV, Parquet and Excel (.xlsx) files, from bytes,
a path or an uploaded file, and raises :class:`fairdash.InputError` with a
message for the user for anything wrong with the file. It never silently drops
rows or renames columns (repeated header names are renamed as pandas does, and
:func:`read_notes` says so), never evaluates formulas and never opens formats
that can run code (pickle). :func:`to_csv_bytes` writes CSV that is safe to open in
a spreadsheet.
"""

from fairdash.io._checks import MAX_COLUMNS
from fairdash.io._export import to_csv_bytes
from fairdash.io._read import excel_sheet_names, read_notes, read_table
from fairdash.io._source import SUPPORTED_EXTENSIONS

__all__ = [
    "MAX_COLUMNS",
    "SUPPORTED_EXTENSIONS",
    "excel_sheet_names",
    "read_notes",
    "read_table",
    "to_csv_bytes",
]
