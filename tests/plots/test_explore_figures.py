"""Explore figures: small multiples of scores, the ROC chart naming the groups it leaves out,
reliability curves drawing the calibration's bins; differences only for rates."""

import numpy as np
import pandas as pd
import pytest

from fairdash.metrics import (
    calibration_by_group,
    differences_to_reference,
    group_metrics,
    regression_group_metrics,
)
from fairdash.plots import (
    reliability_chart,
    roc_curve_chart,
    roc_left_out,
    score_distribution_chart,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(4)
    n = 3000
    race = rng.choice([f"race {i}" for i in range(7)], n).astype(object)
    sex = rng.choice(["Female", "Male"], n)
    score = rng.beta(2, 3, n)
    y = (rng.random(n) < score).astype(int)
    race[:5], y[:5] = "Pacific", 0  # one class only
    race[5], y[5] = "Aleut", 1  # a group of one person
    return y, score, pd.DataFrame({"sex": sex, "race": race})


def test_score_small_multiples_one_panel_per_group_at_fourteen_groups(data):
    _, score, sensitive = data
    labels = sensitive["sex"] + " × " + sensitive["race"]
    fig = score_distribution_chart(score, labels, thresholds={"Male × race 3": 0.4})
    names = sorted(labels.unique())
    assert len(names) >= 14
    assert [t.name for t in fig.data] == names
    # Counted in the server (issue 12): each bar is the group's share of rows in its bin.
    size = (score.max() - score.min()) / 40
    edges = score.min() + size * np.arange(42)
    for trace, name in zip(fig.data, names, strict=True):
        part = score[(labels == name).to_numpy()]
        np.testing.assert_allclose(trace.y, np.histogram(part, bins=edges)[0] / len(part))
        np.testing.assert_allclose(trace.x, (edges[:-1] + edges[1:]) / 2)
    # Separate panels (axes), shared bins.
    assert len({t.xaxis for t in fig.data}) == len(names)
    assert len({float(t.width) for t in fig.data}) == 1
    titles = [a.text for a in fig.layout.annotations]
    assert f"Male × race 3 ({(labels == 'Male × race 3').sum():,} rows)" in titles
    assert len(fig.layout.shapes) == 1  # the one threshold


def test_roc_chart_says_which_groups_are_left_out_and_why(data):
    y, score, sensitive = data
    labels = sensitive["race"]
    assert roc_left_out(y, labels) == {
        "Pacific": "all 5 rows have the unfavourable outcome",
        "Aleut": "its only row has the favourable outcome",
    }
    fig = roc_curve_chart(y, score, labels)
    drawn = [t.name for t in fig.data if "AUC" in str(t.name)]
    assert len(drawn) == 7 and not any("Pacific" in d or "Aleut" in d for d in drawn)
    note = fig.layout.annotations[0].text.replace("<br>", " ")
    assert "Pacific: all 5 rows have the unfavourable outcome" in note
    assert "Aleut: its only row has the favourable outcome" in note
    assert not roc_curve_chart(y[10:], score[10:], labels[10:]).layout.annotations


def test_reliability_chart_draws_the_bins_and_names_the_ece(data):
    y, score, sensitive = data
    calibration = calibration_by_group(y, score, sensitive["sex"], n_bins=5)
    fig = reliability_chart(calibration)
    points = [t for t in fig.data if t.mode == "markers+lines"]
    assert [t.name for t in points] == ["Female", "Male"]
    for trace, sex in zip(points, ["Female", "Male"], strict=True):
        bins = calibration.bins[calibration.bins["sex"] == sex]
        np.testing.assert_allclose(trace.x, bins["mean_score"])
        np.testing.assert_allclose(trace.y + trace.error_y.array, bins["observed_upper"])
    ece = calibration.summary.loc["Female", "expected_calibration_error"]
    assert f"Female: ECE {ece:.3f}" in fig.layout.annotations[0].text


def test_differences_to_the_reference_leave_counts_alone(data):
    y, score, sensitive = data
    metrics = group_metrics(y, (score > 0.4).astype(int), sensitive["sex"], y_score=score)
    table = differences_to_reference(metrics, reference="Male")
    assert "count_difference" not in table and "count_ratio" not in table
    np.testing.assert_array_equal(table["count"], metrics.by_group["count"])
    by_group = metrics.by_group
    assert table.loc["Female", "selection_rate_difference"] == pytest.approx(
        by_group.loc["Female", "selection_rate"] - by_group.loc["Male", "selection_rate"]
    )
    assert table.loc["Female", "roc_auc_ratio"] == pytest.approx(
        by_group.loc["Female", "roc_auc"] / by_group.loc["Male", "roc_auc"]
    )
    overall = differences_to_reference(metrics)
    assert overall.loc["Male", "accuracy_difference"] == pytest.approx(
        by_group.loc["Male", "accuracy"] - metrics.overall["accuracy"]
    )
    regression = regression_group_metrics(score * 10, score * 9, sensitive["sex"])
    table = differences_to_reference(regression)
    assert "root_mean_squared_error_difference" in table
    assert not any(c.endswith("_ratio") for c in table)
