"""Read Excel .xlsx workbooks with openpyxl, without evaluating anything."""

from __future__ import annotations

import io
import re
import time
import warnings
import zipfile
from typing import Any

import openpyxl
import pandas as pd

from fairdash._errors import InputError
from fairdash.io._checks import (
    check_column_count,
    check_column_names,
    check_has_rows,
    renamed_note,
    unique_names,
)
from fairdash.io._infer import as_text, infer_object_column
from fairdash.io._source import format_size

__all__ = ["read_excel", "sheet_names"]

# openpyxl reads about 1-3 MB of sheet XML a second on a 2-core server (a 362 kB workbook
# expanding to 100 MB took 39 s), and parses a sheet twice when it does not state its size:
# the worst accepted workbook, 16 MiB of dense cells and no stated size, took 4.5 s of CPU.
# These caps keep the worst accepted workbook to seconds; larger tables belong in CSV or
# Parquet, which read a hundred times faster.
_MAX_UNCOMPRESSED_BYTES = 16 * 2**20
# Cells read (empty ones included: one value in column XFD makes a row 16,384 cells wide).
_MAX_CELLS = 2_000_000
# A last guard for workbooks that are slow in other ways.
_MAX_SECONDS = 15.0
_CSV_INSTEAD = (
    "Save the sheet as CSV (or Parquet), which FairDash reads much faster, or keep only the "
    "rows and columns you need."
)

# A formula cell whose saved result is absent or empty, in the sheet's XML, e.g.
# <c r="B2"><f>A2*2</f><v /></c>; element names may carry a namespace prefix.
_NS = rb"(?:\w+:)?"
_UNCALCULATED = re.compile(
    rb"<NS:c\b(?P<attrs>[^>]*)>\s*<NS:f\b[^>]*?(?:/>|>[^<]*</NS:f>)\s*"
    rb"(?:<NS:v\s*/>|<NS:v>\s*</NS:v>)?\s*</NS:c>".replace(b"NS:", _NS)
)
_FORMULA = re.compile(rb"<NS:f[\s>/]".replace(b"NS:", _NS))
_CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_TEXT_RESULT = re.compile(rb'\bt="str"')


def _open(data: bytes, *, who: str) -> Any:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception as exc:  # BadZipFile, NotImplementedError, ... for damaged files
        raise InputError(
            f"{who} is not a valid Excel workbook: the file may be damaged or incomplete. "
            "Save it again from your spreadsheet program."
        ) from exc
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise InputError(
            f"{who} is a ZIP archive but not an Excel workbook. Choose an .xlsx file saved "
            "by a spreadsheet program, or a CSV file."
        )
    expanded = sum(m.file_size for m in members)
    if expanded > _MAX_UNCOMPRESSED_BYTES:
        raise InputError(
            f"{who} expands to {format_size(expanded)} when opened; Excel workbooks up to "
            f"{format_size(_MAX_UNCOMPRESSED_BYTES)} can be read. " + _CSV_INSTEAD
        )
    try:
        with warnings.catch_warnings():
            # e.g. "Workbook contains no default style": harmless, and not for users.
            warnings.simplefilter("ignore")
            # data_only: formulas give the value Excel saved with them, never evaluated;
            # no macros are loaded (keep_vba is False) and external links are ignored.
            return openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except Exception as exc:  # openpyxl raises many types for malformed files
        raise InputError(
            f"{who} could not be read as an Excel workbook ({type(exc).__name__}: {exc}). "
            "Save it again as .xlsx from your spreadsheet program, or as CSV."
        ) from exc


def sheet_names(data: bytes, *, who: str) -> list[str]:
    """Names of the worksheets (not chart sheets) of an .xlsx workbook, in order."""
    workbook = _open(data, who=who)
    try:
        return [sheet.title for sheet in workbook.worksheets]
    finally:
        workbook.close()


def _choose_sheet(workbook: Any, sheet: str | int | None, *, who: str) -> Any:
    sheets = workbook.worksheets
    names = [s.title for s in sheets]
    if not sheets:
        raise InputError(f"{who} has no worksheets. Add the table to a worksheet.")
    listing = ", ".join(repr(n) for n in names)
    if sheet is None:
        return sheets[0]
    if isinstance(sheet, str):
        if sheet in names:
            return sheets[names.index(sheet)]
        raise InputError(f"{who} has no sheet called {sheet!r}. Choose one of: {listing}.")
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(sheets):
            return sheets[sheet]
        raise InputError(
            f"{who} has {len(sheets)} sheet{'s' if len(sheets) > 1 else ''} ({listing}); "
            f"there is no sheet number {sheet} (counting from 0)."
        )
    raise TypeError(f"sheet must be a sheet name, a 0-based index or None, not {sheet!r}")


