"""Bootstrap intervals of the trade-off against a naive bootstrap on the same resampled rows."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
)
from sklearn.metrics import accuracy_score, balanced_accuracy_score

from fairdash import InputError
from fairdash.tradeoff._uncertainty import tradeoff_intervals

N_ROWS, N_BOOT, SEED = 1200, 12, 7


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    race = rng.choice(["Black", "White", "Hispanic", "Other"], N_ROWS, p=[0.4, 0.4, 0.15, 0.05])
    race[5] = "Pacific"  # a group of one person
    sex = rng.choice(["Female", "Male"], N_ROWS)
    score = rng.random(N_ROWS)
    y = (rng.random(N_ROWS) < 0.2 + 0.6 * score).astype(np.int64)
    models = [
        SimpleNamespace(name=f"t={t}", y_pred=(score + 0.1 * (race == "Black") > t).astype(int))
        for t in (0.3, 0.5, 0.7)
    ]
    return y, pd.DataFrame({"race": race, "sex": sex}), models


def _naive_rows():
    # What bootstrap_cell_sums draws for this size: one block of resampled row indices.
    return np.random.default_rng(SEED).integers(0, N_ROWS, size=(N_BOOT, N_ROWS), dtype=np.int32)


def _naive(y, sensitive, model, metric):
    functions = {
        "accuracy": lambda yt, yp, sf: accuracy_score(yt, yp),
        "balanced_accuracy": lambda yt, yp, sf: balanced_accuracy_score(yt, yp),
        "demographic_parity_difference": lambda yt, yp, sf: demographic_parity_difference(
            yt, yp, sensitive_features=sf
        ),
        "demographic_parity_ratio": lambda yt, yp, sf: demographic_parity_ratio(
            yt, yp, sensitive_features=sf
        ),
        "equalized_odds_difference": lambda yt, yp, sf: equalized_odds_difference(
            yt, yp, sensitive_features=sf
        ),
    }
    out = []
    for rows in _naive_rows():
        resampled = sensitive.iloc[rows].reset_index(drop=True)
        out.append(functions[metric](y[rows], model.y_pred[rows], resampled))
    return np.array(out)


@pytest.mark.parametrize(
    ("performance", "disparity"),
    [
        ("accuracy", "demographic_parity_difference"),
        ("balanced_accuracy", "equalized_odds_difference"),
        ("accuracy", "demographic_parity_ratio"),
    ],
)
def test_every_resample_equals_fairlearn_on_the_same_rows(data, performance, disparity):
    y, sensitive, models = data
    result = tradeoff_intervals(
        models, y_true=y, sensitive_features=sensitive, performance=performance,
        disparity=disparity, n_boot=N_BOOT, random_state=SEED,
    )
    assert result.performance_samples.shape == (N_BOOT, len(models))
    for j, model in enumerate(models):
        np.testing.assert_allclose(
            result.performance_samples[:, j], _naive(y, sensitive, model, performance), atol=1e-12
        )
        np.testing.assert_allclose(
            result.disparity_samples[:, j], _naive(y, sensitive, model, disparity), atol=1e-12
        )


def test_point_values_and_percentile_intervals(data):
    y, sensitive, models = data
    result = tradeoff_intervals(
        models, y_true=y, sensitive_features=sensitive, n_boot=N_BOOT, random_state=SEED,
        confidence_level=0.9,
    )
    table = result.table()
    assert list(table["name"]) == [m.name for m in models]
    for j, model in enumerate(models):
        assert table["accuracy"][j] == pytest.approx(accuracy_score(y, model.y_pred), abs=1e-12)
        assert table["demographic_parity_difference"][j] == pytest.approx(
            demographic_parity_difference(y, model.y_pred, sensitive_features=sensitive), abs=1e-12
        )
        naive = _naive(y, sensitive, model, "demographic_parity_difference")
        low, high = np.quantile(naive, [0.05, 0.95])
        assert table["demographic_parity_difference_lower"][j] == pytest.approx(low, abs=1e-12)
        assert table["demographic_parity_difference_upper"][j] == pytest.approx(high, abs=1e-12)


def test_paired_difference_uses_the_same_rows_for_both_models(data):
    y, sensitive, models = data
    result = tradeoff_intervals(
        models, y_true=y, sensitive_features=sensitive, n_boot=N_BOOT, random_state=SEED
    )
    paired = result.paired_difference("t=0.3", "t=0.7")
    delta = _naive(y, sensitive, models[2], "accuracy")
    delta -= _naive(y, sensitive, models[0], "accuracy")
    low, high = np.quantile(delta, [0.025, 0.975])
    row = paired.loc["accuracy"]
    assert row["difference"] == pytest.approx(
        accuracy_score(y, models[2].y_pred) - accuracy_score(y, models[0].y_pred), abs=1e-12
    )
    assert (row["lower"], row["upper"]) == pytest.approx((low, high), abs=1e-12)
    assert row["share_above_zero"] == pytest.approx(np.mean(delta > 0))
    # Paired: the interval of the difference is narrower than the two own intervals combined.
    own = result.table().set_index("name")
    width = own["accuracy_upper"] - own["accuracy_lower"]
    assert row["upper"] - row["lower"] < width["t=0.3"] + width["t=0.7"]


def test_same_seed_same_intervals_and_errors_name_the_model(data):
    y, sensitive, models = data
    first = tradeoff_intervals(models, y_true=y, sensitive_features=sensitive, n_boot=20)
    again = tradeoff_intervals(models, y_true=y, sensitive_features=sensitive, n_boot=20)
    np.testing.assert_array_equal(first.disparity_samples, again.disparity_samples)
    short = SimpleNamespace(name="short one", y_pred=models[0].y_pred[:-1])
    with pytest.raises(InputError, match="'short one' has 1199 test predictions"):
        tradeoff_intervals([models[0], short], y_true=y, sensitive_features=sensitive)
    scores = SimpleNamespace(name="regressor", y_pred=np.linspace(0, 3, N_ROWS))
    with pytest.raises(InputError, match="'regressor' has predictions other than 0 and 1"):
        tradeoff_intervals([scores], y_true=y, sensitive_features=sensitive)
    with pytest.raises(InputError, match="Unknown disparity 'ks_distance'"):
        tradeoff_intervals(models, y_true=y, sensitive_features=sensitive, disparity="ks_distance")
    with pytest.raises(InputError, match="No model named 'nope'"):
        first.paired_difference("nope", "t=0.5")
