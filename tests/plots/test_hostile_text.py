"""Markup in column names, group values and labels never becomes markup in a figure."""

from __future__ import annotations

import html
import os
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from fairdash._markup import plotly_text
from fairdash.metrics import (
    calibration_by_group,
    compare_models,
    group_metrics,
    prediction_error_by_group,
)
from fairdash.plots import (
    error_rate_chart,
    group_label_index,
    group_rate_chart,
    metric_heatmap,
    model_comparison_chart,
    model_figures,
    prediction_error_chart,
    reliability_chart,
    roc_curve_chart,
    score_distribution_chart,
    slice_chart,
    tradeoff_scatter,
)

COLUMN = "![c](http://127.0.0.1:9911/x.png)"
SEX = ['<a href="http://x">m</a>', '<span style="font-size:90px">f</span>']
RACE = ["$x^2$", "**b**"]
MODEL = '<a href="http://x">model</a> $y$'
# The only markup a figure may carry is its own: line breaks, bold and hover extras.
_OWN_TAGS = re.compile(r"</?(br|b|extra)>")


@pytest.fixture(scope="module")
def hostile():
    rng = np.random.default_rng(3)
    n = 800
    groups = pd.DataFrame({COLUMN: rng.choice(SEX, n), "race %{y}": rng.choice(RACE, n)})
    y = rng.integers(0, 2, n)
    score = np.clip(0.4 * y + 0.6 * rng.random(n), 0, 1)
    metrics = group_metrics(y, (score > 0.5).astype(int), groups, y_score=score)
    labels = pd.Series(group_label_index(pd.MultiIndex.from_frame(groups)))
    return metrics, y, score, labels, groups


def _figures(hostile):
    metrics, y, score, labels, groups = hostile
    table = metrics.to_frame()
    thresholds = dict.fromkeys(labels.unique(), 0.5)
    models = pd.DataFrame({
        "name": ["base", MODEL], "method": ["unmitigated", "<b>x</b>"],
        "params": ['{"a": "<a href=1>"}', "{}"], "accuracy": [0.8, 0.7],
        "demographic_parity_difference": [0.2, 0.1],
        "is_unmitigated": [True, False], "on_front": [True, True],
    })
    return {
        "group_rate_chart": group_rate_chart(table, title=MODEL),
        "error_rate_chart": error_rate_chart(table),
        "metric_heatmap": metric_heatmap(
            table, metric="accuracy", rows=COLUMN, columns="race %{y}"
        ),
        "roc_curve_chart": roc_curve_chart(y, score, labels),
        "score_distribution_chart": score_distribution_chart(score, labels, thresholds=thresholds),
        "tradeoff_scatter": tradeoff_scatter(
            models, performance="accuracy", disparity="demographic_parity_difference",
            current=MODEL,
        ),
        "prediction_error_chart": prediction_error_chart(
            prediction_error_by_group(y, score, groups)
        ),
        "slice_chart": slice_chart(_slices(), title=MODEL),
        "model_comparison_chart": model_comparison_chart(compare_models(
            y, (score > 0.5).astype(int), (score > 0.4).astype(int), groups,
            first_name=MODEL, second_name=MODEL, n_boot=10,
        )),
        "reliability_chart": reliability_chart(calibration_by_group(y, score, groups)),
        **{
            f"model_figures:{name}": fig
            for name, fig in model_figures(metrics, model_name=MODEL, models_table=models).items()
        },
    }


def _slices() -> pd.DataFrame:
    table = pd.DataFrame({
        "slice": [f"{COLUMN}={SEX[0]}", f"race %{{y}}={RACE[0]} & x={SEX[1]}"],
        "value": [0.3, 0.4], "significant": [True, False], "ci_low": [0.2, 0.3],
        "ci_high": [0.4, 0.5], "size": [40, 50], "q_value": [0.01, 0.2],
        "complement": [0.5, 0.5],
    })
    table.attrs["metric"] = "<b>$m$</b>"
    return table


def _strings(node, path=()):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list | tuple | np.ndarray):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, i))


def test_every_figure_builder_escapes_every_string(hostile):
    for name, fig in _figures(hostile).items():
        spec = fig.to_plotly_json()
        shown = []
        for path, text in _strings(spec):
            if "tradeoff" in name and "customdata" in path and path[-1] == 0:
                continue  # the model's name as it is, for selection events; never displayed
            shown.append(text)
            assert not set(_OWN_TAGS.sub("", text)) & set("<>$"), (name, path, text)
        # The values still show exactly as written, once plotly decodes its entities.
        decoded = " ".join(html.unescape(t) for t in shown)
        if name in {"group_rate_chart", "error_rate_chart", "roc_curve_chart",
                    "score_distribution_chart", "prediction_error_chart", "slice_chart"}:
            assert SEX[0] in decoded and RACE[0] in decoded, name
        if name == "metric_heatmap":
            assert COLUMN in decoded and SEX[1] in decoded


def test_tradeoff_hover_shows_the_escaped_name_and_selection_keeps_the_raw_one(hostile):
    fig = _figures(hostile)["tradeoff_scatter"]
    points = next(t for t in fig.data
                  if t.customdata is not None and t.customdata[0][0] == MODEL)
    assert points.customdata[0][0] == MODEL  # what the Compare page matches a click with
    assert "%{customdata[1]}" in points.hovertemplate
    assert "%{customdata[0]}" not in points.hovertemplate
    # The hover (customdata[1]) names the model escaped, never raw.
    hover = points.customdata[0][1]
    assert f"<b>{plotly_text(MODEL)}</b>" in hover and MODEL not in hover
    assert html.unescape(hover).startswith(f"<b>{MODEL}</b>")


def _svg_offenders(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    problems = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in {"a", "foreignObject"}:
            problems.append(f"<{tag}>")
        for attribute, value in element.attrib.items():
            # plotly draws a heatmap as an inline image (data:); any other reference is a fetch.
            if attribute.rsplit("}", 1)[-1] == "href" and not value.startswith(("data:", "#")):
                problems.append(f"href={value}")
            if "90px" in value.replace(" ", ""):
                problems.append(f"{attribute}={value}")
    return problems


@pytest.mark.skipif(
    not (shutil.which("chromium") or os.path.exists("/usr/bin/chromium")) and not os.environ.get(
        "CI"), reason="static export needs Chromium (bash scripts/test.sh installs it)",
)
def test_svg_export_has_no_link_style_or_image_from_the_data(hostile):
    figures = _figures(hostile)
    for name in ("error_rate_chart", "group_rate_chart", "metric_heatmap"):
        svg = figures[name].to_image(format="svg", width=900, height=500)
        assert _svg_offenders(svg) == [], name
        text = "".join(ET.fromstring(svg).itertext())
        assert SEX[0] in text or COLUMN in text, name  # shown, as text
    # The same labels drawn raw give a live link and 90px text: the check can fail.
    import plotly.graph_objects as go

    raw = go.Figure(go.Bar(x=SEX, y=[1, 2])).to_image(format="svg", width=400, height=300)
    found = _svg_offenders(raw)
    assert any(p.startswith("<a>") for p in found) and any("90px" in p for p in found)


def test_the_check_finds_a_live_link_in_an_unescaped_figure():
    # The same check on a figure drawn from raw labels finds the link: it can fail.
    import plotly.graph_objects as go

    raw = go.Figure(go.Bar(x=[SEX[0]], y=[1]))
    spec_strings = [t for _, t in _strings(raw.to_plotly_json())]
    assert any(set(_OWN_TAGS.sub("", t)) & set("<>$") for t in spec_strings)
