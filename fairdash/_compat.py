"""The one place FairDash uses private APIs of scikit-learn and fairlearn.

Each adapter wraps one private upstream function or method, so an upgrade that
renames or changes it breaks here (and in ``tests/test_compat.py``, which
checks every adapter against public behaviour), not silently in the callers.

- :func:`num_samples`: scikit-learn's ``sklearn.utils.validation._num_samples``.
- :func:`take_rows_of`: scikit-learn's ``sklearn.utils._safe_indexing``.
- :func:`stratified_draw`: scikit-learn's ``sklearn.utils.extmath._approximate_mode``,
  how ``StratifiedShuffleSplit`` (so ``train_test_split(stratify=...)``) shares
  rows among classes.
- :func:`fairlearn_grid`: fairlearn's ``_GridGenerator``, the grid of Lagrange
  multipliers that ``fairlearn.reductions.GridSearch(grid_size=...)`` builds.
- :func:`randomized_proba`: the ``_pmf_predict`` of fairlearn's
  ``ExponentiatedGradient`` and ``ThresholdOptimizer``, the probabilities of
  their randomized predictions.
- :func:`exponentiated_gradient_iterations`: the debug record fairlearn's
  ``ExponentiatedGradient.fit`` logs at the start of every iteration, turned
  into a callback (fairlearn offers no progress hook).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
from fairlearn.reductions import Moment
from fairlearn.reductions._grid_search._grid_generator import _GridGenerator
from sklearn.utils import _safe_indexing
from sklearn.utils.extmath import _approximate_mode
from sklearn.utils.validation import _num_samples

__all__ = [
    "exponentiated_gradient_iterations",
    "fairlearn_grid",
    "num_samples",
    "randomized_proba",
    "stratified_draw",
    "take_rows_of",
]


def num_samples(X) -> int:
    """The number of rows of an array-like, DataFrame or sparse matrix.

    Raises scikit-learn's own ``TypeError`` for objects without rows (its
    estimator checks expect that message).
    """
    return _num_samples(X)


def take_rows_of(X, rows: np.ndarray):
    """Rows of ``X`` by position, keeping its type (DataFrame, array, sparse matrix, list)."""
    return _safe_indexing(X, rows)


def stratified_draw(
    class_counts: np.ndarray, n_draws: int, rng: np.random.RandomState
) -> np.ndarray:
    """How many of ``n_draws`` rows each class gets, drawn as ``StratifiedShuffleSplit`` draws
    them (the same random numbers from ``rng``, so the same split)."""
    return _approximate_mode(class_counts, n_draws, rng)


def fairlearn_grid(
    constraints: Moment,
    *,
    grid_size: int,
    grid_limit: float,
    grid_offset: pd.Series | None = None,
) -> pd.DataFrame:
    """The grid of Lagrange multipliers fairlearn's ``GridSearch(grid_size=...)`` builds.

    Parameters
    ----------
    constraints : fairlearn.reductions.Moment
        A moment with its data loaded.
    grid_size : int
    grid_limit : float
    grid_offset : pandas.Series, optional

    Returns
    -------
    pandas.DataFrame
        One column per grid point, indexed like the moment's multipliers.
    """
    return _GridGenerator(
        grid_size,
        float(grid_limit),
        constraints.pos_basis,
        constraints.neg_basis,
        constraints.neg_basis_present,
        constraints.default_objective_lambda_vec is not None,
        grid_offset,
    ).grid


def randomized_proba(mitigator, X, **predict_params) -> np.ndarray:
    """Probabilities of predicting 0 and 1 under a fitted randomized fairlearn mitigator.

    Parameters
    ----------
    mitigator : fairlearn ExponentiatedGradient or ThresholdOptimizer
        Fitted.
    X : array-like of shape (n_samples, n_features)
    **predict_params
        ``sensitive_features=`` for the threshold optimizer.

    Returns
    -------
    numpy.ndarray of shape (n_samples, 2)
    """
    return np.asarray(mitigator._pmf_predict(X, **predict_params))


# fairlearn's ExponentiatedGradient.fit logs ``logger.debug("...iter=%03d", t)`` at
# the start of iteration t, from this logger.
_EG_LOGGER = "fairlearn.reductions._exponentiated_gradient.exponentiated_gradient"
_EG_ITERATION_MESSAGE = "...iter=%03d"


class _IterationFilter(logging.Filter):
    """Hands fairlearn's iteration records to the listener of the thread that logs them.

    While it is installed the logger is set to DEBUG (fairlearn builds the record
    only then); records below the level the logger had before are dropped here,
    so nothing reaches the handlers that would not have reached them anyway.
    """

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level
        # Per thread, the listeners of nested blocks; the innermost hears.
        self.listeners: dict[int, list[Callable[[int], None]]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        listeners = self.listeners.get(record.thread)
        if listeners and record.msg == _EG_ITERATION_MESSAGE and record.args:
            listeners[-1](int(record.args[0]))
        return record.levelno >= self.level


_eg_lock = threading.Lock()
_eg_filter: list[tuple[_IterationFilter, int]] = []  # (filter, level to restore)


@contextmanager
def exponentiated_gradient_iterations(callback: Callable[[int], None]) -> Iterator[None]:
    """Call ``callback(t)`` as fairlearn's ``ExponentiatedGradient.fit`` starts iteration ``t``.

    Only fits run by this thread inside the ``with`` block are reported (the
    Streamlit server runs sessions in threads). The fairlearn logger's level is
    restored when the last listener leaves, and its other debug records stay
    hidden unless they were shown before.

    Parameters
    ----------
    callback : callable
        Called with the 0-based iteration number; it must not raise.

    Yields
    ------
    None
    """
    logger = logging.getLogger(_EG_LOGGER)
    thread = threading.get_ident()
    with _eg_lock:
        if not _eg_filter:
            installed = _IterationFilter(logger.getEffectiveLevel())
            _eg_filter.append((installed, logger.level))
            logger.addFilter(installed)
            logger.setLevel(logging.DEBUG)
        installed = _eg_filter[0][0]
        installed.listeners.setdefault(thread, []).append(callback)
    try:
        yield
    finally:
        with _eg_lock:
            installed, level = _eg_filter[0]
            stack = installed.listeners[thread]
            stack.pop()
            if not stack:
                del installed.listeners[thread]
            if not installed.listeners:
                logger.removeFilter(installed)
                logger.setLevel(level)
                _eg_filter.clear()
