"""Pieces shared by the reductions (grid search, exponentiated gradient).

The constraint names and the fairlearn moments they stand for, the fit
keyword that carries sample weights to an estimator or a Pipeline's final step,
and the Pipeline preprocessing that can be fitted once for every model a
reduction fits.
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
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.feature_selection import VarianceThreshold
from sklearn.frozen import FrozenEstimator
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    PolynomialFeatures,
    RobustScaler,
    SplineTransformer,
    StandardScaler,
)
from sklearn.utils.validation import has_fit_parameter

from fairdash._errors import InputError

__all__ = [
    "CONSTRAINTS",
    "assemble_pipeline",
    "constraint_moment",
    "sample_weight_name",
    "shared_prefix",
]

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


# Transformers whose fit ignores y and sample weights and is deterministic: a
# Pipeline prefix made only of these is fitted once and shared by all the models a
# reduction fits, since fitting it per model (as fairlearn does) gives the very same result.
# Tags cannot tell this (SelectKBest needs y but does not require it in its tags).
_UNSUPERVISED = (
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    MissingIndicator,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    PolynomialFeatures,
    RobustScaler,
    SimpleImputer,
    SplineTransformer,
    StandardScaler,
    VarianceThreshold,
)


def _is_unsupervised(step) -> bool:
    if step is None or (isinstance(step, str) and step in ("passthrough", "drop")):
        return True
    if isinstance(step, FrozenEstimator):
        return True  # already fitted: its fit does nothing
    if isinstance(step, Pipeline):
        return all(_is_unsupervised(inner) for _, inner in step.steps)
    if isinstance(step, ColumnTransformer):
        return all(_is_unsupervised(t) for _, t, _ in step.transformers) and _is_unsupervised(
            step.remainder
        )
    if isinstance(step, FeatureUnion):
        return all(_is_unsupervised(t) for _, t in step.transformer_list)
    return type(step) in _UNSUPERVISED


def shared_prefix(estimator) -> Pipeline | None:
    """The steps before a Pipeline's final one, if they can be fitted once for all models.

    Parameters
    ----------
    estimator : estimator object

    Returns
    -------
    sklearn.pipeline.Pipeline or None
        The (unfitted) steps before the last, when ``estimator`` is a Pipeline
        whose earlier steps are deterministic transformers that ignore ``y`` and
        sample weights (scalers, encoders, imputers, ColumnTransformers of
        them, or fitted steps frozen by :class:`sklearn.frozen.FrozenEstimator`);
        otherwise None.
    """
    if (
        isinstance(estimator, Pipeline)
        and len(estimator.steps) > 1
        and all(_is_unsupervised(step) for _, step in estimator.steps[:-1])
    ):
        return estimator[:-1]
    return None


def assemble_pipeline(estimator: Pipeline, shared_steps: Pipeline, final) -> Pipeline:
    """A Pipeline like ``estimator`` of the fitted ``shared_steps`` and a fitted final step.

    Parameters
    ----------
    estimator : sklearn.pipeline.Pipeline
        The Pipeline whose :func:`shared_prefix` was fitted (gives the step names).
    shared_steps : sklearn.pipeline.Pipeline
        Its fitted preprocessing.
    final : estimator object
        A fitted final step.

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    pipeline = clone(estimator)
    pipeline.steps = [*shared_steps.steps, (estimator.steps[-1][0], final)]
    return pipeline
