"""From a prediction log reduced to counts to the same GroupMetrics as in memory.

The engines (DuckDB, Spark) return a :class:`CellTable`: a few hundred rows,
whatever the size of the log. Everything after that runs here, once, for every
engine: checking the labels, finding the favourable one, ordering and labelling
the groups exactly as :func:`fairdash.metrics.group_metrics` does (the table's
key columns go through the same group encoding, weighted by their counts), and
building :class:`~fairdash.metrics.GroupMetrics` from the cell sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash.groups import MISSING_LABEL, GroupEncoding, bin_labels, encode_groups
from fairdash.groups._frame import _categorical
from fairdash.metrics._group_metrics import (
    GroupMetrics,
    grouped_roc_auc,
    metrics_from_cell_sums,
)

__all__ = [
    "CellTable",
    "favourable_indicators",
    "metrics_from_cell_table",
    "roc_auc_error_bound",
    "table_groups",
]


@dataclass(frozen=True)
class CellTable:
    """A prediction log reduced to counts by an engine.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per (group values, true label, predicted label): key columns
        named after the sensitive features, ``y``, ``p``, ``n`` (rows) and,
        with sample weights, ``sw`` and ``sw2`` (sums of weights and of their
        squares), ``n_weight`` (rows with a weight) and ``w_min`` (the
        smallest weight).
    histogram : pandas.DataFrame or None
        With a score: one row per (group values, true label, score bin): key
        columns, ``y``, ``b`` (bin), ``n`` and, with weights, ``sw``.
    sensitive_features : list of str
        The key columns, in order.
    binned : dict of str to tuple of float
        Bin edges of the binned numeric sensitive features (keys hold bin indices).
    score_range : (float, float) or None
        Lowest and highest score; bin ``b`` covers ``lo + b * width`` onwards.
    n_bins : int
        Number of score bins.
    n_rows : int
        Rows in the log.
    n_columns : int
        Columns in the log.
    source : str
        What was read (for messages).
    notes : tuple of str
        What the user should know (default bins, ...).
    """

    cells: pd.DataFrame
    histogram: pd.DataFrame | None
    sensitive_features: list[str]
    binned: dict[str, tuple[float, ...]]
    score_range: tuple[float, float] | None
    n_bins: int
    n_rows: int
    source: str
    notes: tuple[str, ...] = field(default=())
    n_columns: int = 0

    def over(self, sensitive_features: Sequence[str]) -> CellTable:
        """The same counts over some of the sensitive features (summed over the others).

        The rows keep their keys; :func:`metrics_from_cell_table` adds up rows
        that share a group, so no pass over the log is needed.
        """
        chosen = list(sensitive_features)
        unknown = [c for c in chosen if c not in self.sensitive_features]
        if unknown or not chosen:
            raise InputError(
                f"Choose sensitive features among {self.sensitive_features}; got {chosen}.",
                column=unknown[0] if unknown else None,
            )
        binned = {k: v for k, v in self.binned.items() if k in chosen}
        return replace(self, sensitive_features=chosen, binned=binned)

    def key_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The key columns of ``cells`` or ``histogram`` as the ordered categoricals that
        :func:`fairdash.sensitive_frame` gives for the same rows."""
        columns = {}
        for column in self.sensitive_features:
            values = frame[column]
            if column in self.binned:
                labels = bin_labels(np.asarray(self.binned[column]))
                missing = values.isna().to_numpy()
                codes = np.where(missing, len(labels), values.fillna(0).to_numpy(dtype=np.int64))
                categories = [*labels, MISSING_LABEL]
                columns[column] = pd.Categorical.from_codes(codes, categories=categories)
            else:
                columns[column] = _categorical(values)
        return pd.DataFrame(columns, index=frame.index)


