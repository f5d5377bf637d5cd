"""Plotly figures: pure functions from tables to figures.

Every string from the data (group values, column names, titles) goes through
:func:`fairdash.plotly_text`, so it shows as written and never as markup.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairdash._markup import plotly_text
from fairdash.groups import GROUP_SEPARATOR, group_label_index, value_text

__all__ = ["group_label_index", "group_rate_chart"]

_BAR = "#3b5bdb"
_SMALL = "#adb5bd"
_OVERALL = "#e8590c"


def group_rate_chart(
    table: pd.DataFrame,
    *,
    metric: str = "selection_rate",
    overall: float | None = None,
    hide_small: bool = False,
    title: str | None = None,
) -> go.Figure:
    """A bar per intersectional group with its confidence interval.

    Groups flagged small are drawn grey and hatched (or left out with
    ``hide_small``); groups with no rows are left out, since they have no rate.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by group (one level per sensitive feature), with columns
        ``metric``, ``f"{metric}_lower"``, ``f"{metric}_upper"``, ``count`` and
        ``small_group``.
    metric : str, default="selection_rate"
        The column to draw.
    overall : float, optional
        The metric on all rows, drawn as a dashed line.
    hide_small : bool, default=False
        Leave out small groups instead of marking them.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    shown = table[table["count"] > 0]
    if hide_small:
        shown = shown[~shown["small_group"].astype(bool)]
    labels = [plotly_text(label) for label in group_label_index(shown.index)]
    value = shown[metric].to_numpy(dtype=float)
    lower = shown[f"{metric}_lower"].to_numpy(dtype=float)
    upper = shown[f"{metric}_upper"].to_numpy(dtype=float)
    small = shown["small_group"].to_numpy(dtype=bool)
    count = shown["count"].to_numpy()
    pretty = plotly_text(metric.replace("_", " "))
    customdata = np.column_stack([lower, upper, count, np.where(small, "small group", "")])
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=value,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": upper - value,
                "arrayminus": value - lower,
                "color": "#495057",
                "thickness": 1.5,
            },
            marker={
                "color": [_SMALL if s else _BAR for s in small],
                "pattern": {"shape": ["/" if s else "" for s in small]},
            },
            customdata=customdata,
            hovertemplate=(
                "<b>%{x}</b><br>"
                f"{pretty}: %{{y:.3f}}<br>"
                "interval: %{customdata[0]:.3f} to %{customdata[1]:.3f}<br>"
                "rows: %{customdata[2]}<br>%{customdata[3]}<extra></extra>"
            ),
            name=pretty,
        )
    )
    if overall is not None and np.isfinite(overall):
        fig.add_hline(
            y=overall,
            line={"dash": "dash", "color": _OVERALL},
            annotation_text=f"overall {overall:.3f}",
            annotation_position="top right",
        )
    fig.update_layout(
        title=plotly_text(title) if title else f"{pretty.capitalize()} by group",
        xaxis_title=GROUP_SEPARATOR.join(plotly_text(n) for n in table.index.names),
        yaxis_title=pretty,
        yaxis_range=[0, max(1.0, float(np.nanmax(upper, initial=0.0)))],
        bargap=0.25,
        showlegend=False,
        margin={"t": 60, "b": 40},
        template="plotly_white",
    )
    return fig


def error_rate_chart(table: pd.DataFrame, *, hide_small: bool = False) -> go.Figure:
    """False positive and false negative rate per group, side by side, with intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        As for :func:`group_rate_chart`, with the columns of both rates.
    hide_small : bool, default=False

    Returns
    -------
    plotly.graph_objects.Figure
    """
    shown = table[table["count"] > 0]
    if hide_small:
        shown = shown[~shown["small_group"].astype(bool)]
    labels = [plotly_text(label) for label in group_label_index(shown.index)]
    fig = go.Figure()
    for metric, color in (("false_positive_rate", "#e8590c"), ("false_negative_rate", "#1971c2")):
        value = shown[metric].to_numpy(dtype=float)
        fig.add_bar(
            x=labels,
            y=value,
            name=metric.replace("_", " "),
            marker_color=color,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": shown[f"{metric}_upper"].to_numpy(dtype=float) - value,
                "arrayminus": value - shown[f"{metric}_lower"].to_numpy(dtype=float),
            },
            hovertemplate="<b>%{x}</b><br>%{y:.3f}<extra>" + metric.replace("_", " ") + "</extra>",
        )
    fig.update_layout(
        title="Error rates by group",
        barmode="group",
        yaxis_title="rate",
        yaxis_range=[0, 1],
        template="plotly_white",
        legend={"orientation": "h", "y": 1.1},
    )
    return fig


def metric_heatmap(
    table: pd.DataFrame, *, metric: str, rows: str, columns: str
) -> go.Figure:
    """A metric over two sensitive features; cells show the value and the row count.

    The table is indexed by exactly these two features (compute the metrics for
    the pair). Small cells are marked with an asterisk.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by the two features ``rows`` and ``columns``, with ``metric``,
        ``count`` and ``small_group``.
    metric : str
    rows, columns : str
        Index level names for the heatmap's rows and columns.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    pretty = plotly_text(metric.replace("_", " "))
    row_name, column_name = plotly_text(rows), plotly_text(columns)
    values = table[metric].unstack(columns)
    counts = table["count"].unstack(columns).reindex_like(values)
    small = table["small_group"].astype(bool).unstack(columns).reindex_like(values)
    text = [
        [
            "" if not np.isfinite(c) or c == 0 else f"{v:.3f}{'*' if s else ''}<br>n={int(c)}"
            for v, c, s in zip(vrow, crow, srow, strict=True)
        ]
        for vrow, crow, srow in zip(
            values.to_numpy(dtype=float), counts.to_numpy(dtype=float),
            small.to_numpy(dtype=bool), strict=True,
        )
    ]
    fig = go.Figure(
        go.Heatmap(
            z=values.to_numpy(dtype=float),
            x=[plotly_text(value_text(c)) for c in values.columns],
            y=[plotly_text(value_text(r)) for r in values.index],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar={"title": pretty},
            hovertemplate=f"{row_name}=%{{y}}<br>{column_name}=%{{x}}<br>%{{text}}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"{pretty.capitalize()} by {row_name} × {column_name} (* small group)",
        xaxis_title=column_name,
        yaxis_title=row_name,
        template="plotly_white",
    )
    return fig
