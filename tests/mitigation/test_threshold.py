"""GroupThresholdOptimizer: fairlearn's ThresholdOptimizer, intersectional, and no silent zeros."""

import numpy as np
import pandas as pd
import pytest
from fairlearn.postprocessing import ThresholdOptimizer
from sklearn.linear_model import LogisticRegression

from fairdash import InputError
from fairdash.metrics import group_metrics
from fairdash.mitigation import GroupThresholdOptimizer


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    n = 3000
    sex = rng.choice(["Female", "Male"], size=n, p=[0.4, 0.6])
    race = rng.choice(["Black", "Other", "White"], size=n, p=[0.2, 0.1, 0.7])
    shift = (sex == "Male") * 0.8 + (race == "White") * 0.4
    X = pd.DataFrame(rng.normal(size=(n, 3)) + shift[:, None], columns=["a", "b", "c"])
    y = (X["a"] + rng.normal(scale=0.8, size=n) > 0.8).astype(int).to_numpy()
    sensitive = pd.DataFrame({"sex": pd.Categorical(sex), "race": pd.Categorical(race)})
    model = LogisticRegression().fit(X, y)
    return X, y, sensitive, model


def test_two_categorical_columns_are_intersectional_groups_as_in_fairlearn(data):
    X, y, sensitive, model = data
    ours = GroupThresholdOptimizer(model, predict_method="predict_proba", random_state=1)
    ours.fit(X, y, sensitive_features=sensitive)
    assert len(ours.groups_) == 6
    assert ours.sensitive_feature_names_ == ["sex", "race"]
    thresholds = ours.optimizer_.interpolated_thresholder_.interpolation_dict
    assert len(thresholds) == 6
    reference = ThresholdOptimizer(
        estimator=model, prefit=True, predict_method="predict_proba"
    ).fit(X, y, sensitive_features=sensitive)
    predictions = ours.predict(X, sensitive_features=sensitive)
    np.testing.assert_array_equal(
        predictions, reference.predict(X, sensitive_features=sensitive, random_state=1)
    )
    np.testing.assert_array_equal(predictions, ours.predict(X, sensitive_features=sensitive))
    # Demographic parity across the six groups, far from the unmitigated model's.
    after = group_metrics(y, predictions, sensitive).disparities()
    before = group_metrics(y, model.predict(X), sensitive).disparities()
    assert after["demographic_parity_difference"] < 0.1
    assert before["demographic_parity_difference"] > 0.3
    proba = ours.predict_proba(X, sensitive_features=sensitive)
    assert proba.shape == (len(y), 2)


def test_a_group_unseen_in_fit_raises_instead_of_predicting_zero(data):
    X, y, sensitive, model = data
    seen = (sensitive["race"] != "Other").to_numpy()
    ours = GroupThresholdOptimizer(model, predict_method="predict_proba").fit(
        X[seen], y[seen], sensitive_features=sensitive[seen]
    )
    # fairlearn itself predicts 0 for every row of the unseen group, silently.
    other = ~seen
    silent = ours.optimizer_.predict(X[other], sensitive_features=sensitive[other])
    assert not silent.any()
    with pytest.raises(InputError, match=r"× Other' \(sex × race\)") as raised:
        ours.predict(X, sensitive_features=sensitive)
    assert "no threshold" in str(raised.value)
    with pytest.raises(InputError, match="no threshold"):
        ours.predict_proba(X[other], sensitive_features=sensitive[other])
    # Columns in another order are refused rather than mismatched.
    with pytest.raises(InputError, match="same order"):
        ours.predict(X[seen], sensitive_features=sensitive[seen][["race", "sex"]])


def test_tolerance_relaxes_the_constraint(data):
    X, y, sensitive, model = data
    differences = []
    for tol in (None, 0.1, 0.3):
        optimizer = GroupThresholdOptimizer(model, predict_method="predict_proba", tol=tol)
        predictions = optimizer.fit(X, y, sensitive_features=sensitive).predict(
            X, sensitive_features=sensitive
        )
        metrics = group_metrics(y, predictions, sensitive)
        differences.append(metrics.disparities()["demographic_parity_difference"])
    assert differences[0] < differences[2]
    assert differences[2] <= 0.3 + 0.05


def test_bad_input_raises_input_error(data):
    X, y, sensitive, model = data
    with pytest.raises(InputError, match="not fitted"):
        GroupThresholdOptimizer(LogisticRegression()).fit(X, y, sensitive_features=sensitive)
    with pytest.raises(InputError, match="equalized odds"):
        GroupThresholdOptimizer(model, constraints="equalized_odds", tol=0.1).fit(
            X, y, sensitive_features=sensitive
        )
    one_label = y.copy()
    one_label[(sensitive["race"] == "Other").to_numpy()] = 0
    with pytest.raises(InputError, match="only one label"):
        GroupThresholdOptimizer(model).fit(X, one_label, sensitive_features=sensitive)
    with pytest.raises(InputError, match="labels 0 and 1"):
        GroupThresholdOptimizer(model).fit(X, y + 1, sensitive_features=sensitive)
