"""Regression metrics per group, from weighted bincounts over the group codes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairdash._validation import (
    check_min_group_size,
    check_sample_weight,
    n_rows_of,
    numeric_array,
)
from fairdash.groups import encode_groups
from fairdash.metrics._base import DisaggregatedMetrics
from fairdash.metrics._distributions import grouped_ks_distance, grouped_wasserstein_distance

__all__ = [
    "REGRESSION_METRICS",
    "RegressionGroupMetrics",
    "prediction_error_by_group",
    "regression_group_metrics",
]

REGRESSION_METRICS: tuple[str, ...] = (
    "count",
    "mean_prediction",
    "mean_target",
    "mean_absolute_error",
    "root_mean_squared_error",
    "r2",
)


def _metrics(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    weights: np.ndarray | None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """All regression metrics per group code, and the unweighted group sizes."""

    def group_sum(values: np.ndarray | None) -> np.ndarray:
        if values is None:
            # bincount of the codes alone: the (weighted) number of rows.
            return np.bincount(codes, weights=weights, minlength=n_groups).astype(np.float64)
        if weights is not None:
            values = values * weights
        return np.bincount(codes, weights=values, minlength=n_groups)

    sizes = np.bincount(codes, minlength=n_groups)
    total = group_sum(None)
    error = y_true - y_pred
    squared = error * error
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_target = group_sum(y_true) / total
        numerator = group_sum(squared)
        metrics = {
            "count": np.where(sizes > 0, sizes, np.nan).astype(np.float64),
            "mean_prediction": group_sum(y_pred) / total,
            "mean_target": mean_target,
            "mean_absolute_error": group_sum(np.abs(error)) / total,
            "root_mean_squared_error": np.sqrt(numerator / total),
        }
        # Two passes (deviation from the group mean) as scikit-learn, avoiding
        # the cancellation of sum(y^2) - sum(y)^2 / n.
        deviation = y_true - mean_target.take(codes)
        denominator = group_sum(deviation * deviation)
        r2 = 1 - numerator / denominator
    # r2_score's force_finite conventions: perfect fit 1.0, constant target 0.0,
    # and NaN (undefined) below two rows.
    r2 = np.where(numerator == 0, 1.0, np.where(denominator == 0, 0.0, r2))
    r2[sizes < 2] = np.nan
    metrics["r2"] = r2
    empty = ~(total > 0)
    for values in metrics.values():
        values[empty] = np.nan
    return metrics, sizes


class RegressionGroupMetrics(DisaggregatedMetrics):
    """Regression metrics per group, overall, and distributional disparities.

    Returned by :func:`regression_group_metrics`; do not construct directly.
    """

    def __init__(
        self,
        *,
        by_group: pd.DataFrame,
        overall: pd.Series,
        group_sizes: np.ndarray,
        min_group_size: int,
        y_pred: np.ndarray,
        codes: np.ndarray,
        weights: np.ndarray | None,
    ) -> None:
        super().__init__(
            by_group=by_group,
            overall=overall,
            group_sizes=group_sizes,
            min_group_size=min_group_size,
        )
        self._y_pred = y_pred
        self._codes = codes
        self._weights = weights
        self._disparities: dict[str, float] | None = None

    def disparities(self, *, min_group_size: int | None = None) -> dict[str, float]:
        """Distance between the groups' distributions of predictions.

        ``ks_distance``: the largest Kolmogorov-Smirnov statistic over pairs of
        groups; ``wasserstein_distance``: the largest Wasserstein-1 distance
        (in the units of ``y_pred``). Both use the sample weights if given, and
        are NaN when fewer than two groups have rows.

        Parameters
        ----------
        min_group_size : int, optional
            Leave out groups with fewer rows (:meth:`left_out_groups`); None
            keeps every group.
        """
        if min_group_size is not None:
            kept_rows = self._row_kept(min_group_size)
            codes, values = self._codes[kept_rows], self._y_pred[kept_rows]
            weights = None if self._weights is None else self._weights[kept_rows]
            return self._distances(values, codes, weights)
        if self._disparities is None:
            self._disparities = self._distances(self._y_pred, self._codes, self._weights)
        return dict(self._disparities)

    def _row_kept(self, min_group_size: int) -> np.ndarray:
        min_group_size = check_min_group_size(min_group_size)
        sizes = np.bincount(self._codes, minlength=len(self._by_group))
        return sizes[self._codes] >= min_group_size

    def _distances(
        self, values: np.ndarray, codes: np.ndarray, weights: np.ndarray | None
    ) -> dict[str, float]:
        n_groups = len(self._by_group)
        return {
            "ks_distance": grouped_ks_distance(
                values, codes, n_groups=n_groups, weights=weights
            ),
            "wasserstein_distance": grouped_wasserstein_distance(
                values, codes, n_groups=n_groups, weights=weights
            ),
        }

    def to_frame(self) -> pd.DataFrame:
        """Metrics per group with the small-group flag, for display."""
        return pd.concat([self._by_group, self.small_group.to_frame()], axis=1)


def regression_group_metrics(
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    *,
    sample_weight: Any = None,
    min_group_size: int = 30,
) -> RegressionGroupMetrics:
    """Regression metrics for every group defined by the sensitive features.

    Parameters
    ----------
    y_true : array-like
        Numeric targets.
    y_pred : array-like
        Numeric predictions.
    sensitive_features : Series, DataFrame, array-like, list of array-likes or dict
        As for :func:`group_metrics` (same group order and labels).
    sample_weight : array-like, optional
        Non-negative row weights, applied to every metric except ``count``.
    min_group_size : int, default=30
        Groups with fewer rows are flagged in ``small_group``.

    Returns
    -------
    RegressionGroupMetrics
        ``by_group`` columns: ``count``, ``mean_prediction`` (fairlearn's),
        ``mean_target``, ``mean_absolute_error``, ``root_mean_squared_error``
        and ``r2``, each equal to the scikit-learn function on the group's rows
        (``r2`` NaN below two rows, 1.0 for a perfect fit, 0.0 for a constant
        target predicted imperfectly).

    Raises
    ------
    fairdash.InputError
        For empty input, mismatched lengths, non-numeric or missing values.
    """
    n_rows = n_rows_of(y_true, name="y_true")
    min_group_size = check_min_group_size(min_group_size)
    true = numeric_array(y_true, name="y_true", n_rows=n_rows)
    pred = numeric_array(y_pred, name="y_pred", n_rows=n_rows)
    weights = check_sample_weight(sample_weight, n_rows=n_rows)
    groups = encode_groups(sensitive_features, n_rows=n_rows)

    metrics, sizes = _metrics(true, pred, groups.codes, groups.n_groups, weights)
    metrics = {name: groups.in_index_order(values) for name, values in metrics.items()}
    sizes = groups.in_index_order(sizes)
    overall, _ = _metrics(true, pred, np.zeros(n_rows, dtype=np.intp), 1, weights)
    return RegressionGroupMetrics(
        by_group=pd.DataFrame(metrics, index=groups.index),
        overall=pd.Series({name: float(values[0]) for name, values in overall.items()}),
        group_sizes=sizes,
        min_group_size=min_group_size,
        y_pred=pred,
        codes=groups.codes,
        weights=weights,
    )


def prediction_error_by_group(
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    *,
    sample_weight: Any = None,
) -> pd.DataFrame:
    """Mean over- and under-prediction for every group.

    Over-prediction of a row is ``max(y_pred - y_true, 0)``, under-prediction
    ``max(y_true - y_pred, 0)``; each is averaged over all of the group's rows
    (weighted by ``sample_weight`` if given), so the two sum to the group's
    mean absolute error.

    Parameters
    ----------
    y_true, y_pred : array-like
        Numeric targets and predictions.
    sensitive_features : Series, DataFrame, array-like, list of array-likes or dict
        As for :func:`regression_group_metrics` (same group order).
    sample_weight : array-like, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``mean_overprediction`` and ``mean_underprediction``, indexed
        like ``regression_group_metrics(...).by_group`` (NaN for empty groups).
    """
    n_rows = n_rows_of(y_true, name="y_true")
    true = numeric_array(y_true, name="y_true", n_rows=n_rows)
    pred = numeric_array(y_pred, name="y_pred", n_rows=n_rows)
    weights = check_sample_weight(sample_weight, n_rows=n_rows)
    groups = encode_groups(sensitive_features, n_rows=n_rows)
    residual = pred - true
    total = np.bincount(groups.codes, weights=weights, minlength=groups.n_groups)
    columns = {}
    for name, amount in (
        ("mean_overprediction", np.clip(residual, 0, None)),
        ("mean_underprediction", np.clip(-residual, 0, None)),
    ):
        values = amount if weights is None else amount * weights
        sums = np.bincount(groups.codes, weights=values, minlength=groups.n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(total > 0, sums / total, np.nan)
        columns[name] = groups.in_index_order(means)
    return pd.DataFrame(columns, index=groups.index)
