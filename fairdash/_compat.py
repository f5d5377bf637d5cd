"""The one place FairDash uses private APIs of scikit-learn and fairlearn.

Each adapter wraps one private upstream function or method, so an upgrade that
renames or changes it breaks here (and in ``tests/test_compat.py``, which
checks every adapter against public behaviour), not silently in the callers.

- :func:`num_samples`: scikit-learn's ``sklearn.utils.validation._num_samples``.
- :func:`take_rows_of`: scikit-learn's ``sklearn.utils._safe_indexing``.
- :func:`fairlearn_grid`: fairlearn's ``_GridGenerator``, the grid of Lagrange
  multipliers that ``fairlearn.reductions.GridSearch(grid_size=...)`` builds.
- :func:`randomized_proba`: the ``_pmf_predict`` of fairlearn's
  ``ExponentiatedGradient`` and ``ThresholdOptimizer``, the probabilities of
  their randomized predictions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from fairlearn.reductions import Moment
from fairlearn.reductions._grid_search._grid_generator import _GridGenerator
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples

__all__ = ["fairlearn_grid", "num_samples", "randomized_proba", "take_rows_of"]


def num_samples(X) -> int:
    """The number of rows of an array-like, DataFrame or sparse matrix.

    Raises scikit-learn's own ``TypeError`` for objects without rows (its
    estimator checks expect that message).
    """
    return _num_samples(X)


def take_rows_of(X, rows: np.ndarray):
    """Rows of ``X`` by position, keeping its type (DataFrame, array, sparse matrix, list)."""
    return _safe_indexing(X, rows)


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
