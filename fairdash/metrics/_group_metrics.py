"""Classification metrics per group, computed from one confusion-matrix bincount.

Every row falls in one cell ``group * 4 + 2 * (y_true == pos) + (y_pred == pos)``;
a single (weighted) ``numpy.bincount`` over the cells gives the true/false
positives/negatives of every group, and every rate metric derives from those
four sums. The definitions and zero-division conventions are those of
fairlearn 0.15 and scikit-learn 1.9 (see :func:`group_metrics`).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from fairdash._validation import (
    binary_indicators,
    check_confidence_level,
    check_min_group_size,
    check_n_boot,
    check_sample_weight,
    n_rows_of,
    numeric_array,
)
from fairdash.groups import encode_groups
from fairdash.metrics._base import DisaggregatedMetrics, Method
from fairdash.metrics._intervals import (
    bootstrap_cell_sums,
    kish_effective_n,
    percentile_interval,
    wilson_interval,
)
from fairdash.metrics._roc_auc import grouped_roc_auc

__all__ = [
    "BOOTSTRAP_METRICS",
    "CLASSIFICATION_METRICS",
    "RATE_METRICS",
    "GroupMetrics",
    "group_metrics",
    "grouped_roc_auc",
    "metrics_from_cell_sums",
    "rates_from_cell_sums",
]

# Position of each confusion-matrix cell: 2 * (y_true == pos) + (y_pred == pos).
_TN, _FP, _FN, _TP = 0, 1, 2, 3
_ALL = (_TN, _FP, _FN, _TP)

# Proportions with a Wilson interval: (numerator cells, denominator cells).
_RATE_CELLS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "selection_rate": ((_FP, _TP), _ALL),
    "accuracy": ((_TN, _TP), _ALL),
    "true_positive_rate": ((_TP,), (_TP, _FN)),
    "false_positive_rate": ((_FP,), (_FP, _TN)),
    "false_negative_rate": ((_FN,), (_TP, _FN)),
    "true_negative_rate": ((_TN,), (_FP, _TN)),
    "precision": ((_TP,), (_TP, _FP)),
    "negative_predictive_value": ((_TN,), (_TN, _FN)),
    "base_rate": ((_TP, _FN), _ALL),
}
RATE_METRICS: tuple[str, ...] = tuple(_RATE_CELLS)

# Column order of ``by_group`` (``roc_auc`` is appended when scores are given).
CLASSIFICATION_METRICS: tuple[str, ...] = (
    "count",
    "selection_rate",
    "accuracy",
    "balanced_accuracy",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_negative_rate",
    "precision",
    "negative_predictive_value",
    "f1",
    "base_rate",
)
BOOTSTRAP_METRICS: tuple[str, ...] = CLASSIFICATION_METRICS[1:]


def _divide(numerator: np.ndarray, denominator: np.ndarray, *, empty: float) -> np.ndarray:
    out = np.full(np.broadcast(numerator, denominator).shape, empty, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def rates_from_cell_sums(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Every rate metric from (weighted) confusion-matrix cell sums.

    Parameters
    ----------
    sums : numpy.ndarray
        Array of shape ``(..., 4)``: true negatives, false positives, false
        negatives and true positives, in that order.

    Returns
    -------
    dict of str to numpy.ndarray
        The metrics of :data:`BOOTSTRAP_METRICS`, each of shape ``sums.shape[:-1]``.
        All are NaN where the cells sum to 0 (no rows, or zero weight).

    Notes
    -----
    Zero-division conventions, as fairlearn 0.15 / scikit-learn 1.9 give them:
    ``true_positive_rate``, ``false_negative_rate`` (no positives) and
    ``false_positive_rate``, ``true_negative_rate`` (no negatives) are 0, as
    fairlearn's ``confusion_matrix(normalize="true")``; ``precision``,
    ``negative_predictive_value`` (no predicted positives/negatives) and ``f1``
    (no positives and no predicted positives) are 0, as scikit-learn's default
    ``zero_division``; ``balanced_accuracy`` averages the recall of the classes
    present in ``y_true`` only, as ``balanced_accuracy_score``.
    """
    sums = np.asarray(sums, dtype=np.float64)
    tn, fp, fn, tp = sums[..., _TN], sums[..., _FP], sums[..., _FN], sums[..., _TP]
    total = tn + fp + fn + tp
    positives, negatives = tp + fn, tn + fp
    predicted_pos, predicted_neg = tp + fp, tn + fn
    nan = float("nan")

    tpr = _divide(tp, positives, empty=0.0)
    tnr = _divide(tn, negatives, empty=0.0)
    has_pos, has_neg = positives > 0, negatives > 0
    rates = {
        "selection_rate": _divide(predicted_pos, total, empty=nan),
        "accuracy": _divide(tp + tn, total, empty=nan),
        "balanced_accuracy": _divide(
            np.where(has_neg, tnr, 0.0) + np.where(has_pos, tpr, 0.0),
            has_neg.astype(np.float64) + has_pos,
            empty=nan,
        ),
        "true_positive_rate": tpr,
        "false_positive_rate": _divide(fp, negatives, empty=0.0),
        "false_negative_rate": _divide(fn, positives, empty=0.0),
        "true_negative_rate": tnr,
        "precision": _divide(tp, predicted_pos, empty=0.0),
        "negative_predictive_value": _divide(tn, predicted_neg, empty=0.0),
        # scikit-learn's form: 2 tp / (n_true + n_predicted).
        "f1": _divide(2 * tp, positives + predicted_pos, empty=0.0),
        "base_rate": _divide(positives, total, empty=nan),
    }
    no_rows = ~(total > 0)
    if no_rows.any():
        for values in rates.values():
            values[no_rows] = nan
    return rates


