"""Input validation shared by the mitigation estimators: groups, labels and scores."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import _safe_indexing
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

from fairdash._errors import InputError
from fairdash._groups import MISSING_LABEL

__all__ = [
    "GroupEncoding",
    "binary_classes",
    "check_scores",
    "check_target",
    "encode_groups",
    "format_group",
    "take_rows",
]

#: Stands for a missing sensitive value in a group key; all missing values form one group.
MISSING = None


@dataclass(frozen=True)
class GroupEncoding:
    """Intersectional groups of the rows: one integer code per row.

    Attributes
    ----------
    codes : numpy.ndarray of int64
        Group of each row, in ``range(len(keys))``.
    keys : list of tuple
        One tuple per group with its value of each sensitive column (``None``
        where the value is missing). Groups are in sorted order of their values.
    columns : list of str or None
        Names of the sensitive columns (``None`` for an unnamed array column).
    """

    codes: np.ndarray
    keys: list[tuple]
    columns: list[str | None]

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return len(self.keys)

    def label(self, group: int) -> str:
        """A readable name of group ``group`` for messages."""
        return format_group(self.keys[group], self.columns)

    def codes_in(self, keys: Sequence[tuple]) -> np.ndarray:
        """The rows' codes in another encoding's groups (``keys``), e.g. the fitted ones.

        Raises
        ------
        fairdash.InputError
            If a row's group is not among ``keys``.
        """
        position = {key: i for i, key in enumerate(keys)}
        unknown = [key for key in self.keys if key not in position]
        if unknown:
            raise InputError(
                f"Sensitive group {format_group(unknown[0], self.columns)} was not seen when "
                "the estimator was fitted; every group needs fitting data."
            )
        mapping = np.array([position[key] for key in self.keys], dtype=np.int64)
        if np.array_equal(mapping, np.arange(len(mapping))):
            return self.codes  # the same groups in the same order: nothing to remap
        return mapping[self.codes]


def format_group(key: tuple, columns: Sequence[str | None]) -> str:
    """Name a group by its values, e.g. ``'Female'`` or ``sex='Female', race='Black'``."""
    parts = []
    for name, value in zip(columns, key, strict=True):
        text = MISSING_LABEL if value is MISSING else repr(value)
        parts.append(text if name is None else f"{name}={text}")
    return ", ".join(parts)


def _columns(sensitive_features) -> tuple[list, list[str | None]]:
    """The sensitive columns (1-D arrays or Series) and their names."""
    if isinstance(sensitive_features, pd.DataFrame):
        return (
            [sensitive_features.iloc[:, j] for j in range(sensitive_features.shape[1])],
            [str(c) for c in sensitive_features.columns],
        )
    if isinstance(sensitive_features, pd.Series):
        name = sensitive_features.name
        return [sensitive_features], [None if name is None else str(name)]
    if sp.issparse(sensitive_features):
        raise InputError("sensitive_features must be dense (an array, Series or DataFrame).")
    # Lists may mix types (strings and None): keep them as objects.
    dtype = object if isinstance(sensitive_features, list | tuple) else None
    values = np.asarray(sensitive_features, dtype=dtype)
    if values.ndim == 1:
        return [values], [None]
    if values.ndim == 2:
        return [values[:, j] for j in range(values.shape[1])], [None] * values.shape[1]
    raise InputError(
        f"sensitive_features must be 1-D or 2-D (one column per feature), got {values.ndim}-D."
    )


def _factorize_column(column) -> tuple[np.ndarray, list[Hashable]]:
    values = column.to_numpy() if isinstance(column, pd.Series) else column
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        if high - low < 2**20:
            # Integer codes (the common case, and millions of rows in benchmarks):
            # a bincount is several times faster than a sorting factorize.
            offsets = values - values.dtype.type(low)
            present = np.bincount(offsets) > 0
            codes = (np.cumsum(present) - 1)[offsets]
            return codes, (np.flatnonzero(present) + low).tolist()
    codes, uniques = pd.factorize(column, sort=True, use_na_sentinel=True)
    values = list(pd.Index(uniques).tolist())
    missing = codes < 0
    if missing.any():
        # NaN, None and pd.NA are all "missing": one group of their own, listed last.
        codes = np.where(missing, len(values), codes)
        values.append(MISSING)
    return codes.astype(np.int64, copy=False), values


def encode_groups(sensitive_features, *, n_rows: int | None = None) -> GroupEncoding:
    """Encode the intersectional groups of one or more sensitive features.

    Every combination of the columns' values that occurs is a group; missing
    values (NaN, None) form a group of their own.

    Parameters
    ----------
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
        A 1-D array, list or Series, or a 2-D array or DataFrame with one column
        per sensitive feature.
    n_rows : int, optional
        The number of rows the features must have (that of ``X``).

    Returns
    -------
    GroupEncoding

    Raises
    ------
    fairdash.InputError
        If ``sensitive_features`` is missing, empty, of the wrong shape or length.
    """
    if sensitive_features is None:
        raise InputError(
            "sensitive_features is required: pass the sensitive column(s) as the "
            "sensitive_features= keyword."
        )
    columns, names = _columns(sensitive_features)
    if not columns:
        raise InputError("sensitive_features has no columns.")
    length = len(columns[0])
    if n_rows is not None and length != n_rows:
        raise InputError(
            f"sensitive_features has {length} rows but the data has {n_rows}; "
            "they must have one value per row."
        )
    if length == 0:
        raise InputError("sensitive_features is empty.")
    codes, values = _factorize_column(columns[0])
    keys: list[tuple] = [(v,) for v in values]
    for column in columns[1:]:
        column_codes, column_values = _factorize_column(column)
        # Mixed-radix code of the combination, re-factorized so codes stay < n_rows
        # (no overflow however many columns) and in lexicographic order of the values.
        combined = codes * len(column_values) + column_codes
        codes, present = pd.factorize(combined, sort=True)
        keys = [
            (*keys[c // len(column_values)], column_values[c % len(column_values)])
            for c in present.tolist()
        ]
    return GroupEncoding(codes=np.asarray(codes, dtype=np.int64), keys=keys, columns=names)


def check_target(y, *, n_rows: int) -> np.ndarray:
    """``y`` as a 1-D array of ``n_rows`` values without missing ones.

    A column vector is flattened with scikit-learn's DataConversionWarning.

    Raises
    ------
    fairdash.InputError
        If ``y`` is missing, 2-D with several columns, of another length or has
        missing values.
    """
    if y is None:
        raise InputError(
            "This estimator requires y to be passed, but the target y is None."
        )
    values = y.to_numpy() if isinstance(y, pd.Series | pd.DataFrame) else np.asarray(y)
    if values.ndim == 2 and values.shape[1] == 1:
        values = column_or_1d(values, warn=True)
    if values.ndim != 1:
        raise InputError(f"y must be 1-D, got shape {values.shape}.")
    if len(values) != n_rows:
        raise InputError(f"y has {len(values)} values but there are {n_rows} rows.")
    if pd.isna(values).any():
        raise InputError("y has missing values; drop those rows or fill them.")
    if values.dtype.kind in "fc" and not np.isfinite(values).all():
        raise InputError("y has infinite values.")
    return values


def binary_classes(labels: np.ndarray, *, estimator: str) -> np.ndarray:
    """The two classes of ``labels`` (sorted: the greater one is the positive class).

    Raises
    ------
    fairdash.InputError
        If the labels are of an unknown type, continuous, or not exactly two classes
        (the messages scikit-learn's estimator checks expect).
    """
    kind = type_of_target(labels)
    if kind == "unknown":
        raise InputError(
            f"Unknown label type: {estimator} needs class labels (numbers, text or booleans)."
        )
    if kind == "continuous":
        raise InputError(f"{estimator} needs class labels; y is continuous.")
    classes = np.unique(labels)
    if len(classes) == 1:
        raise InputError(f"y has one class only; {estimator} needs both classes.")
    if len(classes) != 2:
        raise InputError(
            f"Only binary classification is supported: {estimator} needs exactly two "
            f"classes in y, got {len(classes)}."
        )
    return classes


def take_rows(X, rows: np.ndarray):
    """Rows of ``X`` by position, keeping DataFrames, arrays and sparse matrices as they are."""
    if sp.issparse(X) and X.format not in ("csr", "csc"):
        X = X.tocsr()  # COO, DIA, ... cannot be indexed by row
    elif not (hasattr(X, "shape") or isinstance(X, list | tuple)):
        X = np.asarray(X)  # array-likes that only implement __array__
    return _safe_indexing(X, rows)


def check_scores(scores, *, name: str = "scores") -> np.ndarray:
    """Scores as a 1-D float64 array of finite values.

    Raises
    ------
    fairdash.InputError
        If the scores are not 1-D, not numeric, or contain NaN or infinite values.
    """
    values = scores.to_numpy() if isinstance(scores, pd.Series | pd.DataFrame) else scores
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputError(f"{name} must be numeric: {error}") from None
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise InputError(f"{name} must be 1-D, got shape {values.shape}.")
    if not np.isfinite(values).all():
        raise InputError(f"{name} contain NaN or infinite values.")
    return values
