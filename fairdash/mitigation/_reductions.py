"""Pieces shared by the reductions (grid search, exponentiated gradient).

The constraint names and the fairlearn moments they stand for, and the fit
keyword that carries sample weights to an estimator or a Pipeline's final step.
"""

from __future__ import annotations

import copy

from fairlearn.reductions import (
    DemographicParity,
    EqualizedOdds,
    ErrorRateParity,
    FalsePositiveRateParity,
    Moment,
    TruePositiveRateParity,
)
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import has_fit_parameter

from fairdash._errors import InputError

__all__ = ["CONSTRAINTS", "constraint_moment", "sample_weight_name"]

#: Constraint names and the fairlearn moments they stand for.
CONSTRAINTS: dict[str, type[Moment]] = {
    "demographic_parity": DemographicParity,
    "equalized_odds": EqualizedOdds,
    "true_positive_rate_parity": TruePositiveRateParity,
    "false_positive_rate_parity": FalsePositiveRateParity,
    "error_rate_parity": ErrorRateParity,
}


def constraint_moment(
    constraints: str | Moment,
    *,
    difference_bound: float | None = None,
    ratio_bound: float | None = None,
) -> Moment:
    """A fresh, unloaded fairlearn moment for a constraint name.

    Parameters
    ----------
    constraints : str or fairlearn.reductions.Moment
        One of :data:`CONSTRAINTS` (``"demographic_parity"``, ``"equalized_odds"``,
        ``"true_positive_rate_parity"``, ``"false_positive_rate_parity"``,
        ``"error_rate_parity"``), or a moment, which is deep-copied.
    difference_bound, ratio_bound : float, optional
        Passed to the moment (at most one of them); ignored for a moment instance.

    Returns
    -------
    fairlearn.reductions.Moment
    """
    if isinstance(constraints, Moment):
        if getattr(constraints, "data_loaded", False):
            raise InputError("The constraints moment already has data loaded; pass a new one.")
        return copy.deepcopy(constraints)
    if constraints not in CONSTRAINTS:
        raise InputError(
            f"Unknown constraints {constraints!r}; choose one of: {', '.join(CONSTRAINTS)}."
        )
    try:
        return CONSTRAINTS[constraints](difference_bound=difference_bound, ratio_bound=ratio_bound)
    except ValueError as error:
        raise InputError(f"Invalid constraint bounds: {error}") from None


def sample_weight_name(estimator) -> str:
    """The fit keyword that carries sample weights to ``estimator``.

    ``"sample_weight"``, or for a :class:`~sklearn.pipeline.Pipeline`
    ``"<last step>__sample_weight"`` (recursively), which Pipeline routes to its
    final step.

    Raises
    ------
    fairdash.InputError
        If the estimator's ``fit`` takes no sample weights.
    """
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        return f"{name}__{sample_weight_name(last)}"
    if not has_fit_parameter(estimator, "sample_weight"):
        raise InputError(
            f"{type(estimator).__name__} does not take sample weights, which the reductions "
            "(grid search, exponentiated gradient) need. Choose another estimator."
        )
    return "sample_weight"
