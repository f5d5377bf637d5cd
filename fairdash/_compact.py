"""Compact column types for large tables, without changing a single value."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

__all__ = ["compact_frame"]


def _is_text(column: pd.Series) -> bool:
    # pandas' text dtypes only: an object column may mix types (1 and "1"), kept as is.
    return pd.api.types.is_string_dtype(column) and not pd.api.types.is_object_dtype(column)


def _exact_float32(values: np.ndarray) -> bool:
    narrow = values.astype(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        same = narrow.astype(np.float64) == values
    return bool(np.all(same | (np.isnan(values) & np.isnan(narrow))))


def _smallest_integers(column: pd.Series) -> pd.Series:
    """The column in the smallest signed integer type holding its values, as
    ``pd.to_numeric(downcast="integer")`` chooses it, from its extremes (pandas compares
    every value once per candidate type)."""
    values = column.to_numpy()
    if not len(values):
        return pd.to_numeric(column, downcast="integer")
    low, high = values.min(), values.max()
    for candidate in (np.int8, np.int16, np.int32, np.int64):
        if np.dtype(candidate).itemsize > values.dtype.itemsize:
            break  # pandas never widens
        bounds = np.iinfo(candidate)
        if bounds.min <= low and high <= bounds.max:
            return column.astype(candidate) if values.dtype != candidate else column
    return column


def compact_frame(data: pd.DataFrame, *, max_category_share: float = 0.5) -> pd.DataFrame:
    """The same table in smaller column types, every value unchanged.

    - text columns with few distinct values become categoricals (a code per
      row instead of a string per row);
    - integer columns take the smallest integer type that holds all their values;
    - float columns become float32 only when every value is exactly a float32
      (so converting back gives the same float64 numbers).

    Other columns (booleans, dates, object columns that may mix types) are kept.

    Parameters
    ----------
    data : pandas.DataFrame
    max_category_share : float, default=0.5
        A text column becomes categorical when its distinct values are at most
        this share of its rows (free text and identifiers stay text).

    Returns
    -------
    pandas.DataFrame
        A new frame (same index, column order and ``attrs``); columns that are
        not narrowed are shared with ``data``, not copied.
    """
    columns = {}
    n_rows = len(data)
    for position in range(data.shape[1]):
        column = data.iloc[:, position]
        dtype = column.dtype
        if _is_text(column) and n_rows:
            if column.nunique(dropna=True) <= max_category_share * n_rows:
                column = column.astype("category")
        elif pd.api.types.is_integer_dtype(dtype) and isinstance(dtype, np.dtype):
            column = _smallest_integers(column)
        elif dtype == np.float64 and _exact_float32(column.to_numpy()):
            column = column.astype(np.float32)
        columns[position] = column
    compact = pd.concat(columns, axis=1) if columns else data.iloc[:, :0]
    compact.columns = data.columns
    compact.index = data.index
    # How the table was read (renamed headers, number formats) goes with it.
    compact.attrs = copy.deepcopy(data.attrs)
    return compact
