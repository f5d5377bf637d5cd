"""The Pareto front of models in a (performance, disparity) plane, and its hypervolume."""

from __future__ import annotations

import numpy as np

from fairdash._errors import InputError

__all__ = ["hypervolume", "hypervolume_reference", "pareto_front"]


def _pair(first, second, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    if a.ndim != 1 or b.ndim != 1:
        raise InputError(f"{names[0]} and {names[1]} must be 1-D.")
    if len(a) != len(b):
        raise InputError(
            f"{names[0]} has {len(a)} values but {names[1]} has {len(b)}; they must match."
        )
    return a, b


def _non_dominated(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mask of the points (a, b) that no other point dominates, both coordinates minimised.

    A point dominates another if it is no worse in both coordinates and better
    in one; equal points do not dominate each other, so duplicates on the
    front are all kept. Points with a NaN are never on the front.
    """
    mask = np.zeros(len(a), dtype=bool)
    finite = np.flatnonzero(~(np.isnan(a) | np.isnan(b)))
    if len(finite) == 0:
        return mask
    order = finite[np.lexsort((b[finite], a[finite]))]
    best_before = np.inf  # least b among points of strictly smaller a
    start = 0
    while start < len(order):
        stop = start
        while stop < len(order) and a[order[stop]] == a[order[start]]:
            stop += 1
        tie = order[start:stop]
        least = b[tie[0]]  # sorted by b within equal a
        # Kept: least b among equal a, and strictly below every point of smaller a.
        if least < best_before:
            mask[tie[b[tie] == least]] = True
            best_before = least
        start = stop
    return mask


def pareto_front(
    performance,
    disparity,
    *,
    maximize_performance: bool = True,
    minimize_disparity: bool = True,
) -> np.ndarray:
    """Which models are on the Pareto front of performance against disparity.

    A model is on the front when no other model is at least as good in both
    and better in one. Models with the same values are all kept; models with
    a NaN are never on the front.

    Parameters
    ----------
    performance : array-like of shape (n_models,)
        E.g. accuracy or balanced accuracy (higher is better), or RMSE (then
        pass ``maximize_performance=False``).
    disparity : array-like of shape (n_models,)
        E.g. demographic parity difference (lower is better), or a ratio (then
        pass ``minimize_disparity=False``).
    maximize_performance : bool, default=True
        Whether higher performance is better.
    minimize_disparity : bool, default=True
        Whether lower disparity is better.

    Returns
    -------
    numpy.ndarray of bool, shape (n_models,)
        True for the models on the front.

    Examples
    --------
    >>> pareto_front([0.80, 0.85, 0.84], [0.05, 0.20, 0.25]).tolist()
    [True, True, False]
    """
    perf, disp = _pair(performance, disparity, ("performance", "disparity"))
    return _non_dominated(
        -perf if maximize_performance else perf, disp if minimize_disparity else -disp
    )


def hypervolume(error, disparity, *, reference: tuple[float, float] = (0.5, 0.5)) -> float:
    """Area dominated by a set of models in the (error, disparity) plane, both minimised.

    The exact 2-D hypervolume: the area of the union of the rectangles
    ``[error_i, reference_error] x [disparity_i, reference_disparity]``.
    Larger is better: a front closer to (0, 0) covers more. Models not better
    than the reference in both coordinates, and models with a NaN, add nothing.

    Parameters
    ----------
    error : array-like of shape (n_models,)
        E.g. ``1 - accuracy``.
    disparity : array-like of shape (n_models,)
        E.g. demographic parity difference.
    reference : (float, float), default=(0.5, 0.5)
        The reference (worst) point (error, disparity).

    Returns
    -------
    float

    Examples
    --------
    >>> round(hypervolume([0.1, 0.3], [0.3, 0.1]), 10)
    0.12
    """
    err, disp = _pair(error, disparity, ("error", "disparity"))
    ref_error, ref_disparity = (float(v) for v in reference)
    keep = (err < ref_error) & (disp < ref_disparity)  # False for NaN
    err, disp = err[keep], disp[keep]
    if len(err) == 0:
        return 0.0
    front = _non_dominated(err, disp)
    err, disp = err[front], disp[front]
    order = np.lexsort((disp, err))  # error ascending, so disparity descending on the front
    err, disp = err[order], disp[order]
    # Vertical slabs between consecutive front errors, each as high as the
    # front's disparity at its left edge.
    widths = np.diff(np.append(err, ref_error))
    return float(np.sum(widths * (ref_disparity - disp)))


def hypervolume_reference(error, disparity, *, margin: float = 0.1) -> tuple[float, float]:
    """A reference point for :func:`hypervolume` taken from the models themselves.

    The worst error and the worst disparity among the models, each plus
    ``margin`` times that coordinate's range over the models (at least
    ``margin`` times 0.01 when all models share one value), so that every model
    adds area, the extreme ones included. A fixed point such as (0.5, 0.5)
    gives 0 when the models lie beyond it.

    Parameters
    ----------
    error, disparity : array-like of shape (n_models,)
        As for :func:`hypervolume`; NaN values are ignored.
    margin : float, default=0.1
        Share of the range added beyond the worst model.

    Returns
    -------
    (float, float)
        The reference (error, disparity).

    Examples
    --------
    >>> hypervolume_reference([0.1, 0.3], [0.3, 0.1])
    (0.32, 0.32)
    """
    err, disp = _pair(error, disparity, ("error", "disparity"))
    finite = ~(np.isnan(err) | np.isnan(disp))
    if not finite.any():
        raise InputError("No model has both an error and a disparity; there is no front.")
    if not margin >= 0:
        raise InputError(f"margin must be at least 0, got {margin}.")
    point = []
    for values in (err[finite], disp[finite]):
        span = max(float(values.max() - values.min()), 0.01)
        point.append(round(float(values.max()) + margin * span, 12))
    return point[0], point[1]
