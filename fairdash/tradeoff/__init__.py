"""The accuracy-versus-disparity trade-off of mitigation methods.

- :data:`CATALOGUE`: the methods, their labels, parameters, limits and
  defaults (what the Mitigate page renders and saved configurations are
  checked against); :class:`MethodConfig`: one method with its parameters.
- :func:`run_methods`: run mitigation methods on one train / calibration /
  test split and measure every resulting model (each grid search candidate,
  each barycenter alpha, each threshold optimizer tolerance) on the test rows;
  a method that cannot run is reported in the result's ``failures``.
- :func:`run_postprocessing_on_scores`: the post-processors (:data:`SCORE_METHODS`)
  on an audited model's own scores (a :class:`FixedScores` "prefit" model),
  calibrated on a split of the file's rows and measured on the rest.
- :func:`results_table`: one row per model, with whether it is on the front.
- :func:`pareto_front`, :func:`hypervolume`, :func:`hypervolume_reference`: the
  non-dominated models of any (performance, disparity) pair, the area a front
  dominates, and a reference point taken from the models shown.
- :class:`RunCache`: models of earlier runs on one data set, reused by
  ``run_methods`` for the same split, estimator and settings.
- :func:`tradeoff_intervals`: bootstrap intervals of every model's performance
  and disparity, all models on the same resampled test rows (paired).
- :func:`describe_params`, :func:`method_name`: models in words;
  :func:`describe_front`: the front and its hypervolume in a sentence.
- :func:`tradeoff_table`: the results table with methods in words and intervals.
- :func:`grid_size_for_groups`, :func:`grid_search_note`,
  :func:`grid_dimensions`: grid search defaults that fit the number of groups,
  and when grid search is the wrong tool.
- :func:`recommend_model`: one model chosen on the trade-off by a documented
  rule (:data:`RECOMMENDATION_RULE`), with what it costs.
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
from fairdash.tradeoff._describe import (
    METHOD_NAMES,
    describe_front,
    describe_hypervolume,
    describe_models,
    describe_paired_difference,
    describe_params,
    method_name,
)
from fairdash.tradeoff._front import hypervolume, hypervolume_reference, pareto_front
from fairdash.tradeoff._grid_defaults import (
    MAX_GRID_DIMENSIONS,
    grid_dimensions,
    grid_search_note,
    grid_size_for_groups,
)
from fairdash.tradeoff._recommend import RECOMMENDATION_RULE, Recommendation, recommend_model
from fairdash.tradeoff._results import (
    MethodFailure,
    ModelResult,
    TradeoffResults,
    results_table,
)
from fairdash.tradeoff._reuse import RunCache
from fairdash.tradeoff._runner import MIN_POSTPROCESSING_GROUP_SIZE, run_methods
from fairdash.tradeoff._scores import (
    SCORE_METHODS,
    FixedScores,
    ScoresRun,
    run_postprocessing_on_scores,
    unavailable_on_scores,
)
from fairdash.tradeoff._small_groups import POOLED_GROUP
from fairdash.tradeoff._split import TradeoffSplit, split_data
from fairdash.tradeoff._table import tradeoff_table
from fairdash.tradeoff._uncertainty import (
    TRADEOFF_DISPARITIES,
    TradeoffIntervals,
    tradeoff_intervals,
)

__all__ = [
    "CATALOGUE",
    "DEFAULT_METHODS",
    "DEFAULT_PARAMS",
    "MAX_GRID_DIMENSIONS",
    "METHODS",
    "METHOD_NAMES",
    "MIN_POSTPROCESSING_GROUP_SIZE",
    "POOLED_GROUP",
    "RECOMMENDATION_RULE",
    "REGRESSION_METHODS",
    "SCORE_METHODS",
    "SPLIT_SETTINGS",
    "TRADEOFF_DISPARITIES",
    "FixedScores",
    "MethodConfig",
    "MethodFailure",
    "MethodSpec",
    "ModelResult",
    "ParameterSpec",
    "Recommendation",
    "RunCache",
    "ScoresRun",
    "TradeoffIntervals",
    "TradeoffResults",
    "TradeoffSplit",
    "describe_front",
    "describe_hypervolume",
    "describe_models",
    "describe_paired_difference",
    "describe_params",
    "grid_dimensions",
    "grid_search_note",
    "grid_size_for_groups",
    "hypervolume",
    "hypervolume_reference",
    "method_name",
    "pareto_front",
    "recommend_model",
    "results_table",
    "run_methods",
    "run_postprocessing_on_scores",
    "split_data",
    "tradeoff_intervals",
    "tradeoff_table",
    "unavailable_on_scores",
]
