"""Checks and conversions of user input shared by the metrics and the mitigators.

Every problem found here is the user's to fix, so it is raised as
:class:`fairdash.InputError` with a message that says what is wrong.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from fairdash._errors import InputError

__all__ = [
    "as_1d",
    "binary_classes",
    "binary_indicators",
    "check_confidence_level",
    "check_min_group_size",
    "check_n_boot",
    "check_sample_weight",
    "check_scores",
    "check_target",
    "check_weight_summary",
    "n_rows_of",
    "numeric_array",
    "take_rows",
]

# Sentinel for "this array has no value other than pos_label".
_NO_OTHER = object()


def n_rows_of(values: Any, *, name: str) -> int:
    """Return the number of rows of a 1-D array-like, raising if it is empty."""
    arr = as_1d(values, name=name)
    if len(arr) == 0:
        raise InputError(f"{name} is empty: there are no rows to compute metrics on.", column=name)
    return len(arr)


def as_1d(values: Any, *, name: str, n_rows: int | None = None) -> Any:
    """Return ``values`` as a 1-D numpy array or pandas extension array.

    pandas extension arrays (``str``, ``category``, nullable integers) are kept
    as they are, because converting them to numpy object arrays is slow.

    Parameters
    ----------
    values : array-like
        A Series, Index, one-column DataFrame, list or array.
    name : str
        What the values are, for error messages.
    n_rows : int, optional
        The length the values must have.

    Returns
    -------
    numpy.ndarray or pandas.api.extensions.ExtensionArray
    """
    if values is None:
        raise InputError(f"{name} is missing.", column=name)
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise InputError(
                f"{name} must be one column, but a table with {values.shape[1]} columns was given.",
                column=name,
            )
        values = values.iloc[:, 0]
    if isinstance(values, (pd.Series, pd.Index)):
        arr = values.to_numpy() if isinstance(values.dtype, np.dtype) else values.array
    elif isinstance(values, pd.api.extensions.ExtensionArray):
        arr = values
    else:
        arr = np.asarray(values)
        if arr.ndim == 2 and 1 in arr.shape:
            arr = arr.ravel()
        if arr.ndim != 1:
            raise InputError(
                f"{name} must be one-dimensional, but it has shape {arr.shape}.", column=name
            )
    if n_rows is not None and len(arr) != n_rows:
        raise InputError(
            f"{name} has {len(arr)} rows but the first input has {n_rows}; all inputs must "
            "have one entry per row.",
            column=name,
        )
    return arr


def _has_missing(arr: Any) -> bool:
    if isinstance(arr, np.ndarray):
        if arr.dtype.kind in "biu":
            return False
        if arr.dtype.kind in "fc":
            return bool(np.isnan(arr).any())
        return bool(pd.isna(arr).any())
    return bool(arr.isna().any())


def _examples(arr: Any, limit: int = 5) -> str:
    uniques = pd.unique(pd.Series(arr).dropna())
    shown = ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in uniques[:limit])
    return shown + (", ..." if len(uniques) > limit else "")


def _positive_mask(arr: Any, *, pos_label: Any, name: str) -> tuple[np.ndarray, Any]:
    """Return the mask ``arr == pos_label`` and the one other value (or ``_NO_OTHER``)."""
    if _has_missing(arr):
        raise InputError(
            f"{name} contains missing values; drop or fill those rows first.", column=name
        )
    try:
        mask = np.asarray(arr == pos_label, dtype=bool)
    except (TypeError, ValueError):
        mask = np.zeros(len(arr), dtype=bool)
    if mask.shape != (len(arr),):
        mask = np.zeros(len(arr), dtype=bool)

    if isinstance(arr, np.ndarray) and arr.dtype.kind in "biuf":
        # Numeric fast path without a boolean-indexed copy: the values that are
        # not pos_label must all equal the minimum (or the maximum).
        n_pos = int(np.count_nonzero(mask))
        if n_pos == len(arr):
            return mask, _NO_OTHER
        lo, hi = arr.min(), arr.max()
        other = hi if (n_pos and lo == pos_label) else lo
        if n_pos + int(np.count_nonzero(arr == other)) == len(arr):
            return mask, other
    else:
        rest = arr[~mask]
        if len(rest) == 0:
            return mask, _NO_OTHER
        other = rest[0]
        if bool(np.asarray(rest == other, dtype=bool).all()):
            return mask, other

    found = _examples(arr)
    if int(np.count_nonzero(mask)) == 0:
        hint = (
            f"pos_label={pos_label!r} does not occur in {name} (values: {found}); set pos_label "
            "to the value of the favourable outcome."
        )
    else:
        hint = (
            f"it has more than two distinct values ({found}); threshold scores into two labels "
            "first."
        )
    raise InputError(
        f"{name} must be binary (pos_label={pos_label!r} and one other value), but {hint}",
        column=name,
    )


def binary_indicators(
    y_true: Any, y_pred: Any | None, *, pos_label: Any, n_rows: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Return boolean arrays ``y_true == pos_label`` and ``y_pred == pos_label``.

    Like fairlearn's rate metrics, ``y_true`` and ``y_pred`` together may hold
    at most two distinct values, one of which is ``pos_label``.

    Parameters
    ----------
    y_true, y_pred : array-like
        Labels; ``y_pred`` may be ``None`` (data-stage measures).
    pos_label : scalar
        The favourable outcome.
    n_rows : int
        The number of rows all inputs must have.

    Returns
    -------
    tuple of numpy.ndarray
    """
    true_arr = as_1d(y_true, name="y_true", n_rows=n_rows)
    true_pos, true_other = _positive_mask(true_arr, pos_label=pos_label, name="y_true")
    if y_pred is None:
        return true_pos, None
    pred_arr = as_1d(y_pred, name="y_pred", n_rows=n_rows)
    pred_pos, pred_other = _positive_mask(pred_arr, pos_label=pos_label, name="y_pred")
    if true_other is not _NO_OTHER and pred_other is not _NO_OTHER:
        same = true_other == pred_other
        if not (isinstance(same, (bool, np.bool_)) and bool(same)):
            raise InputError(
                f"y_true and y_pred use different labels besides pos_label={pos_label!r}: "
                f"{true_other!r} and {pred_other!r}; encode both with the same two labels.",
                column="y_pred",
            )
    return true_pos, pred_pos


