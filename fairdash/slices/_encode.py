"""Candidate columns as small integer codes, binned and labelled as sensitive features are."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash._problem import MAX_SENSITIVE_CATEGORIES
from fairdash.groups import MISSING_LABEL, is_binned, sensitive_frame

__all__ = ["EncodedColumns", "encode_columns", "searchable_columns"]


@dataclass(frozen=True)
class EncodedColumns:
    """Integer codes of every candidate column.

    Attributes
    ----------
    names : list
        The column names, in the order of the features.
    codes : list of numpy.ndarray
        Per column, one code per row in ``[0, len(labels[j]))`` (dtype intp).
    labels : list of numpy.ndarray
        Per column, the label of every code (object arrays of str).
    """

    names: list
    codes: list[np.ndarray]
    labels: list[np.ndarray]

    @property
    def radices(self) -> list[int]:
        """Number of values of every column."""
        return [len(labels) for labels in self.labels]


def _check_count(name: object, count: int) -> None:
    if count > MAX_SENSITIVE_CATEGORIES:
        raise InputError(
            f"The column '{name}' has {count:,} distinct values (at most "
            f"{MAX_SENSITIVE_CATEGORIES} make readable slices); it looks like an identifier, a "
            "date or free text. Leave it out, or group its values first.",
            column=str(name),
        )


def _encode_one(series: pd.Series, *, bins: int) -> tuple[np.ndarray, list[str]]:
    name = series.name
    row_codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = pd.Series(uniques, name=name)
    # is_binned looks at the distinct values only, so asking it of them is the same.
    if is_binned(values):
        categorical = sensitive_frame(series.to_frame(), [name], default_bins=bins)[name]
        return categorical.cat.codes.to_numpy(dtype=np.intp), list(categorical.cat.categories)
    _check_count(name, len(uniques) + bool((row_codes < 0).any()))
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series):
        raise InputError(
            f"The column '{name}' holds dates or times; slices need a few values per column. "
            "Derive one (a year, a month, a weekday) and search that instead.",
            column=str(name),
        )
    # Label the distinct values only (fast on a million rows), with the rules of
    # sensitive_frame, then give every row the code of its value.
    values = pd.Series(uniques, name=name)
    if len(values):
        categorical = sensitive_frame(values.to_frame(), [name])[name]
        unique_codes = categorical.cat.codes.to_numpy(dtype=np.intp)
        labels = list(categorical.cat.categories)
    else:
        unique_codes, labels = np.empty(0, dtype=np.intp), []
    missing = row_codes < 0
    if missing.any():
        # sensitive_frame's rule: missing values are a category of their own, last.
        unique_codes = np.append(unique_codes, len(labels))
        labels.append(MISSING_LABEL)
        row_codes = np.where(missing, len(unique_codes) - 1, row_codes)
    return unique_codes[row_codes], labels


def encode_columns(features: pd.DataFrame, *, bins: int) -> EncodedColumns:
    """Codes and labels of the candidate columns.

    Categorical columns keep their values; numeric columns with more than ten
    distinct values are cut into ``bins`` quantile bins; missing values are a
    value of their own, ``"(missing)"`` (all as :func:`fairdash.sensitive_frame`).

    Parameters
    ----------
    features : pandas.DataFrame
        The candidate columns (names unique).
    bins : int
        Quantile bins for numeric columns with many values.

    Returns
    -------
    EncodedColumns

    Raises
    ------
    fairdash.InputError
        For a column with more than 50 values after binning (an identifier or
        free text) or holding dates or times, naming the column.
    """
    names, codes, labels = [], [], []
    for position, name in enumerate(features.columns):
        series = features.iloc[:, position]
        column_codes, column_labels = _encode_one(series, bins=bins)
        _check_count(name, len(column_labels))
        names.append(name)
        codes.append(np.ascontiguousarray(column_codes, dtype=np.intp))
        labels.append(np.asarray(column_labels, dtype=object))
    return EncodedColumns(names=names, codes=codes, labels=labels)


def searchable_columns(features: pd.DataFrame, *, bins: int = 4) -> tuple[list, dict]:
    """Which columns a slice search can use, and why the others cannot.

    Parameters
    ----------
    features : pandas.DataFrame
        Candidate columns.
    bins : int, default=4
        Quantile bins for numeric columns with many values.

    Returns
    -------
    usable : list
        The columns that can be searched, in the order of ``features``.
    skipped : dict
        The other columns, each with the reason (an identifier, free text, dates).
    """
    usable, skipped = [], {}
    for position, name in enumerate(features.columns):
        try:
            _encode_one(features.iloc[:, position], bins=bins)
        except InputError as err:
            skipped[name] = str(err)
        else:
            usable.append(name)
    return usable, skipped