def _interval_columns(lower: dict[str, np.ndarray], upper: dict[str, np.ndarray]) -> dict:
    columns = {}
    for name in lower:
        columns[f"{name}_lower"] = lower[name]
        columns[f"{name}_upper"] = upper[name]
    return columns


def _wilson_intervals(
    sums: np.ndarray,
    sq_sums: np.ndarray | None,
    rates: dict[str, np.ndarray],
    *,
    confidence_level: float,
) -> dict[str, np.ndarray]:
    """Wilson interval columns for every rate in ``_RATE_CELLS``."""
    lower, upper = {}, {}
    for name, (_, denominator) in _RATE_CELLS.items():
        cells = list(denominator)
        sum_w = sums[..., cells].sum(axis=-1)
        if sq_sums is None:
            n_eff = sum_w
        else:
            n_eff = kish_effective_n(sum_w, sq_sums[..., cells].sum(axis=-1))
        lower[name], upper[name] = wilson_interval(
            rates[name], n_eff, confidence_level=confidence_level
        )
    return _interval_columns(lower, upper)


class GroupMetrics(DisaggregatedMetrics):
    """Classification metrics per group, overall, and their disparities.

    Returned by :func:`group_metrics`; do not construct directly.

    Attributes
    ----------
    confidence_level : float
        Coverage of the intervals.
    n_boot : int or None
        Number of bootstrap resamples, if bootstrapping was requested.
    min_group_size : int
        Groups with fewer rows are flagged in :attr:`small_group`.
    """

    def __init__(
        self,
        *,
        by_group: pd.DataFrame,
        overall: pd.Series,
        group_sizes: np.ndarray,
        min_group_size: int,
        cell_sums: np.ndarray,
        intervals: dict[str, np.ndarray],
        overall_intervals: dict[str, np.ndarray],
        bootstrap: tuple[dict[str, np.ndarray], dict[str, np.ndarray]] | None,
        confidence_level: float,
        n_boot: int | None,
    ) -> None:
        super().__init__(
            by_group=by_group,
            overall=overall,
            group_sizes=group_sizes,
            min_group_size=min_group_size,
        )
        self._cell_sums = cell_sums
        self._intervals = intervals
        self._overall_intervals = overall_intervals
        self._bootstrap = bootstrap
        self.confidence_level = confidence_level
        self.n_boot = n_boot

    @cached_property
    def confusion(self) -> pd.DataFrame:
        """(Weighted) true/false positives/negatives per group, the sums every rate derives from."""
        return pd.DataFrame(
            {
                "true_positives": self._cell_sums[:, _TP],
                "false_positives": self._cell_sums[:, _FP],
                "false_negatives": self._cell_sums[:, _FN],
                "true_negatives": self._cell_sums[:, _TN],
            },
            index=self._by_group.index,
        )

    @cached_property
    def intervals(self) -> pd.DataFrame:
        """Wilson score intervals per group: columns ``<rate>_lower``, ``<rate>_upper``.

        One pair for every proportion (selection rate, accuracy, TPR, FPR, FNR,
        TNR, precision, NPV, base rate). With sample weights the weighted rate
        and Kish's effective sample size of the rate's denominator rows are
        used. NaN where the denominator has no rows (e.g. the TPR of a group
        without positives, whose point value is 0 by convention).
        """
        return pd.DataFrame(self._intervals, index=self._by_group.index)

    @cached_property
    def overall_intervals(self) -> pd.Series:
        """Wilson score intervals of the overall rates, named like :attr:`intervals`."""
        return pd.Series({k: float(v) for k, v in self._overall_intervals.items()})

    @cached_property
    def bootstrap_intervals(self) -> pd.DataFrame | None:
        """Percentile bootstrap intervals per group (``None`` without ``n_boot``).

        Columns ``<metric>_lower``, ``<metric>_upper`` for every rate metric plus
        ``balanced_accuracy`` and ``f1``. Resamples in which a group has no rows
        are skipped for that group.
        """
        if self._bootstrap is None:
            return None
        return pd.DataFrame(self._bootstrap[0], index=self._by_group.index)

    @cached_property
    def overall_bootstrap_intervals(self) -> pd.Series | None:
        """Percentile bootstrap intervals of the overall metrics (``None`` without ``n_boot``)."""
        if self._bootstrap is None:
            return None
        return pd.Series({k: float(v) for k, v in self._bootstrap[1].items()})

    def disparities(
        self, method: Method = "between_groups", *, min_group_size: int | None = None
    ) -> dict[str, float | bool]:
        """Summary fairness measures, equal to fairlearn's functions of the same names.

        Parameters
        ----------
        method : {"between_groups", "to_overall"}, default="between_groups"
            Passed on as fairlearn's ``method``; ``equalized_odds_*`` use
            ``agg="worst_case"``.
        min_group_size : int, optional
            Leave out groups with fewer rows (:meth:`left_out_groups` names
            them); None keeps every group, exactly as fairlearn.

        Returns
        -------
        dict
            ``demographic_parity_difference`` / ``_ratio`` (selection rate),
            ``equalized_odds_difference`` (larger of the TPR and FPR differences)
            / ``_ratio`` (smaller of the ratios), ``equal_opportunity_difference``
            / ``_ratio`` (TPR), ``disparate_impact_ratio`` (lowest over highest
            group selection rate, whatever ``method``) and
            ``four_fifths_rule_passed`` (``disparate_impact_ratio >= 0.8``;
            False when it is NaN).
        """
        difference = self.difference(method, min_group_size=min_group_size)
        ratio = self.ratio(method, min_group_size=min_group_size)
        tpr, fpr = "true_positive_rate", "false_positive_rate"
        impact = float(
            self.ratio("between_groups", min_group_size=min_group_size)["selection_rate"]
        )
        return {
            "demographic_parity_difference": float(difference["selection_rate"]),
            "demographic_parity_ratio": float(ratio["selection_rate"]),
            # Built-in max/min over [tpr, fpr], as fairlearn (same NaN behaviour).
            "equalized_odds_difference": float(max([difference[tpr], difference[fpr]])),
            "equalized_odds_ratio": float(min([ratio[tpr], ratio[fpr]])),
            "equal_opportunity_difference": float(difference[tpr]),
            "equal_opportunity_ratio": float(ratio[tpr]),
            "disparate_impact_ratio": impact,
            "four_fifths_rule_passed": bool(impact >= 0.8),
        }

    def to_frame(self) -> pd.DataFrame:
        """One table for display: metrics, Wilson and bootstrap intervals, small-group flag.

        Bootstrap columns are named ``<metric>_boot_lower`` / ``<metric>_boot_upper``.
        """
        parts = [self._by_group, self.intervals]
        boot = self.bootstrap_intervals
        if boot is not None:
            # "<metric>_lower" -> "<metric>_boot_lower"
            parts.append(boot.rename(columns=lambda c: "_boot_".join(c.rsplit("_", 1))))
        parts.append(self.small_group.to_frame())
        return pd.concat(parts, axis=1)


