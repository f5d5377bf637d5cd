"""A training run: split, fit, predict on the test rows."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state

from fairdash._compat import stratified_draw
from fairdash._errors import InputError
from fairdash._problem import Problem
from fairdash.groups import encode_groups
from fairdash.models import make_model, positive_scores

__all__ = [
    "MAX_FIT_ROWS",
    "TrainingRun",
    "fit_sample",
    "problem_strata",
    "split_indices",
    "train_model",
]

#: Models are fitted on at most this many training rows by default: a stratified
#: sample (by target and group) of larger training parts; every test row is scored.
MAX_FIT_ROWS = 250_000
# Test rows are scored this many at a time: the dense model inputs (one-hot columns)
# of millions of rows at once would be the largest arrays of a run. A power of two, so
# that chunks start where BLAS's row blocks do and every score is the same to the bit.
_SCORE_CHUNK_ROWS = 1 << 18


@dataclass
class TrainingRun:
    """A fitted model and its predictions on the held-out test rows.

    Attributes
    ----------
    problem : Problem
    estimator : str
        Registry name of the estimator.
    model : sklearn.pipeline.Pipeline
        The fitted pipeline.
    train_index, test_index : pandas.Index
        Rows of the data's training and test parts.
    y_test : numpy.ndarray
        Encoded test targets (0/1 for classification).
    y_pred : numpy.ndarray
        Test predictions (0/1 for classification).
    y_score : numpy.ndarray or None
        Positive-class probabilities (classification) or None.
    sensitive_test : pandas.DataFrame
        Sensitive columns of the test rows (categoricals, missing as a group).
    fit_seconds : float
        Wall time of ``fit``.
    random_state : int
    fit_index : pandas.Index or None
        The training rows the model was fitted on when they are a sample of
        ``train_index`` (see :func:`fit_sample`); None when it was fitted on all.
    """

    problem: Problem
    estimator: str
    model: object
    train_index: pd.Index
    test_index: pd.Index
    y_test: np.ndarray
    y_pred: np.ndarray
    y_score: np.ndarray | None
    sensitive_test: pd.DataFrame
    fit_seconds: float
    random_state: int
    fit_index: pd.Index | None = None


def fit_sample(
    strata: np.ndarray, *, max_rows: int | None, random_state: int
) -> np.ndarray | None:
    """Positions of a stratified sample of at most ``max_rows`` rows, or None for all rows.

    Every stratum keeps its share of the rows (up to rounding), so the model sees
    the same mix of targets and groups as the whole training part.

    Parameters
    ----------
    strata : numpy.ndarray of int
        Stratum of each training row (target class and group).
    max_rows : int or None
        The most rows to fit on; None fits on every row.
    random_state : int

    Returns
    -------
    numpy.ndarray of int or None
        Sorted positions into ``strata``; None when no sample is needed.
    """
    n = len(strata)
    if max_rows is None or n <= max_rows:
        return None
    if max_rows < 4:
        raise InputError(f"At least 4 rows are needed to fit a model; got max_fit_rows={max_rows}.")
    keep, _ = split_indices(strata, test_size=1.0 - max_rows / n, random_state=random_state)
    return keep


def _dense_strata(strata: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's stratum as ``0..k-1`` in the order of the sorted values, and the counts."""
    if (
        np.issubdtype(strata.dtype, np.integer)
        and len(strata)
        and 0 <= strata.min()
        and strata.max() <= 4 * len(strata)
    ):
        # Small non-negative codes (as problem_strata makes): counted, not sorted.
        counts = np.bincount(strata)
        present = counts > 0
        return (np.cumsum(present) - 1)[strata], counts[present]
    _, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
    return inverse.reshape(-1), counts


