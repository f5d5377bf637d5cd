"""The accuracy-versus-disparity trade-off of mitigation methods.

- :data:`CATALOGUE`: the methods, their labels, parameters, limits and
  defaults (what the Mitigate page renders and saved configurations are
  checked against); :class:`MethodConfig`: one method with its parameters.
- :func:`run_methods`: run mitigation methods on one train / calibration /
  test split and measure every resulting model (each grid search candidate,
  each barycenter alpha, each threshold optimizer tolerance) on the test rows;
  a method that cannot run is reported in the result's ``failures``.
- :func:`results_table`: one row per model, with whether it is on the front.
- :func:`pareto_front`, :func:`hypervolume`: the non-dominated models of any
  (performance, disparity) pair, and the area a front dominates.
"""

from fairdash.tradeoff._catalogue import (
    CATALOGUE,
    DEFAULT_METHODS,
    DEFAULT_PARAMS,
    METHODS,
    REGRESSION_METHODS,
    SPLIT_SETTINGS,
    MethodConfig,
    MethodSpec,
    ParameterSpec,
)
from fairdash.tradeoff._front import hypervolume, pareto_front
from fairdash.tradeoff._results import (
    MethodFailure,
    ModelResult,
    TradeoffResults,
    results_table,
)
from fairdash.tradeoff._runner import MIN_POSTPROCESSING_GROUP_SIZE, run_methods
from fairdash.tradeoff._small_groups import POOLED_GROUP
from fairdash.tradeoff._split import TradeoffSplit, split_data

__all__ = [
    "CATALOGUE",
    "DEFAULT_METHODS",
    "DEFAULT_PARAMS",
    "METHODS",
    "MIN_POSTPROCESSING_GROUP_SIZE",
    "POOLED_GROUP",
    "REGRESSION_METHODS",
    "SPLIT_SETTINGS",
    "MethodConfig",
    "MethodFailure",
    "MethodSpec",
    "ModelResult",
    "ParameterSpec",
    "TradeoffResults",
    "TradeoffSplit",
    "hypervolume",
    "pareto_front",
    "results_table",
    "run_methods",
    "split_data",
]
