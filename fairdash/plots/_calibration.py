"""Reliability curves per group (small multiples) from a GroupCalibration."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from fairdash._markup import plotly_text
from fairdash.plots._figures import group_label_index

__all__ = ["reliability_chart"]


def reliability_chart(calibration, *, columns: int = 3) -> go.Figure:
    """One reliability curve per group: observed rate against mean score per bin.

    Points on the diagonal are calibrated; above it, the group's favourable
    outcomes are more frequent than its scores say. Bars are Wilson intervals
    of the observed rate; each panel's title gives the group's expected
    calibration error (ECE) and calibration-in-the-large.

    Parameters
    ----------
    calibration : GroupCalibration
        From :func:`fairdash.metrics.calibration_by_group`.
    columns : int, default=3
        Panels per row.

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace per group (plus a diagonal per panel).
    """
    summary = calibration.summary
    names = group_label_index(summary.index)
    level_names = list(summary.index.names)
    bins = calibration.bins
    bin_labels = group_label_index(
        bins.set_index(level_names).index if len(level_names) > 1 else bins[level_names[0]]
    )
    cols = max(1, min(int(columns), len(names)))
    rows = max(1, math.ceil(len(names) / cols))
    titles = [
        f"{plotly_text(name)}: ECE {row.expected_calibration_error:.3f}, "
        f"in the large {row.calibration_in_the_large:+.3f}"
        for name, row in zip(names, summary.itertuples(), strict=True)
    ]
    fig = make_subplots(
        rows=rows, cols=cols, shared_xaxes=True, shared_yaxes=True,
        vertical_spacing=min(0.1, 0.35 / rows), horizontal_spacing=0.04, subplot_titles=titles,
    )
    labels = np.asarray(bin_labels)
    for i, name in enumerate(names):
        row, col = i // cols + 1, i % cols + 1
        part = bins[labels == name]
        fig.add_scatter(
            x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dash", "color": "#adb5bd"},
            hoverinfo="skip", showlegend=False, row=row, col=col,
        )
        observed = part["observed_rate"].to_numpy()
        fig.add_scatter(
            x=part["mean_score"], y=observed, mode="markers+lines", name=plotly_text(name),
            showlegend=False, row=row, col=col,
            marker={"size": np.clip(4 + 2 * np.sqrt(part["count"].to_numpy()) / 3, 5, 16),
                    "color": "#1c7ed6"},
            line={"color": "#1c7ed6", "width": 1},
            error_y={"type": "data", "symmetric": False,
                     "array": part["observed_upper"].to_numpy() - observed,
                     "arrayminus": observed - part["observed_lower"].to_numpy(),
                     "color": "#1c7ed6", "thickness": 1},
            customdata=np.column_stack([part["count"], part["bin_lower"], part["bin_upper"]]),
            hovertemplate=f"{plotly_text(name)}<br>scores "
            "%{customdata[1]:.2f}–%{customdata[2]:.2f} (%{customdata[0]:.0f} rows)"
            "<br>mean score %{x:.3f}<br>observed %{y:.3f}"
            "<extra></extra>",
        )
    fig.update_xaxes(range=[0, 1])
    fig.update_xaxes(title_text="mean score in the bin", row=rows)
    fig.update_yaxes(range=[0, 1])
    fig.update_yaxes(title_text="observed rate", col=1)
    fig.update_layout(
        title=f"Calibration by group (dashed: perfectly calibrated; bars: "
        f"{calibration.confidence_level:.0%} Wilson intervals)",
        template="plotly_white",
        height=max(320, 90 + 230 * rows),
    )
    fig.update_annotations(font_size=11)
    return fig