def roc_auc_error_bound(
    *, codes: np.ndarray, n_groups: int, positive: np.ndarray, bins: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """Largest difference between the binned and the exact ROC AUC of each group.

    Scores in one bin are treated as tied (each positive-negative pair in the
    bin counts one half); only such pairs can differ from the exact statistic,
    by at most one half each. The bound is ``sum_b P_b N_b / (2 P N)`` per
    group, with ``P_b``, ``N_b`` the (weighted) positives and negatives of bin
    ``b`` and ``P``, ``N`` their totals.
    """
    n_bins = int(bins.max()) + 1 if len(bins) else 1
    cell = codes.astype(np.int64) * n_bins + bins.astype(np.int64)
    size = n_groups * n_bins
    pos = np.bincount(cell, weights=np.where(positive, weight, 0.0), minlength=size)
    neg = np.bincount(cell, weights=np.where(positive, 0.0, weight), minlength=size)
    pos, neg = pos.reshape(n_groups, n_bins), neg.reshape(n_groups, n_bins)
    tied = (pos * neg).sum(axis=1)
    p, q = pos.sum(axis=1), neg.sum(axis=1)
    out = np.full(n_groups, np.nan)
    np.divide(tied, 2 * p * q, out=out, where=(p > 0) & (q > 0))
    return out


def _positive_values(values: Sequence[Any], label: Any, *, column: str) -> set:
    from fairdash._predictions import _same  # the CLI's rule for a label given as text

    matches = {v for v in values if _same(v, label)}
    if not matches:
        raise InputError(
            f"The favourable label {label!r} does not occur in the column '{column}' "
            f"(values: {', '.join(map(repr, list(values)[:5]))}).",
            column=column,
        )
    return matches


def favourable_indicators(
    table: CellTable, *, target: str, prediction: str, pos_label: Any
) -> tuple[set, np.ndarray, np.ndarray]:
    """The favourable labels, and which rows of ``table.cells`` hold a favourable true
    and predicted outcome; refuses missing or non-binary labels and predictions."""
    cells = table.cells
    if cells["y"].isna().any():
        n = int(cells.loc[cells["y"].isna(), "n"].sum())
        raise InputError(
            f"The target column '{target}' has {n:,} missing value(s) in {table.source}; "
            "every audited row needs a true outcome.",
            column=target,
        )
    if cells["p"].isna().any():
        n = int(cells.loc[cells["p"].isna(), "n"].sum())
        raise InputError(
            f"The prediction column '{prediction}' has {n:,} missing value(s) in "
            f"{table.source}; every audited row needs a prediction.",
            column=prediction,
        )
    labels = list(pd.unique(cells["y"]))
    if len(labels) > 2:
        raise InputError(
            f"The target column '{target}' must be binary, but it holds {len(labels):,} "
            f"distinct values ({', '.join(map(repr, labels[:5]))}).",
            column=target,
        )
    favourable = _positive_values(labels, pos_label, column=target)
    true_pos = cells["y"].isin(favourable).to_numpy()
    predicted = list(pd.unique(cells["p"]))
    from fairdash._predictions import _same

    if all(any(_same(v, t) for t in labels) for v in predicted):
        pred_pos = cells["p"].isin({v for v in predicted if any(_same(v, f) for f in favourable)})
        pred_pos = pred_pos.to_numpy()
    elif all(_same(v, 0) or _same(v, 1) for v in predicted):
        pred_pos = cells["p"].map(lambda v: _same(v, 1)).to_numpy(dtype=bool)
    else:
        raise InputError(
            f"The prediction column '{prediction}' must be binary: 0/1 (1 = favourable) or the "
            f"target's labels, but it holds {', '.join(map(repr, predicted[:5]))}.",
            column=prediction,
        )
    return favourable, true_pos, pred_pos


def table_groups(table: CellTable) -> GroupEncoding:
    """The groups of ``table``'s cells followed by those of its histogram (one encoding,
    so both share the group order and labels of :func:`fairdash.metrics.group_metrics`)."""
    raw = [table.cells[table.sensitive_features]]
    if table.histogram is not None:
        raw.append(table.histogram[table.sensitive_features])
    keys = table.key_frame(pd.concat(raw, ignore_index=True))
    return encode_groups(keys, n_rows=len(keys))


def metrics_from_cell_table(
    table: CellTable,
    *,
    target: str,
    prediction: str,
    pos_label: Any,
    weighted: bool = False,
    min_group_size: int = 30,
    confidence_level: float = 0.95,
) -> GroupMetrics:
    """The :class:`~fairdash.metrics.GroupMetrics` of the log a :class:`CellTable` sums up.

    Parameters
    ----------
    table : CellTable
        The engine's counts.
    target, prediction : str
        Column names (for messages).
    pos_label : scalar
        The favourable outcome, as in the target column (a text spelling of it,
        such as ``"1"`` for 1, is accepted). Predictions are either in the
        target's labels or 0/1 with 1 favourable.
    weighted : bool, default=False
        Whether ``table`` holds weight sums (``sw``, ``sw2``).
    min_group_size, confidence_level
        As for :func:`fairdash.metrics.group_metrics`.

    Returns
    -------
    GroupMetrics
        Equal to ``group_metrics`` on the full log: counts exactly, rates to
        rounding. ``roc_auc`` (with a score) is that of the binned scores;
        ``attrs``-like attribute ``roc_auc_error_bound`` bounds its distance to
        the exact AUC per group.
    """
    cells = table.cells
    favourable, true_pos, pred_pos = favourable_indicators(
        table, target=target, prediction=prediction, pos_label=pos_label
    )
    hist = table.histogram
    groups = table_groups(table)
    n_groups = groups.n_groups
    codes = groups.codes[: len(cells)]

    cell = codes * 4 + 2 * true_pos.astype(np.intp) + pred_pos.astype(np.intp)
    n_cells = 4 * n_groups

    def cell_sums(values: np.ndarray) -> np.ndarray:
        sums = np.bincount(cell, weights=values, minlength=n_cells)
        return groups.in_index_order(sums.reshape(n_groups, 4))

    counts = np.rint(cell_sums(cells["n"].to_numpy(np.float64))).astype(np.int64)
    if weighted:
        sums = cell_sums(cells["sw"].to_numpy(np.float64))
        sq_sums = cell_sums(cells["sw2"].to_numpy(np.float64))
    else:
        sums, sq_sums = counts.astype(np.float64), None

    roc_auc = None
    bound = None
    if hist is not None:
        hist_codes = groups.codes[len(cells) :]
        hist_pos = hist["y"].isin(favourable).to_numpy()
        weight = hist["sw"].to_numpy(np.float64) if weighted else hist["n"].to_numpy(np.float64)
        score = hist["b"].to_numpy(np.float64)
        auc = groups.in_index_order(
            grouped_roc_auc(
                codes=hist_codes, n_groups=n_groups, positive=hist_pos, score=score, weights=weight
            )
        )
        overall = grouped_roc_auc(
            codes=None, n_groups=1, positive=hist_pos, score=score, weights=weight
        )[0]
        roc_auc = (auc, float(overall))
        bound = groups.in_index_order(
            roc_auc_error_bound(
                codes=hist_codes,
                n_groups=n_groups,
                positive=hist_pos,
                bins=hist["b"].to_numpy(np.int64),
                weight=weight,
            )
        )

    metrics = metrics_from_cell_sums(
        sums,
        group_sizes=counts.sum(axis=1),
        index=groups.index,
        sq_sums=sq_sums,
        roc_auc=roc_auc,
        min_group_size=min_group_size,
        confidence_level=confidence_level,
    )
    if bound is not None:
        metrics.roc_auc_error_bound = pd.Series(bound, index=groups.index, name="roc_auc")
    return metrics
