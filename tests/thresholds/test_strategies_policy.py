"""What-if strategies under the small-group policy: small groups are left out of the target."""

import numpy as np
import pandas as pd
import pytest

from fairdash.thresholds import ThresholdCurves, apply_strategy, choose_thresholds, small_groups

PER_GROUP = ["demographic_parity", "equal_opportunity", "equal_accuracy", "group_cost_optimal"]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    n = 900
    group = rng.choice(["A", "B", "C"], n, p=[0.5, 0.3, 0.2]).astype(object)
    group[:2] = "Tiny"  # a group of two people, both with the outcome, high scores
    group[2] = "Solo"  # and one of one
    score = np.clip(rng.normal(0.45 + 0.1 * (group == "A"), 0.2), 0, 1)
    y = (rng.random(n) < score).astype(int)
    score[:2], y[:2] = 0.97, 1
    return y, score, pd.Series(group, name="group")


def _by_label(curves, thresholds):
    return dict(zip(curves.labels(), thresholds, strict=True))


def _rate(y, pred, rate):
    if rate == "selection_rate":
        return pred.mean()
    if rate == "true_positive_rate":
        return pred[y == 1].mean()
    return (pred == y).mean()


@pytest.mark.parametrize("strategy", PER_GROUP)
def test_small_groups_left_out_equal_the_strategy_without_their_rows(data, strategy):
    y, score, group = data
    curves = ThresholdCurves(y, score, group)
    chosen = _by_label(curves, choose_thresholds(curves, strategy, min_group_size=30))
    kept = ~group.isin(["Tiny", "Solo"]).to_numpy()
    # Brute force: the same strategy on the rows of the large groups only.
    without = ThresholdCurves(y[kept], score[kept], group[kept].reset_index(drop=True))
    expected = _by_label(without, choose_thresholds(without, strategy))
    for label, value in expected.items():
        assert chosen[label] == value
    # The small groups get the best single threshold, chosen on every row.
    common = choose_thresholds(curves, "single_best")[0]
    assert chosen["Tiny"] == common and chosen["Solo"] == common


def test_without_a_policy_the_tiny_group_moves_everyone(data):
    y, score, group = data
    curves = ThresholdCurves(y, score, group)
    everyone = choose_thresholds(curves, "demographic_parity")
    policy = choose_thresholds(curves, "demographic_parity", min_group_size=30)
    assert not np.array_equal(everyone, policy)
    assert np.array_equal(choose_thresholds(curves, "demographic_parity", min_group_size=None),
                          everyone)
    assert small_groups(curves, None).sum() == 0
    assert sorted(np.array(curves.labels())[small_groups(curves, 30)]) == ["Solo", "Tiny"]


@pytest.mark.parametrize(
    ("strategy", "rate"),
    [("demographic_parity", "selection_rate"), ("equal_opportunity", "true_positive_rate"),
     ("equal_accuracy", "accuracy")],
)
def test_reported_gap_is_over_the_kept_groups(data, strategy, rate):
    y, score, group = data
    curves = ThresholdCurves(y, score, group)
    outcome = apply_strategy(curves, strategy, min_group_size=30)
    assert sorted(outcome.left_out) == ["Solo", "Tiny"]
    assert outcome.min_group_size == 30
    by_label = _by_label(curves, outcome.thresholds)
    row_threshold = group.map(by_label).to_numpy(dtype=float)
    pred = (score >= row_threshold).astype(int)
    # Independent: the rate per large group from the thresholded rows.
    values = [_rate(y[group.to_numpy() == g], pred[group.to_numpy() == g], rate)
              for g in ("A", "B", "C")]
    assert outcome.gap == pytest.approx(max(values) - min(values), abs=1e-12)
    assert outcome.accuracy == pytest.approx((pred == y).mean(), abs=1e-12)
    summary = outcome.summary()
    assert "Tiny" in summary and "Solo" in summary and "fewer than 30 rows" in summary
    assert "best single threshold" in summary


def test_single_best_has_no_left_out_note_and_none_is_unchanged(data):
    y, score, group = data
    curves = ThresholdCurves(y, score, group)
    single = apply_strategy(curves, "single_best", min_group_size=30)
    assert single.left_out_note() is None
    plain = apply_strategy(curves, "demographic_parity")
    assert plain.left_out == [] and plain.left_out_note() is None
    # Every group compared, the tiny ones included, without a policy.
    pred = curves.predict(plain.thresholds)
    g = group.to_numpy()
    rates = [pred[g == label].mean() for label in np.unique(g)]
    assert plain.gap == pytest.approx(max(rates) - min(rates), abs=1e-12)


def test_fewer_than_two_groups_left_says_so(data):
    y, score, group = data
    curves = ThresholdCurves(y, score, group)
    outcome = apply_strategy(curves, "demographic_parity", min_group_size=400)
    assert not outcome.met and np.isnan(outcome.gap)
    assert "Fewer than two groups have at least 400 rows" in outcome.summary()
    assert "no gap to measure" in outcome.summary()
