"""Plotly figures for the dashboard and reports (pure functions, no UI code)."""

from fairdash.plots._calibration import reliability_chart
from fairdash.plots._compare import model_comparison_chart, tradeoff_scatter
from fairdash.plots._figures import (
    error_rate_chart,
    group_label_index,
    group_rate_chart,
    metric_heatmap,
)
from fairdash.plots._model import model_figures, prediction_error_chart
from fairdash.plots._scores import (
    MAX_CURVE_POINTS,
    roc_curve_chart,
    roc_left_out,
    score_distribution_chart,
    thin_curve,
)
from fairdash.plots._slices import slice_chart

__all__ = [
    "MAX_CURVE_POINTS",
    "error_rate_chart",
    "group_label_index",
    "group_rate_chart",
    "metric_heatmap",
    "model_comparison_chart",
    "model_figures",
    "prediction_error_chart",
    "reliability_chart",
    "roc_curve_chart",
    "roc_left_out",
    "score_distribution_chart",
    "slice_chart",
    "thin_curve",
    "tradeoff_scatter",
]
