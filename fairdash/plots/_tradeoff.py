"""The accuracy-vs-disparity scatter with its Pareto front."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairdash._markup import plotly_text

__all__ = ["tradeoff_scatter"]


def tradeoff_scatter(
    table: pd.DataFrame,
    *,
    performance: str,
    disparity: str,
    on_front: str = "on_front",
    unmitigated: str = "is_unmitigated",
    label: str = "name",
    hover: tuple[str, ...] = ("method", "params"),
    current: str | None = None,
    maximize_performance: bool = True,
) -> go.Figure:
    """Every model as a point, disparity against performance, the front drawn as a line.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per model with the columns named by the other parameters.
    performance, disparity : str
        Columns for the y and x axes.
    on_front : str, default="on_front"
        Boolean column: the model is non-dominated.
    unmitigated : str, default="is_unmitigated"
        Boolean column marking the unmitigated model (drawn as a star).
    label : str, default="name"
        Column with the model's name (also the point's ``customdata[0]``, as
        it is, so a selection event names the model; the hover shows it escaped).
    hover : tuple of str
        Extra columns shown on hover.
    current : str, optional
        Name of the current model, circled.
    maximize_performance : bool, default=True
        Whether higher performance is better (accuracy) or lower (RMSE); only
        used to order the front line.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    # customdata[0] is the name as it is (a selection event names the model); what
    # the hover shows is escaped (customdata[1] onwards).
    names = table[label].astype(str)
    customdata = np.column_stack(
        [names, names.map(plotly_text)] + [table[c].astype(str).map(plotly_text) for c in hover]
    )
    hover_lines = "".join(
        f"{plotly_text(c)}: %{{customdata[{i + 2}]}}<br>" for i, c in enumerate(hover)
    )
    template = (
        "<b>%{customdata[1]}</b><br>" + hover_lines
        + f"{plotly_text(performance)}: %{{y:.4f}}<br>"
        + f"{plotly_text(disparity)}: %{{x:.4f}}<extra></extra>"
    )
    is_base = table[unmitigated].astype(bool).to_numpy()
    front = table[table[on_front].astype(bool)].sort_values(
        disparity, ascending=True
    )
    fig = go.Figure()
    fig.add_scatter(
        x=front[disparity], y=front[performance], mode="lines",
        line={"color": "#e8590c", "shape": "hv" if maximize_performance else "vh"},
        name="Pareto front", hoverinfo="skip",
    )
    for mask, name, symbol, size in (
        (~is_base, "mitigated models", "circle", 10),
        (is_base, "unmitigated model", "star", 18),
    ):
        if not mask.any():
            continue
        part = table[mask]
        fig.add_scatter(
            x=part[disparity], y=part[performance], mode="markers", name=name,
            marker={
                "symbol": symbol, "size": size,
                "color": np.where(part[on_front].astype(bool), "#e8590c", "#3b5bdb"),
                "line": {"width": 1, "color": "#1d2433"},
            },
            customdata=customdata[mask], hovertemplate=template,
        )
    if current is not None and (table[label] == current).any():
        row = table[table[label] == current].iloc[0]
        fig.add_scatter(
            x=[row[disparity]], y=[row[performance]], mode="markers", name="current model",
            marker={"symbol": "circle-open", "size": 26, "color": "#2b8a3e",
                    "line": {"width": 3}},
            hoverinfo="skip",
        )
    fig.update_layout(
        title="Performance vs disparity (orange: the Pareto front)",
        xaxis_title=plotly_text(disparity.replace("_", " ")) + " (lower is fairer)",
        yaxis_title=plotly_text(performance.replace("_", " ")),
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig
