"""Export tables as CSV that is safe to open in a spreadsheet."""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["neutralise", "to_csv_bytes"]

# A spreadsheet runs a cell starting with one of these as a formula (OWASP, CSV injection);
# a line feed or NUL before the formula is skipped by some spreadsheets, so they count too.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
# ... but "-5" or "+1.5e3" is just a number to it, so such text is left alone.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with a single quote.

    Parameters
    ----------
    value : object
        A cell value; anything but a string is returned unchanged.

    Returns
    -------
    object
        ``"'" + value`` for text starting with ``=``, ``+``, ``-``, ``@``, tab,
        carriage return, line feed or NUL (unless it is a plain number such as
        ``"-5"``), otherwise ``value``.
    """
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def to_csv_bytes(df: pd.DataFrame, *, index: bool = False, bom: bool = False) -> bytes:
    """Write a DataFrame as UTF-8 CSV, safe to open in a spreadsheet.

    Text cells and column names that a spreadsheet would run as a formula
    (starting with ``=``, ``+``, ``-``, ``@``, tab, carriage return, line feed
    or NUL) are
    prefixed with a single quote, following the OWASP guidance on CSV
    injection. Numbers, including negative ones, are written as they are;
    so is text that is just a number (``"-5"``). Floats are written with full
    precision, missing values as empty fields, lines end in ``\\n``.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; it is not modified.
    index : bool, default False
        Also write the index.
    bom : bool, default False
        Start with a UTF-8 byte-order mark, which Excel needs to recognise
        UTF-8 (non-ASCII text is garbled without it); other tools may keep it
        as part of the first column name.

    Returns
    -------
    bytes
    """
    out = df.copy(deep=False)  # new columns are assigned below; df is untouched
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if not (
            pd.api.types.is_string_dtype(column.dtype)
            or isinstance(column.dtype, pd.CategoricalDtype)
            or column.dtype == object
        ):
            continue  # numbers, booleans, dates: nothing a spreadsheet would run
        out.isetitem(position, column.astype(object).map(neutralise, na_action="ignore"))
    out.columns = out.columns.map(neutralise)
    if index:
        out.index = out.index.map(neutralise)
        out.index.names = [neutralise(n) for n in out.index.names]
    text = out.to_csv(index=index, lineterminator="\n")
    return text.encode("utf-8-sig" if bom else "utf-8")
