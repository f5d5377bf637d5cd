"""Exhaustive search for the slices of the data where a model does worst."""

from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash.slices._counting import combination_sums
from fairdash.slices._encode import EncodedColumns, encode_columns
from fairdash.slices._metrics import (
    HARM_DIRECTION,
    MEAN_METRICS,
    PROPORTION_METRICS,
    cell_stats,
    evaluate_cells,
    row_sums,
)
from fairdash.slices._significance import benjamini_hochberg

__all__ = ["SLICE_COLUMNS", "SLICE_METRICS", "find_slices", "slice_summary"]

#: Metrics :func:`find_slices` can rank by.
SLICE_METRICS: tuple[str, ...] = (*PROPORTION_METRICS, *MEAN_METRICS)
#: Columns of the table :func:`find_slices` returns.
SLICE_COLUMNS: tuple[str, ...] = (
    "slice",
    "conditions",
    "order",
    "size",
    "denominator",
    "value",
    "complement",
    "gap",
    "harm",
    "ci_low",
    "ci_high",
    "p_value",
    "q_value",
    "significant",
)
# Joins the conditions of a slice in its readable name.
_AND = " & "
# The numeric columns, taken as they are from the evaluated cells.
_NUMBERS = (
    "size", "denominator", "value", "complement", "gap", "harm", "ci_low", "ci_high", "p_value"
)


