"""The worst slices of a slice search, with their intervals (a pure function to a figure)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairdash._markup import plotly_text

__all__ = ["slice_chart"]

_SIGNIFICANT = "#c92a2a"
_OTHER = "#868e96"
_REST = "#3b5bdb"
_MAX_LABEL = 60


def _short(text: str) -> str:
    # Values come from users' data: shown as text, never as plotly's HTML or LaTeX.
    text = text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"
    return plotly_text(text)


def _title(shown: pd.DataFrame, metric: str) -> str:
    # "Most harmful" only when every slice drawn does worse than the rest: with few
    # slices, the list runs on to slices that do better.
    worse = int((shown["harm"] > 0).sum())
    if worse == len(shown):
        return f"The {len(shown)} most harmful slices: {metric}"
    return f"{len(shown)} slices ranked by harm ({worse} worse than all other rows): {metric}"


def slice_chart(table: pd.DataFrame, *, top: int = 15, title: str | None = None) -> go.Figure:
    """The ``top`` most harmful slices: the metric with its interval, and on the rest.

    Parameters
    ----------
    table : pandas.DataFrame
        As :func:`fairdash.slices.find_slices` returns it (most harmful first;
        ``attrs["metric"]`` names the metric).
    top : int, default=15
        How many slices to draw, the most harmful at the top.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        One row per slice: a point with its 95% interval (red when significant
        after the false discovery rate control, grey otherwise) and a hollow
        marker for the metric on all other rows.
    """
    shown = table.head(top).iloc[::-1]  # the most harmful at the top
    metric = plotly_text(str(table.attrs.get("metric", "value")).replace("_", " "))
    labels = [_short(str(s)) for s in shown["slice"]]
    value = shown["value"].to_numpy(dtype=float)
    significant = shown["significant"].to_numpy(dtype=bool)
    customdata = np.column_stack(
        [
            shown["ci_low"].to_numpy(dtype=float),
            shown["ci_high"].to_numpy(dtype=float),
            shown["size"].to_numpy(),
            shown["q_value"].to_numpy(dtype=float),
            shown["complement"].to_numpy(dtype=float),
        ]
    )
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=shown["complement"],
            y=labels,
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 14, "color": _REST, "line": {"width": 2}},
            name="all other rows",
            hovertemplate=f"{metric} on all other rows: %{{x:.3f}}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=value,
            y=labels,
            mode="markers",
            marker={"color": [_SIGNIFICANT if s else _OTHER for s in significant], "size": 9},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": customdata[:, 1] - value,
                "arrayminus": value - customdata[:, 0],
                "color": "#495057",
                "thickness": 1.5,
            },
            customdata=customdata,
            name="slice (red: significant)",
            hovertemplate=(
                "<b>%{y}</b><br>"
                f"{metric}: %{{x:.3f}} (interval %{{customdata[0]:.3f}} to "
                "%{customdata[1]:.3f})<br>rows: %{customdata[2]}<br>"
                "all other rows: %{customdata[4]:.3f}<br>q-value: %{customdata[3]:.2g}"
                "<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        title=plotly_text(title) if title else _title(shown, metric),
        xaxis_title=f"{metric} (95% interval)",
        height=max(320, 60 + 28 * len(shown)),
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        margin={"t": 80, "b": 40, "l": 10},
        template="plotly_white",
    )
    return fig
