"""Turn columns of text (CSV) or cell values (Excel) into typed pandas columns.

The rules are deliberately conservative, so that reading never changes what a
value means:

- A column becomes numeric only if every value is a plain number (``12``,
  ``-3.5``, ``1e-3``, ``inf``) or missing. Numbers with leading zeros (``007``,
  zip codes, IDs) keep the column as text, since parsing would drop the zeros.
- Integers stay ``int64``; with missing values they become ``float64`` (as in
  pandas), unless that would round them (beyond 2**53), in which case the
  column stays text.
- In a numeric column, empty or blank cells and the usual missing-value markers
  (``NA``, ``N/A``, ``NaN``, ``null``, ``None``, ``?``, Excel errors such as
  ``#N/A``) are missing. In a text column the markers stay as they are: "NA" may
  well be Namibia.
- ``true``/``false`` (any case) with nothing missing make a ``bool`` column.
- Everything else is text (``str``), exactly as read; only empty cells are missing.
- With ``decimal_comma`` (semicolon-separated files, as written by European
  spreadsheets), ``1,5`` is the number 1.5 and ``1.234,5`` is 1234.5 (``.``
  separating thousands). The convention is decided per column: a column
  whose only dotted values look like thousands (``20.000``) and that has no
  decimal comma could be either, so reading stops and names it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "NA_TOKENS",
    "AmbiguousThousands",
    "Column",
    "as_text",
    "infer_object_column",
    "infer_text_column",
]

# Lower-case markers read as missing in numeric columns.
NA_TOKENS = (
    "na", "n/a", "nan", "-nan", "null", "none", "<na>", "?",
    "#n/a", "#na", "#div/0!", "#value!", "#ref!", "#name?", "#num!", "#null!",
)  # fmt: skip
_NA_SET = pa.array(NA_TOKENS)

_INT = r"^[+-]?[0-9]+$"
_FLOAT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$|^[+-]?(?i:inf|infinity)$"
# German-style numbers: a decimal comma, "." between groups of three digits (1.234,5).
_DECIMAL_COMMA = r"^[+-]?([0-9]+|[1-9][0-9]{0,2}(\.[0-9]{3})+)(,[0-9]+)?$"
# Dotted values that could be thousands separators as well as decimal points (20.000).
_DOT_THOUSANDS = r"^[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+$"
_LEADING_ZERO = r"^[+-]?0[0-9]"
# What Arrow's integer cast reads besides plain integers: leading zeros and hex (0x1F).
_PADDED_OR_HEX = r"(?s)^-?0."
_MAX_EXACT_FLOAT_INT = 2**53
# Values checked first: one that cannot be a number rules the column out cheaply.
_SAMPLE = 1_000


class Column(NamedTuple):
    """A typed column and how it was read."""

    series: pd.Series
    missing_tokens: list[str]
    thousands: bool = False  # "." read as a thousands separator (decimal comma)


class AmbiguousThousands(ValueError):
    """Dotted numbers that read as decimals or as thousands, nothing telling which."""

    def __init__(self, example: str) -> None:
        super().__init__(example)
        self.example = example


def _all(mask: pa.ChunkedArray) -> bool:
    return bool(pc.all(mask).as_py())


def _any(mask: pa.ChunkedArray) -> bool:
    return bool(pc.any(mask).as_py())


def _text(values: pa.ChunkedArray) -> pd.Series:
    # Only an empty field is missing; everything else is kept as read.
    empty = pc.equal(values, "")
    if not _any(empty):
        return values.to_pandas()  # one copy fewer
    return pc.if_else(empty, pa.scalar(None, values.type), values).to_pandas()


def _series(values: pa.ChunkedArray) -> pd.Series:
    # pandas 3 copies a NumPy array given to Series unless told not to.
    return pd.Series(values.to_numpy(), copy=False)


def _without_plus(values: pa.ChunkedArray) -> pa.ChunkedArray:
    # Arrow's casts reject a leading "+".
    if _any(pc.starts_with(values, "+")):
        return pc.replace_substring_regex(values, r"^\+", "")
    return values


def _plain_ints(values: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """The column as int64 if every value is a plain integer that fits, else None.

    Arrow's cast reads an optional "-" then decimal digits or "0x" and hex digits
    (no "+", no spaces); refusing a "0" followed by anything leaves exactly the
    integers ``-?(0|[1-9][0-9]*)``, which are int64 whatever the general rules
    (a "+5" column takes the general path, which reads it the same).
    """
    try:
        ints = pc.cast(values, pa.int64())
    except pa.ArrowInvalid:  # not integers, or beyond int64 (the general path decides)
        return None
    return None if _any(pc.match_substring_regex(values, _PADDED_OR_HEX)) else ints


def _all_missing(n: int) -> pd.Series:
    return pd.Series(np.full(n, np.nan))


def infer_text_column(values: pa.Array | pa.ChunkedArray, *, decimal_comma: bool = False) -> Column:
    """Type a column of strings (no nulls; missing is ``""``).

    Parameters
    ----------
    values : pyarrow.Array or pyarrow.ChunkedArray
        The column's fields as read.
    decimal_comma : bool, default False
        Also accept ``1,5`` as the number 1.5 and ``1.234,5`` as 1234.5.

    Returns
    -------
    Column
        ``series``: ``int64``, ``float64``, ``bool`` or ``str``, unnamed, with
        a RangeIndex; ``missing_tokens``: the markers (as written) read as NaN
        in a numeric column; ``thousands``: whether ``.`` was read as a
        thousands separator.

    Raises
    ------
    AmbiguousThousands
        With ``decimal_comma``, when every dotted value could be a thousands
        separator or a decimal point (``20.000``) and nothing in the column
        tells which.
    """
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    n = len(values)
    if n and _all(pc.equal(values, "")):
        return Column(_all_missing(n), [])
    # Most columns are plainly text: one value in the first rows that is neither
    # missing, nor a number, nor true/false settles it without a pass over the column.
    head = values.slice(0, _SAMPLE)
    may_be_number = _may_be_number(head, decimal_comma=decimal_comma)
    if not may_be_number and not _may_be_bool(head):
        return Column(_text(values), [])
    # The common numeric column: integers, nothing missing, no padding, no leading zero.
    # Decided in one cast; anything else takes the general path (same result, more passes).
    if n and may_be_number and (ints := _plain_ints(values)) is not None:
        return Column(_series(ints), [])
    trimmed = pc.utf8_trim_whitespace(values)
    lower = pc.utf8_lower(trimmed)
    token = pc.is_in(lower, value_set=_NA_SET)
    missing = pc.or_(pc.equal(trimmed, ""), token)
    present = pc.filter(trimmed, pc.invert(missing)) if _any(missing) else trimmed
    if len(present) and may_be_number:
        parsed = _parse_numbers(trimmed, present, missing, decimal_comma=decimal_comma)
        if parsed is not None:
            number, thousands = parsed
            tokens = sorted(pc.unique(pc.filter(trimmed, token)).to_pylist())
            return Column(number, tokens, thousands)
    if _all(pc.is_in(lower, value_set=_BOOL_SET)):
        return Column(_series(pc.equal(lower, "true")), [])
    return Column(_text(values), [])


_BOOL_SET = pa.array(["true", "false"])


def _numeric_pattern(*, decimal_comma: bool) -> str:
    return f"{_FLOAT}|{_DECIMAL_COMMA}" if decimal_comma else _FLOAT


def _may_be_number(head: pa.ChunkedArray, *, decimal_comma: bool) -> bool:
    # Every value of a numeric column is missing (blank or a marker) or a number.
    trimmed = pc.utf8_trim_whitespace(head)
    missing = pc.or_(pc.equal(trimmed, ""), pc.is_in(pc.utf8_lower(trimmed), value_set=_NA_SET))
    number = pc.match_substring_regex(trimmed, _numeric_pattern(decimal_comma=decimal_comma))
    return _all(pc.or_(missing, number))


def _may_be_bool(head: pa.ChunkedArray) -> bool:
    lower = pc.utf8_lower(pc.utf8_trim_whitespace(head))
    return _all(pc.is_in(lower, value_set=_BOOL_SET))


def _parse_numbers(
    trimmed: pa.ChunkedArray,
    present: pa.ChunkedArray,
    missing: pa.ChunkedArray,
    *,
    decimal_comma: bool,
) -> tuple[pd.Series, bool] | None:
    if _any(pc.match_substring_regex(present, _LEADING_ZERO)):
        return None
    # The missing cells become nulls.
    cleaned = _without_plus(trimmed)
    has_missing = len(present) < len(trimmed)
    if has_missing:
        cleaned = pc.if_else(missing, pa.scalar(None, cleaned.type), cleaned)
    if _all(pc.match_substring_regex(present, _INT)):
        try:
            ints = pc.cast(cleaned, pa.int64())
        except pa.ArrowInvalid:  # beyond int64: keep the digits as text
            return None
        if not has_missing:
            return _series(ints), False
        if (pc.max(pc.abs(ints)).as_py() or 0) > _MAX_EXACT_FLOAT_INT:
            return None  # float64 would round these integers
        return _series(pc.cast(ints, pa.float64())), False
    if _all(pc.match_substring_regex(present, _FLOAT)):
        if decimal_comma:
            _check_unambiguous(present)
        return _series(pc.cast(cleaned, pa.float64())), False
    if decimal_comma and _all(pc.match_substring_regex(present, _DECIMAL_COMMA)):
        thousands = _any(pc.match_substring(present, "."))
        cleaned = pc.replace_substring(pc.replace_substring(cleaned, ".", ""), ",", ".")
        return _series(pc.cast(cleaned, pa.float64())), thousands
    return None


def _check_unambiguous(present: pa.ChunkedArray) -> None:
    """Refuse a column whose dotted values all look like German thousands (20.000).

    In a file using the decimal comma, ``20.000`` is twenty thousand; written
    by a program using the decimal point, it is twenty. One value that cannot
    be thousands (``1.5``, ``0.250``, ``1e3``) settles it for the decimal point.
    """
    dotted = pc.match_substring_regex(present, r"[.eE]|^[+-]?(?i:inf|infinity)$")
    if not _any(dotted):
        return
    thousands = pc.match_substring_regex(present, _DOT_THOUSANDS)
    if _all(pc.or_(thousands, pc.invert(dotted))):
        example = pc.filter(present, thousands)[0].as_py()
        raise AmbiguousThousands(example)


def infer_object_column(values: Sequence[object]) -> Column:
    """Type a column of Python cell values, as openpyxl returns them.

    Numbers, booleans and dates keep their type; ``None`` and ``""`` are
    missing. A column mixing types (e.g. numbers and text) is turned into text
    and typed like a CSV column, so "n/a" among numbers is missing and numbers
    stored as text become numbers, but "007" stays text.

    Parameters
    ----------
    values : sequence
        The cells of one column, header excluded.

    Returns
    -------
    Column
        As for :func:`infer_text_column`.
    """
    n = len(values)
    present = [v for v in values if v is not None and not (isinstance(v, str) and v == "")]
    if not present:
        return Column(_all_missing(n), [])
    complete = len(present) == n
    kinds = {type(v) for v in present}
    if kinds == {bool} and complete:
        return Column(pd.Series(np.array(values, dtype=bool)), [])
    if kinds <= {int, float}:
        if kinds == {int} and complete and all(-(2**63) <= v < 2**63 for v in present):
            return Column(pd.Series(np.array(values, dtype=np.int64)), [])
        if all(abs(v) <= _MAX_EXACT_FLOAT_INT for v in present if isinstance(v, int)):
            floats = [np.nan if v is None or v == "" else float(v) for v in values]
            return Column(pd.Series(np.array(floats, dtype=np.float64)), [])
    if kinds <= {datetime.datetime, datetime.date}:
        stamps = [None if v is None or v == "" else pd.Timestamp(v) for v in values]
        return Column(pd.Series(pd.to_datetime(stamps)), [])
    texts = pa.array([as_text(v) for v in values], type=pa.large_string())
    return infer_text_column(texts)


def as_text(value: object) -> str:
    """A cell value as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value)
