"""Threshold queries answered from per-group pre-sorted scores and cumulative counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash._validation import (
    binary_indicators,
    check_sample_weight,
    n_rows_of,
    numeric_array,
)
from fairdash.groups import GroupEncoding, encode_groups, group_label_index
from fairdash.metrics._group_metrics import _FN, _FP, GroupMetrics, metrics_from_cell_sums

__all__ = [
    "ThresholdCurves",
    "decision_cost",
    "index_order_codes",
    "naive_cell_sums",
    "sorted_group_codes",
]


def _selected(y_score: np.ndarray, thresholds: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Whether each row is selected: its score is at least its group's threshold.

    Parameters
    ----------
    y_score : numpy.ndarray of shape (n_rows,)
    thresholds : numpy.ndarray of shape (n_groups,)
    codes : numpy.ndarray of shape (n_rows,)
        Group of every row, as a position in ``thresholds``.

    Returns
    -------
    numpy.ndarray of bool
    """
    return y_score >= np.asarray(thresholds, dtype=np.float64)[codes]


def decision_cost(cells: Any, *, cost_ratio: float) -> np.ndarray:
    """Cost of the decisions counted in confusion cells.

    A false positive costs ``cost_ratio`` and a false negative 1 (so with a
    ratio of 1 the cost is the number of errors).

    Parameters
    ----------
    cells : array-like of shape (..., 4)
        True negatives, false positives, false negatives, true positives.
    cost_ratio : float
        Cost of a false positive relative to a false negative.

    Returns
    -------
    numpy.ndarray of shape (...)
    """
    cells = np.asarray(cells, dtype=np.float64)
    return cost_ratio * cells[..., _FP] + cells[..., _FN]


def index_order_codes(groups: GroupEncoding) -> np.ndarray:
    """The encoding's codes renumbered in group-index order (code ``i`` is ``index[i]``)."""
    return groups.codes_in_index_order()


def sorted_group_codes(sensitive_features: Any, *, n_rows: int) -> tuple[np.ndarray, pd.Index]:
    """One code per row numbered in group-index order (code ``i`` is ``index[i]``)."""
    groups = encode_groups(sensitive_features, n_rows=n_rows)
    return index_order_codes(groups), groups.index


