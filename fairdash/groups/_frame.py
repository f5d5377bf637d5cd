"""Sensitive columns of a data set as ordered categoricals: bins, missing values, labels.

Bin edges are decided once, from the data the user sees (:func:`bin_edges`),
and then applied to any part of it (train, calibration and test rows), so the
groups are the same in every part.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash.groups._encoding import encode_groups
from fairdash.groups._labels import MISSING_LABEL

__all__ = [
    "MAX_BINS",
    "bin_edges",
    "bin_labels",
    "check_bins_spec",
    "group_labels",
    "is_binned",
    "parse_bins_text",
    "sensitive_frame",
]

#: As the app and saved configurations allow: 2 to 10 quantile bins; edges make at most
#: 10 bins between them.
MAX_BINS = 10

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


def parse_bins_text(text: str, *, column: str | None = None) -> int | list[float]:
    """The bins of a numeric sensitive feature written as text, as the CLI's ``--bins`` and
    the app take them: ``4`` (quantile bins) or ``25,45,65`` (edges).

    Parameters
    ----------
    text : str
        A number of quantile bins (2 to :data:`MAX_BINS`), or increasing finite
        edges separated by commas (at most ``MAX_BINS + 1`` of them).
    column : str, optional
        The sensitive feature (carried by the error).

    Returns
    -------
    int or list of float

    Raises
    ------
    fairdash.InputError
        Saying what is wrong with the text (see :func:`check_bins_spec`).
    """
    parts = [p.strip() for p in str(text).split(",")]
    try:
        bins: int | list[float] = int(parts[0]) if len(parts) == 1 else [float(p) for p in parts]
    except ValueError:
        raise InputError(
            f"{text!r} is neither a number of bins (2 to {MAX_BINS}) nor a list of edges such "
            "as 25,45,65",
            column=column,
        ) from None
    check_bins_spec(bins, column=column)
    return bins


def check_bins_spec(bins: int | Sequence[float], *, column: str | None = None) -> None:
    """Refuse a number of bins outside 2 to :data:`MAX_BINS`, or edges that are not finite,
    too many or not increasing (a fairdash.InputError carrying ``column``)."""
    # Checked before anything is allocated: 100000000 bins would take gigabytes.
    if isinstance(bins, int):
        if not 2 <= bins <= MAX_BINS:
            raise InputError(f"the number of quantile bins must be 2 to {MAX_BINS}, "
                             f"not {bins:,}", column=column)
        return
    if not all(math.isfinite(edge) for edge in bins):
        raise InputError("edges must be finite numbers (no nan or inf)", column=column)
    if len(bins) > MAX_BINS + 1:
        raise InputError(f"at most {MAX_BINS + 1} edges ({MAX_BINS} bins), not {len(bins):,}",
                         column=column)
    if any(b <= a for a, b in itertools.pairwise(bins)):
        raise InputError("edges must increase, e.g. 25,45,65", column=column)


def _format_edge(value: float) -> str:
    return f"{value:g}"


def _finite_values(series: pd.Series) -> np.ndarray:
    """The column as floats (NaN where missing), refusing infinite values."""
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    n_inf = int(np.isinf(values).sum())
    if n_inf:
        raise InputError(
            f"Sensitive feature '{series.name}' has {n_inf:,} infinite value(s), which no bin "
            "can hold. Replace them with numbers, or leave those cells empty (missing: they "
            "form their own group).",
            column=str(series.name),
        )
    return values


def _decide_edges(series: pd.Series, spec: int | Sequence[float]) -> np.ndarray:
    """The bin edges of a numeric column: quantiles, or the user's edges opened outwards."""
    values = _finite_values(series)
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
        return edges
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
    return edges


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


