"""Distances between the distributions of a value (e.g. predictions) across groups.

Both measures compare empirical cumulative distribution functions (ECDFs):
the Kolmogorov-Smirnov distance is their largest vertical gap, the
Wasserstein-1 distance the area between them. With several groups the
largest distance over all pairs of (non-empty) groups is reported.
"""

from __future__ import annotations

from itertools import combinations, pairwise
from typing import Any

import numpy as np

from fairdash._errors import InputError
from fairdash._validation import check_sample_weight, n_rows_of, numeric_array
from fairdash.groups import encode_groups

__all__ = [
    "grouped_ks_distance",
    "grouped_wasserstein_distance",
    "ks_distance",
    "wasserstein_distance",
]


def _split_sorted(
    values: np.ndarray, codes: np.ndarray, n_groups: int, weights: np.ndarray | None
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Sorted values (and cumulative weights, led by 0) of every non-empty group."""
    order = np.lexsort((values, codes))
    sorted_values = values.take(order)
    bounds = np.searchsorted(codes.take(order), np.arange(n_groups + 1))
    sorted_weights = None if weights is None else weights.take(order)
    groups = []
    for start, stop in pairwise(bounds):
        if stop == start:
            continue
        cumweights = None
        if sorted_weights is not None:
            cumweights = np.concatenate(([0.0], np.cumsum(sorted_weights[start:stop])))
            if not cumweights[-1] > 0:
                continue  # a group with zero total weight has no distribution
        groups.append((sorted_values[start:stop], cumweights))
    return groups


def _ecdf(sorted_values: np.ndarray, cumweights: np.ndarray | None, at: np.ndarray) -> np.ndarray:
    # Same arithmetic as scipy.stats.ks_2samp / wasserstein_distance.
    positions = sorted_values.searchsorted(at, "right")
    if cumweights is None:
        return positions / sorted_values.size
    return cumweights[positions] / cumweights[-1]


def grouped_ks_distance(
    values: np.ndarray, codes: np.ndarray, *, n_groups: int, weights: np.ndarray | None = None
) -> float:
    """Largest Kolmogorov-Smirnov distance over all pairs of groups (NaN with < 2 groups).

    The largest gap over pairs equals the largest spread ``max_g F_g - min_g F_g``
    of the groups' ECDFs at any point, so one pass per group suffices.
    """
    groups = _split_sorted(values, codes, n_groups, weights)
    if len(groups) < 2:
        return float("nan")
    at = np.unique(values)
    highest = np.full(at.shape, -np.inf)
    lowest = np.full(at.shape, np.inf)
    for sorted_values, cumweights in groups:
        cdf = _ecdf(sorted_values, cumweights, at)
        np.maximum(highest, cdf, out=highest)
        np.minimum(lowest, cdf, out=lowest)
    return float(np.max(highest - lowest))


def _w1(u: tuple[np.ndarray, np.ndarray | None], v: tuple[np.ndarray, np.ndarray | None]) -> float:
    # scipy.stats.wasserstein_distance on already sorted samples.
    all_values = np.concatenate((u[0], v[0]))
    all_values.sort(kind="mergesort")
    deltas = np.diff(all_values)
    u_cdf = _ecdf(u[0], u[1], all_values[:-1])
    v_cdf = _ecdf(v[0], v[1], all_values[:-1])
    return float(np.sum(np.multiply(np.abs(u_cdf - v_cdf), deltas)))


def grouped_wasserstein_distance(
    values: np.ndarray, codes: np.ndarray, *, n_groups: int, weights: np.ndarray | None = None
) -> float:
    """Largest Wasserstein-1 distance over all pairs of groups (NaN with < 2 groups)."""
    groups = _split_sorted(values, codes, n_groups, weights)
    if len(groups) < 2:
        return float("nan")
    return max(_w1(u, v) for u, v in combinations(groups, 2))


def _prepare(
    values: Any, groups: Any, sample_weight: Any
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray | None]:
    n_rows = n_rows_of(values, name="values")
    array = numeric_array(values, name="values", n_rows=n_rows)
    weights = check_sample_weight(sample_weight, n_rows=n_rows)
    if groups is None:
        raise InputError("groups is missing: give the group (sensitive feature) of every row.")
    encoding = encode_groups(groups, n_rows=n_rows)
    return array, encoding.codes, encoding.n_groups, weights


def ks_distance(values: Any, groups: Any, *, sample_weight: Any = None) -> float:
    """Largest two-sample Kolmogorov-Smirnov statistic between any two groups.

    For two groups this equals ``scipy.stats.ks_2samp(a, b).statistic``.

    Parameters
    ----------
    values : array-like
        Numeric values, e.g. predictions or scores.
    groups : array-like, Series, DataFrame, list or dict
        Group of every row, in any form :func:`group_metrics` accepts as
        ``sensitive_features`` (several features: their combinations).
    sample_weight : array-like, optional
        Row weights; the groups' ECDFs are then weighted.

    Returns
    -------
    float
        In [0, 1]; NaN when fewer than two groups have rows.
    """
    array, codes, n_groups, weights = _prepare(values, groups, sample_weight)
    return grouped_ks_distance(array, codes, n_groups=n_groups, weights=weights)


def wasserstein_distance(values: Any, groups: Any, *, sample_weight: Any = None) -> float:
    """Largest Wasserstein-1 (earth mover's) distance between any two groups.

    For two groups this equals ``scipy.stats.wasserstein_distance(a, b)``
    (with ``u_weights``/``v_weights`` when weighted). It is in the units of
    ``values``.

    Parameters
    ----------
    values : array-like
        Numeric values, e.g. predictions.
    groups : array-like, Series, DataFrame, list or dict
        Group of every row, as for :func:`ks_distance`.
    sample_weight : array-like, optional
        Row weights.

    Returns
    -------
    float
        NaN when fewer than two groups have rows.
    """
    array, codes, n_groups, weights = _prepare(values, groups, sample_weight)
    return grouped_wasserstein_distance(array, codes, n_groups=n_groups, weights=weights)
