"""Calibration by group: reliability bins, calibration-in-the-large, expected calibration error.

A score is calibrated for a group when, among the group's rows scored about
``p``, a share ``p`` has the favourable outcome. Scores are binned on edges
shared by every group (so the groups' curves are comparable); in every
(group, bin) one bincount gives the rows, the favourable outcomes and the sum
of scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash._validation import (
    binary_indicators,
    check_confidence_level,
    check_min_group_size,
    n_rows_of,
    numeric_array,
)
from fairdash.groups import encode_groups, group_label
from fairdash.metrics._group_metrics import GroupMetrics
from fairdash.metrics._intervals import wilson_interval

__all__ = [
    "GroupCalibration",
    "calibration_by_group",
    "error_balance",
    "parity_conflict_note",
]


@dataclass(frozen=True)
class GroupCalibration:
    """Calibration of scores per group; returned by :func:`calibration_by_group`.

    Attributes
    ----------
    bins : pandas.DataFrame
        One row per non-empty (group, bin): the group's index levels as
        columns, then ``bin``, ``bin_lower``, ``bin_upper`` (edges),
        ``count``, ``mean_score``, ``observed_rate`` (share favourable) and
        its Wilson interval ``observed_lower`` / ``observed_upper``.
    summary : pandas.DataFrame
        One row per non-empty group: ``count``, ``mean_score``,
        ``observed_rate``, ``calibration_in_the_large`` (observed rate minus
        mean score: positive when the scores under-state the group's
        favourable outcomes), ``expected_calibration_error`` (the row-weighted
        mean of ``|observed_rate - mean_score|`` over the group's bins) and
        ``small_group``.
    overall : pandas.Series
        The summary's columns on all rows.
    edges : numpy.ndarray
        The bin edges, shared by every group.
    confidence_level : float
    """

    bins: pd.DataFrame
    summary: pd.DataFrame
    overall: pd.Series
    edges: np.ndarray
    confidence_level: float


def _edges(score: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    if strategy == "quantile":
        edges = np.quantile(score, np.linspace(0.0, 1.0, n_bins + 1))
        edges[0], edges[-1] = 0.0, 1.0
        return np.unique(edges)  # tied scores can merge quantiles
    raise InputError(f"strategy must be 'uniform' or 'quantile', not {strategy!r}.")


def _summary(
    count: np.ndarray, positives: np.ndarray, score_sum: np.ndarray
) -> dict[str, np.ndarray]:
    """Per-group summary from per-(group, bin) sums, bins on the last axis."""
    with np.errstate(divide="ignore", invalid="ignore"):
        bin_gap = np.abs(positives / count - score_sum / count)
        n = count.sum(axis=-1)
        mean_score = score_sum.sum(axis=-1) / n
        observed = positives.sum(axis=-1) / n
        ece = np.where(count > 0, count * bin_gap, 0.0).sum(axis=-1) / n
    return {
        "count": n,
        "mean_score": mean_score,
        "observed_rate": observed,
        "calibration_in_the_large": observed - mean_score,
        "expected_calibration_error": ece,
    }


def calibration_by_group(
    y_true: Any,
    y_score: Any,
    sensitive_features: Any,
    *,
    pos_label: Any = 1,
    n_bins: int = 10,
    strategy: Literal["uniform", "quantile"] = "uniform",
    confidence_level: float = 0.95,
    min_group_size: int = 30,
) -> GroupCalibration:
    """Reliability bins and calibration summaries of probability scores, per group.

    Bins follow ``sklearn.calibration.calibration_curve``: with edges
    ``e_0 = 0 < e_1 < ... < e_k = 1`` a score ``s`` falls in the bin ``i``
    with ``e_i < s <= e_(i+1)`` (a score of 0 in the first bin).

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        True labels.
    y_score : array-like of shape (n_rows,)
        Scores in [0, 1]: the model's probability of ``pos_label``.
    sensitive_features : Series, DataFrame, array-like or dict
        As :func:`fairdash.metrics.group_metrics` takes them.
    pos_label : scalar, default=1
        The favourable outcome.
    n_bins : int, default=10
        Number of bins (fewer with ``"quantile"`` when scores tie).
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width bins on [0, 1], or edges at the quantiles of all rows' scores.
    confidence_level : float, default=0.95
        Coverage of the Wilson intervals of the observed rates.
    min_group_size : int, default=30
        Groups with fewer rows are flagged ``small_group``.

    Returns
    -------
    GroupCalibration

    Raises
    ------
    fairdash.InputError
        For scores outside [0, 1] or missing, mismatched lengths, labels that
        are not binary, or invalid parameters.
    """
    n_rows = n_rows_of(y_true, name="y_true")
    confidence_level = check_confidence_level(confidence_level)
    min_group_size = check_min_group_size(min_group_size)
    if not isinstance(n_bins, int | np.integer) or isinstance(n_bins, bool) or n_bins < 1:
        raise InputError(f"n_bins must be a positive integer, got {n_bins!r}.")
    true_pos, _ = binary_indicators(y_true, None, pos_label=pos_label, n_rows=n_rows)
    score = numeric_array(y_score, name="y_score", n_rows=n_rows)
    if score.min() < 0 or score.max() > 1:
        raise InputError(
            f"y_score must hold probabilities in [0, 1] for calibration; found values from "
            f"{score.min():g} to {score.max():g}.",
            column="y_score",
        )
    edges = _edges(score, int(n_bins), strategy)
    k = len(edges) - 1
    bin_of = np.searchsorted(edges[1:-1], score, side="left")
    groups = encode_groups(sensitive_features, n_rows=n_rows)
    cells = groups.codes.astype(np.intp) * k + bin_of
    size = groups.n_groups * k

    def sums(weights: np.ndarray | None) -> np.ndarray:
        out = np.bincount(cells, weights=weights, minlength=size).astype(np.float64)
        return groups.in_index_order(out.reshape(groups.n_groups, k))

    count, positives, score_sum = sums(None), sums(true_pos.astype(np.float64)), sums(score)

    summary = pd.DataFrame(_summary(count, positives, score_sum), index=groups.index)
    summary["small_group"] = summary["count"] < min_group_size
    summary = summary[summary["count"] > 0]
    overall = pd.Series(
        {k: float(v) for k, v in _summary(count.sum(0), positives.sum(0), score_sum.sum(0)).items()}
    )

    group_pos, bin_pos = np.nonzero(count)
    n = count[group_pos, bin_pos]
    observed = positives[group_pos, bin_pos] / n
    lower, upper = wilson_interval(observed, n, confidence_level=confidence_level)
    bins = groups.index[group_pos].to_frame(index=False)
    bins = bins.assign(
        bin=bin_pos,
        bin_lower=edges[bin_pos],
        bin_upper=edges[bin_pos + 1],
        count=n,
        mean_score=score_sum[group_pos, bin_pos] / n,
        observed_rate=observed,
        observed_lower=lower,
        observed_upper=upper,
    )
    return GroupCalibration(
        bins=bins, summary=summary, overall=overall, edges=edges, confidence_level=confidence_level
    )


#: Columns of :func:`error_balance`: predictive parity beside equalized odds.
_BALANCE_COLUMNS = (
    "base_rate",
    "precision",
    "negative_predictive_value",
    "true_positive_rate",
    "false_positive_rate",
)


def error_balance(metrics: GroupMetrics) -> pd.DataFrame:
    """Predictive parity (PPV, NPV) beside equalized odds (TPR, FPR), per group.

    Parameters
    ----------
    metrics : GroupMetrics
        From :func:`fairdash.metrics.group_metrics`.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (groups without rows left out): ``count``,
        ``base_rate``, ``precision`` (PPV), ``negative_predictive_value``
        (NPV), ``true_positive_rate``, ``false_positive_rate``. Their largest
        differences between groups are ``metrics.difference()``.
    """
    table = metrics.by_group.loc[:, ["count", *_BALANCE_COLUMNS]]
    return table[table["count"] > 0]


def parity_conflict_note(metrics: GroupMetrics) -> str:
    """A sentence on why predictive parity and equalized odds cannot usually both hold here.

    States the groups' base rates (the share with the favourable outcome) and
    the result of Chouldechova (2017) and Kleinberg, Mullainathan & Raghavan
    (2016): when base rates differ, a classifier that makes errors cannot have
    both equal PPV and NPV (predictive parity, or calibration) and equal TPR
    and FPR (equalized odds) across the groups.

    Parameters
    ----------
    metrics : GroupMetrics

    Returns
    -------
    str
    """
    base = metrics.by_group["base_rate"].dropna()
    if len(base) < 2:
        return "Predictive parity and equalized odds need at least two groups to compare."
    low, high = base.idxmin(), base.idxmax()

    rates = (
        f"Base rates (share with the favourable outcome) range from {base[low]:.1%} "
        f"({group_label(low)}) to {base[high]:.1%} ({group_label(high)}). "
    )
    if np.isclose(base[low], base[high], atol=0.005):
        return rates + (
            "With base rates this close, equal PPV/NPV (predictive parity) and equal TPR/FPR "
            "(equalized odds) can hold together."
        )
    return rates + (
        "When base rates differ, a model that makes any errors cannot give every group both "
        "the same PPV and NPV (predictive parity, which calibration implies) and the same TPR "
        "and FPR (equalized odds) (Chouldechova 2017; Kleinberg, Mullainathan & Raghavan 2016): "
        "narrowing one gap widens the other, so choose which one the decision must respect."
    )
