"""Figures of scores per group: distributions and ROC curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairdash._markup import plotly_text

__all__ = ["roc_curve_chart", "score_distribution_chart"]


def score_distribution_chart(
    y_score: np.ndarray, groups: pd.Series, *, thresholds: dict[str, float] | None = None
) -> go.Figure:
    """Overlaid histograms (as densities) of the scores of every group.

    Parameters
    ----------
    y_score : numpy.ndarray
        Scores of the rows.
    groups : pandas.Series
        The group label of each row.
    thresholds : dict of str to float, optional
        Thresholds to mark, by group label.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    labels = pd.Series(np.asarray(groups)).astype(str)
    for label in pd.unique(labels):
        fig.add_histogram(
            x=np.asarray(y_score)[(labels == label).to_numpy()],
            name=plotly_text(label),
            histnorm="probability density",
            opacity=0.55,
            nbinsx=50,
        )
    for label, t in (thresholds or {}).items():
        fig.add_vline(x=t, line_dash="dot", annotation_text=f"{plotly_text(label)}: {t:.2f}")
    fig.update_layout(
        title="Score distribution by group",
        barmode="overlay",
        xaxis_title="score",
        yaxis_title="density",
        template="plotly_white",
    )
    return fig


def roc_curve_chart(y_true: np.ndarray, y_score: np.ndarray, groups: pd.Series) -> go.Figure:
    """ROC curve of every group with both classes, AUC in the legend.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    from sklearn.metrics import roc_auc_score, roc_curve  # slow to import; only needed here

    fig = go.Figure()
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score)
    labels = pd.Series(np.asarray(groups)).astype(str)
    for label in pd.unique(labels):
        mask = (labels == label).to_numpy()
        if len(np.unique(y_true[mask])) < 2:
            continue  # ROC needs both classes
        fpr, tpr, _ = roc_curve(y_true[mask], y_score[mask])
        auc = roc_auc_score(y_true[mask], y_score[mask])
        fig.add_scatter(x=fpr, y=tpr, mode="lines", name=f"{plotly_text(label)} (AUC {auc:.3f})")
    fig.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dash", "color": "#adb5bd"},
        name="chance", hoverinfo="skip",
    )
    fig.update_layout(
        title="ROC curve by group",
        xaxis_title="false positive rate",
        yaxis_title="true positive rate",
        xaxis_range=[0, 1],
        yaxis_range=[0, 1],
        template="plotly_white",
    )
    return fig