def _check_integer(value: Any, *, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InputError(f"{name} must be an integer of at least {minimum}, not {value!r}.")
    return int(value)


def _check_features(features: Any) -> pd.DataFrame:
    if not isinstance(features, pd.DataFrame):
        raise InputError(
            f"features must be a pandas DataFrame of the columns to search, not "
            f"{type(features).__name__}."
        )
    if features.shape[1] == 0:
        raise InputError("Choose at least one column to search.")
    if features.shape[0] == 0:
        raise InputError("features is empty: there are no rows to search.")
    repeated = features.columns[features.columns.duplicated()]
    if len(repeated):
        raise InputError(
            f"The column name '{repeated[0]}' appears more than once in features; give every "
            "column its own name.",
            column=str(repeated[0]),
        )
    return features


def _harm(metric: str, gap: np.ndarray) -> np.ndarray:
    direction = HARM_DIRECTION[metric]
    return np.abs(gap) if direction == 0 else direction * gap


def _clearly_worse(
    metric: str, cells: dict[str, np.ndarray], child: np.ndarray, parent: np.ndarray
) -> np.ndarray:
    """Whether each ``child`` cell's harm exceeds ``parent``'s, its interval excluding it."""
    direction = HARM_DIRECTION[metric]
    gap, harm = cells["gap"][child], cells["harm"][child]
    parent_value, parent_harm = cells["value"][parent], cells["harm"][parent]
    side = np.sign(gap) if direction == 0 else np.full(len(gap), direction)
    excluded = np.where(
        side > 0,
        cells["ci_low"][child] > parent_value,
        (side < 0) & (cells["ci_high"][child] < parent_value),
    )
    # A parent of every row has no complement: its harm is 0 by definition.
    return excluded & (harm > np.where(np.isnan(parent_harm), 0.0, parent_harm))


@dataclass(frozen=True)
class _Lattice:
    """Every cell of every combination of columns, evaluated, in one flat array per quantity.

    Combination ``i`` (``combos[i]``, of shape ``shapes[i]``) owns the cells
    ``offsets[i]`` to ``offsets[i + 1]`` in C order.
    """

    combos: list[tuple[int, ...]]
    shapes: list[tuple[int, ...]]
    offsets: np.ndarray
    cells: dict[str, np.ndarray]

    def split(self, ids: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """Sorted cell ids grouped by combination: ``(combination, local ids)`` pairs."""
        bounds = np.searchsorted(ids, self.offsets)
        return [
            (i, ids[bounds[i] : bounds[i + 1]] - self.offsets[i])
            for i in range(len(self.combos))
            if bounds[i + 1] > bounds[i]
        ]


def _evaluate(
    metric: str,
    sums: dict[tuple[int, ...], list[np.ndarray]],
    *,
    weighted: bool,
    center: float,
    min_size: int,
) -> _Lattice:
    """Every cell of every combination, evaluated at once; combinations by order, then position."""
    combos = sorted(sums, key=lambda c: (len(c), c))
    stats = [cell_stats(metric, sums[c], weighted=weighted) for c in combos]
    shapes = [s.shape[:-1] for s in stats]
    n_stats = stats[0].shape[-1]
    flat = np.concatenate([s.reshape(-1, n_stats) for s in stats])
    # The cells of any one column partition the rows: their sum is the total.
    totals = stats[0].reshape(-1, n_stats).sum(axis=0)
    cells = evaluate_cells(metric, flat, totals, center=center, min_size=min_size)
    cells["gap"] = cells["value"] - cells["complement"]
    cells["harm"] = _harm(metric, cells["gap"])
    sizes = [math.prod(shape) for shape in shapes]
    cells["order"] = np.repeat([len(c) for c in combos], sizes).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    return _Lattice(combos=combos, shapes=shapes, offsets=offsets, cells=cells)


def _refines_clearly(metric: str, lattice: _Lattice, ids: np.ndarray) -> np.ndarray:
    """Which cells ``ids`` are clearly worse than every coarser slice they refine (pruning)."""
    position_of = {combo: i for i, combo in enumerate(lattice.combos)}
    children, parents = [], []
    for i, local in lattice.split(ids):
        combo = lattice.combos[i]
        positions = np.unravel_index(local, lattice.shapes[i])
        for k in range(1, len(combo)):
            for subset in itertools.combinations(range(len(combo)), k):
                j = position_of[tuple(combo[m] for m in subset)]
                at = np.ravel_multi_index(tuple(positions[m] for m in subset), lattice.shapes[j])
                children.append(local + lattice.offsets[i])
                parents.append(at + lattice.offsets[j])
    if not children:
        return np.ones(len(ids), dtype=bool)
    child, parent = np.concatenate(children), np.concatenate(parents)
    failed = np.zeros(len(lattice.cells["value"]), dtype=bool)
    failed[child[~_clearly_worse(metric, lattice.cells, child, parent)]] = True
    return ~failed[ids]


def _labels(
    encoded: EncodedColumns, combo: tuple[int, ...], positions: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, list]:
    """Readable names and condition tuples of the cells at ``positions`` of a combination."""
    names = [encoded.names[j] for j in combo]
    values = [encoded.labels[j].take(p) for j, p in zip(combo, positions, strict=True)]
    text = None
    for name, value in zip(names, values, strict=True):
        part = f"{name} = " + value
        text = part if text is None else text + _AND + part
    pairs = [zip(itertools.repeat(n), v.tolist()) for n, v in zip(names, values, strict=True)]
    conditions = list(zip(*pairs, strict=True))
    return text, conditions


def find_slices(
    features: pd.DataFrame,
    y_true: Any,
    y_pred: Any,
    *,
    metric: str = "accuracy",
    y_score: Any = None,
    pos_label: Any = 1,
    max_order: int = 3,
    min_size: int = 30,
    bins: int = 4,
    fdr: float = 0.05,
    prune: bool = True,
    sample_weight: Any = None,
) -> pd.DataFrame:
    r"""Find the slices of the data where a model does worst, with significance.

    A slice is a conjunction of 1 to ``max_order`` conditions ``column = value``
    on distinct columns of ``features``. Every slice present in the data is
    evaluated (an exhaustive search, not a greedy one): the metric in the
    slice, on all other rows (the complement), a 95% interval, and a test of
    slice against complement, with the false discovery rate controlled over
    every slice tested.

    Parameters
    ----------
    features : pandas.DataFrame
        The candidate columns, one row per person (same rows as ``y_true``).
        Categorical columns are used as they are; numeric columns with more
        than ten distinct values are cut into ``bins`` quantile bins; missing
        values are a value of their own, ``"(missing)"`` (all as
        :func:`fairdash.sensitive_frame` does for sensitive features). A column
        with more than 50 values (an identifier, free text) is refused.
    y_true : array-like
        True labels (binary, with ``pos_label``) or, for ``mean_absolute_error``,
        numeric targets.
    y_pred : array-like
        Predicted labels, binary like ``y_true``; numeric predictions for
        ``mean_absolute_error`` and ``mean_prediction``. Unused (may be
        None) by ``brier_score`` and ``base_rate``.
    metric : str, default="accuracy"
        One of :data:`SLICE_METRICS`: a proportion (``selection_rate``,
        ``accuracy``, ``error_rate``, ``true_positive_rate``,
        ``false_positive_rate``, ``false_negative_rate``,
        ``true_negative_rate``, ``precision``, ``negative_predictive_value``,
        ``base_rate``; definitions as :func:`fairdash.metrics.group_metrics`)
        or a mean (``mean_absolute_error``, ``mean_prediction`` for regression;
        ``brier_score``, the mean squared difference between ``y_score`` and
        the 0/1 outcome).
    y_score : array-like, optional
        Probabilities of the favourable outcome, for ``brier_score``.
    pos_label : scalar, default=1
        The favourable outcome.
    max_order : int, default=3
        Most conditions in a slice.
    min_size : int, default=30
        Fewest rows in the metric's denominator (all rows for accuracy, the
        actual positives for the true positive rate, ...) for a slice to be
        tested; means need at least 2 rows.
    bins : int, default=4
        Quantile bins of numeric columns with many values.
    fdr : float, default=0.05
        False discovery rate: a slice is ``significant`` when its q-value is at
        most ``fdr``.
    prune : bool, default=True
        Leave out slices that do not add to a slice they refine (see Notes).
    sample_weight : array-like, optional
        Non-negative row weights.

    Returns
    -------
    pandas.DataFrame
        One row per slice, largest ``harm`` first, with the columns of
        :data:`SLICE_COLUMNS`: ``slice`` (``"sex = Female & age = [18, 25)"``,
        conditions in the order of the columns of ``features``),
        ``conditions`` (a tuple of ``(column, value)`` pairs, values as
        labelled in group tables), ``order`` (number of conditions), ``size``
        (rows), ``denominator`` (rows in the metric's denominator), ``value``
        (the metric in the slice), ``complement`` (on all other rows), ``gap``
        (``value - complement``), ``harm`` (see Notes), ``ci_low`` and
        ``ci_high`` (95% interval of ``value``), ``p_value``, ``q_value`` and
        ``significant`` (``q_value <= fdr``). ``attrs`` holds ``metric``,
        ``n_tested`` (slices tested), ``n_significant`` and
        ``n_significant_harmful`` (significant with ``harm > 0``), counted over
        every slice tested whether pruned or not.

    Raises
    ------
    fairdash.InputError
        For labels that are not binary (or not numeric for a mean), lengths
        that differ, a column with too many values, repeated column names or
        invalid parameters; the message names the column.

    Notes
    -----
    **Harm.** ``harm`` is the gap signed so that positive means the model
    serves the slice worse than everyone else: ``complement - value`` for
    ``selection_rate`` and ``base_rate`` (a lower rate of the favourable
    outcome) and for ``accuracy``, ``true_positive_rate``,
    ``true_negative_rate``, ``precision``, ``negative_predictive_value`` (a
    lower rate of correct decisions); ``value - complement`` for
    ``error_rate``, ``false_positive_rate``, ``false_negative_rate``,
    ``mean_absolute_error`` and ``brier_score``; ``|gap|`` for
    ``mean_prediction``, which has no favourable direction.

    **Tests.** A slice is tested when its metric denominator has at least
    ``min_size`` rows and the complement's is not empty. Proportions: the
    two-sided two-proportion z-test with pooled variance
    :math:`z = (\hat p_s - \hat p_c) / \sqrt{\bar p (1 - \bar p)(1/n_s + 1/n_c)}`,
    :math:`\bar p` the proportion over all rows, and a Wilson interval; with
    sample weights the weighted proportions and Kish's effective sample sizes.
    Means: Welch's t-test and a Student-t interval (effective sample sizes
    with weights). q-values are Benjamini-Hochberg's over every slice tested.

    **Pruning.** With ``prune=True`` a slice of two or more conditions is kept
    only if, for every slice defined by a proper subset of its conditions
    (its parents and their parents), its harm is larger and its 95% interval
    lies entirely on the harmful side of that slice's value. So a refinement
    is kept only when it is clearly worse than every coarser slice it
    refines; slices of one condition are always kept. Pruning changes which
    rows are returned, never the q-values.
    """
    features = _check_features(features)
    n_rows = len(features)
    if metric not in SLICE_METRICS:
        raise InputError(f"Unknown metric {metric!r}; choose one of {', '.join(SLICE_METRICS)}.")
    max_order = _check_integer(max_order, name="max_order", minimum=1)
    min_size = _check_integer(min_size, name="min_size", minimum=0)
    bins = _check_integer(bins, name="bins", minimum=2)
    if not isinstance(prune, bool | np.bool_):
        raise InputError(f"prune must be True or False, not {prune!r}.")
    if isinstance(fdr, bool) or not isinstance(fdr, numbers.Real) or not 0 < fdr <= 1:
        raise InputError(f"fdr must be a number above 0 and at most 1 (e.g. 0.05), not {fdr!r}.")
    rows = row_sums(
        metric,
        y_true=y_true,
        y_pred=y_pred,
        y_score=y_score,
        pos_label=pos_label,
        sample_weight=sample_weight,
        n_rows=n_rows,
    )
    encoded = encode_columns(features, bins=bins)
    sums = combination_sums(
        encoded.codes,
        encoded.radices,
        max_order=max_order,
        outcome=rows.outcome,
        n_outcomes=rows.n_outcomes,
        weights=rows.weights,
    )
    lattice = _evaluate(
        metric, sums, weighted=rows.weighted, center=rows.center, min_size=min_size
    )
    cells = lattice.cells
    tested = np.flatnonzero(cells["tested"])
    p_value = cells["p_value"][tested]
    q_value = benjamini_hochberg(p_value)
    significant = q_value <= fdr
    keep = _refines_clearly(metric, lattice, tested) if prune else np.ones(len(tested), bool)
    listed = tested[keep]

    texts, conditions = [], []
    for i, local in lattice.split(listed):
        positions = np.unravel_index(local, lattice.shapes[i])
        text, pairs = _labels(encoded, lattice.combos[i], positions)
        texts.append(text)
        conditions.extend(pairs)
    columns = {
        "slice": pd.Series(np.concatenate(texts) if texts else [], dtype=object),
        "conditions": pd.Series(conditions, dtype=object),
    }
    for name in ("order", *_NUMBERS):
        columns[name] = cells[name][listed]
    columns["q_value"] = q_value[keep]
    columns["significant"] = significant[keep]
    table = pd.DataFrame(columns)[list(SLICE_COLUMNS)]
    table = table.astype({"size": np.int64, "denominator": np.int64})
    ranking = np.lexsort(
        (np.arange(len(table)), table["order"], table["p_value"], -table["harm"].to_numpy())
    )
    table = table.iloc[ranking].reset_index(drop=True)
    harm = cells["harm"][tested]
    table.attrs = {
        "metric": metric,
        "harm_direction": HARM_DIRECTION[metric],
        "n_rows": n_rows,
        "n_tested": len(p_value),
        "n_significant": int(significant.sum()),
        "n_significant_harmful": int((significant & (harm > 0)).sum()),
        "fdr": float(fdr),
        "min_size": min_size,
        "max_order": max_order,
        "prune": bool(prune),
    }
    return table


def slice_summary(table: pd.DataFrame) -> str:
    """What a slice search tested and found, in one sentence.

    Parameters
    ----------
    table : pandas.DataFrame
        As :func:`find_slices` returns it (its ``attrs`` are read).

    Returns
    -------
    str
        E.g. ``"1,772 slices tested (1 to 3 conditions, at least 30 rows in the metric's
        denominator); 94 significant at a false discovery rate of 0.05, 82 of them
        harmful."``
    """
    attrs = table.attrs
    return (
        f"{attrs['n_tested']:,} slices tested (1 to {attrs['max_order']} conditions, at least "
        f"{attrs['min_size']} rows in the metric's denominator); {attrs['n_significant']:,} "
        f"significant at a false discovery rate of {attrs['fdr']:g}, "
        f"{attrs['n_significant_harmful']:,} of them harmful."
    )
