"""One-click threshold strategies: each returns one threshold per group."""

from __future__ import annotations

import numpy as np

from fairdash._errors import InputError
from fairdash._validation import check_min_group_size
from fairdash.metrics._group_metrics import _TN, _TP, rates_from_cell_sums
from fairdash.thresholds._curves import ThresholdCurves, decision_cost

__all__ = ["STRATEGIES", "choose_thresholds", "small_groups"]

#: Strategy names and what they do, for the UI.
STRATEGIES: dict[str, str] = {
    "single_best": "One threshold for everyone, with the best accuracy (or lowest cost).",
    "demographic_parity": "Per-group thresholds with equal selection rates, best accuracy.",
    "equal_opportunity": "Per-group thresholds with equal true positive rates, best accuracy.",
    "equal_accuracy": "Per-group thresholds with equal accuracy (within 0.01), best accuracy.",
    "group_cost_optimal": "Each group's own threshold with the lowest cost (or best accuracy).",
}


def _gain(cells: np.ndarray, cost_ratio: float | None) -> np.ndarray:
    """What a strategy maximises: correct predictions, or minus the cost.

    With ``cost_ratio`` c, a false positive costs c and a false negative 1.
    """
    if cost_ratio is None:
        return cells[..., _TN] + cells[..., _TP]
    return -decision_cost(cells, cost_ratio=cost_ratio)


def small_groups(curves: ThresholdCurves, min_group_size: int | None) -> np.ndarray:
    """Which groups (in ``curves.index`` order) the small-group policy leaves out.

    Parameters
    ----------
    curves : ThresholdCurves
    min_group_size : int or None
        Groups with rows but fewer than this many are left out; None leaves
        out none.

    Returns
    -------
    numpy.ndarray of bool, shape (n_groups,)
    """
    if min_group_size is None:
        return np.zeros(curves.n_groups, dtype=bool)
    size = check_min_group_size(min_group_size)
    return (curves.group_sizes > 0) & (curves.group_sizes < size)


def _single_best(curves: ThresholdCurves, cost_ratio: float | None) -> np.ndarray:
    # Pool every group's distinct scores: the candidates of a common threshold.
    scores = np.unique(np.concatenate([curves.group_scores(g) for g in range(curves.n_groups)]))
    candidates = np.concatenate([scores, [np.inf]])
    total = curves.common_threshold_cells(candidates).sum(axis=0)
    best = int(np.argmax(_gain(total, cost_ratio)))
    return np.full(curves.n_groups, candidates[best])


def _group_optimal(
    curves: ThresholdCurves, cost_ratio: float | None, skip: np.ndarray
) -> np.ndarray:
    out = np.full(curves.n_groups, np.inf)
    for g in np.flatnonzero((curves.group_sizes > 0) & ~skip):
        thresholds, cells = curves.candidate_cells(g)
        out[g] = thresholds[int(np.argmax(_gain(cells, cost_ratio)))]
    return out


def _equal_rate(
    curves: ThresholdCurves, rate: str, cost_ratio: float | None, resolution: int,
    skip: np.ndarray,
) -> np.ndarray:
    """Per-group thresholds whose rates are as close as possible to a common target.

    For each target on a grid, every group takes the threshold whose rate is
    nearest the target; the target with the best total gain wins.
    """
    targets = np.linspace(0.0, 1.0, resolution + 1)
    per_group = []
    for g in range(curves.n_groups):
        thresholds, cells = curves.candidate_cells(g)
        # An empty combination of features, or a group left out for size: nothing to set.
        if curves.group_sizes[g] == 0 or skip[g]:
            per_group.append((np.full(len(targets), np.inf), np.zeros((len(targets), 4))))
            continue
        # A group without positives has a true positive rate of 0 at every threshold.
        values = rates_from_cell_sums(cells)[rate]
        # values decrease as the threshold rises: search the reversed (ascending) curve.
        ascending = values[::-1]
        pos = np.clip(np.searchsorted(ascending, targets), 1, len(ascending) - 1)
        left, right = ascending[pos - 1], ascending[pos]
        pick = np.where(np.abs(targets - left) <= np.abs(right - targets), pos - 1, pos)
        if len(ascending) == 1:
            pick = np.zeros_like(pick)
        idx = len(values) - 1 - pick
        per_group.append((thresholds[idx], cells[idx]))
    gains = sum(_gain(cells, cost_ratio) for _, cells in per_group)
    best = int(np.argmax(gains))
    return np.array([t[best] for t, _ in per_group])


