"""Strategies report what they achieved against their target, and why they fell short."""

import numpy as np
import pandas as pd
import pytest

from fairdash import InputError
from fairdash.thresholds import ThresholdCurves, apply_strategy, choose_thresholds, threshold_step


def _selection_rates(y_score, groups, thresholds, index):
    by_label = dict(zip(index, thresholds, strict=True))
    selected = y_score >= groups.map(by_label).to_numpy()
    return pd.Series(selected).groupby(groups.to_numpy()).mean()


def test_parity_met_with_continuous_scores_and_the_gap_is_the_real_one():
    rng = np.random.default_rng(0)
    n = 4000
    groups = pd.Series(np.where(rng.random(n) < 0.5, "Female", "Male"), name="sex")
    score = rng.random(n) * np.where(groups == "Female", 0.8, 1.0)
    y = (rng.random(n) < score).astype(int)
    curves = ThresholdCurves(y, score, groups)
    outcome = apply_strategy(curves, "demographic_parity", tolerance=0.01)
    chosen = choose_thresholds(curves, "demographic_parity")
    np.testing.assert_array_equal(outcome.thresholds, chosen)
    rates = _selection_rates(score, groups, outcome.thresholds, curves.index)
    assert outcome.gap == pytest.approx(rates.max() - rates.min(), abs=1e-12)
    assert outcome.met and outcome.gap <= 0.01 and outcome.reasons == []
    selected = score >= groups.map(dict(zip(curves.index, chosen, strict=True))).to_numpy()
    assert outcome.accuracy == pytest.approx(np.mean(selected == (y == 1)))
    assert outcome.summary().startswith("Equal selection rates across groups (within 0.01): met")


def test_ties_and_a_tiny_group_are_named_when_parity_is_missed():
    rng = np.random.default_rng(1)
    n = 3000
    race = rng.choice(["Black", "White"], n).astype(object)
    race[:3] = "Pacific Islander"  # a group of three people
    race = pd.Series(race, name="race")
    # Decile risk scores: a tenth of the rows share each score.
    score = np.ceil(rng.random(n) * 10) / 10 + np.where(race == "Black", 0.1, 0.0)
    y = (rng.random(n) < score / 1.1).astype(int)
    curves = ThresholdCurves(y, score, race)
    outcome = apply_strategy(curves, "demographic_parity", tolerance=0.01)
    rates = _selection_rates(score, race, outcome.thresholds, curves.index)
    assert outcome.gap == pytest.approx(rates.max() - rates.min(), abs=1e-12)
    assert not outcome.met
    text = " ".join(outcome.reasons)
    assert "Pacific Islander has only 3 rows" in text and "group too small" in text
    assert "(ties in scores)" in text
    for reason in outcome.reasons:
        if "ties" in reason:
            label = reason.split(":")[0]
            shared = int(reason.split(" of its ")[0].split(": ")[1])
            value = float(reason.split("share the score ")[1].split(",")[0])
            part = score[(race == label).to_numpy()]
            assert shared == np.sum(np.isclose(part, value))
    assert "not met; the largest gap between groups is" in outcome.summary()


def test_a_group_without_positives_cannot_equalise_opportunity():
    score = np.linspace(0, 1, 400)
    groups = pd.Series(np.repeat(["a", "b"], 200), name="g")
    y = np.where(groups == "a", (score > 0.3).astype(int), 0)
    outcome = apply_strategy(ThresholdCurves(y, score, groups), "equal_opportunity")
    # Equal, but only by selecting nobody in "a" too: said, with the reason.
    assert outcome.met and np.isinf(outcome.thresholds).all()
    assert outcome.reasons == [
        "Met only with (almost) nobody selected: every group's true positive rate is at most "
        "0.000.",
        "b has no favourable outcomes, so its true positive rate is 0 at any threshold.",
    ]
    assert outcome.summary().endswith("is 0 at any threshold.")


def test_strategies_without_an_equality_target_report_accuracy_and_cost():
    rng = np.random.default_rng(2)
    score = rng.random(500)
    y = (rng.random(500) < score).astype(int)
    groups = pd.Series(rng.choice(["x", "y"], 500), name="g")
    outcome = apply_strategy(ThresholdCurves(y, score, groups), "single_best", cost_ratio=2.0)
    t = outcome.thresholds[0]
    fp = np.sum((score >= t) & (y == 0))
    fn = np.sum((score < t) & (y == 1))
    assert outcome.met and outcome.gap is None
    assert outcome.cost == pytest.approx((2.0 * fp + fn) / 500)
    assert outcome.summary().startswith("One threshold for everyone")
    with pytest.raises(InputError, match="tolerance"):
        apply_strategy(ThresholdCurves(y, score, groups), "single_best", tolerance=2)


@pytest.mark.parametrize(
    ("scores", "step"),
    [
        (np.linspace(0, 1, 5000), 0.01),  # probabilities: 100 key presses across
        (np.linspace(0.2, 0.45, 5000), 0.0025),
        (np.arange(1, 11), 1.0),  # decile risk scores: their own grid
        (np.linspace(-300, 500, 999), 10.0),  # raw margins
        (np.array([0.5]), 0.01),
    ],
)
def test_threshold_step_suits_the_scores(scores, step):
    assert threshold_step(scores) == pytest.approx(step)
    span = np.ptp(scores)
    if span:
        assert span / threshold_step(scores) <= 100 + 1e-9


def test_score_levels_note_names_the_values_and_why_for_randomized_models():
    from fairdash.thresholds import FEW_SCORE_LEVELS, score_levels_note

    note = score_levels_note([0.0, 1.0, 0.25, 1.0, np.nan], method="threshold_optimizer")
    assert note.startswith("This model comes from the threshold optimizer: its scores are the "
                           "probabilities of its randomized decisions")
    assert "the numbers here are not the model's own (Compare shows those)" in note
    assert "only 3 values (0, 0.25, 1)" in note
    assert score_levels_note([0.5], method="barycenter") == (
        "The scores take only 1 value (0.5): a threshold changes decisions only when it "
        "crosses one of them."
    )
    many = np.linspace(0, 1, FEW_SCORE_LEVELS + 1)
    assert score_levels_note(many, method="threshold_optimizer") is None
    assert "…" in score_levels_note(many[:-1])
