"""The mitigation methods the trade-off runs: labels, parameters, limits, defaults.

One catalogue serves three readers: :class:`MethodConfig` (defaults and
allowed parameters), the Mitigate page (which renders its method list and
parameter widgets from it) and :func:`fairdash.config.load_config` (which
refuses a saved configuration outside the limits the page allows).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fairdash._errors import InputError
from fairdash.tradeoff._specs import MethodSpec, ParameterSpec

__all__ = [
    "CATALOGUE",
    "DEFAULT_METHODS",
    "DEFAULT_PARAMS",
    "METHODS",
    "REGRESSION_METHODS",
    "SPLIT_SETTINGS",
    "MethodConfig",
    "MethodSpec",
    "ParameterSpec",
]

_REDUCTION_CONSTRAINTS = {
    "demographic_parity": "Demographic parity",
    "equalized_odds": "Equalized odds",
    "true_positive_rate_parity": "True positive rate parity",
    "false_positive_rate_parity": "False positive rate parity",
    "error_rate_parity": "Error rate parity",
}
_THRESHOLD_CONSTRAINTS = (
    "demographic_parity",
    "equalized_odds",
    "true_positive_rate_parity",
    "false_positive_rate_parity",
    "true_negative_rate_parity",
    "false_negative_rate_parity",
)
_THRESHOLD_OBJECTIVES = (
    "accuracy_score",
    "balanced_accuracy_score",
    "selection_rate",
    "true_positive_rate",
    "true_negative_rate",
)


def _constraint(choices, labels=None) -> ParameterSpec:
    return ParameterSpec(
        "constraints",
        "Constraint",
        "choice",
        "demographic_parity",
        widget="select",
        choices=tuple(choices),
        choice_labels=labels or {},
    )


#: Every method, in display order.
CATALOGUE: dict[str, MethodSpec] = {
    spec.name: spec
    for spec in [
        MethodSpec(
            "unmitigated",
            "Unmitigated model",
            "none",
            "The estimator fitted on the training rows as is: the reference point.",
            regression=True,
        ),
        MethodSpec(
            "reweighing",
            "Reweighing (pre-processing)",
            "pre-processing",
            "Weights the training rows so that outcome and group are independent "
            "(Kamiran & Calders).",
        ),
        MethodSpec(
            "correlation_remover",
            "Correlation remover (pre-processing)",
            "pre-processing",
            "Removes the features' linear correlation with the groups before fitting "
            "(fairlearn's CorrelationRemover).",
            (
                ParameterSpec(
                    "alpha",
                    "alpha (1 removes all linear correlation)",
                    "float",
                    1.0,
                    widget="slider",
                    minimum=0.0,
                    maximum=1.0,
                    step=0.05,
                ),
            ),
            regression=True,
        ),
        MethodSpec(
            "linear_ferm",
            "Linear FERM (pre-processing, linear models)",
            "pre-processing",
            "Projects the features so a linear model has equal true positive rates "
            "(Donini et al.).",
        ),
        MethodSpec(
            "fair_pca",
            "Fair PCA (pre-processing)",
            "pre-processing",
            "A fair representation, then the chosen estimator: principal components of "
            "the preprocessed features along which every group has the same mean "
            "(Kleindessner et al. 2023).",
            (
                ParameterSpec(
                    "n_components",
                    "Components",
                    "int",
                    10,
                    widget="slider",
                    minimum=1,
                    maximum=50,
                    step=1,
                ),
                ParameterSpec(
                    "match",
                    "Match",
                    "choice",
                    "mean",
                    widget="select",
                    choices=("mean", "covariance"),
                    choice_labels={
                        "mean": "group means",
                        "covariance": "group means and covariances",
                    },
                ),
            ),
        ),
        MethodSpec(
            "steering",
            "Optimal steering (pre-processing)",
            "pre-processing",
            "Steers the training data: moves every other group's rows to the nearest "
            "distribution (in KL divergence) whose Bayes classifiers are fair under a "
            "Gaussian model, with weights equalising base rates, then fits the chosen "
            "estimator; test rows are untouched (Sharma et al. 2025).",
        ),
        MethodSpec(
            "grid_search",
            "Grid search (in-processing)",
            "in-processing",
            "Fits one model per point of a grid of Lagrange multipliers (fairlearn's "
            "GridSearch, Agarwal et al.); every candidate is a model.",
            (
                _constraint(_REDUCTION_CONSTRAINTS, _REDUCTION_CONSTRAINTS),
                ParameterSpec(
                    "grid_size",
                    "Grid size (candidates)",
                    "int",
                    10,
                    widget="slider",
                    minimum=3,
                    maximum=60,
                    step=1,
                ),
                ParameterSpec("grid_limit", "Grid limit", "float", 2.0),
                ParameterSpec("constraint_weight", "Constraint weight", "float", 0.5),
                ParameterSpec("n_jobs", "Worker processes", "int", -1),
            ),
        ),
        MethodSpec(
            "exponentiated_gradient",
            "Exponentiated gradient (in-processing)",
            "in-processing",
            "A randomized mixture of models meeting a constraint (fairlearn's "
            "ExponentiatedGradient, Agarwal et al.).",
            (
                _constraint(_REDUCTION_CONSTRAINTS, _REDUCTION_CONSTRAINTS),
                ParameterSpec(
                    "eps",
                    "eps (allowed violation)",
                    "float",
                    0.01,
                    widget="number",
                    minimum=0.001,
                    maximum=0.5,
                    step=0.005,
                    number_format="%.3f",
                ),
                ParameterSpec(
                    "max_iter",
                    "Max iterations",
                    "int",
                    50,
                    widget="number",
                    minimum=5,
                    maximum=200,
                    step=1,
                ),
            ),
        ),
        MethodSpec(
            "covariance_constrained",
            "Covariance-constrained classifier (in-processing, own linear model)",
            "in-processing",
            "A penalised logistic regression (in place of the chosen estimator) whose "
            "decision function has bounded covariance with every group (Zafar et al. "
            "2017); one model per bound, a share of the unconstrained covariance.",
            (
                ParameterSpec(
                    "factors",
                    "Covariance bounds in the sweep (1 unconstrained … 0 none)",
                    "float_list",
                    [round(i / 10, 1) for i in range(11)],
                    widget="count_slider",
                    minimum=0.0,
                    maximum=1.0,
                    min_items=2,
                    max_items=21,
                ),
            ),
        ),
        MethodSpec(
            "threshold_optimizer",
            "Threshold optimizer (post-processing)",
            "post-processing",
            "A (randomized) threshold per group on the unmitigated model's scores "
            "(fairlearn's ThresholdOptimizer, Hardt et al.); one model per tolerance.",
            (
                _constraint(_THRESHOLD_CONSTRAINTS),
                ParameterSpec(
                    "objective",
                    "Objective",
                    "choice",
                    "accuracy_score",
                    widget="select",
                    choices=_THRESHOLD_OBJECTIVES,
                ),
                ParameterSpec(
                    "tolerances",
                    "Sweep tolerances (one model each)",
                    "float_list",
                    [None, 0.01, 0.02, 0.05, 0.1, 0.2],
                    widget="sweep_toggle",
                    minimum=0.0,
                    maximum=1.0,
                    min_items=1,
                    max_items=6,
                    allow_none=True,
                ),
                ParameterSpec("grid_size", "Grid size", "int", 1000),
                ParameterSpec("flip", "Flip", "bool", False),
            ),
        ),
        MethodSpec(
            "barycenter",
            "Wasserstein barycenter (post-processing)",
            "post-processing",
            "Maps each group's scores to the barycenter of the groups' score "
            "distributions (Chzhen et al.); one model per alpha.",
            (
                ParameterSpec(
                    "alphas",
                    "Alpha values in the sweep (0 fully fair … 1 unchanged)",
                    "float_list",
                    [round(i / 20, 2) for i in range(21)],
                    widget="count_slider",
                    minimum=0.0,
                    maximum=1.0,
                    min_items=2,
                    max_items=41,
                ),
                ParameterSpec("threshold", "Threshold", "float", 0.5),
            ),
            regression=True,
        ),
    ]
}

#: The split settings of a run, with the limits of the app's sliders.
SPLIT_SETTINGS: dict[str, ParameterSpec] = {
    spec.name: spec
    for spec in [
        ParameterSpec(
            "test_size", "Test share", "float", 0.3, widget="slider",
            minimum=0.1, maximum=0.5, step=0.05,
        ),
        ParameterSpec(
            "calibration_size", "Calibration share (post-processing)", "float", 0.2,
            widget="slider", minimum=0.0, maximum=0.4, step=0.05,
        ),
        ParameterSpec(
            "random_state", "Random seed", "int", 0, widget="number",
            minimum=0, maximum=2**31 - 1, step=1,
        ),
    ]
}

#: Default parameters of every method; a MethodConfig may override any of them.
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    name: {p.name: copy.deepcopy(p.default) for p in spec.parameters}
    for name, spec in CATALOGUE.items()
}
#: The method names, in a sensible display order.
METHODS: tuple[str, ...] = tuple(CATALOGUE)
#: Methods that also work for regression targets.
REGRESSION_METHODS: frozenset[str] = frozenset(n for n, s in CATALOGUE.items() if s.regression)
#: The methods the Mitigate page selects at first, by task (the unmitigated model always runs).
DEFAULT_METHODS: dict[str, tuple[str, ...]] = {
    "classification": ("reweighing", "grid_search", "barycenter"),
    "regression": ("barycenter",),
}


def _json_value(value: Any, *, key: str) -> Any:
    """``value`` as plain JSON types (numpy scalars and tuples converted)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"Parameter {key!r} must be finite, got {value!r}.")
        return value
    if isinstance(value, list | tuple | np.ndarray):
        return [_json_value(v, key=key) for v in value]
    raise InputError(
        f"Parameter {key!r} must be a number, string, boolean, None or a list of them; "
        f"got {type(value).__name__}."
    )