def naive_cell_sums(
    y_true: np.ndarray,
    y_score: np.ndarray,
    codes: np.ndarray,
    thresholds: np.ndarray,
    *,
    n_groups: int,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Confusion cells per group by thresholding every row (the reference recompute).

    A row is predicted positive when its score is at least its group's threshold.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_groups, 4)``: true negatives, false positives, false
        negatives, true positives.
    """
    y_pred = _selected(y_score, thresholds, codes)
    cells = codes * 4 + 2 * y_true.astype(np.intp) + y_pred
    return np.bincount(cells, weights=sample_weight, minlength=4 * n_groups).reshape(n_groups, 4)


class ThresholdCurves:
    """Per-group confusion counts at any thresholds, in time independent of the rows.

    Scores are sorted once per group, with cumulative (weighted) counts of rows
    and of positives; a query is then one binary search per group. A row is
    predicted positive when ``score >= threshold`` of its group.

    Parameters
    ----------
    y_true : array-like
        Binary labels.
    y_score : array-like
        Scores (probabilities or any real numbers; higher means more positive).
    sensitive_features : Series, DataFrame, array-like, list or dict
        As for :func:`fairdash.metrics.group_metrics` (same groups and order).
    sample_weight : array-like, optional
    pos_label : scalar, default=1

    Attributes
    ----------
    codes : numpy.ndarray
        Group of every row, as a position in :attr:`index`.
    index : pandas.Index
        Group labels, as ``group_metrics(...).by_group.index``.
    n_groups : int
    group_sizes : numpy.ndarray
        Rows per group.
    """

    def __init__(
        self,
        y_true: Any,
        y_score: Any,
        sensitive_features: Any,
        *,
        sample_weight: Any = None,
        pos_label: Any = 1,
    ) -> None:
        n_rows = n_rows_of(y_true, name="y_true")
        positive, _ = binary_indicators(y_true, None, pos_label=pos_label, n_rows=n_rows)
        score = numeric_array(y_score, name="y_score", n_rows=n_rows)
        if not np.isfinite(score).all():
            raise InputError("The scores contain infinite values; thresholds need finite scores.")
        weights = check_sample_weight(sample_weight, n_rows=n_rows)
        codes, self.index = sorted_group_codes(sensitive_features, n_rows=n_rows)
        self.codes = codes
        self.n_groups = len(self.index)
        self._row_scores = score
        order = np.lexsort((score, codes))
        sizes = np.bincount(codes, minlength=self.n_groups)
        self.group_sizes = sizes
        self._weighted = weights is not None
        row_w = np.ones(n_rows, dtype=np.int64) if weights is None else weights[order]
        self._cumulate(score[order], row_w, np.where(positive[order], row_w, 0), sizes)

    def _cumulate(
        self, scores: np.ndarray, weight: np.ndarray, positive_weight: np.ndarray,
        entries: np.ndarray,
    ) -> None:
        """Keep the sorted scores and their per-group cumulative (positive) weights.

        ``scores`` are sorted by group then score, group ``g`` owning ``entries[g]``
        of them; ``weight`` and ``positive_weight`` go with them.
        """
        self._scores = scores
        # Group g owns sorted entries [starts[g], starts[g + 1]) and cumulative
        # entries [starts[g] + g, starts[g + 1] + g] (one leading zero per group).
        self._starts = np.concatenate([[0], np.cumsum(entries)])
        cum_all = np.zeros(len(scores) + self.n_groups, dtype=weight.dtype)
        cum_pos = np.zeros(len(scores) + self.n_groups, dtype=weight.dtype)
        for g in range(self.n_groups):
            a, b = self._starts[g], self._starts[g + 1]
            np.cumsum(weight[a:b], out=cum_all[a + g + 1 : b + g + 1])
            np.cumsum(positive_weight[a:b], out=cum_pos[a + g + 1 : b + g + 1])
        self._cum_all = cum_all
        self._cum_pos = cum_pos
        last = self._starts[1:] + np.arange(self.n_groups)
        self._total = cum_all[last]
        self._positives = cum_pos[last]

    def group_scores(self, group: int) -> np.ndarray:
        """Sorted scores of the group at position ``group`` (a view)."""
        return self._scores[self._starts[group] : self._starts[group + 1]]

    def _thresholds(self, thresholds: Any) -> np.ndarray:
        t = np.asarray(thresholds, dtype=np.float64)
        if t.ndim == 0:
            t = np.full(self.n_groups, float(t))
        if t.shape != (self.n_groups,):
            raise InputError(
                f"Expected one threshold or one per group ({self.n_groups}); got {t.shape[0]}."
            )
        if np.isnan(t).any():
            raise InputError("A threshold is missing (NaN).")
        return t

    def below(self, thresholds: Any) -> np.ndarray:
        """Rows per group with a score below its threshold (predicted negative)."""
        t = self._thresholds(thresholds)
        found = [np.searchsorted(self.group_scores(g), t[g]) for g in range(self.n_groups)]
        return np.array(found, dtype=np.intp)

    def cell_sums(self, thresholds: Any) -> np.ndarray:
        """Confusion cells per group at the given thresholds.

        Parameters
        ----------
        thresholds : float or array-like of shape (n_groups,)
            One threshold for every group, or one per group (in :attr:`index` order).

        Returns
        -------
        numpy.ndarray
            Shape ``(n_groups, 4)``: true negatives, false positives, false
            negatives, true positives (weighted if weights were given). Equal
            to thresholding every row and counting (exactly, without weights).
        """
        k = self.below(thresholds) + np.arange(self.n_groups) + self._starts[:-1]
        return self._cells_at(k, self._positives, self._total)

    def _cells_at(self, k: np.ndarray, positives: np.ndarray, total: np.ndarray) -> np.ndarray:
        """Confusion cells from cumulative positions ``k`` (the rows below a threshold).

        The one place the four cells are derived from the cumulative counts;
        ``positives`` and ``total`` broadcast against ``k``.
        """
        negatives_pred = self._cum_all[k]
        fn = self._cum_pos[k]
        tn = negatives_pred - fn
        tp = positives - fn
        fp = total - positives - tn
        return np.stack([tn, fp, fn, tp], axis=-1).astype(np.float64)

    def common_threshold_cells(self, candidates: Any) -> np.ndarray:
        """Confusion cells of every group at each of several common thresholds.

        Parameters
        ----------
        candidates : array-like of shape (n_candidates,)
            Thresholds applied to every group alike.

        Returns
        -------
        numpy.ndarray
            Shape ``(n_groups, n_candidates, 4)``.
        """
        candidates = np.asarray(candidates, dtype=np.float64)
        below = np.stack(
            [np.searchsorted(self.group_scores(g), candidates, side="left")
             for g in range(self.n_groups)]
        ).reshape(self.n_groups, len(candidates))
        k = below + (np.arange(self.n_groups) + self._starts[:-1])[:, None]
        return self._cells_at(k, self._positives[:, None], self._total[:, None])

    def predict(self, thresholds: Any) -> np.ndarray:
        """The 0/1 decision of every row (in the order given) at the thresholds.

        Parameters
        ----------
        thresholds : float or array-like of shape (n_groups,)

        Returns
        -------
        numpy.ndarray of int64
        """
        t = self._thresholds(thresholds)
        return _selected(self._row_scores, t, self.codes).astype(np.int64)

    def metrics(
        self, thresholds: Any, *, min_group_size: int = 30, confidence_level: float = 0.95
    ) -> GroupMetrics:
        """The group metrics of the thresholded scores, as :func:`group_metrics` gives them.

        Built from :meth:`cell_sums`, so the cost does not grow with the rows.
        ``roc_auc`` is left out: it does not depend on the thresholds. With
        sample weights, the Wilson intervals use the weighted counts as sample
        sizes (the row-level squared weights are not kept per threshold).
        """
        return metrics_from_cell_sums(
            self.cell_sums(thresholds),
            group_sizes=self.group_sizes,
            index=self.index,
            min_group_size=min_group_size,
            confidence_level=confidence_level,
        )

    def candidate_cells(self, group: int) -> tuple[np.ndarray, np.ndarray]:
        """Every distinct outcome of a threshold for one group.

        Returns
        -------
        thresholds : numpy.ndarray
            The group's distinct scores and ``+inf`` (nobody selected), ascending.
        cells : numpy.ndarray
            Shape ``(len(thresholds), 4)``: the confusion cells at each threshold.
        """
        scores = self.group_scores(group)
        uniq, first = np.unique(scores, return_index=True)
        k = np.concatenate([first, [len(scores)]]) + self._starts[group] + group
        cells = self._cells_at(k, self._positives[group], self._total[group])
        return np.concatenate([uniq, [np.inf]]), cells

    def labels(self) -> list[str]:
        """Readable group labels (``Female × White``)."""
        return group_label_index(self.index)
