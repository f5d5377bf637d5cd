"""Intersectional groups from one or more sensitive features."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from fairdash._errors import InputError

__all__ = [
    "GROUP_SEPARATOR",
    "MISSING_LABEL",
    "bin_labels",
    "group_labels",
    "is_binned",
    "sensitive_frame",
]

#: Label of the group of rows whose sensitive value is missing.
MISSING_LABEL = "(missing)"
#: Joins the values of several sensitive features into one group label.
GROUP_SEPARATOR = " × "

# Numeric columns with more distinct values than this are binned by default.
_MAX_NUMERIC_LEVELS = 10


def is_binned(series: pd.Series) -> bool:
    """Whether a sensitive column is binned by default (numeric with many values).

    Parameters
    ----------
    series : pandas.Series
        The sensitive column.

    Returns
    -------
    bool
        True for numeric columns (not boolean) with more than 10 distinct values.
    """
    return (
        pd.api.types.is_numeric_dtype(series)
        and not pd.api.types.is_bool_dtype(series)
        and series.nunique(dropna=True) > _MAX_NUMERIC_LEVELS
    )


def _format_edge(value: float) -> str:
    return f"{value:g}"


def bin_labels(edges: np.ndarray) -> list[str]:
    """The label of every bin between consecutive ``edges`` (``[a, b)``, the last closed).

    Parameters
    ----------
    edges : numpy.ndarray
        Increasing bin edges; the outer ones may be infinite (open bins).

    Returns
    -------
    list of str
        ``"[17, 28)"``, ..., ``"[48, 90]"``; ``"< 25"`` / ``"≥ 65"`` for open bins.
    """
    labels = []
    for i in range(len(edges) - 1):
        a, b = edges[i], edges[i + 1]
        closing = "]" if i == len(edges) - 2 else ")"
        if np.isneginf(a):
            labels.append(f"< {_format_edge(b)}")
        elif np.isposinf(b):
            labels.append(f"≥ {_format_edge(a)}")
        else:
            labels.append(f"[{_format_edge(a)}, {_format_edge(b)}{closing}")
    return labels


def _bin_numeric(series: pd.Series, spec: int | Sequence[float]) -> pd.Categorical:
    values = series.astype("float64")
    n_inf = int(np.isinf(values.to_numpy()).sum())
    if n_inf:
        raise InputError(
            f"Sensitive feature '{series.name}' has {n_inf:,} infinite value(s), which no bin "
            "can hold. Replace them with numbers, or leave those cells empty (missing: they "
            "form their own group).",
            column=str(series.name),
        )
    if isinstance(spec, int | np.integer):
        if spec < 2:
            raise InputError(
                f"Sensitive feature '{series.name}': the number of bins must be at least 2, "
                f"got {spec}.",
                column=str(series.name),
            )
        edges = np.unique(np.nanquantile(values, np.linspace(0.0, 1.0, int(spec) + 1)))
        if len(edges) < 2:
            raise InputError(
                f"Sensitive feature '{series.name}' has a single value; it cannot be binned.",
                column=str(series.name),
            )
    else:
        edges = np.asarray(sorted(float(e) for e in spec), dtype="float64")
        if len(edges) < 2 or len(np.unique(edges)) != len(edges):
            raise InputError(
                f"Sensitive feature '{series.name}': bin edges must be at least two distinct "
                f"numbers, got {list(spec)}.",
                column=str(series.name),
            )
        # User edges need not cover the data: open the outer bins so no row is lost.
        lo, hi = np.nanmin(values), np.nanmax(values)
        if lo < edges[0]:
            edges = np.concatenate([[-np.inf], edges])
        if hi >= edges[-1]:
            edges = np.concatenate([edges, [np.inf]])
    # Bins are [a, b) except the last, which is closed, so the maximum belongs to it.
    idx = np.searchsorted(edges, values, side="right") - 1
    idx = np.clip(idx, 0, len(edges) - 2)
    labels = bin_labels(edges)
    missing = np.isnan(values.to_numpy())
    codes = np.where(missing, len(labels), idx)
    categories = [*labels, MISSING_LABEL] if missing.any() else labels
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


def _categorical(series: pd.Series) -> pd.Categorical:
    missing = series.isna().to_numpy()
    present = series[~missing]
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in series.cat.categories if (present == c).any()]
        text = present.astype(str)
    else:
        uniques = pd.unique(present)
        try:
            uniques = sorted(uniques)
        except TypeError:  # mixed types: order as text
            uniques = sorted(uniques, key=str)
        categories = [str(u) for u in uniques]
        text = present.astype(str)
    if len(set(categories)) != len(categories):
        raise InputError(
            f"Sensitive feature '{series.name}' has distinct values that look the same as text "
            "(for example 1 and '1'); make the column one type.",
            column=str(series.name),
        )
    if MISSING_LABEL in categories:
        raise InputError(
            f"Sensitive feature '{series.name}' contains the value '{MISSING_LABEL}', which "
            "FairDash uses for missing values; rename that value.",
            column=str(series.name),
        )
    codes = np.full(len(series), len(categories), dtype=np.int64)
    lookup = {c: i for i, c in enumerate(categories)}
    codes[~missing] = text.map(lookup).to_numpy(dtype=np.int64)
    if missing.any():
        categories = [*categories, MISSING_LABEL]
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


def sensitive_frame(
    data: pd.DataFrame,
    sensitive_features: Sequence[str],
    *,
    bins: Mapping[str, int | Sequence[float]] | None = None,
    default_bins: int = 4,
) -> pd.DataFrame:
    """The sensitive columns as ordered categoricals, ready for grouping.

    Every combination of the returned columns' values is an intersectional
    group. Missing values become their own category, ``"(missing)"``, so no row
    is dropped. Numeric columns with many distinct values (age, say) are binned:
    into ``default_bins`` quantile bins, or as ``bins`` says for that column (a
    number of quantile bins or a list of edges).

    Parameters
    ----------
    data : pandas.DataFrame
        The data set.
    sensitive_features : sequence of str
        Names of the sensitive columns.
    bins : mapping of str to int or sequence of float, optional
        Per column, a number of quantile bins or explicit bin edges. Naming a
        column here bins it even if it has few distinct values.
    default_bins : int, default=4
        Quantile bins for numeric columns with many values not named in ``bins``.

    Returns
    -------
    pandas.DataFrame
        One categorical column per sensitive feature, same index as ``data``.
    """
    bins = dict(bins or {})
    unknown = [c for c in [*sensitive_features, *bins] if c not in data.columns]
    if unknown:
        raise InputError(
            f"Column(s) not in the data: {', '.join(map(repr, unknown))}.", column=unknown[0]
        )
    columns = {}
    for name in sensitive_features:
        series = data[name]
        if name in bins or is_binned(series):
            if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
                raise InputError(
                    f"Sensitive feature '{name}' is not numeric, so it cannot be binned.",
                    column=name,
                )
            columns[name] = _bin_numeric(series, bins.get(name, default_bins))
        else:
            columns[name] = _categorical(series)
    return pd.DataFrame(columns, index=data.index)


def group_labels(frame: pd.DataFrame) -> pd.Series:
    """One readable label per row naming its intersectional group (``Female × White``).

    Parameters
    ----------
    frame : pandas.DataFrame
        Sensitive columns, as returned by :func:`sensitive_frame`.

    Returns
    -------
    pandas.Series
        The group label of each row.
    """
    parts = [frame[c].astype(str) for c in frame.columns]
    label = parts[0]
    for part in parts[1:]:
        label = label + GROUP_SEPARATOR + part
    return label.rename("group")