def _pooled_strata(strata: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strata with a single row pooled into one stratum (sorted last); a pool of a single
    row joins the largest stratum. Dense codes and counts, as :func:`_dense_strata`."""
    inverse, counts = _dense_strata(strata)
    rare = counts < 2
    if not rare.any():
        return inverse, counts
    merged = np.arange(len(counts))
    merged[rare] = len(counts) if rare.sum() >= 2 else np.argmax(counts)
    return _dense_strata(merged[inverse])


def _stratified_split(
    strata: np.ndarray, counts: np.ndarray, *, n_test: int, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    """The split of scikit-learn's ``train_test_split(..., stratify=strata)``, sorted.

    The same draws from the same random state as its ``StratifiedShuffleSplit``
    (tests compare the two), without its lists of one Python integer per row.
    """
    n_train = len(strata) - n_test
    # Stable: the rows of each stratum in row order, as scikit-learn has them.
    small = strata.astype(np.uint16) if len(counts) <= np.iinfo(np.uint16).max else strata
    by_stratum = np.split(np.argsort(small, kind="stable"), np.cumsum(counts)[:-1])
    rng = check_random_state(random_state)
    n_i = stratified_draw(counts, n_train, rng)
    t_i = stratified_draw(counts - n_i, n_test, rng)
    train, test = [], []
    for i, rows in enumerate(by_stratum):
        drawn = rows.take(rng.permutation(counts[i]), mode="clip")
        train.append(drawn[: n_i[i]])
        test.append(drawn[n_i[i] : n_i[i] + t_i[i]])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def split_indices(
    strata: np.ndarray, *, test_size: float, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of a stratified train/test split.

    Strata with a single row cannot be split; they are pooled into one
    stratum, and if that pool is still a single row it joins the largest
    stratum, so stratification never fails and no row is dropped.

    Parameters
    ----------
    strata : numpy.ndarray of int
        Stratum of each row.
    test_size : float
        Share of rows in the test part, in (0, 1).
    random_state : int

    Returns
    -------
    train, test : numpy.ndarray of int
        Row positions.
    """
    if not 0.0 < test_size < 1.0:
        raise InputError(f"The test share must be between 0 and 1, got {test_size}.")
    strata = np.asarray(strata)
    n = len(strata)
    if n < 4:
        raise InputError(f"At least 4 rows are needed to train and test a model; got {n}.")
    pooled, counts = _pooled_strata(strata)
    n_test = max(1, round(n * test_size))
    if n_test < len(counts) or n - n_test < len(counts):
        # Too few rows for every stratum to appear on both sides.
        train, test = train_test_split(np.arange(n), test_size=n_test, random_state=random_state)
        return np.sort(train), np.sort(test)
    return _stratified_split(pooled, counts, n_test=n_test, random_state=random_state)


def problem_strata(problem: Problem, sensitive: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """The strata of a split: intersectional group, and class for classification.

    Parameters
    ----------
    problem : Problem
    sensitive : pandas.DataFrame
        The sensitive columns of the rows, from ``problem.sensitive``.
    y : numpy.ndarray
        The rows' encoded target.

    Returns
    -------
    numpy.ndarray of int64
    """
    groups = encode_groups(sensitive, n_rows=len(sensitive))
    return groups.strata(y if problem.task == "classification" else None)


def _one_class(y: np.ndarray) -> bool:
    # A 0/1 target: comparing its extremes is a pass over the rows, not a sort.
    return bool(y.min() == y.max())


def _check_finite(X: pd.DataFrame) -> None:
    # scikit-learn rejects infinities with a message that names no column.
    for name in X.columns:
        column = X[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values = column.to_numpy(dtype="float64", na_value=np.nan)
            n_inf = int(np.isinf(values).sum())
            if n_inf:
                raise InputError(
                    f"The column '{name}' has {n_inf:,} infinite value(s), which models cannot "
                    "use. Replace them with numbers, leave those cells empty (missing), or "
                    "leave the column out of the model inputs.",
                    column=str(name),
                )


def _test_predictions(
    model: Pipeline, X: pd.DataFrame, rows: np.ndarray, *, task: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """Predictions and positive-class scores (None for regression) of the rows of ``X``
    at positions ``rows``.

    The preprocessing runs once per chunk of rows for both (the pipeline's
    ``predict`` and ``predict_proba`` would each run it on every row).
    """
    preprocess, estimator = model[:-1], model[-1]
    predictions, scores = [], []
    for start in range(0, len(rows), _SCORE_CHUNK_ROWS):
        inputs = preprocess.transform(X.iloc[rows[start : start + _SCORE_CHUNK_ROWS]])
        predictions.append(estimator.predict(inputs))
        if task == "classification":
            scores.append(positive_scores(estimator, inputs))
    y_pred = np.concatenate(predictions)
    if task == "classification":
        return y_pred.astype(np.int64), np.concatenate(scores)
    return y_pred.astype(np.float64), None


def train_model(
    data: pd.DataFrame,
    problem: Problem,
    *,
    estimator: str = "logistic_regression",
    test_size: float = 0.3,
    random_state: int = 0,
    max_fit_rows: int | None = MAX_FIT_ROWS,
) -> TrainingRun:
    """Split the data, fit the named estimator and predict the test rows.

    The split is stratified by target class and intersectional group (for
    regression, by group), and deterministic given ``random_state``. A training
    part larger than ``max_fit_rows`` is sampled the same way (stratified by
    target and group) to fit on; the model is evaluated on every test row.

    Parameters
    ----------
    data : pandas.DataFrame
    problem : Problem
        From :func:`fairdash.define_problem`.
    estimator : str, default="logistic_regression"
        Registry name, see :func:`fairdash.models.estimator_names`.
    test_size : float, default=0.3
    random_state : int, default=0
    max_fit_rows : int or None, default=MAX_FIT_ROWS
        Fit on a stratified sample of at most this many training rows (None: all).

    Returns
    -------
    TrainingRun
    """
    frame = problem.usable_data(data)
    y = problem.encode_target(frame)
    sensitive = problem.sensitive(frame)
    if problem.task == "classification" and _one_class(y):
        raise InputError(
            f"After leaving out rows without a target, '{problem.target}' has one class.",
            column=problem.target,
        )
    strata = problem_strata(problem, sensitive, y)
    train, test = split_indices(strata, test_size=test_size, random_state=random_state)
    X = frame.loc[:, list(problem.feature_columns)]
    _check_finite(X)
    if problem.task == "classification" and _one_class(y[train]):
        raise InputError("The training part has a single class; use more data.")

    sample = fit_sample(strata[train], max_rows=max_fit_rows, random_state=random_state)
    fit = train if sample is None else train[sample]
    model = make_model(estimator, X, task=problem.task, random_state=random_state)
    start = time.perf_counter()
    model.fit(X.iloc[fit], y[fit])
    fit_seconds = time.perf_counter() - start

    y_pred, y_score = _test_predictions(model, X, test, task=problem.task)
    return TrainingRun(
        problem=problem,
        estimator=estimator,
        model=model,
        train_index=frame.index[train],
        test_index=frame.index[test],
        y_test=y[test],
        y_pred=y_pred,
        y_score=y_score,
        sensitive_test=sensitive.iloc[test],
        fit_seconds=fit_seconds,
        random_state=random_state,
        fit_index=None if sample is None else frame.index[fit],
    )