def _equal_accuracy(
    curves: ThresholdCurves, cost_ratio: float | None, tolerance: float, resolution: int,
    skip: np.ndarray,
) -> np.ndarray:
    """Best total gain with every group's accuracy inside a common window of ``tolerance``."""
    targets = np.linspace(0.0, 1.0, resolution + 1)
    half = tolerance / 2
    total_gain = np.zeros(len(targets))
    feasible = np.ones(len(targets), dtype=bool)
    choices = []
    for g in range(curves.n_groups):
        thresholds, cells = curves.candidate_cells(g)
        if curves.group_sizes[g] == 0 or skip[g]:
            choices.append((np.array([np.inf]), np.zeros(len(targets), dtype=np.intp)))
            continue
        accuracy = rates_from_cell_sums(cells)["accuracy"]
        gain = _gain(cells, cost_ratio)
        # For each window [a - half, a + half], the candidate with the best gain in it.
        order = np.argsort(accuracy, kind="stable")
        acc_sorted = accuracy[order]
        lo = np.searchsorted(acc_sorted, targets - half - 1e-12, side="left")
        hi = np.searchsorted(acc_sorted, targets + half + 1e-12, side="right")
        best = np.full(len(targets), -1)
        for i in np.flatnonzero(hi > lo):
            window = order[lo[i] : hi[i]]
            best[i] = window[np.argmax(gain[window])]
        feasible &= best >= 0
        total_gain += np.where(best >= 0, gain[np.maximum(best, 0)], 0.0)
        choices.append((thresholds, best))
    if not feasible.any():
        raise InputError(
            "No thresholds give every group the same accuracy within "
            f"{tolerance}; try a larger tolerance."
        )
    pick = int(np.argmax(np.where(feasible, total_gain, -np.inf)))
    return np.array([t[b[pick]] for t, b in choices])


def choose_thresholds(
    curves: ThresholdCurves,
    strategy: str,
    *,
    cost_ratio: float | None = None,
    tolerance: float = 0.01,
    resolution: int = 1000,
    min_group_size: int | None = None,
) -> np.ndarray:
    """Thresholds, one per group, chosen by a named strategy.

    Parameters
    ----------
    curves : ThresholdCurves
    strategy : str
        One of :data:`STRATEGIES`.
    cost_ratio : float, optional
        Cost of a false positive relative to a false negative. Given, strategies
        minimise the total cost; otherwise they maximise accuracy.
    tolerance : float, default=0.01
        Largest accuracy gap between groups for ``"equal_accuracy"``.
    resolution : int, default=1000
        Number of steps of the common target rate (selection rate, true
        positive rate or accuracy) that the equalising strategies scan.
    min_group_size : int, optional
        The small-group policy: the per-group strategies leave groups with
        fewer rows out of what they equalise or optimise (a rate measured on a
        handful of rows would drive every other group's threshold) and give
        them the ``"single_best"`` threshold, the one common threshold chosen
        on every row. None (the default) sets every group's own threshold.

    Returns
    -------
    numpy.ndarray
        One threshold per group, in ``curves.index`` order; ``inf`` selects nobody.
    """
    if cost_ratio is not None and not cost_ratio > 0:
        raise InputError(f"The cost ratio must be positive, got {cost_ratio}.")
    if strategy not in STRATEGIES:
        raise InputError(
            f"Unknown strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}."
        )
    skip = small_groups(curves, min_group_size)
    if strategy == "single_best":
        return _single_best(curves, cost_ratio)
    if strategy == "group_cost_optimal":
        out = _group_optimal(curves, cost_ratio, skip)
    elif strategy == "demographic_parity":
        out = _equal_rate(curves, "selection_rate", cost_ratio, resolution, skip)
    elif strategy == "equal_opportunity":
        out = _equal_rate(curves, "true_positive_rate", cost_ratio, resolution, skip)
    else:
        out = _equal_accuracy(curves, cost_ratio, tolerance, resolution, skip)
    if skip.any():
        out[skip] = _single_best(curves, cost_ratio)[skip]
    return out
