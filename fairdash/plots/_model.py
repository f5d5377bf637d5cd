"""The charts of one model (and the models it is compared with), as a report shows them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from fairdash._markup import plotly_text
from fairdash.groups import GROUP_SEPARATOR, group_label_index
from fairdash.metrics import GroupMetrics, RegressionGroupMetrics
from fairdash.plots._compare import tradeoff_scatter
from fairdash.plots._figures import error_rate_chart, group_rate_chart

__all__ = ["model_figures", "prediction_error_chart"]


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


def prediction_error_chart(errors: pd.DataFrame) -> go.Figure:
    """Mean over- and under-prediction per group, side by side (a regression model).

    Parameters
    ----------
    errors : pandas.DataFrame
        :func:`fairdash.metrics.prediction_error_by_group`; empty groups (NaN) are
        left out.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    shown = errors.dropna(how="all")
    labels = [plotly_text(label) for label in group_label_index(shown.index)]
    fig = go.Figure()
    for column, name, color in (
        ("mean_overprediction", "over-prediction", "#e8590c"),
        ("mean_underprediction", "under-prediction", "#1971c2"),
    ):
        fig.add_bar(
            x=labels, y=shown[column].to_numpy(dtype=float), name=name, marker_color=color,
            hovertemplate="<b>%{x}</b><br>%{y:.3f}<extra>" + name + "</extra>",
        )
    fig.update_layout(
        title="Over- and under-prediction by group (mean amount)",
        barmode="group",
        xaxis_title=GROUP_SEPARATOR.join(
            plotly_text(n) for n in shown.index.names if n is not None
        ),
        yaxis_title="mean amount",
        template="plotly_white",
        legend={"orientation": "h", "y": 1.1},
    )
    return fig
