"""Figures comparing models: the trade-off scatter, and two models side by side per group."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from fairdash._markup import plotly_text
from fairdash.plots._figures import group_label_index
from fairdash.tradeoff._describe import method_name

__all__ = ["model_comparison_chart", "tradeoff_scatter"]

# One colour and one symbol per method, in the catalogue's order; the unmitigated
# model is a star. Methods beyond these cycle through them.
_METHOD_STYLE: dict[str, tuple[str, str]] = {
    "unmitigated": ("#1d2433", "star"),
    "reweighing": ("#1c7ed6", "square"),
    "correlation_remover": ("#37b24d", "diamond"),
    "linear_ferm": ("#f59f00", "triangle-up"),
    "grid_search": ("#7048e8", "circle"),
    "exponentiated_gradient": ("#e64980", "pentagon"),
    "threshold_optimizer": ("#0ca678", "hexagon"),
    "barycenter": ("#0b7285", "cross"),
    "what-if thresholds": ("#495057", "x"),
}
_OTHER_STYLES = [("#868e96", "triangle-down"), ("#15aabf", "star-diamond"), ("#82c91e", "bowtie")]
_FRONT_COLOUR = "#e8590c"
_WRAP = 60  # characters per hover line


def _style(method: str, seen: list[str]) -> tuple[str, str]:
    if method in _METHOD_STYLE:
        return _METHOD_STYLE[method]
    if method not in seen:
        seen.append(method)
    return _OTHER_STYLES[seen.index(method) % len(_OTHER_STYLES)]


def _wrapped(text: str) -> str:
    return "<br>".join(plotly_text(line) for line in textwrap.wrap(text, _WRAP)) or ""


def _interval(table: pd.DataFrame, column: str) -> tuple[str, np.ndarray, np.ndarray] | None:
    lower, upper = f"{column}_lower", f"{column}_upper"
    if lower not in table or upper not in table:
        return None
    values = table[column].to_numpy(dtype=np.float64)
    return (
        " (CI %.4f–%.4f)",
        values - table[lower].to_numpy(dtype=np.float64),
        table[upper].to_numpy(dtype=np.float64) - values,
    )


def _same_point(table: pd.DataFrame, x: str, y: str, label: str) -> pd.Series:
    """For every model, the names of all models drawn at the same point (itself included)."""
    key = pd.Series(
        list(zip(table[x].round(9), table[y].round(9), strict=True)), index=table.index
    )
    names = table[label].astype(str)
    groups = names.groupby(key, sort=False).agg(list)
    return key.map(groups)


def tradeoff_scatter(
    table: pd.DataFrame,
    *,
    performance: str,
    disparity: str,
    on_front: str = "on_front",
    unmitigated: str = "is_unmitigated",
    label: str = "name",
    method: str = "method",
    method_label: str | None = "method_label",
    description: str | None = "description",
    current: str | None = None,
    maximize_performance: bool = True,
) -> go.Figure:
    """Every model as a point, one colour and symbol per method, the Pareto front as a line.

    Where ``table`` has ``<metric>_lower`` / ``<metric>_upper`` columns (from
    :meth:`fairdash.tradeoff.TradeoffIntervals.table`) they are drawn as error
    bars. Models at the same point are all named in its hover and the point is
    marked with their number (``×3``).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per model with the columns named by the other parameters.
    performance, disparity : str
        Columns for the y and x axes.
    on_front : str, default="on_front"
        Boolean column: the model is non-dominated (drawn with an orange rim).
    unmitigated : str, default="is_unmitigated"
        Boolean column marking the unmitigated model (a star).
    label : str, default="name"
        Column with the model's name (also the point's ``customdata[0]``, as it
        is, so a selection event names the model).
    method : str, default="method"
        Column with the method key: one trace, colour and symbol per method.
    method_label : str or None, default="method_label"
        Column with the method's display name for the legend (if absent,
        :func:`fairdash.tradeoff.method_name` of the method).
    description : str or None, default="description"
        Column with the model's parameters in words, shown on hover if present.
    current : str, optional
        Name of the current model, circled.
    maximize_performance : bool, default=True
        Whether higher performance is better; orders the front line.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    table = table.reset_index(drop=True)
    is_base = table[unmitigated].astype(bool)
    methods = table[method].astype(str).where(~is_base, "unmitigated")
    legend = (
        table[method_label].astype(str)
        if method_label is not None and method_label in table
        else methods.map(method_name)
    )
    same = _same_point(table, disparity, performance, label)
    y_ci, x_ci = _interval(table, performance), _interval(table, disparity)
    lines = []
    for i in range(len(table)):
        row = table.iloc[i]
        text = [f"<b>{plotly_text(row[label])}</b>", f"Method: {plotly_text(legend[i])}"]
        if description is not None and description in table and str(row[description]):
            text.append(_wrapped(str(row[description])))
        for metric, ci in ((performance, y_ci), (disparity, x_ci)):
            value = f"{plotly_text(metric.replace('_', ' '))}: {row[metric]:.4f}"
            if ci is not None:
                value += ci[0] % (row[f"{metric}_lower"], row[f"{metric}_upper"])
            text.append(value)
        if bool(row[on_front]):
            text.append("On the Pareto front")
        if len(same[i]) > 1:
            others = ", ".join(same[i][:8]) + (" …" if len(same[i]) > 8 else "")
            text.append(_wrapped(f"{len(same[i])} models at this point: {others}"))
        lines.append("<br>".join(text))
    table = table.assign(_hover=lines, _method=methods, _legend=legend)

    fig = go.Figure()
    front = table[table[on_front].astype(bool)].sort_values(disparity)
    fig.add_scatter(
        x=front[disparity], y=front[performance], mode="lines", name="Pareto front",
        line={"color": _FRONT_COLOUR, "shape": "hv" if maximize_performance else "vh"},
        hoverinfo="skip",
    )
    seen: list[str] = []
    keys = list(pd.unique(table["_method"]))
    keys.sort(key=lambda k: k == "unmitigated")  # the star on top
    for key in keys:
        part = table[table["_method"] == key]
        colour, symbol = _style(key, seen)
        rows = part.index.to_numpy()
        error = {}
        for axis, ci in (("error_y", y_ci), ("error_x", x_ci)):
            if ci is not None:
                error[axis] = {
                    "type": "data", "symmetric": False, "array": ci[2][rows],
                    "arrayminus": ci[1][rows], "color": colour, "thickness": 0.8, "width": 0,
                }
        fig.add_scatter(
            x=part[disparity], y=part[performance], mode="markers",
            name=plotly_text(part["_legend"].iloc[0]),
            marker={
                "symbol": symbol, "color": colour, "size": 18 if key == "unmitigated" else 11,
                "opacity": 0.9,
                "line": {
                    "width": np.where(part[on_front].astype(bool), 2.5, 0.5),
                    "color": np.where(part[on_front].astype(bool), _FRONT_COLOUR, "#ffffff"),
                },
            },
            customdata=np.column_stack([part[label].astype(str), part["_hover"]]),
            hovertemplate="%{customdata[1]}<extra></extra>",
            **error,
        )
    stacked = table[same.map(len) > 1].drop_duplicates(subset=[disparity, performance])
    if len(stacked):
        fig.add_scatter(
            x=stacked[disparity], y=stacked[performance], mode="text",
            text=[f"×{len(same[i])}" for i in stacked.index], textposition="top right",
            textfont={"size": 11, "color": "#495057"}, hoverinfo="skip", showlegend=False,
            name="models at the same point",
        )
    if current is not None and (table[label].astype(str) == str(current)).any():
        row = table[table[label].astype(str) == str(current)].iloc[0]
        fig.add_scatter(
            x=[row[disparity]], y=[row[performance]], mode="markers", name="current model",
            marker={"symbol": "circle-open", "size": 28, "color": "#2b8a3e", "line": {"width": 3}},
            hoverinfo="skip",
        )
    interval_note = " · bars: bootstrap intervals" if (x_ci or y_ci) is not None else ""
    fig.update_layout(
        title=f"Performance vs disparity (orange line and rims: the Pareto front{interval_note})",
        xaxis_title=plotly_text(disparity.replace("_", " ")) + " (lower is fairer)",
        yaxis_title=plotly_text(performance.replace("_", " ")),
        template="plotly_white",
        legend={"title": {"text": "Method"}},
        hoverlabel={"align": "left"},
        height=520,
    )
    return fig


