"""What-if threshold curves of a prediction log, from its per-group score histogram.

The engines reduce a log's scores to counts per (group, true label, score bin)
(:attr:`~fairdash.engines.CellTable.histogram`). Thresholding at a bin's lower
edge selects exactly the rows of that bin and the bins above it, so the
confusion cells at every edge follow from cumulative counts, as
:class:`fairdash.thresholds.ThresholdCurves` gets them from sorted scores: a
query costs one binary search per group, whatever the number of rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fairdash._errors import InputError
from fairdash.engines._aggregate import CellTable, favourable_indicators, table_groups
from fairdash.thresholds import ThresholdCurves, index_order_codes

__all__ = ["HistogramThresholdCurves", "bin_edges", "threshold_curves_from_table"]

# Rounding moves a computed edge by a few units in the last place at most.
_MAX_NUDGES = 64


def _bin_of(scores: np.ndarray, *, lo: float, width: float, n_bins: int) -> np.ndarray:
    """The engines' bin of each score (``fairdash.engines._sql.cells_query``), in numpy."""
    raw = np.floor((scores - lo) / width * n_bins)
    return np.minimum(raw, n_bins - 1)


def bin_edges(bins: Any, *, score_range: tuple[float, float], n_bins: int) -> np.ndarray:
    """The lowest score that falls in each of ``bins`` (or a higher one).

    For bin ``k`` this is the smallest double ``e`` whose bin is at least ``k``,
    so for every score ``s``: ``s >= e`` exactly when the bin of ``s`` is at
    least ``k``. The edge ``lo + k * (hi - lo) / n_bins`` computed in floating
    point can miss that by an ulp or two, so it is moved to the exact value.

    Parameters
    ----------
    bins : array-like of int
        Bin indices, ``0 <= k < n_bins``.
    score_range : (float, float)
        The lowest and highest score of the log.
    n_bins : int

    Returns
    -------
    numpy.ndarray of float64
    """
    k = np.asarray(bins, dtype=np.float64)
    lo, hi = score_range
    width = (hi - lo) or 1.0

    def bin_of(values: np.ndarray) -> np.ndarray:
        return _bin_of(values, lo=lo, width=width, n_bins=n_bins)

    edges = lo + k * (width / n_bins)
    for _ in range(_MAX_NUDGES):
        low = bin_of(edges) < k
        if not low.any():
            break
        edges[low] = np.nextafter(edges[low], np.inf)
    for _ in range(_MAX_NUDGES):
        below = np.nextafter(edges, -np.inf)
        high = (bin_of(below) >= k) & (k > 0)
        if not high.any():
            break
        edges[high] = below[high]
    edges[k == 0] = lo  # every score is at least the lowest one
    return edges


class HistogramThresholdCurves(ThresholdCurves):
    """Per-group confusion counts at any thresholds, from a log's score histogram.

    The interface of :class:`fairdash.thresholds.ThresholdCurves` (and so its
    strategies), with each histogram bin standing for its rows: the "scores"
    are the lower edges of the occupied bins (see :func:`bin_edges`) and the
    bins' row counts are frequency weights. Exact at the histogram's bin
    edges: there the cells equal thresholding every row of the log. A
    threshold between two edges acts as the next edge up (:meth:`snap`).

    Parameters
    ----------
    table : CellTable
        With a histogram (``aggregate_log(..., score=...)``).
    target, prediction : str
        Column names (for messages).
    pos_label : scalar, default=1
        The favourable outcome, as for :func:`fairdash.engines.metrics_from_cell_table`.
    weighted : bool, default=False
        Use the histogram's weight sums (``sw``); then, as with sample weights
        in memory, the Wilson intervals take the weighted counts as sample sizes.

    Attributes
    ----------
    index : pandas.Index
        Group labels, as ``metrics_from_cell_table(table, ...).by_group.index``.
    n_groups : int
    group_sizes : numpy.ndarray of int64
        Rows of the log per group (true row counts, also with weights).
    score_range : (float, float)
    """

    def __init__(
        self,
        table: CellTable,
        *,
        target: str,
        prediction: str,
        pos_label: Any = 1,
        weighted: bool = False,
    ) -> None:
        hist = table.histogram
        if hist is None or table.score_range is None:
            raise InputError(
                f"{table.source} was aggregated without a score column, so there are no "
                "thresholds to move; choose the score column."
            )
        favourable, _, _ = favourable_indicators(
            table, target=target, prediction=prediction, pos_label=pos_label
        )
        groups = table_groups(table)
        self.index = groups.index
        self.n_groups = groups.n_groups
        self.score_range = table.score_range
        self._n_bins = table.n_bins
        codes = index_order_codes(groups)[len(table.cells) :]
        bins = hist["b"].to_numpy(np.int64)
        positive = hist["y"].isin(favourable).to_numpy()
        rows = hist["n"].to_numpy(np.int64)
        weight = hist["sw"].to_numpy(np.float64) if weighted else rows
        self._weighted = weighted

        # One entry per occupied (group, bin), sorted by group then bin.
        key = codes.astype(np.int64) * table.n_bins + bins
        keys, inverse = np.unique(key, return_inverse=True)
        dtype = np.float64 if weighted else np.int64
        all_w = np.bincount(inverse, weights=weight, minlength=len(keys)).astype(dtype)
        pos_w = np.bincount(
            inverse, weights=np.where(positive, weight, 0), minlength=len(keys)
        ).astype(dtype)
        edges = bin_edges(keys % table.n_bins, score_range=table.score_range,
                          n_bins=table.n_bins)
        entries = np.bincount(keys // table.n_bins, minlength=self.n_groups)
        self._cumulate(edges, all_w, pos_w, entries)
        self.group_sizes = np.bincount(codes, weights=rows, minlength=self.n_groups).astype(
            np.int64
        )

    def snap(self, thresholds: Any) -> np.ndarray:
        """The bin edge each threshold acts as: the group's lowest edge at or above it.

        ``inf`` where no occupied bin is at or above it (nobody selected).
        """
        t = self._thresholds(thresholds)
        out = np.full(self.n_groups, np.inf)
        for g in range(self.n_groups):
            edges = self.group_scores(g)
            i = np.searchsorted(edges, t[g])
            if i < len(edges):
                out[g] = edges[i]
        return out

    def predict(self, thresholds: Any) -> np.ndarray:
        """Not available: the log's rows stay where they are (only counts are here)."""
        raise InputError(
            "Row-level decisions are not available for a log audited where it lives; "
            "only the counts per group and score bin are."
        )


def threshold_curves_from_table(
    table: CellTable,
    *,
    target: str,
    prediction: str,
    pos_label: Any = 1,
    weighted: bool = False,
) -> HistogramThresholdCurves:
    """What-if threshold curves of the log a :class:`CellTable` sums up.

    Parameters
    ----------
    table : CellTable
        With a score histogram.
    target, prediction, pos_label, weighted
        As for :class:`HistogramThresholdCurves`.

    Returns
    -------
    HistogramThresholdCurves
        Exact at the histogram's bin edges (thresholds between edges snap to
        the next edge up).
    """
    return HistogramThresholdCurves(
        table, target=target, prediction=prediction, pos_label=pos_label, weighted=weighted
    )