def _apply_edges(series: pd.Series, edges: Sequence[float]) -> pd.Categorical:
    """Bin by fixed edges: ``[a, b)``, the last bin closed; missing values a group."""
    edges = np.asarray(edges, dtype="float64")
    values = _finite_values(series)
    n_bins = len(edges) - 1
    labels = bin_labels(edges)
    idx = np.searchsorted(edges, values, side="right") - 1
    idx[values == edges[-1]] = n_bins - 1  # the maximum belongs to the closed last bin
    # Rows outside the decided edges (only in data other than the one the edges were
    # decided on) get bins of their own rather than being put in a wrong one.
    below, above = values < edges[0], values > edges[-1]
    if below.any():
        labels = [f"< {_format_edge(edges[0])}", *labels]
        idx += 1
        idx[below] = 0
    if above.any():
        idx[above] = len(labels)
        labels = [*labels, f"> {_format_edge(edges[-1])}"]
    missing = np.isnan(values)
    codes = np.where(missing, len(labels), idx)
    categories = [*labels, MISSING_LABEL] if missing.any() else labels
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


def _nfc(value: object) -> object:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _distinct_values(series: pd.Series) -> tuple[np.ndarray, list]:
    """The column's distinct non-missing values in group order, and each row's position
    among them (-1 when missing), without a pass of Python over the rows.

    A categorical keeps its categories' order (unused ones dropped) and is read from
    its codes; other columns are sorted (as text when their types do not compare).
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        categories = series.cat.categories
        used = np.bincount(codes.astype(np.intp) + 1, minlength=len(categories) + 1)[1:] > 0
        position = np.append(np.where(used, np.cumsum(used) - 1, -1), -1)
        return position[codes], list(categories[used])
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    uniques = list(uniques)
    try:
        order = sorted(range(len(uniques)), key=uniques.__getitem__)
    except TypeError:  # mixed types: order as text
        order = sorted(range(len(uniques)), key=lambda i: str(uniques[i]))
    rank = np.empty(len(uniques) + 1, dtype=np.intp)
    rank[order] = np.arange(len(uniques))
    rank[-1] = -1
    return rank[codes], [uniques[i] for i in order]


def _categorical(series: pd.Series) -> pd.Categorical:
    positions, uniques = _distinct_values(series)
    texts = [str(u) for u in uniques]
    if len(set(texts)) != len(texts):
        raise InputError(
            f"Sensitive feature '{series.name}' has distinct values that look the same as text "
            "(for example 1 and '1'); make the column one type.",
            column=str(series.name),
        )
    # Unicode normalisation (NFC): "Zoë" typed as one or as two code points is one group.
    normal = [_nfc(t) for t in texts]
    categories = list(dict.fromkeys(normal))
    if normal != texts and all(isinstance(u, str) for u in uniques):
        categories = sorted(categories)  # the order of the normalised text
    if MISSING_LABEL in categories:
        raise InputError(
            f"Sensitive feature '{series.name}' contains the value '{MISSING_LABEL}', which "
            "FairDash uses for missing values; rename that value.",
            column=str(series.name),
        )
    lookup = {c: i for i, c in enumerate(categories)}
    # Code of each distinct value, then of a missing one (position -1).
    code_of = np.array([*(lookup[n] for n in normal), len(categories)], dtype=np.int64)
    codes = code_of[positions]
    if (positions < 0).any():
        categories = [*categories, MISSING_LABEL]
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


def _binned(series: pd.Series, bins: Mapping) -> bool:
    name = series.name
    if not (name in bins or is_binned(series)):
        return False
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise InputError(
            f"Sensitive feature '{name}' is not numeric, so it cannot be binned.", column=name
        )
    return True


def _check_groupable(series: pd.Series) -> None:
    """Refuse values that make no readable groups: bytes, and durations (a number of
    days or hours is what the user means; converting is theirs to choose)."""
    advice = None
    if pd.api.types.is_timedelta64_dtype(series):
        kind, advice = "durations", "convert them to a number (days, hours)"
    elif series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in {
        "bytes", "mixed"
    } and series.map(lambda v: isinstance(v, bytes | bytearray)).any():
        kind, advice = "binary data (bytes)", "decode them to text"
    if advice is not None:
        raise InputError(
            f"Sensitive feature '{series.name}' holds {kind}, which make no readable groups: "
            f"{advice} first, or choose another column.",
            column=str(series.name),
        )


def _check_columns(data: pd.DataFrame, names: Sequence[str]) -> None:
    unknown = [c for c in names if c not in data.columns]
    if unknown:
        raise InputError(
            f"Column(s) not in the data: {', '.join(map(repr, unknown))}.", column=unknown[0]
        )


def bin_edges(
    data: pd.DataFrame,
    sensitive_features: Sequence[str],
    *,
    bins: Mapping[str, int | Sequence[float]] | None = None,
    default_bins: int = 4,
) -> dict[str, tuple[float, ...]]:
    """The bin edges of every binned sensitive column, decided from ``data``.

    Decide them once, on the data the user sees, and pass them to
    :func:`sensitive_frame` for any part of it: quantiles of a part differ from
    those of the whole, and so would the groups.

    Parameters
    ----------
    data : pandas.DataFrame
    sensitive_features : sequence of str
    bins : mapping of str to int or sequence of float, optional
        As in :func:`sensitive_frame`.
    default_bins : int, default=4

    Returns
    -------
    dict of str to tuple of float
        Edges per binned column; ``-inf``/``inf`` ends are open outer bins.
        Bins are ``[a, b)``, the last one closed.
    """
    bins = dict(bins or {})
    _check_columns(data, [*sensitive_features, *bins])
    return {
        name: tuple(float(e) for e in _decide_edges(data[name], bins.get(name, default_bins)))
        for name in sensitive_features
        if _binned(data[name], bins)
    }


def sensitive_frame(
    data: pd.DataFrame,
    sensitive_features: Sequence[str],
    *,
    bins: Mapping[str, int | Sequence[float]] | None = None,
    default_bins: int = 4,
    edges: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """The sensitive columns as ordered categoricals, ready for grouping.

    Every combination of the returned columns' values is an intersectional
    group. Missing values become their own category, ``"(missing)"``, so no row
    is dropped; text is normalised to Unicode NFC. Numeric columns with many
    distinct values (age, say) are binned: by ``edges`` when given for that
    column (from :func:`bin_edges`), else into ``default_bins`` quantile bins
    of ``data``, or as ``bins`` says (a number of quantile bins or a list of
    edges).

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
    edges : mapping of str to sequence of float, optional
        Bin edges already decided (by :func:`bin_edges` on the whole data);
        they take precedence over ``bins`` for their columns.

    Returns
    -------
    pandas.DataFrame
        One categorical column per sensitive feature, same index as ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"age": range(20, 60), "sex": ["f", "m"] * 20})
    >>> edges = bin_edges(data, ["age", "sex"], bins={"age": 2})
    >>> frame = sensitive_frame(data.tail(5), ["age", "sex"], edges=edges)
    >>> list(frame["age"].cat.categories)
    ['[20, 39.5)', '[39.5, 59]']
    """
    bins = dict(bins or {})
    edges = dict(edges or {})
    _check_columns(data, [*sensitive_features, *bins])
    columns = {}
    for name in sensitive_features:
        series = data[name]
        _check_groupable(series)
        if name in edges and _binned(series, edges):
            columns[name] = _apply_edges(series, edges[name])
        elif _binned(series, bins):
            columns[name] = _apply_edges(
                series, _decide_edges(series, bins.get(name, default_bins))
            )
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
        The group label of each row (see :func:`fairdash.groups.group_label`).
    """
    encoding = encode_groups(frame, n_rows=len(frame))
    labels = np.asarray(encoding.labels, dtype=object)
    return pd.Series(
        labels.take(encoding.codes_in_index_order()), index=frame.index, name="group", dtype="str"
    )