_RATE_TITLES = {
    "selection_rate": "selection rate",
    "true_positive_rate": "true positive rate",
    "false_positive_rate": "false positive rate",
    "accuracy": "accuracy",
}


def model_comparison_chart(comparison, *, rates: tuple[str, ...] | None = None) -> go.Figure:
    """Two models side by side per group: change in each rate with its interval, and flips.

    Parameters
    ----------
    comparison : ModelComparison
        From :func:`fairdash.metrics.compare_models`.
    rates : tuple of str, optional
        The rates to draw (default: every rate compared).

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per rate (``second - first``, a dot per group with its
        paired bootstrap interval, the overall change dashed) and a last panel
        with the decisions that flip each way per group.
    """
    rates = tuple(rates or _RATE_TITLES)
    by_group = comparison.by_group
    labels = [plotly_text(g) for g in group_label_index(by_group.index)]
    first, second = plotly_text(comparison.first_name), plotly_text(comparison.second_name)
    titles = [_RATE_TITLES.get(r, r.replace("_", " ")) for r in rates]
    fig = make_subplots(
        rows=1, cols=len(rates) + 1, shared_yaxes=True, horizontal_spacing=0.03,
        subplot_titles=[*titles, "decisions that flip"],
    )
    fig.update_annotations(font_size=12)
    for col, rate in enumerate(rates, start=1):
        change = by_group[f"{rate}_change"].to_numpy(dtype=np.float64)
        lower = by_group[f"{rate}_change_lower"].to_numpy(dtype=np.float64)
        upper = by_group[f"{rate}_change_upper"].to_numpy(dtype=np.float64)
        fig.add_scatter(
            x=change, y=labels, mode="markers", row=1, col=col, showlegend=False,
            marker={"color": "#1c7ed6", "size": 9},
            error_x={"type": "data", "symmetric": False, "array": upper - change,
                     "arrayminus": change - lower, "color": "#1c7ed6", "thickness": 1.5},
            customdata=np.column_stack([
                by_group[f"{rate}_first"], by_group[f"{rate}_second"], lower, upper,
            ]),
            hovertemplate=(
                f"%{{y}}<br>{first}: %{{customdata[0]:.3f}}<br>{second}: %{{customdata[1]:.3f}}"
                "<br>change %{x:+.3f} (CI %{customdata[2]:+.3f} to %{customdata[3]:+.3f})"
                "<extra></extra>"
            ),
        )
        fig.add_vline(x=0, line_color="#adb5bd", row=1, col=col)
        overall = float(comparison.overall[f"{rate}_change"])
        if np.isfinite(overall):
            fig.add_vline(x=overall, line_dash="dash", line_color="#e8590c", row=1, col=col)
    flips = len(rates) + 1
    for column, name, colour, sign in (
        ("gained", "now favourable", "#2b8a3e", 1),
        ("lost", "now unfavourable", "#c92a2a", -1),
    ):
        counts = by_group[column].to_numpy(dtype=np.float64)
        fig.add_bar(
            x=sign * counts, y=labels, orientation="h", name=name, marker_color=colour,
            row=1, col=flips, customdata=np.column_stack([counts, by_group[f"{column}_share"]]),
            hovertemplate=f"%{{y}}<br>{name}: %{{customdata[0]:.0f}} people "
            "(%{customdata[1]:.1%} of the group)<extra></extra>",
        )
    fig.update_layout(
        title=f"{second} compared with {first}: change per group (dashed: all rows; "
        f"bars: {comparison.confidence_level:.0%} paired bootstrap intervals)",
        barmode="relative",
        template="plotly_white",
        height=max(320, 60 + 28 * len(labels)),
        legend={"orientation": "h", "y": -0.15},
    )
    fig.update_xaxes(title_text="← lose · gain → (people)", row=1, col=flips)
    fig.update_yaxes(autorange="reversed")
    return fig
