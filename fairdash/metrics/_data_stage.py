"""Label bias in the data, before any model: SageMaker Clarify's pre-training measures.

Each group ``d`` (the facet) is compared with all other rows ``a`` (the rest),
using Amazon SageMaker Clarify's published definitions ("Pre-training bias
metrics" in the SageMaker developer guide) for a binary label:

- class imbalance ``CI = (n_a - n_d) / (n_a + n_d)``, in [-1, 1]; positive
  when the group is under-represented;
- difference in proportions of labels ``DPL = q_a - q_d``, with ``q`` the
  share of positive labels, in [-1, 1]; positive when the group has fewer
  positive labels than the rest;
- Kullback-Leibler divergence ``KL(P_a || P_d) = sum_y P_a(y) ln(P_a(y) / P_d(y))``
  over the label distributions ``P = (q, 1 - q)``, in nats;
- Jensen-Shannon divergence ``JS = (KL(P_a || M) + KL(P_d || M)) / 2`` with
  ``M = (P_a + P_d) / 2``, in [0, ln 2];
- total variation distance ``TVD = (1/2) sum_y |P_a(y) - P_d(y)|``, which for a
  binary label is ``|q_a - q_d|``.

Zero proportions follow the usual conventions ``0 ln(0 / x) = 0`` and
``x ln(x / 0) = inf`` (x > 0): KL is infinite when a label occurs in the rest
but never in the group. (Clarify's reference code instead drops label values
with zero probability on either side; we keep the divergence's definition.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import rel_entr

from fairdash._validation import (
    binary_indicators,
    check_confidence_level,
    check_sample_weight,
    n_rows_of,
)
from fairdash.groups import encode_groups
from fairdash.metrics._intervals import kish_effective_n, wilson_interval

__all__ = ["DATA_STAGE_COLUMNS", "data_stage"]

DATA_STAGE_COLUMNS: tuple[str, ...] = (
    "count",
    "share",
    "base_rate",
    "base_rate_lower",
    "base_rate_upper",
    "class_imbalance",
    "difference_in_proportions",
    "kl_divergence",
    "js_divergence",
    "total_variation_distance",
)


def _kl(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """KL divergence between Bernoulli(p) and Bernoulli(q), in nats."""
    return rel_entr(p, q) + rel_entr(1 - p, 1 - q)


def data_stage(
    y_true: Any,
    sensitive_features: Any,
    *,
    pos_label: Any = 1,
    sample_weight: Any = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Representation and label balance of every group, before any model is trained.

    Parameters
    ----------
    y_true : array-like
        Binary labels: ``pos_label`` and at most one other value.
    sensitive_features : Series, DataFrame, array-like, list of array-likes or dict
        As for :func:`group_metrics` (same group order and labels).
    pos_label : scalar, default=1
        The favourable outcome.
    sample_weight : array-like, optional
        Non-negative row weights. They weight ``share``, ``base_rate`` and
        every bias measure (``n`` becomes the total weight); ``count`` stays
        the number of rows, and the interval uses Kish's effective sample size.
    confidence_level : float, default=0.95
        Coverage of the Wilson interval of ``base_rate``.

    Returns
    -------
    pandas.DataFrame
        One row per group (indexed like :func:`group_metrics`), columns
        :data:`DATA_STAGE_COLUMNS`; see the module documentation for the
        measures. A group compared with an empty rest (a single group) gets
        NaN for the label measures; an empty combination of several features
        is a row of NaN, as in :func:`group_metrics`. ``attrs["overall"]``
        holds ``count``, ``share`` (1), ``base_rate`` and its interval on all
        rows, and ``attrs["confidence_level"]`` the intervals' coverage.

    Raises
    ------
    fairdash.InputError
        For empty input, mismatched lengths, non-binary or missing labels.
    """
    n_rows = n_rows_of(y_true, name="y_true")
    confidence_level = check_confidence_level(confidence_level)
    positive, _ = binary_indicators(y_true, None, pos_label=pos_label, n_rows=n_rows)
    weights = check_sample_weight(sample_weight, n_rows=n_rows)
    groups = encode_groups(sensitive_features, n_rows=n_rows)
    codes, n_groups = groups.codes, groups.n_groups

    def group_sums(row_weights: np.ndarray | None, rows: np.ndarray | None = None) -> np.ndarray:
        selected = codes if rows is None else codes[rows]
        sums = np.bincount(selected, weights=row_weights, minlength=n_groups)
        return groups.in_index_order(sums)

    sizes = group_sums(None)
    if weights is None:
        n_d = sizes.astype(np.float64)
        pos_d = group_sums(None, positive).astype(np.float64)
        n_eff = n_d
        n_eff_all = float(n_rows)
    else:
        n_d = group_sums(weights)
        pos_d = group_sums(np.where(positive, weights, 0.0))
        sq_d = group_sums(weights * weights)
        n_eff = kish_effective_n(n_d, sq_d)
        n_eff_all = float(kish_effective_n(n_d.sum(), sq_d.sum()))
    n_all, pos_all = n_d.sum(), pos_d.sum()
    n_a, pos_a = n_all - n_d, pos_all - pos_d

    with np.errstate(divide="ignore", invalid="ignore"):
        q_d = pos_d / n_d
        q_a = pos_a / n_a
        middle = (q_a + q_d) / 2
        lower, upper = wilson_interval(q_d, n_eff, confidence_level=confidence_level)
        columns = {
            "count": sizes.astype(np.float64),
            "share": n_d / n_all,
            "base_rate": q_d,
            "base_rate_lower": lower,
            "base_rate_upper": upper,
            "class_imbalance": (n_a - n_d) / (n_a + n_d),
            "difference_in_proportions": q_a - q_d,
            "kl_divergence": _kl(q_a, q_d),
            "js_divergence": (_kl(q_a, middle) + _kl(q_d, middle)) / 2,
            "total_variation_distance": np.abs(q_a - q_d),
        }
    by_group = pd.DataFrame(columns, index=groups.index)
    by_group.loc[sizes == 0] = np.nan  # empty combinations: all-NaN rows
    # An empty rest (single group) leaves every comparison but CI undefined.
    by_group.loc[~(n_a > 0), list(DATA_STAGE_COLUMNS[6:])] = np.nan

    base_rate = pos_all / n_all
    overall_lower, overall_upper = wilson_interval(
        base_rate, n_eff_all, confidence_level=confidence_level
    )
    by_group.attrs["overall"] = {
        "count": float(n_rows),
        "share": 1.0,
        "base_rate": float(base_rate),
        "base_rate_lower": float(overall_lower),
        "base_rate_upper": float(overall_upper),
    }
    by_group.attrs["confidence_level"] = confidence_level
    return by_group
