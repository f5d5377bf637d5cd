"""Figures of scores per group: distributions (small multiples) and ROC curves."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from fairdash._markup import plotly_text

__all__ = [
    "MAX_CURVE_POINTS",
    "roc_curve_chart",
    "roc_left_out",
    "score_distribution_chart",
    "thin_curve",
]

#: Points per group at most on a ROC curve sent to the browser.
MAX_CURVE_POINTS = 300

_BINS = 40
_NOTE_WIDTH = 90  # characters per line of the ROC chart's note


def score_distribution_chart(
    y_score: np.ndarray,
    groups: pd.Series,
    *,
    thresholds: dict[str, float] | None = None,
    columns: int = 3,
) -> go.Figure:
    """One small histogram of the scores per group, on shared bins and a shared score axis.

    Small multiples stay readable with 12 or more groups, where overlaid
    histograms do not. Each panel shows the share of the group's rows per bin
    (so groups of different sizes compare), titled with the group and its rows.

    Parameters
    ----------
    y_score : numpy.ndarray
        Scores of the rows.
    groups : pandas.Series
        The group label of each row.
    thresholds : dict of str to float, optional
        Thresholds to mark, by group label.
    columns : int, default=3
        Panels per row.

    Returns
    -------
    plotly.graph_objects.Figure
        One histogram trace per group, groups sorted by label; each panel has its
        own vertical scale (a group of three rows would flatten the others).
    """
    score = np.asarray(y_score, dtype=np.float64)
    labels = pd.Series(np.asarray(groups)).astype(str)
    names = sorted(pd.unique(labels))
    cols = max(1, min(int(columns), len(names)))
    rows = max(1, math.ceil(len(names) / cols))
    finite = score[np.isfinite(score)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    size = (high - low) / _BINS or 1.0
    counts = labels.value_counts()
    fig = make_subplots(
        rows=rows, cols=cols, shared_xaxes=True,
        vertical_spacing=min(0.08, 0.3 / rows), horizontal_spacing=0.05,
        subplot_titles=[f"{plotly_text(name)} ({counts[name]:,} rows)" for name in names],
    )
    thresholds = thresholds or {}
    for i, name in enumerate(names):
        row, col = i // cols + 1, i % cols + 1
        part = score[(labels == name).to_numpy()]
        # Counted here (the bins plotly would draw): a bar per bin, whatever the rows.
        edges = low + size * np.arange(_BINS + 2)
        binned, _ = np.histogram(part, bins=edges)
        fig.add_bar(
            x=(edges[:-1] + edges[1:]) / 2, y=binned / max(len(part), 1), width=size,
            name=plotly_text(name), marker_color="#1c7ed6", showlegend=False, row=row, col=col,
            hovertemplate=f"{plotly_text(name)}<br>score %{{x}}<br>%{{y:.1%}} of the group"
            "<extra></extra>",
        )
        if name in thresholds:
            fig.add_vline(x=thresholds[name], line_dash="dot", line_color="#c92a2a",
                          row=row, col=col)
    fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(title_text="score", row=rows)
    fig.update_layout(
        title="Score distribution by group (share of the group's rows per score bin"
        + ("; dotted: threshold)" if thresholds else ")"),
        template="plotly_white",
        height=max(300, 80 + 170 * rows),
        bargap=0.05,
    )
    return fig


def thin_curve(x: np.ndarray, y: np.ndarray, *, max_points: int = MAX_CURVE_POINTS) -> np.ndarray:
    """Positions of at most ``max_points`` points of a curve, evenly spread along its length.

    The first and last points are kept; a curve that short already is kept whole.

    Parameters
    ----------
    x, y : numpy.ndarray
        The curve's points, in order.
    max_points : int, default=300

    Returns
    -------
    numpy.ndarray of int
        Increasing positions into ``x`` and ``y``.
    """
    n = len(x)
    if n <= max_points:
        return np.arange(n)
    length = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    targets = np.linspace(0.0, length[-1], max_points)
    keep = np.unique(np.searchsorted(length, targets).clip(0, n - 1))
    return np.union1d(keep, [0, n - 1])


def roc_left_out(y_true: np.ndarray, groups: pd.Series) -> dict[str, str]:
    """The groups an ROC curve cannot be drawn for, and why (only one class).

    Parameters
    ----------
    y_true : numpy.ndarray
        Binary labels (1 = favourable).
    groups : pandas.Series
        The group label of each row.

    Returns
    -------
    dict of str to str
        Group label to the reason, e.g. ``"all 12 rows have the unfavourable outcome"``.
    """
    y = np.asarray(y_true)
    labels = pd.Series(np.asarray(groups)).astype(str)
    out = {}
    for name in pd.unique(labels):
        part = y[(labels == name).to_numpy()]
        positives = int(np.sum(part == 1))
        if 0 < positives < len(part):
            continue
        outcome = "favourable" if positives else "unfavourable"
        rows = "its only row has" if len(part) == 1 else f"all {len(part):,} rows have"
        out[name] = f"{rows} the {outcome} outcome"
    return out


def roc_curve_chart(y_true: np.ndarray, y_score: np.ndarray, groups: pd.Series) -> go.Figure:
    """ROC curve of every group with both classes, AUC in the legend.

    Groups (sorted by label) with one class only have no ROC curve; the
    figure names them and says why, below the plot.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    from sklearn.metrics import roc_auc_score, roc_curve  # slow to import; only needed here

    fig = go.Figure()
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score)
    labels = pd.Series(np.asarray(groups)).astype(str)
    left_out = roc_left_out(y_true, labels)
    for label in sorted(pd.unique(labels)):
        if label in left_out:
            continue
        mask = (labels == label).to_numpy()
        fpr, tpr, _ = roc_curve(y_true[mask], y_score[mask])
        auc = roc_auc_score(y_true[mask], y_score[mask])
        keep = thin_curve(fpr, tpr)  # AUC from every row; the line from a few hundred points
        fpr, tpr = fpr[keep], tpr[keep]
        fig.add_scatter(x=fpr, y=tpr, mode="lines", name=f"{plotly_text(label)} (AUC {auc:.3f})")
    fig.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dash", "color": "#adb5bd"},
        name="chance", hoverinfo="skip",
    )
    margin = {}
    if left_out:
        lines = textwrap.wrap(
            "Not drawn (an ROC curve needs both outcomes): "
            + "; ".join(f"{name}: {why}" for name, why in left_out.items()),
            _NOTE_WIDTH,
        )
        fig.add_annotation(
            text="<br>".join(plotly_text(line) for line in lines), xref="paper", yref="paper",
            x=0, y=-0.16, yanchor="top", showarrow=False, xanchor="left", align="left",
            font={"size": 11, "color": "#c92a2a"},
        )
        margin = {"margin": {"b": 90 + 16 * len(lines)}}
    fig.update_layout(
        title="ROC curve by group",
        xaxis_title="false positive rate",
        yaxis_title="true positive rate",
        xaxis_range=[0, 1],
        yaxis_range=[0, 1],
        template="plotly_white",
        **margin,
    )
    return fig