@dataclass(frozen=True)
class MethodConfig:
    """A mitigation method and its parameters, JSON-friendly (to save and restore).

    The library takes any JSON-friendly value; the limits of the Mitigate page
    (see :data:`CATALOGUE`) apply to saved configurations, which
    :func:`fairdash.config.load_config` checks.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`: ``"unmitigated"``, ``"reweighing"``,
        ``"correlation_remover"``, ``"linear_ferm"``, ``"fair_pca"``,
        ``"steering"``, ``"grid_search"``, ``"exponentiated_gradient"``,
        ``"covariance_constrained"``, ``"threshold_optimizer"``, ``"barycenter"``.
    params : mapping, optional
        Overrides of :data:`DEFAULT_PARAMS` ``[method]``:

        - correlation_remover: ``alpha`` (1 removes all linear correlation
          with the groups);
        - grid_search: ``constraints``, ``grid_size``, ``grid_limit``,
          ``constraint_weight``, ``n_jobs``;
        - fair_pca: ``n_components``, ``match`` (``"mean"`` or ``"covariance"``);
        - exponentiated_gradient: ``constraints``, ``eps``, ``max_iter``;
        - covariance_constrained: ``factors`` (list in [0, 1], one model each:
          the bound on every group's covariance as a share of the
          unconstrained classifier's largest; 0 is c = 0);
        - threshold_optimizer: ``constraints``, ``objective``, ``tolerances``
          (list; ``None`` for exact parity, one model each), ``grid_size``, ``flip``;
        - barycenter: ``alphas`` (list in [0, 1], one model each; 0 is fully
          fair, 1 the unmitigated scores) and ``threshold``.
    label : str, optional
        Name of the method's models in results (default: the method name).

    Raises
    ------
    fairdash.InputError
        For an unknown method or parameter, or a value that is not JSON-friendly.

    Examples
    --------
    >>> config = MethodConfig("barycenter", {"alphas": [0.0, 1.0]})
    >>> config.resolved_params()
    {'alphas': [0.0, 1.0], 'threshold': 0.5}
    """

    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str | None = None

    def __post_init__(self) -> None:
        if self.method not in DEFAULT_PARAMS:
            raise InputError(
                f"Unknown method {self.method!r}; choose one of: {', '.join(METHODS)}."
            )
        defaults = DEFAULT_PARAMS[self.method]
        unknown = [k for k in self.params if k not in defaults]
        if unknown:
            allowed = ", ".join(defaults) or "none"
            raise InputError(
                f"Unknown parameter(s) {', '.join(map(repr, unknown))} for {self.method}; "
                f"allowed: {allowed}."
            )
        params = {k: _json_value(v, key=k) for k, v in self.params.items()}
        object.__setattr__(self, "params", params)

    @property
    def name(self) -> str:
        """The label, or the method name."""
        return self.label or self.method

    def resolved_params(self) -> dict[str, Any]:
        """The defaults with this config's overrides."""
        return {**copy.deepcopy(DEFAULT_PARAMS[self.method]), **copy.deepcopy(self.params)}

    def to_dict(self) -> dict[str, Any]:
        """``{"method", "params", "label"}`` with all parameters resolved (JSON-friendly)."""
        return {"method": self.method, "params": self.resolved_params(), "label": self.label}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MethodConfig:
        """The config saved by :meth:`to_dict`."""
        if "method" not in data:
            raise InputError("A method configuration needs a 'method'.")
        return cls(
            method=data["method"], params=dict(data.get("params") or {}), label=data.get("label")
        )
