"""Calibration by group against scikit-learn's calibration_curve and an independent numpy ECE."""

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve

from fairdash import InputError
from fairdash.metrics import group_metrics, wilson_interval
from fairdash.metrics._calibration import (
    calibration_by_group,
    error_balance,
    parity_conflict_note,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    n = 2500
    sex = rng.choice(["Female", "Male"], n)
    race = rng.choice(["Black", "White", "Other"], n, p=[0.45, 0.45, 0.1])
    score = rng.beta(2, 3, n)
    # Miscalibrated for one group: its outcomes run above its scores.
    p = np.clip(score + 0.12 * (race == "Black"), 0, 1)
    y = np.where(rng.random(n) < p, "yes", "no")
    score[:3] = [0.0, 1.0, 0.5]  # the edges
    return y, score, pd.DataFrame({"sex": sex, "race": race})


def _naive_ece(y, score, edges):
    total = 0.0
    for i in range(len(edges) - 1):
        above = (score >= edges[i]) if i == 0 else (score > edges[i])
        in_bin = above & (score <= edges[i + 1])
        if in_bin.any():
            total += in_bin.sum() * abs(y[in_bin].mean() - score[in_bin].mean())
    return total / len(y)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_bins_equal_sklearn_and_ece_equals_a_loop(data, strategy):
    y, score, sensitive = data
    result = calibration_by_group(
        y, score, sensitive, pos_label="yes", n_bins=8, strategy=strategy
    )
    positive = (y == "yes").astype(float)
    for (sex, race), part in sensitive.groupby(["sex", "race"]):
        mask = ((sensitive["sex"] == sex) & (sensitive["race"] == race)).to_numpy()
        bins = result.bins[(result.bins["sex"] == sex) & (result.bins["race"] == race)]
        if strategy == "uniform":  # quantile edges: sklearn's come from the group's own scores
            prob_true, prob_pred = calibration_curve(positive[mask], score[mask], n_bins=8)
            np.testing.assert_allclose(bins["observed_rate"], prob_true, atol=1e-12)
            np.testing.assert_allclose(bins["mean_score"], prob_pred, atol=1e-12)
        assert bins["count"].sum() == len(part)
        low, high = wilson_interval(bins["observed_rate"].to_numpy(), bins["count"].to_numpy())
        np.testing.assert_allclose(bins["observed_lower"], low)
        np.testing.assert_allclose(bins["observed_upper"], high)
        row = result.summary.loc[(sex, race)]
        assert row["expected_calibration_error"] == pytest.approx(
            _naive_ece(positive[mask], score[mask], result.edges), abs=1e-12
        )
        assert row["calibration_in_the_large"] == pytest.approx(
            positive[mask].mean() - score[mask].mean(), abs=1e-12
        )
    if strategy == "quantile":
        inner = np.quantile(score, np.linspace(0, 1, 9))[1:-1]
        np.testing.assert_allclose(result.edges[1:-1], inner)
    assert result.overall["expected_calibration_error"] == pytest.approx(
        _naive_ece(positive, score, result.edges), abs=1e-12
    )


def test_the_miscalibrated_group_stands_out(data):
    y, score, sensitive = data
    summary = calibration_by_group(y, score, sensitive["race"], pos_label="yes").summary
    assert summary["calibration_in_the_large"].idxmax() == "Black"
    assert summary.loc["Black", "calibration_in_the_large"] > 0.08
    assert abs(summary.loc["White", "calibration_in_the_large"]) < 0.04


def test_scores_outside_zero_one_are_refused(data):
    y, score, sensitive = data
    with pytest.raises(InputError, match=r"y_score must hold probabilities in \[0, 1\]"):
        calibration_by_group(y, score * 3, sensitive, pos_label="yes")
    with pytest.raises(InputError, match="strategy"):
        calibration_by_group(y, score, sensitive, pos_label="yes", strategy="kmeans")
    with pytest.raises(InputError, match="n_bins"):
        calibration_by_group(y, score, sensitive, pos_label="yes", n_bins=0)


def test_error_balance_and_the_impossibility_sentence(data):
    y, score, sensitive = data
    predicted = np.where(score > 0.45, "yes", "no")
    metrics = group_metrics(y, predicted, sensitive["race"], pos_label="yes")
    table = error_balance(metrics)
    frame = pd.DataFrame({"y": y == "yes", "p": score > 0.45, "race": sensitive["race"]})
    for race, part in frame.groupby("race"):
        assert table.loc[race, "precision"] == pytest.approx(part["y"][part["p"]].mean())
        assert table.loc[race, "negative_predictive_value"] == pytest.approx(
            1 - part["y"][~part["p"]].mean()
        )
        assert table.loc[race, "base_rate"] == pytest.approx(part["y"].mean())
    note = parity_conflict_note(metrics)
    base = frame.groupby("race")["y"].mean()
    assert f"{base.min():.1%} ({base.idxmin()})" in note
    assert f"{base.max():.1%} ({base.idxmax()})" in note
    assert "Chouldechova 2017" in note and "cannot" in note
