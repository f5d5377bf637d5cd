"""The charts of one model (and the models it is compared with), as a report shows them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from fairdash.metrics import GroupMetrics, RegressionGroupMetrics
from fairdash.plots._figures import error_rate_chart, group_rate_chart
from fairdash.plots._tradeoff import tradeoff_scatter

__all__ = ["model_figures"]


def model_figures(
    metrics: GroupMetrics | RegressionGroupMetrics,
    *,
    model_name: str | None = None,
    models_table: pd.DataFrame | None = None,
) -> dict[str, go.Figure]:
    """The charts of a model: rates by group and, beside other models, the trade-off.

    Parameters
    ----------
    metrics : GroupMetrics or RegressionGroupMetrics
        The model's group metrics.
    model_name : str, optional
        The model's name in ``models_table`` (marked on the trade-off chart).
    models_table : pandas.DataFrame, optional
        :func:`fairdash.tradeoff.results_table` of the models to compare; the
        trade-off chart is drawn when it has at least two models.

    Returns
    -------
    dict of str to plotly.graph_objects.Figure
        ``"selection_rate"`` and ``"error_rates"`` for classification,
        ``"tradeoff"`` when there are models to compare (accuracy against
        demographic parity difference, or RMSE against KS distance).
    """
    classification = isinstance(metrics, GroupMetrics)
    figures: dict[str, go.Figure] = {}
    if classification:
        frame = metrics.to_frame()
        figures["selection_rate"] = group_rate_chart(
            frame, metric="selection_rate", overall=float(metrics.overall["selection_rate"])
        )
        figures["error_rates"] = error_rate_chart(frame)
    if models_table is not None and len(models_table) > 1:
        figures["tradeoff"] = tradeoff_scatter(
            models_table,
            performance="accuracy" if classification else "root_mean_squared_error",
            disparity="demographic_parity_difference" if classification else "ks_distance",
            current=model_name,
            maximize_performance=classification,
        )
    return figures