def group_metrics(
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    *,
    y_score: Any = None,
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = 30,
    confidence_level: float = 0.95,
    n_boot: int | None = None,
    random_state: int | np.random.Generator | None = None,
) -> GroupMetrics:
    """Classification metrics for every group defined by the sensitive features.

    Parameters
    ----------
    y_true : array-like
        True labels: ``pos_label`` and at most one other value.
    y_pred : array-like
        Predicted labels, binary like ``y_true`` (and with the same other value).
    sensitive_features : Series, DataFrame, array-like, list of array-likes or dict
        One or several sensitive features, as fairlearn's ``MetricFrame`` takes
        them (a dict maps names to columns; a list of columns is accepted too).
        Groups are sorted per feature (categoricals in category order, unused
        categories dropped); several features give the full cartesian product,
        empty combinations included as rows of NaN (``count`` too), exactly as
        ``MetricFrame.by_group``. Missing values form a group of their own,
        sorted last (fairlearn rejects them).
    y_score : array-like, optional
        Scores for the positive class; adds ``roc_auc`` (NaN for a group
        without both classes).
    sample_weight : array-like, optional
        Non-negative row weights, applied to every metric except ``count``.
    pos_label : scalar, default=1
        The favourable outcome.
    min_group_size : int, default=30
        Groups with fewer rows are flagged in ``small_group``.
    confidence_level : float, default=0.95
        Coverage of the Wilson and bootstrap intervals.
    n_boot : int, optional
        Number of bootstrap resamples of the rows (percentile intervals).
    random_state : int or numpy.random.Generator, optional
        Seed for the bootstrap.

    Returns
    -------
    GroupMetrics

    Raises
    ------
    fairdash.InputError
        For empty input, mismatched lengths, non-binary labels, missing values
        in labels, scores or weights, or invalid parameters.

    Notes
    -----
    ``count`` is the unweighted number of rows (fairlearn's ``count``).
    ``base_rate`` is the weighted share of ``y_true == pos_label`` and
    ``negative_predictive_value`` is TN / (TN + FN). See
    :func:`rates_from_cell_sums` for the zero-division conventions.
    """
    n_rows = n_rows_of(y_true, name="y_true")
    confidence_level = check_confidence_level(confidence_level)
    min_group_size = check_min_group_size(min_group_size)
    n_boot = check_n_boot(n_boot)
    true_pos, pred_pos = binary_indicators(y_true, y_pred, pos_label=pos_label, n_rows=n_rows)
    assert pred_pos is not None
    weights = check_sample_weight(sample_weight, n_rows=n_rows)
    score = None if y_score is None else numeric_array(y_score, name="y_score", n_rows=n_rows)
    groups = encode_groups(sensitive_features, n_rows=n_rows)
    n_groups = groups.n_groups

    if score is not None:
        auc = grouped_roc_auc(
            codes=groups.codes, n_groups=n_groups, positive=true_pos, score=score, weights=weights
        )
        auc = groups.in_index_order(auc)
        overall_auc = grouped_roc_auc(
            codes=None, n_groups=1, positive=true_pos, score=score, weights=weights
        )[0]

    # cells = group * 4 + 2 * true + pred, built in place in the (owned) group codes.
    label_cell = true_pos.view(np.uint8) << 1
    label_cell |= pred_pos.view(np.uint8)
    cells = groups.codes
    cells <<= 2
    cells += label_cell
    n_cells = 4 * n_groups

    def cell_sums(row_weights: np.ndarray | None) -> np.ndarray:
        sums = np.bincount(cells, weights=row_weights, minlength=n_cells)
        return groups.in_index_order(sums.reshape(n_groups, 4))

    counts = cell_sums(None)
    if weights is None:
        sums = counts.astype(np.float64)
        sq_sums = None
    else:
        sums = cell_sums(weights)
        sq_sums = cell_sums(weights * weights)
    group_sizes = counts.sum(axis=1)

    bootstrap = None
    if n_boot is not None:
        boot_sums = bootstrap_cell_sums(
            cells,
            n_cells=n_cells,
            weights=weights,
            n_boot=n_boot,
            rng=np.random.default_rng(random_state),
        ).reshape(n_boot, n_groups, 4)
        boot_sums = groups.in_index_order(boot_sums, axis=1)
        boot_rates = rates_from_cell_sums(boot_sums)
        boot_overall = rates_from_cell_sums(boot_sums.sum(axis=1))
        lower, upper, overall_lower, overall_upper = {}, {}, {}, {}
        for name in BOOTSTRAP_METRICS:
            lower[name], upper[name] = percentile_interval(
                boot_rates[name], confidence_level=confidence_level
            )
            overall_lower[name], overall_upper[name] = percentile_interval(
                boot_overall[name], confidence_level=confidence_level
            )
        bootstrap = (
            _interval_columns(lower, upper),
            _interval_columns(overall_lower, overall_upper),
        )

    return metrics_from_cell_sums(
        sums,
        group_sizes=group_sizes,
        index=groups.index,
        sq_sums=sq_sums,
        roc_auc=None if score is None else (auc, float(overall_auc)),
        bootstrap=bootstrap,
        min_group_size=min_group_size,
        confidence_level=confidence_level,
        n_boot=n_boot,
    )


