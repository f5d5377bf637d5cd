"""The figures are pure functions of the engine's tables; static export works (kaleido)."""

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from fairdash.metrics import group_metrics
from fairdash.plots import (
    error_rate_chart,
    group_rate_chart,
    metric_heatmap,
    roc_curve_chart,
    score_distribution_chart,
)


@pytest.fixture(scope="module")
def metrics():
    rng = np.random.default_rng(0)
    n = 3000
    groups = pd.DataFrame({"sex": rng.choice(["f", "m"], n, p=[0.4, 0.6]),
                           "race": rng.choice(["a", "b", "c"], n, p=[0.7, 0.29, 0.01])})
    y = rng.integers(0, 2, n)
    score = np.clip(0.4 * y + rng.random(n) * 0.6, 0, 1)
    return group_metrics(y, (score > 0.5).astype(int), groups, y_score=score), y, score, groups


def test_group_rate_chart_draws_every_nonempty_group_with_its_interval(metrics):
    m = metrics[0]
    table = m.to_frame()
    fig = group_rate_chart(table, overall=float(m.overall["selection_rate"]))
    bar = fig.data[0]
    assert list(bar.x) == ["f × a", "f × b", "f × c", "m × a", "m × b", "m × c"]
    np.testing.assert_allclose(bar.y, table["selection_rate"])
    np.testing.assert_allclose(bar.y + bar.error_y.array, table["selection_rate_upper"])
    np.testing.assert_allclose(bar.y - bar.error_y.arrayminus, table["selection_rate_lower"])
    small = table["small_group"].to_numpy()
    assert small.any() and not small.all()
    assert [p == "/" for p in bar.marker.pattern.shape] == list(small)
    hidden = group_rate_chart(table, hide_small=True)
    assert len(hidden.data[0].x) == (~small).sum()


def test_error_rates_heatmap_and_score_charts(metrics):
    m, y, score, groups = metrics
    fig = error_rate_chart(m.to_frame())
    assert [t.name for t in fig.data] == ["false positive rate", "false negative rate"]
    heat = metric_heatmap(m.to_frame(), metric="accuracy", rows="sex", columns="race")
    z = np.asarray(heat.data[0].z)
    assert z.shape == (2, 3)
    assert z[0, 0] == pytest.approx(m.by_group.loc[("f", "a"), "accuracy"])
    assert "*" in heat.data[0].text[0][2]  # the small cell is marked
    labels = groups["sex"] + " × " + groups["race"]
    roc = roc_curve_chart(y, score, labels)
    assert sum("AUC" in t.name for t in roc.data) == 6
    dist = score_distribution_chart(score, labels)
    assert len(dist.data) == 6


@pytest.mark.skipif(
    not (shutil.which("chromium") or os.path.exists("/usr/bin/chromium")) and not os.environ.get(
        "CI"), reason="static export needs Chromium (bash scripts/test.sh installs it)",
)
def test_charts_export_as_png_and_svg(metrics):
    fig = group_rate_chart(metrics[0].to_frame())
    png = fig.to_image(format="png", width=800, height=400)
    svg = fig.to_image(format="svg", width=800, height=400)
    assert png.startswith(b"\x89PNG")
    assert svg.lstrip().startswith(b"<svg") and b"f \xc3\x97 a" in svg


def test_model_figures_follow_the_metrics_type(metrics):
    from fairdash.metrics import regression_group_metrics
    from fairdash.plots import model_figures

    result, y, score, groups = metrics
    table = pd.DataFrame({
        "name": ["a", "b"], "method": ["unmitigated", "x"], "params": ["{}", "{}"],
        "accuracy": [0.8, 0.7], "demographic_parity_difference": [0.2, 0.05],
        "on_front": [True, True], "is_unmitigated": [True, False],
    })
    figures = model_figures(result, model_name="b", models_table=table)
    assert set(figures) == {"selection_rate", "error_rates", "tradeoff"}
    bars = figures["selection_rate"].data[0]
    assert list(bars.y) == pytest.approx(result.to_frame()["selection_rate"].dropna().tolist())
    assert set(model_figures(result)) == {"selection_rate", "error_rates"}
    regression = regression_group_metrics(y.astype(float), score, groups)
    reg_table = table.rename(columns={"accuracy": "root_mean_squared_error",
                                      "demographic_parity_difference": "ks_distance"})
    assert set(model_figures(regression, models_table=reg_table)) == {"tradeoff"}


def test_prediction_error_chart_shows_every_group_with_rows():
    from fairdash.metrics import prediction_error_by_group
    from fairdash.plots import prediction_error_chart

    sensitive = pd.DataFrame({
        "a": pd.Categorical(["x", "x", "y", "y"], categories=["x", "y", "z"]),
    })
    errors = prediction_error_by_group([1.0, 2.0, 3.0, 5.0], [2.0, 1.0, 3.0, 4.0], sensitive)
    fig = prediction_error_chart(errors)
    over, under = fig.data
    assert list(over.x) == ["x", "y"]  # the empty group z is left out
    assert list(over.y) == [0.5, 0.0] and list(under.y) == [0.5, 0.5]