def numeric_array(values: Any, *, name: str, n_rows: int) -> np.ndarray:
    """Return ``values`` as a finite float64 array.

    Parameters
    ----------
    values : array-like
        The numbers.
    name : str
        What they are, for error messages.
    n_rows : int
        The length they must have.

    Returns
    -------
    numpy.ndarray
    """
    arr = as_1d(values, name=name, n_rows=n_rows)
    try:
        out = np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"{name} must be numeric, but it holds values such as {_examples(arr, 3)}.",
            column=name,
        ) from None
    if not np.isfinite(out).all():
        raise InputError(
            f"{name} contains missing or infinite values; drop or fill those rows first.",
            column=name,
        )
    return out


def check_sample_weight(
    sample_weight: Any, *, n_rows: int, name: str = "sample_weight", column: str | None = None
) -> np.ndarray | None:
    """Return validated sample weights (finite, non-negative, positive total) or ``None``.

    Parameters
    ----------
    sample_weight : array-like or None
        The weights.
    n_rows : int
        The length they must have.
    name : str, default="sample_weight"
        What they are, as the subject of error messages
        (``"The sample weight column 'w'"``).
    column : str, optional
        The column errors name (default: ``name``).

    Returns
    -------
    numpy.ndarray or None
    """
    if sample_weight is None:
        return None
    column = name if column is None else column
    try:
        weights = numeric_array(sample_weight, name=name, n_rows=n_rows)
    except InputError as error:
        raise InputError(str(error), column=column) from None
    check_weight_summary(
        name=name, column=column, finite=True, minimum=float(weights.min()),
        total=float(weights.sum()),
    )
    return weights


def check_weight_summary(
    *, name: str, column: str, finite: bool, minimum: float, total: float
) -> None:
    """Raise the sample-weight errors from a summary of the weights.

    The in-memory check and the out-of-core engines (which see only minima and
    sums) both end here, so their messages agree.

    Parameters
    ----------
    name : str
        What the weights are, as the subject of the messages.
    column : str
        The column the error names.
    finite : bool
        Whether every weight is present and finite.
    minimum, total : float
        The smallest weight and the sum of the weights.

    Raises
    ------
    fairdash.InputError
        Missing or infinite weights, a negative weight, or weights summing to zero.
    """
    if not finite:
        raise InputError(
            f"{name} contains missing or infinite values; drop or fill those rows first.",
            column=column,
        )
    if minimum < 0:
        raise InputError(f"{name} must not be negative.", column=column)
    if not total > 0:
        raise InputError(f"{name} sums to zero: no row has any weight.", column=column)


def check_confidence_level(confidence_level: float) -> float:
    """Return ``confidence_level`` if it lies strictly between 0 and 1."""
    if not isinstance(confidence_level, numbers.Real) or not 0 < confidence_level < 1:
        raise InputError(
            f"confidence_level must be a number between 0 and 1 (e.g. 0.95), "
            f"not {confidence_level!r}."
        )
    return float(confidence_level)


def check_min_group_size(min_group_size: int) -> int:
    """Return ``min_group_size`` if it is a non-negative integer."""
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, numbers.Integral):
        raise InputError(f"min_group_size must be an integer, not {min_group_size!r}.")
    if min_group_size < 0:
        raise InputError(f"min_group_size must not be negative, not {min_group_size}.")
    return int(min_group_size)


def check_n_boot(n_boot: int | None) -> int | None:
    """Return ``n_boot`` if it is ``None`` or a positive integer."""
    if n_boot is None:
        return None
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 1:
        raise InputError(f"n_boot must be a positive integer or None, not {n_boot!r}.")
    return int(n_boot)


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
        from sklearn.utils.validation import column_or_1d

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
    from sklearn.utils.multiclass import type_of_target

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
    # scikit-learn is imported here so that the metrics and the CLI audit start without it.
    import scipy.sparse as sp

    from fairdash._compat import take_rows_of

    if sp.issparse(X) and X.format not in ("csr", "csc"):
        X = X.tocsr()  # COO, DIA, ... cannot be indexed by row
    elif not (hasattr(X, "shape") or isinstance(X, list | tuple)):
        X = np.asarray(X)  # array-likes that only implement __array__
    return take_rows_of(X, rows)


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