def metrics_from_cell_sums(
    sums: np.ndarray,
    *,
    group_sizes: np.ndarray,
    index: pd.Index,
    sq_sums: np.ndarray | None = None,
    roc_auc: tuple[np.ndarray, float] | None = None,
    bootstrap: tuple[dict[str, np.ndarray], dict[str, np.ndarray]] | None = None,
    min_group_size: int = 30,
    confidence_level: float = 0.95,
    n_boot: int | None = None,
) -> GroupMetrics:
    """A :class:`GroupMetrics` from per-group confusion-matrix cell sums.

    What :func:`group_metrics` builds once its bincount is done; also used where
    the cell sums come from elsewhere (the what-if threshold curves).

    Parameters
    ----------
    sums : numpy.ndarray of shape (n_groups, 4)
        (Weighted) true negatives, false positives, false negatives, true
        positives per group, in ``index`` order.
    group_sizes : numpy.ndarray of shape (n_groups,)
        Rows per group (unweighted).
    index : pandas.Index
        The group labels.
    sq_sums : numpy.ndarray, optional
        Sums of squared weights per cell, for Kish's effective sample size; None
        uses ``sums`` as the sample sizes.
    roc_auc : (numpy.ndarray, float), optional
        Per-group and overall ROC AUC, added as a column when given.
    bootstrap : tuple, optional
        Per-group and overall percentile intervals.
    min_group_size, confidence_level, n_boot
        As for :func:`group_metrics`.
    """
    empty = group_sizes == 0
    rates = rates_from_cell_sums(sums)
    overall_sums = sums.sum(axis=0)
    overall_rates = rates_from_cell_sums(overall_sums)

    columns = {"count": np.where(empty, np.nan, group_sizes.astype(np.float64))}
    columns.update((name, rates[name]) for name in BOOTSTRAP_METRICS)
    overall_values = {"count": float(group_sizes.sum())}
    overall_values.update((name, float(overall_rates[name])) for name in BOOTSTRAP_METRICS)
    if roc_auc is not None:
        columns["roc_auc"], overall_values["roc_auc"] = roc_auc
    # Empty combinations are all-NaN rows (count too), as in MetricFrame.
    by_group = pd.DataFrame(columns, index=index)
    overall = pd.Series(overall_values, dtype=np.float64)

    intervals = _wilson_intervals(sums, sq_sums, rates, confidence_level=confidence_level)
    overall_intervals = _wilson_intervals(
        overall_sums,
        None if sq_sums is None else sq_sums.sum(axis=0),
        overall_rates,
        confidence_level=confidence_level,
    )
    return GroupMetrics(
        by_group=by_group,
        overall=overall,
        group_sizes=group_sizes,
        min_group_size=min_group_size,
        cell_sums=sums,
        intervals=intervals,
        overall_intervals=overall_intervals,
        bootstrap=bootstrap,
        confidence_level=confidence_level,
        n_boot=n_boot,
    )
