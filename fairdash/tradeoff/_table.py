"""The models of a trade-off as one readable table: metrics, intervals, methods in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from fairdash.metrics import GroupMetrics
from fairdash.metrics._group_metrics import BOOTSTRAP_METRICS
from fairdash.tradeoff._describe import describe_models
from fairdash.tradeoff._results import results_table
from fairdash.tradeoff._uncertainty import TRADEOFF_DISPARITIES, tradeoff_intervals

__all__ = ["tradeoff_table"]


def tradeoff_table(
    results: Sequence[Any],
    *,
    y_true: Any,
    sensitive_features: Any,
    performance: str | None = None,
    disparity: str | None = None,
    n_boot: int | None = 200,
    confidence_level: float = 0.95,
    random_state: int | None = 0,
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """:func:`results_table` with each method's name, its parameters in words and intervals.

    Parameters
    ----------
    results : sequence of ModelResult
        From :func:`fairdash.tradeoff.run_methods`, all on the same test rows.
    y_true, sensitive_features
        The test rows' encoded target and sensitive features (for the intervals).
    performance, disparity : str, optional
        As for :func:`results_table`.
    n_boot : int or None, default=200
        Resamples of the paired bootstrap (:func:`tradeoff_intervals`); None for
        no intervals. Intervals are added for classification models and the
        disparities of :data:`TRADEOFF_DISPARITIES` only.
    confidence_level : float, default=0.95
    random_state : int, default=0
    min_group_size : int, optional
        Groups with fewer test rows are left out of the disparity, its
        intervals and so of the front (the small-group policy, as for
        :func:`results_table` and :func:`tradeoff_intervals`); None keeps every
        group.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`results_table`, then ``method_label``,
        ``description`` and, with intervals, ``<performance>_lower``,
        ``<performance>_upper``, ``<disparity>_lower``, ``<disparity>_upper``.
    """
    table = results_table(
        results, performance=performance, disparity=disparity, min_group_size=min_group_size
    )
    performance, disparity = table.columns[3], table.columns[4]
    table = table.merge(describe_models(results), on="name", how="left", validate="one_to_one")
    classification = all(isinstance(r.metrics, GroupMetrics) for r in results)
    if (
        n_boot is not None
        and classification
        and performance in BOOTSTRAP_METRICS
        and disparity in TRADEOFF_DISPARITIES
    ):
        intervals = tradeoff_intervals(
            results, y_true=y_true, sensitive_features=sensitive_features,
            performance=performance, disparity=disparity, n_boot=n_boot,
            confidence_level=confidence_level, random_state=random_state,
            min_group_size=min_group_size,
        ).table()
        bounds = [c for c in intervals if c.endswith(("_lower", "_upper"))]
        table = table.merge(intervals[["name", *bounds]], on="name", how="left")
    return table
