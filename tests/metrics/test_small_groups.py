"""The small-group policy of the summaries: ``min_group_size`` on difference, ratio, disparities.

The reference is fairlearn's ``MetricFrame`` and its summary functions on the rows of the
groups that are kept: leaving a group out of a summary must equal never having had it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    selection_rate,
    true_positive_rate,
)

from fairdash import InputError
from fairdash.metrics import group_metrics
from tests._messy import MESSY


@pytest.fixture(scope="module")
def messy_predictions(messy_frame):
    frame = messy_frame
    rng = np.random.default_rng(1)
    y = (frame[MESSY["target"]] == MESSY["favourable"]).to_numpy(dtype=int)
    # A noisy "model": right 80 % of the time; the 1-3 person cell is all selected.
    pred = np.where(rng.random(len(y)) < 0.8, y, 1 - y)
    sensitive = frame[list(MESSY["sensitive"])]
    tiny = (sensitive["race"] == "Asian") & (sensitive["sex"] == "Female")
    pred[tiny.to_numpy()] = 1
    return y, pred, sensitive


def test_none_keeps_every_group_as_fairlearn(messy_predictions):
    y, pred, sensitive = messy_predictions
    metrics = group_metrics(y, pred, sensitive)
    summary = metrics.disparities(min_group_size=None)
    assert summary == metrics.disparities()
    assert summary["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y, pred, sensitive_features=sensitive), abs=1e-12
    )
    assert len(metrics.left_out_groups(None)) == 0


@pytest.mark.parametrize("min_size", [1, 3, 30, 100])
def test_leaving_out_equals_fairlearn_on_the_kept_rows(messy_predictions, min_size):
    y, pred, sensitive = messy_predictions
    metrics = group_metrics(y, pred, sensitive)
    sizes = sensitive.groupby(list(sensitive.columns)).size()
    small = sizes[sizes < min_size].index
    keys = pd.MultiIndex.from_frame(sensitive)
    keep = ~keys.isin(small)
    assert list(metrics.left_out_groups(min_size)) == list(small)

    y_k, pred_k, sens_k = y[keep], pred[keep], sensitive[keep]
    summary = metrics.disparities(min_group_size=min_size)
    assert summary["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y_k, pred_k, sensitive_features=sens_k), abs=1e-12
    )
    assert summary["demographic_parity_ratio"] == pytest.approx(
        demographic_parity_ratio(y_k, pred_k, sensitive_features=sens_k), abs=1e-12
    )
    assert summary["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(y_k, pred_k, sensitive_features=sens_k), abs=1e-12
    )
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate, "true_positive_rate": true_positive_rate},
        y_true=y_k, y_pred=pred_k, sensitive_features=sens_k,
    )
    for name in ("selection_rate", "true_positive_rate"):
        assert metrics.difference(min_group_size=min_size)[name] == pytest.approx(
            frame.difference()[name], abs=1e-12
        )
        assert metrics.ratio(min_group_size=min_size)[name] == pytest.approx(
            frame.ratio()[name], abs=1e-12
        )


def test_the_tiny_cell_drives_the_headline_only_without_the_policy(messy_predictions):
    y, pred, sensitive = messy_predictions
    metrics = group_metrics(y, pred, sensitive)
    everyone = metrics.disparities()
    policy = metrics.disparities(min_group_size=30)
    # The 1-3 person cell is all selected: the unfiltered headline is driven by it.
    assert metrics.by_group.loc[MESSY["tiny_cell"], "selection_rate"] == 1.0
    assert policy["demographic_parity_difference"] < everyone["demographic_parity_difference"]
    assert MESSY["tiny_cell"] in metrics.left_out_groups(30)


def test_to_overall_and_reference_keep_their_base(messy_predictions):
    y, pred, sensitive = messy_predictions
    metrics = group_metrics(y, pred, sensitive)
    table = metrics.by_group
    kept = metrics.group_sizes >= 30
    expected = (table.loc[kept, "selection_rate"] - metrics.overall["selection_rate"]).abs().max()
    assert metrics.difference("to_overall", min_group_size=30)["selection_rate"] == (
        pytest.approx(expected, abs=1e-12)
    )
    # A small reference group stays the reference (it was chosen), the other small ones go.
    reference = MESSY["tiny_cell"]
    rates = table["selection_rate"]
    expected = (rates[kept] - rates[reference]).abs().max()
    got = metrics.difference(reference=reference, min_group_size=30)["selection_rate"]
    assert got == pytest.approx(expected, abs=1e-12)


def test_fewer_than_two_groups_left_is_undefined_not_equal():
    y = np.array([1, 0, 1, 0, 1, 1])
    pred = np.array([1, 0, 0, 0, 1, 1])
    group = np.array(["a", "a", "a", "a", "b", "b"])
    metrics = group_metrics(y, pred, group)
    assert list(metrics.left_out_groups(3)) == ["b"]
    summary = metrics.disparities(min_group_size=3)
    assert math.isnan(summary["demographic_parity_difference"])
    assert summary["four_fifths_rule_passed"] is False
    assert math.isnan(metrics.ratio(min_group_size=3)["selection_rate"])
    # Without the policy, fairlearn's value between two groups.
    assert metrics.disparities()["demographic_parity_difference"] == pytest.approx(1 - 0.25)


@pytest.mark.parametrize("bad", [-1, 2.5, "30", True])
def test_bad_min_group_size(bad):
    metrics = group_metrics([1, 0, 1, 0], [1, 0, 0, 1], ["a", "a", "b", "b"])
    with pytest.raises(InputError, match="min_group_size"):
        metrics.difference(min_group_size=bad)


def test_regression_distances_leave_small_groups_out():
    from scipy.stats import ks_2samp, wasserstein_distance

    from fairdash.metrics import regression_group_metrics

    rng = np.random.default_rng(0)
    group = np.array(["a"] * 100 + ["b"] * 80 + ["c"] * 3)
    y = rng.normal(size=len(group))
    pred = y + rng.normal(size=len(group)) + (group == "c") * 5  # the tiny group is far off
    metrics = regression_group_metrics(y, pred, group)
    assert list(metrics.left_out_groups(10)) == ["c"]
    kept = metrics.disparities(min_group_size=10)
    a, b = pred[group == "a"], pred[group == "b"]
    assert kept["ks_distance"] == pytest.approx(ks_2samp(a, b).statistic, abs=1e-12)
    assert kept["wasserstein_distance"] == pytest.approx(wasserstein_distance(a, b), abs=1e-12)
    assert metrics.disparities()["ks_distance"] > kept["ks_distance"]
    assert metrics.disparities(min_group_size=None) == metrics.disparities()
    assert math.isnan(metrics.disparities(min_group_size=90)["ks_distance"])


def test_with_min_group_size_moves_the_flags_and_nothing_else():
    rng = np.random.default_rng(0)
    sex = np.repeat(["a", "b", "c"], [500, 40, 5])
    y = rng.integers(0, 2, len(sex))
    pred = rng.integers(0, 2, len(sex))
    metrics = group_metrics(y, pred, pd.Series(sex, name="sex"), min_group_size=30)
    moved = metrics.with_min_group_size(100)
    assert metrics.small_group.tolist() == [False, False, True]
    assert moved.small_group.tolist() == [False, True, True]
    pd.testing.assert_frame_equal(moved.by_group, metrics.by_group)
    assert moved.min_group_size == 100 and metrics.min_group_size == 30
