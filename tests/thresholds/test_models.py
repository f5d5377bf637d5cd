"""The model a set of thresholds makes, its per-group table and the cost of its decisions,
checked against independent pandas / scikit-learn computations."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix

from fairdash.metrics import group_metrics
from fairdash.thresholds import (
    THRESHOLDED_METHOD,
    ThresholdCurves,
    decision_cost,
    thresholded_group_table,
    thresholded_model,
    thresholds_by_group,
)
from fairdash.tradeoff import ModelResult


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(4)
    n = 900
    groups = pd.DataFrame({
        "sex": rng.choice(["f", "m"], n),
        "race": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]),
    })
    y = rng.integers(0, 2, n)
    score = np.clip(0.3 * y + rng.normal(0.4, 0.2, n), 0, 1).round(3)  # ties
    return y, score, groups


def independent_predictions(score, groups, thresholds_by_label):
    labels = groups["sex"] + " × " + groups["race"]
    return (score >= labels.map(thresholds_by_label).to_numpy()).astype(int)


def test_predict_and_cost_equal_an_independent_recompute(scored):
    y, score, groups = scored
    curves = ThresholdCurves(y, score, groups)
    rng = np.random.default_rng(0)
    t = rng.choice(np.unique(score), curves.n_groups)
    by_label = thresholds_by_group(curves, t)
    assert set(by_label) == set(groups["sex"] + " × " + groups["race"])
    expected = independent_predictions(score, groups, by_label)
    np.testing.assert_array_equal(curves.predict(t), expected)
    tn, fp, fn, tp = confusion_matrix(y, expected, labels=[0, 1]).ravel()
    cells = curves.cell_sums(t).sum(axis=0)
    np.testing.assert_array_equal(cells, [tn, fp, fn, tp])
    assert decision_cost(cells, cost_ratio=2.5) == pytest.approx(2.5 * fp + fn)
    assert decision_cost(cells, cost_ratio=1.0) == fp + fn  # the number of errors


def test_common_threshold_cells_equal_per_threshold_queries(scored):
    y, score, groups = scored
    curves = ThresholdCurves(y, score, groups)
    candidates = np.array([-1.0, 0.2, 0.45, 0.5, 0.9, np.inf])
    grid = curves.common_threshold_cells(candidates)
    assert grid.shape == (curves.n_groups, len(candidates), 4)
    for j, t in enumerate(candidates):
        np.testing.assert_array_equal(grid[:, j], curves.cell_sums(t))


def test_thresholded_model_is_measured_like_any_model(scored):
    y, score, groups = scored
    base = ModelResult(
        name="base", method="unmitigated", params={}, y_pred=(score >= 0.5).astype(int),
        y_score=score, metrics=group_metrics(y, (score >= 0.5).astype(int), groups),
        fit_seconds=0.0, is_unmitigated=True,
    )
    curves = ThresholdCurves(y, score, groups)
    t = np.linspace(0.35, 0.6, curves.n_groups)
    model = thresholded_model(
        base, curves=curves, thresholds=t, y_true=y, sensitive_features=groups, cost_ratio=2.0
    )
    expected = independent_predictions(score, groups, thresholds_by_group(curves, t))
    np.testing.assert_array_equal(model.y_pred, expected)
    reference = group_metrics(y, expected, groups, y_score=score)
    pd.testing.assert_frame_equal(model.metrics.by_group, reference.by_group)
    assert model.method == THRESHOLDED_METHOD and model.name == "base + what-if thresholds"
    assert model.params["base"] == "base" and model.params["cost_ratio"] == 2.0
    assert model.uid != base.uid  # a new model, a new identity

    table = thresholded_group_table(curves, t, curves.metrics(t))
    frame = pd.DataFrame({"y": y, "p": expected, "g": groups["sex"] + " × " + groups["race"]})
    rates = frame.groupby("g")["p"].mean()
    for label, row in table.iterrows():
        assert row["selection_rate"] == pytest.approx(rates[label])
        assert row["threshold"] == pytest.approx(thresholds_by_group(curves, t)[label])
    assert table["count"].sum() == len(y)
