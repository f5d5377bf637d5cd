"""Regression metrics per group against scikit-learn, and distribution distances against scipy."""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import sklearn.metrics as skm
from fairlearn.metrics import mean_prediction

from fairdash import InputError
from fairdash.metrics import (
    REGRESSION_METRICS,
    ks_distance,
    regression_group_metrics,
    wasserstein_distance,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    n = 3000
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    y_true = 1000 + rng.normal(0, 5, n) + (group == "b") * 3  # large mean: tests cancellation
    y_pred = y_true + rng.normal(0, 2, n) + (group == "c") * 1.5
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "group": group,
        "weights": rng.uniform(0.2, 5.0, n),
    }


def sklearn_row(y_true, y_pred, weights):
    return {
        "count": len(y_true),
        "mean_prediction": mean_prediction(y_true, y_pred, sample_weight=weights),
        "mean_target": np.average(y_true, weights=weights),
        "mean_absolute_error": skm.mean_absolute_error(y_true, y_pred, sample_weight=weights),
        "root_mean_squared_error": skm.root_mean_squared_error(
            y_true, y_pred, sample_weight=weights
        ),
        "r2": skm.r2_score(y_true, y_pred, sample_weight=weights),
    }


@pytest.mark.parametrize("weighted", [False, True])
def test_matches_sklearn_per_group_and_overall(data, weighted):
    weights = data["weights"] if weighted else None
    result = regression_group_metrics(
        data["y_true"], data["y_pred"], pd.Series(data["group"], name="g"), sample_weight=weights
    )
    assert list(result.by_group.columns) == list(REGRESSION_METRICS)
    assert list(result.by_group.index) == ["a", "b", "c"] and result.by_group.index.name == "g"
    for label in ["a", "b", "c"]:
        rows = data["group"] == label
        expected = sklearn_row(
            data["y_true"][rows], data["y_pred"][rows], None if weights is None else weights[rows]
        )
        got = result.by_group.loc[label]
        for name, value in expected.items():
            assert got[name] == pytest.approx(value, rel=1e-10, abs=1e-12), (label, name)
    expected = sklearn_row(data["y_true"], data["y_pred"], weights)
    for name, value in expected.items():
        assert result.overall[name] == pytest.approx(value, rel=1e-10, abs=1e-12), name
    sizes = result.by_group["count"]
    assert result.difference()["count"] == sizes.max() - sizes.min()


def test_r2_conventions_match_sklearn():
    y_true = np.array([1.0, 2.0, 3.0, 5.0, 5.0, 7.0, 7.0])
    y_pred = np.array([1.5, 2.0, 9.0, 5.0, 5.0, 7.0, 8.0])
    group = np.array(["one", "many", "many", "flat_ok", "flat_ok", "flat", "flat"])
    table = regression_group_metrics(y_true, y_pred, group).by_group
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns for one sample
        for label in ["one", "many", "flat_ok", "flat"]:
            rows = group == label
            expected = skm.r2_score(y_true[rows], y_pred[rows])
            assert table.loc[label, "r2"] == pytest.approx(expected, nan_ok=True), label
    assert np.isnan(table.loc["one", "r2"])  # fewer than two rows
    assert table.loc["flat_ok", "r2"] == 1.0  # perfect predictions
    assert table.loc["flat", "r2"] == 0.0  # constant target, imperfect predictions


def test_empty_combination_and_small_groups():
    result = regression_group_metrics(
        [1.0, 2.0, 3.0, 4.0], [1.0, 2.5, 3.0, 3.0], {"a": [0, 0, 1, 1], "b": [0, 1, 0, 0]}
    )
    assert result.by_group.loc[(1, 1)].isna().all()
    assert result.small_group.all()
    assert list(result.to_frame().columns) == [*REGRESSION_METRICS, "small_group"]


def test_two_groups_equal_scipy(data):
    rows = data["group"] != "c"
    values, group, weights = data["y_pred"][rows], data["group"][rows], data["weights"][rows]
    a, b = values[group == "a"], values[group == "b"]
    # scipy re-rounds the statistic to a multiple of 1/lcm(n1, n2): equal to 1e-15.
    assert ks_distance(values, group) == pytest.approx(
        scipy.stats.ks_2samp(a, b).statistic, abs=1e-15
    )
    assert wasserstein_distance(values, group) == pytest.approx(
        scipy.stats.wasserstein_distance(a, b), rel=1e-12
    )
    assert wasserstein_distance(values, group, sample_weight=weights) == pytest.approx(
        scipy.stats.wasserstein_distance(
            a, b, u_weights=weights[group == "a"], v_weights=weights[group == "b"]
        ),
        rel=1e-12,
    )


