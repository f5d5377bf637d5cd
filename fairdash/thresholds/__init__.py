"""What-if thresholds: fast per-group threshold queries, one-click strategies, and the
model a set of thresholds makes."""

from fairdash.thresholds._curves import (
    ThresholdCurves,
    decision_cost,
    index_order_codes,
    naive_cell_sums,
    sorted_group_codes,
)
from fairdash.thresholds._models import (
    THRESHOLDED_METHOD,
    thresholded_group_table,
    thresholded_model,
    thresholds_by_group,
)
from fairdash.thresholds._outcome import (
    FEW_SCORE_LEVELS,
    StrategyOutcome,
    apply_strategy,
    score_levels_note,
    threshold_step,
)
from fairdash.thresholds._strategies import STRATEGIES, choose_thresholds, small_groups

__all__ = [
    "FEW_SCORE_LEVELS",
    "STRATEGIES",
    "THRESHOLDED_METHOD",
    "StrategyOutcome",
    "ThresholdCurves",
    "apply_strategy",
    "choose_thresholds",
    "decision_cost",
    "index_order_codes",
    "naive_cell_sums",
    "score_levels_note",
    "small_groups",
    "sorted_group_codes",
    "threshold_step",
    "thresholded_group_table",
    "thresholded_model",
    "thresholds_by_group",
]
