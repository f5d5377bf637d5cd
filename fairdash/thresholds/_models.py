"""Models made by moving a scored model's decision thresholds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fairdash.metrics import GroupMetrics, group_metrics
from fairdash.thresholds._curves import ThresholdCurves

if TYPE_CHECKING:
    from fairdash.tradeoff import ModelResult

__all__ = [
    "THRESHOLDED_METHOD",
    "thresholded_group_table",
    "thresholded_model",
    "thresholds_by_group",
]

#: Method name of the models :func:`thresholded_model` makes.
THRESHOLDED_METHOD = "what-if thresholds"


def thresholds_by_group(curves: ThresholdCurves, thresholds: Any) -> dict[str, float]:
    """The threshold of every group that has rows, keyed by the group's label.

    Parameters
    ----------
    curves : ThresholdCurves
    thresholds : float or array-like of shape (n_groups,)

    Returns
    -------
    dict of str to float
    """
    t = np.broadcast_to(np.asarray(thresholds, dtype=np.float64), (curves.n_groups,))
    labels = curves.labels()
    return {labels[g]: float(t[g]) for g in np.flatnonzero(curves.group_sizes > 0)}


def thresholded_group_table(
    curves: ThresholdCurves, thresholds: Any, metrics: GroupMetrics
) -> pd.DataFrame:
    """Per group with rows: its threshold, the main rates and the confusion matrix.

    Parameters
    ----------
    curves : ThresholdCurves
    thresholds : float or array-like of shape (n_groups,)
    metrics : GroupMetrics
        ``curves.metrics(thresholds)``.

    Returns
    -------
    pandas.DataFrame
        Indexed by group label: ``threshold``, the rates, the confusion cells
        and ``small_group`` (fewer rows than ``metrics.min_group_size``).
    """
    t = np.broadcast_to(np.asarray(thresholds, dtype=np.float64), (curves.n_groups,))
    table = metrics.to_frame()[
        ["count", "selection_rate", "true_positive_rate", "false_positive_rate", "accuracy"]
    ].copy()
    table.insert(0, "threshold", np.where(np.isfinite(t), t, np.nan))
    # Small groups stay in the table, flagged (``metrics.min_group_size``, the policy).
    table = pd.concat([table, metrics.confusion, metrics.small_group], axis=1)
    table.index = pd.Index(curves.labels(), name="group")
    return table[curves.group_sizes > 0]


def thresholded_model(
    base: ModelResult,
    *,
    curves: ThresholdCurves,
    thresholds: Any,
    y_true: Any,
    sensitive_features: Any,
    cost_ratio: float | None = None,
) -> ModelResult:
    """A new model: ``base``'s scores with per-group thresholds.

    Parameters
    ----------
    base : ModelResult
        A model with scores (``y_score``).
    curves : ThresholdCurves
        Built from ``y_true``, ``base.y_score`` and ``sensitive_features``.
    thresholds : float or array-like of shape (n_groups,)
        In ``curves.index`` order; a row is selected when its score is at least
        its group's threshold.
    y_true : array-like
        The test labels the base model is measured on.
    sensitive_features : DataFrame or array-like
        The test rows' sensitive features.
    cost_ratio : float, optional
        Recorded in the parameters (the cost of a false positive relative to a
        false negative the thresholds were chosen with).

    Returns
    -------
    ModelResult
        Named ``"<base> + what-if thresholds"``, method ``"what-if thresholds"``,
        with the base's scores and metrics measured on the same rows.
    """
    y_pred = curves.predict(thresholds)
    by_group = thresholds_by_group(curves, thresholds)
    params = {"base": base.name, "cost_ratio": cost_ratio, **by_group}
    # Here, not at the top: the trade-off package loads scikit-learn, which the
    # command line's audit (thresholds via the engines) never needs.
    from fairdash.tradeoff import ModelResult

    return ModelResult(
        name=f"{base.name} + {THRESHOLDED_METHOD}",
        method=THRESHOLDED_METHOD,
        params=params,
        y_pred=y_pred,
        y_score=base.y_score,
        metrics=group_metrics(y_true, y_pred, sensitive_features, y_score=base.y_score),
        fit_seconds=0.0,
    )