def test_max_over_pairs_of_groups(data):
    values, group = data["y_pred"], data["group"]
    pairs = list(combinations(["a", "b", "c"], 2))
    ks = max(
        scipy.stats.ks_2samp(values[group == x], values[group == y]).statistic for x, y in pairs
    )
    w1 = max(
        scipy.stats.wasserstein_distance(values[group == x], values[group == y]) for x, y in pairs
    )
    assert ks_distance(values, group) == pytest.approx(ks, abs=1e-15)
    assert wasserstein_distance(values, group) == pytest.approx(w1, rel=1e-12)
    result = regression_group_metrics(data["y_true"], values, group)
    assert result.disparities() == {
        "ks_distance": pytest.approx(ks, abs=1e-15),
        "wasserstein_distance": pytest.approx(w1, rel=1e-12),
    }


def test_ks_with_ties_and_weights():
    values = np.array([1, 1, 2, 2, 3, 1, 2, 3, 3, 3], dtype=float)
    group = np.array(["x"] * 5 + ["y"] * 5)
    expected = scipy.stats.ks_2samp(values[:5], values[5:]).statistic
    assert ks_distance(values, group) == pytest.approx(expected, abs=1e-15)
    # Integer weights act as repeated rows.
    weights = np.array([2, 1, 1, 3, 1, 1, 1, 2, 1, 1], dtype=float)
    repeated = np.repeat(values, weights.astype(int))
    repeated_group = np.repeat(group, weights.astype(int))
    assert ks_distance(values, group, sample_weight=weights) == pytest.approx(
        ks_distance(repeated, repeated_group), abs=1e-15
    )


def test_distances_undefined_with_one_group():
    assert np.isnan(ks_distance([1.0, 2.0], ["a", "a"]))
    assert np.isnan(wasserstein_distance([1.0, 2.0], ["a", "a"]))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"y_pred": ["a", "b", "c"]}, "y_pred must be numeric"),
        ({"y_true": [1.0, np.nan, 2.0]}, "y_true contains missing or infinite"),
        ({"y_pred": [1.0, 2.0]}, "y_pred has 2 rows but the first input has 3"),
        ({"y_true": []}, "y_true is empty"),
        ({"min_group_size": 2.5}, "min_group_size must be an integer"),
    ],
)
def test_bad_input(kwargs, message):
    args = {"y_true": [1.0, 2.0, 3.0], "y_pred": [1.0, 2.0, 2.0], "sensitive_features": "aba"}
    args["sensitive_features"] = list(args["sensitive_features"])
    with pytest.raises(InputError, match=message):
        regression_group_metrics(**(args | kwargs))
    with pytest.raises(InputError, match="groups is missing"):
        ks_distance([1.0, 2.0], None)


def test_text_groups_in_any_order_of_appearance(data):
    # Arrow-backed text is numbered by first appearance; results must still be sorted.
    group = np.where(data["group"] == "a", "zeta", np.where(data["group"] == "b", "alpha", "mu"))
    as_arrow = pd.Series(group, dtype="str")
    as_object = group.astype(object)
    result = regression_group_metrics(data["y_true"], data["y_pred"], as_arrow)
    expected = regression_group_metrics(data["y_true"], data["y_pred"], as_object)
    assert list(result.by_group.index) == ["alpha", "mu", "zeta"]
    pd.testing.assert_frame_equal(result.by_group, expected.by_group, check_index_type=False)


@pytest.mark.parametrize("weighted", [False, True])
def test_over_and_under_prediction_equal_pandas_per_group(data, weighted):
    from fairdash.metrics import prediction_error_by_group

    weights = data["weights"] if weighted else np.ones(len(data["y_true"]))
    result = prediction_error_by_group(
        data["y_true"], data["y_pred"], data["group"],
        sample_weight=data["weights"] if weighted else None,
    )
    residual = data["y_pred"] - data["y_true"]
    frame = pd.DataFrame({
        "over": np.maximum(residual, 0) * weights,
        "under": np.maximum(-residual, 0) * weights,
        "w": weights,
        "group": data["group"],
    }).groupby("group").sum()
    np.testing.assert_allclose(result["mean_overprediction"], frame["over"] / frame["w"])
    np.testing.assert_allclose(result["mean_underprediction"], frame["under"] / frame["w"])
    # together they are the mean absolute error, per group
    metrics = regression_group_metrics(
        data["y_true"], data["y_pred"], data["group"],
        sample_weight=data["weights"] if weighted else None,
    )
    assert list(result.index) == list(metrics.by_group.index)
    np.testing.assert_allclose(
        result.sum(axis=1), metrics.by_group["mean_absolute_error"], rtol=1e-10
    )
    assert result.loc["c", "mean_overprediction"] > result.loc["a", "mean_overprediction"]


def test_over_and_under_prediction_empty_combination_is_nan():
    from fairdash.metrics import prediction_error_by_group

    sensitive = pd.DataFrame({
        "a": pd.Categorical(["x", "x", "y"], categories=["x", "y"]),
        "b": pd.Categorical(["p", "q", "p"], categories=["p", "q"]),
    })
    result = prediction_error_by_group([1.0, 2.0, 3.0], [2.0, 1.0, 3.0], sensitive)
    assert result.loc[("x", "p")].tolist() == [1.0, 0.0]
    assert result.loc[("x", "q")].tolist() == [0.0, 1.0]
    assert result.loc[("y", "q")].isna().all()
