"""The metrics a slice search ranks by: per-row sums in, slice and complement values out.

Proportions (selection rate, accuracy, error rate, ...) sum the confusion
matrix cells of every slice, as :func:`fairdash.metrics.group_metrics` does,
and compare slice and complement with the pooled two-proportion z-test. Means
(mean absolute error, mean prediction, Brier score) sum a per-row value and
its square, and use Welch's t-test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import stdtrit

from fairdash._errors import InputError
from fairdash._validation import binary_indicators, check_sample_weight, numeric_array
from fairdash.metrics._group_metrics import _RATE_CELLS
from fairdash.metrics._intervals import wilson_interval
from fairdash.slices._significance import two_proportion_z_test, welch_t_test

__all__ = [
    "HARM_DIRECTION",
    "MEAN_METRICS",
    "PROPORTION_METRICS",
    "RowSums",
    "cell_stats",
    "evaluate_cells",
    "row_sums",
]

# Error rate: the confusion-matrix cells accuracy leaves out, over all rows.
_ACCURATE, _ALL = _RATE_CELLS["accuracy"]
_PROPORTION_CELLS = {
    **_RATE_CELLS,
    "error_rate": (tuple(c for c in _ALL if c not in _ACCURATE), _ALL),
}
#: Proportions a slice search can rank by (numerator and denominator rows as in group_metrics).
PROPORTION_METRICS: tuple[str, ...] = (
    "selection_rate",
    "accuracy",
    "error_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_negative_rate",
    "precision",
    "negative_predictive_value",
    "base_rate",
)
#: Means a slice search can rank by (``brier_score`` needs scores).
MEAN_METRICS: tuple[str, ...] = ("mean_absolute_error", "mean_prediction", "brier_score")

#: Per metric, which way a slice is harmed: +1 a higher value, -1 a lower value,
#: 0 either way (no favourable direction is known: the size of the gap counts).
HARM_DIRECTION: dict[str, int] = {
    "selection_rate": -1,
    "accuracy": -1,
    "error_rate": 1,
    "true_positive_rate": -1,
    "false_positive_rate": 1,
    "false_negative_rate": 1,
    "true_negative_rate": -1,
    "precision": -1,
    "negative_predictive_value": -1,
    "base_rate": -1,
    "mean_absolute_error": 1,
    "mean_prediction": 0,
    "brier_score": 1,
}

# Quantile of the 95% intervals.
_CONFIDENCE_LEVEL = 0.95


@dataclass(frozen=True)
class RowSums:
    """What to sum per slice for a metric.

    Attributes
    ----------
    outcome : numpy.ndarray or None
        Confusion-matrix cell of every row (proportions), else None.
    n_outcomes : int
        4 for proportions, 1 for means.
    weights : list of (numpy.ndarray or None)
        Per-row values to sum (``None``: count rows).
    center : float
        Means: the value subtracted from every row before summing (the overall
        mean), which keeps the sums of squares accurate.
    weighted : bool
        Whether sample weights were given.
    """

    outcome: np.ndarray | None
    n_outcomes: int
    weights: list[np.ndarray | None]
    center: float
    weighted: bool


def row_sums(
    metric: str,
    *,
    y_true: Any,
    y_pred: Any,
    y_score: Any,
    pos_label: Any,
    sample_weight: Any,
    n_rows: int,
) -> RowSums:
    """Check the labels and build the per-row values a metric needs summed.

    Parameters
    ----------
    metric : str
        One of :data:`PROPORTION_METRICS` or :data:`MEAN_METRICS`.
    y_true, y_pred, y_score, pos_label, sample_weight
        As for :func:`fairdash.slices.find_slices`.
    n_rows : int
        The number of rows.

    Returns
    -------
    RowSums
    """
    weights = check_sample_weight(sample_weight, n_rows=n_rows)
    if metric in PROPORTION_METRICS:
        if y_pred is None and metric != "base_rate":
            raise InputError(
                f"y_pred is missing: {metric} needs the model's predicted labels.", column="y_pred"
            )
        true_pos, pred_pos = binary_indicators(y_true, y_pred, pos_label=pos_label, n_rows=n_rows)
        # The cell order of group_metrics: 2 * (y_true == pos) + (y_pred == pos).
        outcome = 2 * true_pos.astype(np.intp)
        if pred_pos is not None:
            outcome += pred_pos
        sums = [None] if weights is None else [None, weights, weights * weights]
        return RowSums(outcome, 4, sums, 0.0, weights is not None)
    if metric == "brier_score":
        if y_score is None:
            raise InputError("The Brier score needs scores: give y_score.", column="y_score")
        true_pos, _ = binary_indicators(y_true, None, pos_label=pos_label, n_rows=n_rows)
        score = numeric_array(y_score, name="y_score", n_rows=n_rows)
        if ((score < 0) | (score > 1)).any():
            raise InputError(
                "y_score must hold probabilities between 0 and 1 for the Brier score.",
                column="y_score",
            )
        values = (score - true_pos) ** 2
    else:
        pred = numeric_array(y_pred, name="y_pred", n_rows=n_rows)
        if metric == "mean_prediction":
            values = pred
        else:
            values = np.abs(numeric_array(y_true, name="y_true", n_rows=n_rows) - pred)
    center = float(np.average(values, weights=weights))
    values = values - center
    if weights is None:
        sums = [None, values, values * values]
    else:
        weighted_values = weights * values
        sums = [None, weights, weights * weights, weighted_values, weighted_values * values]
    return RowSums(None, 1, sums, center, weights is not None)


def _proportion_stats(metric: str, sums: list[np.ndarray], weighted: bool) -> np.ndarray:
    """Columns rows, denominator rows, numerator, denominator, sum of squared weights."""
    numerator, denominator = (list(cells) for cells in _PROPORTION_CELLS[metric])
    counts = sums[0]
    w, w2 = (sums[1], sums[2]) if weighted else (counts, counts)
    return np.stack(
        [
            counts.sum(axis=-1),
            counts[..., denominator].sum(axis=-1),
            w[..., numerator].sum(axis=-1),
            w[..., denominator].sum(axis=-1),
            w2[..., denominator].sum(axis=-1),
        ],
        axis=-1,
    ).astype(np.float64)


def _mean_stats(sums: list[np.ndarray], weighted: bool) -> np.ndarray:
    """Columns rows, rows, sum of weights, of squared weights, of values, of squares."""
    parts = [s[..., 0] for s in sums]
    if weighted:
        counts, w, w2, s1, s2 = parts
    else:
        counts, s1, s2 = parts
        w = w2 = counts
    return np.stack([counts, counts, w, w2, s1, s2], axis=-1).astype(np.float64)


def cell_stats(metric: str, sums: list[np.ndarray], *, weighted: bool) -> np.ndarray:
    """Per cell of a combination, the sufficient statistics of the metric (last axis)."""
    if metric in PROPORTION_METRICS:
        return _proportion_stats(metric, sums, weighted)
    return _mean_stats(sums, weighted)


def _kish(total: np.ndarray, squares: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(squares > 0, total * total / squares, 0.0)


def evaluate_cells(
    metric: str, stats: np.ndarray, totals: np.ndarray, *, center: float, min_size: int
) -> dict[str, np.ndarray]:
    """Value, complement, interval and p-value of every cell of a combination.

    Parameters
    ----------
    metric : str
        The metric.
    stats : numpy.ndarray of shape (n_cells, n_stats)
        From :func:`cell_stats`.
    totals : numpy.ndarray of shape (n_stats,)
        The same statistics over all rows (the complement is ``totals - stats``).
    center : float
        Added back to means (see :class:`RowSums`).
    min_size : int
        Fewest rows in the metric's denominator for a cell to be tested.

    Returns
    -------
    dict of str to numpy.ndarray
        ``size``, ``denominator`` (unweighted rows), ``value``, ``complement``,
        ``ci_low``, ``ci_high``, ``p_value`` and ``tested`` (the cell meets
        ``min_size`` and its complement can be measured), one entry per cell.
    """
    rest = totals - stats
    size, rows = stats[:, 0], stats[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric in PROPORTION_METRICS:
            num, den, den2 = stats[:, 2], stats[:, 3], stats[:, 4]
            rest_num, rest_den, rest_den2 = rest[:, 2], rest[:, 3], rest[:, 4]
            value, complement = num / den, rest_num / rest_den
            n_eff, rest_n_eff = _kish(den, den2), _kish(rest_den, rest_den2)
            tested = (rows >= max(min_size, 1)) & (rest[:, 1] >= 1) & (den > 0) & (rest_den > 0)
            ci_low, ci_high = wilson_interval(value, n_eff, confidence_level=_CONFIDENCE_LEVEL)
            p_value = two_proportion_z_test(
                value, n_eff, complement, rest_n_eff, pooled=totals[2] / totals[3]
            )
        else:

            def moments(s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
                sw, sw2, s1, s2 = s[:, 2], s[:, 3], s[:, 4], s[:, 5]
                mean = s1 / sw
                n_eff = _kish(sw, sw2)
                variance = np.maximum(s2 / sw - mean * mean, 0.0) * n_eff / (n_eff - 1)
                return mean + center, variance, n_eff

            value, variance, n_eff = moments(stats)
            complement, rest_variance, rest_n_eff = moments(rest)
            tested = (rows >= max(min_size, 2)) & (rest[:, 1] >= 2) & (n_eff > 1) & (rest_n_eff > 1)
            half = stdtrit(n_eff - 1, 0.5 + _CONFIDENCE_LEVEL / 2) * np.sqrt(variance / n_eff)
            ci_low, ci_high = value - half, value + half
            p_value = welch_t_test(value, variance, n_eff, complement, rest_variance, rest_n_eff)
    return {
        "size": size,
        "denominator": rows,
        "value": value,
        "complement": complement,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "p_value": p_value,
        "tested": tested,
    }
