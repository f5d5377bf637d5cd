"""Compare under the small-group policy: every number equals a brute-force computation on
the test rows with the small groups' rows dropped."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from fairdash.metrics import group_metrics
from fairdash.tradeoff import (
    ModelResult,
    hypervolume,
    hypervolume_reference,
    pareto_front,
    recommend_model,
    tradeoff_intervals,
    tradeoff_table,
)

N_ROWS, N_BOOT, SEED, MIN_SIZE = 800, 10, 5, 30


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(2)
    race = rng.choice(["Black", "White", "Hispanic"], N_ROWS, p=[0.45, 0.4, 0.15]).astype(object)
    race[:2] = "Asian"  # a group of two people
    sex = rng.choice(["Female", "Male"], N_ROWS, p=[0.3, 0.7])
    score = rng.random(N_ROWS)
    y = (rng.random(N_ROWS) < 0.2 + 0.6 * score).astype(np.int64)
    sensitive = pd.DataFrame({"race": race, "sex": sex})
    models = []
    for i, t in enumerate((0.3, 0.45, 0.5, 0.6, 0.7)):
        pred = (score + 0.1 * (race == "Black") > t).astype(np.int64)
        pred[:2] = i % 2  # the two-person group swings the unfiltered disparity
        models.append(ModelResult(
            name=f"t={t}", method="unmitigated" if i == 2 else "test", params={"t": t},
            y_pred=pred, y_score=None, metrics=group_metrics(y, pred, sensitive),
            fit_seconds=0.0, is_unmitigated=i == 2,
        ))
    return y, sensitive, models


def _kept_rows(sensitive):
    sizes = sensitive.groupby(["race", "sex"])["race"].transform("size")
    return (sizes >= MIN_SIZE).to_numpy()


def test_table_axes_front_hypervolume_and_recommendation_equal_brute_force(data):
    y, sensitive, models = data
    table = tradeoff_table(models, y_true=y, sensitive_features=sensitive, n_boot=None,
                           min_group_size=MIN_SIZE)
    keep = _kept_rows(sensitive)
    assert (~keep).sum() >= 2
    dropped = sensitive[keep].reset_index(drop=True)
    brute = np.array([
        demographic_parity_difference(y[keep], m.y_pred[keep], sensitive_features=dropped)
        for m in models
    ])
    np.testing.assert_allclose(table["demographic_parity_difference"], brute, atol=1e-12)
    accuracy = np.array([(m.y_pred == y).mean() for m in models])  # all rows: not a disparity
    np.testing.assert_allclose(table["accuracy"], accuracy, atol=1e-12)
    assert table["on_front"].tolist() == pareto_front(accuracy, brute).tolist()
    front = table[table["on_front"]]
    reference = hypervolume_reference(1 - accuracy, brute)
    assert hypervolume(1 - front["accuracy"], front["demographic_parity_difference"],
                       reference=reference) == pytest.approx(
        hypervolume(1 - accuracy, brute, reference=reference), abs=1e-12)
    brute_table = pd.DataFrame({"name": table["name"], "is_unmitigated": table["is_unmitigated"],
                                "accuracy": accuracy, "demographic_parity_difference": brute})
    chosen = recommend_model(table, max_performance_loss=0.05)
    assert chosen == recommend_model(brute_table, max_performance_loss=0.05)
    # Without the policy the two-person group counts (fairlearn exactly), and differs.
    everyone = tradeoff_table(models, y_true=y, sensitive_features=sensitive, n_boot=None)
    exact = [demographic_parity_difference(y, m.y_pred, sensitive_features=sensitive)
             for m in models]
    np.testing.assert_allclose(everyone["demographic_parity_difference"], exact, atol=1e-12)
    assert not np.allclose(everyone["demographic_parity_difference"], brute)


@pytest.mark.parametrize(
    ("disparity", "function"),
    [("demographic_parity_difference", demographic_parity_difference),
     ("equalized_odds_difference", equalized_odds_difference)],
)
def test_every_resample_equals_fairlearn_without_the_small_groups(data, disparity, function):
    y, sensitive, models = data
    result = tradeoff_intervals(
        models, y_true=y, sensitive_features=sensitive, disparity=disparity, n_boot=N_BOOT,
        random_state=SEED, min_group_size=MIN_SIZE,
    )
    sizes = sensitive.groupby(["race", "sex"]).size()
    small = [f"{race} × {sex}" for (race, sex), n in sizes.items() if 0 < n < MIN_SIZE]
    assert small and sorted(result.left_out) == sorted(small)
    keep = _kept_rows(sensitive)
    rows = np.random.default_rng(SEED).integers(0, N_ROWS, size=(N_BOOT, N_ROWS), dtype=np.int32)
    for j, model in enumerate(models):
        expected = []
        for drawn in rows:
            drawn = drawn[keep[drawn]]  # the small groups are left out of every resample
            expected.append(function(y[drawn], model.y_pred[drawn],
                                     sensitive_features=sensitive.iloc[drawn]))
        np.testing.assert_allclose(result.disparity_samples[:, j], expected, atol=1e-12)
        dropped = sensitive[keep]
        assert result.disparity_values[j] == pytest.approx(
            function(y[keep], model.y_pred[keep], sensitive_features=dropped), abs=1e-12)


def test_intervals_in_the_table_follow_the_policy(data):
    y, sensitive, models = data
    table = tradeoff_table(models, y_true=y, sensitive_features=sensitive, n_boot=N_BOOT,
                           min_group_size=MIN_SIZE)
    intervals = tradeoff_intervals(models, y_true=y, sensitive_features=sensitive,
                                   n_boot=N_BOOT, min_group_size=MIN_SIZE).table()
    np.testing.assert_allclose(table["demographic_parity_difference_lower"],
                               intervals["demographic_parity_difference_lower"])
    assert (table["demographic_parity_difference_lower"]
            <= table["demographic_parity_difference"] + 1e-12).all()


def test_fewer_than_two_groups_kept_gives_no_disparity():
    y = np.array([0, 1, 1, 0, 1, 0])
    model = SimpleNamespace(name="m", y_pred=np.array([0, 1, 0, 0, 1, 1]))
    result = tradeoff_intervals([model], y_true=y, sensitive_features=["a"] * 5 + ["b"],
                                n_boot=3, min_group_size=5)
    assert result.left_out == ["b"]
    assert np.isnan(result.disparity_values).all() and np.isnan(result.disparity_samples).all()