def _uncalculated_formulas(data: bytes, worksheet: Any) -> list[str]:
    """References of formula cells saved without a result (data_only reads them as None).

    Spreadsheet programs save each formula's result; libraries that write
    workbooks (openpyxl, pandas) do not, and FairDash never calculates formulas.
    """
    path = getattr(worksheet, "_worksheet_path", None)  # private in openpyxl; skip if gone
    if not path:
        return []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(path.lstrip("/"))
    if not _FORMULA.search(xml):
        return []
    refs = []
    for match in _UNCALCULATED.finditer(xml):
        attrs = match.group("attrs")
        if _TEXT_RESULT.search(attrs):  # a formula whose result is the empty text ""
            continue
        ref = _CELL_REF.search(attrs)
        refs.append(ref.group(1).decode() if ref else "?")
    return refs


def _filled_rows(worksheet: Any, *, where: str) -> list[tuple]:
    """The rows with at least one value, within the cell and time budgets."""
    deadline = time.monotonic() + _MAX_SECONDS
    rows, cells = [], 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in worksheet.iter_rows(values_only=True):
            cells += len(row)
            if cells > _MAX_CELLS:
                raise InputError(
                    f"{where} has more than {_MAX_CELLS:,} cells (counting empty cells up to "
                    f"the last column used); at most {_MAX_CELLS:,} can be read. " + _CSV_INSTEAD
                )
            if time.monotonic() > deadline:
                raise InputError(
                    f"{where} took more than {_MAX_SECONDS:g} seconds to read, so reading "
                    "stopped. " + _CSV_INSTEAD
                )
            if any(map(_filled, row)):
                rows.append(row)
    return rows


def _filled(value: object) -> bool:
    return value is not None and value != ""


def read_excel(data: bytes, *, who: str, sheet: str | int | None) -> tuple[pd.DataFrame, dict]:
    """Read one worksheet of an .xlsx workbook into a DataFrame.

    The first non-empty row is the header. Completely empty rows and columns
    (e.g. formatting beyond the table, or a table not starting at A1) are
    skipped; nothing with a value in it is. Formula cells give the result
    the spreadsheet program saved with the workbook; nothing is evaluated. A
    formula saved without a result (as written by openpyxl or pandas) is an
    error rather than a silently missing value. Text that starts with ``=``
    stays text.

    Returns
    -------
    frame : pandas.DataFrame
    info : dict
        ``sheet`` (the name read), ``sheet_names`` (all worksheets) and
        ``missing_tokens``.
    """
    workbook = _open(data, who=who)
    try:
        names = [s.title for s in workbook.worksheets]
        worksheet = _choose_sheet(workbook, sheet, who=who)
        where = f"{who} (sheet {worksheet.title!r})"
        # The saved dimensions can be wrong; without this, cells beyond them are lost.
        worksheet.reset_dimensions()
        rows = _filled_rows(worksheet, where=where)
        uncalculated = _uncalculated_formulas(data, worksheet)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for malformed sheets
        raise InputError(
            f"{who} could not be read as an Excel workbook ({type(exc).__name__}: {exc}). "
            "Save it again as .xlsx from your spreadsheet program, or as CSV."
        ) from exc
    finally:
        workbook.close()
    if uncalculated:
        n = len(uncalculated)
        raise InputError(
            f"{where} has {n:,} formula cell{'s' if n > 1 else ''} without a saved result "
            f"(first: {uncalculated[0]}). The workbook was written by a program that does not "
            "calculate formulas, and FairDash never runs them. Open the file in a spreadsheet "
            "program and save it, or export the sheet as CSV."
        )
    if not rows:
        raise InputError(f"{where} is empty. Choose a sheet with a header row and data rows.")
    width = max(len(row) for row in rows)
    rows = [(*row, *(None,) * (width - len(row))) for row in rows]
    keep = [j for j in range(width) if any(_filled(row[j]) for row in rows)]
    check_column_count(len(keep), who=where)
    header = [as_text(rows[0][j]) if _filled(rows[0][j]) else "" for j in keep]
    check_column_names(header, who=where)
    body = rows[1:]
    check_has_rows(len(body), who=where)
    columns, renamed = unique_names(header)
    series, missing_tokens = {}, {}
    for name, j in zip(columns, keep, strict=True):
        column = infer_object_column([row[j] for row in body])
        series[name] = column.series
        if column.missing_tokens:
            missing_tokens[name] = column.missing_tokens
    info = {
        "sheet": worksheet.title,
        "sheet_names": names,
        "missing_tokens": missing_tokens,
        "renamed": renamed,
        "notes": [renamed_note(renamed, who=where)] if renamed else [],
    }
    return pd.DataFrame(series), info
