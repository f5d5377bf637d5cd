"""SeededExponentiatedGradient: fairlearn's reduction with reproducible predictions."""

import logging

import numpy as np
import pandas as pd
import pytest
from fairlearn.reductions import EqualizedOdds, ExponentiatedGradient
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from fairdash import InputError
from fairdash.mitigation import SeededExponentiatedGradient

logging.getLogger("fairlearn").setLevel(logging.ERROR)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    n = 800
    sex = rng.choice(["F", "M"], size=n)
    race = rng.choice(["x", "y"], size=n, p=[0.7, 0.3])
    X = rng.normal(size=(n, 3)) + (sex == "M")[:, None] * 0.7
    y = (X[:, 0] + rng.normal(scale=0.7, size=n) > 0.3).astype(int)
    sensitive = pd.DataFrame({"sex": pd.Categorical(sex), "race": pd.Categorical(race)})
    return X, y, sensitive


def test_predictions_are_reproducible_for_a_seed(data):
    X, y, sensitive = data
    first = SeededExponentiatedGradient(LogisticRegression(), max_iter=3, random_state=7)
    first.fit(X, y, sensitive_features=sensitive)
    second = SeededExponentiatedGradient(LogisticRegression(), max_iter=3, random_state=7)
    second.fit(X, y, sensitive_features=sensitive)
    np.testing.assert_array_equal(first.predict(X), first.predict(X))
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    # The mixture is randomized: another seed draws other predictions.
    other = second.set_params(random_state=8)
    assert not np.array_equal(first.predict(X), other.predict(X))
    proba = first.predict_proba(X)
    assert proba.shape == (len(y), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_equals_fairlearn_with_the_same_seed_and_refits_from_its_parameters(data):
    X, y, sensitive = data
    ours = SeededExponentiatedGradient(
        LogisticRegression(), constraints="equalized_odds", eps=0.05, max_iter=3, random_state=0
    )
    ours.fit(X, y, sensitive_features=sensitive)
    reference = ExponentiatedGradient(
        LogisticRegression(), EqualizedOdds(), eps=0.05, max_iter=3
    ).fit(X, y, sensitive_features=sensitive)
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X, random_state=0))
    np.testing.assert_allclose(ours.predict_proba(X), reference._pmf_predict(X))
    # fairlearn sets its own nu in fit; ours is untouched and a refit starts afresh.
    assert ours.nu is None and ours.mitigator_.nu is not None
    mitigator = ours.mitigator_
    ours.fit(X, y, sensitive_features=sensitive)
    assert ours.mitigator_ is not mitigator
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X, random_state=0))


def test_bad_input_raises_input_error(data):
    X, y, sensitive = data
    with pytest.raises(InputError, match="eps"):
        SeededExponentiatedGradient(LogisticRegression(), eps=0).fit(
            X, y, sensitive_features=sensitive
        )
    with pytest.raises(InputError, match="labels 0 and 1"):
        SeededExponentiatedGradient(LogisticRegression()).fit(
            X, y * 2, sensitive_features=sensitive
        )
    with pytest.raises(InputError, match="sample weights"):
        SeededExponentiatedGradient(KNeighborsClassifier()).fit(X, y, sensitive_features=sensitive)
    with pytest.raises(InputError, match="Unknown constraints"):
        SeededExponentiatedGradient(LogisticRegression(), constraints="fair").fit(
            X, y, sensitive_features=sensitive
        )


@pytest.fixture(scope="module")
def frame_data():
    """A DataFrame with numeric, text and missing inputs, for the app's Pipeline."""
    rng = np.random.default_rng(11)
    n = 700
    sex = rng.choice(["F", "M"], size=n)
    race = rng.choice(["x", "y", "z"], size=n, p=[0.6, 0.3, 0.1])
    age = rng.normal(40, 10, size=n).round()
    age[rng.random(n) < 0.05] = np.nan
    job = rng.choice(["a", "b", "c", "d"], size=n)
    y = ((age > 40).astype(float) + (sex == "M") + rng.normal(size=n) > 1.2).astype(int)
    X = pd.DataFrame({"age": age, "job": pd.array(job, dtype="str")})
    sensitive = pd.DataFrame({"sex": pd.Categorical(sex), "race": pd.Categorical(race)})
    return X, y, sensitive


def test_shared_preprocessing_gives_fairlearns_models_on_the_whole_pipeline(frame_data):
    import sklearn
    from fairlearn.reductions import DemographicParity
    from sklearn.utils.validation import has_fit_parameter

    from fairdash.models import make_model

    X, y, sensitive = frame_data
    ours = SeededExponentiatedGradient(make_model("logistic_regression", X), max_iter=8)
    ours.fit(X, y, sensitive_features=sensitive)
    assert ours.shared_steps_ is not None
    # Reference: fairlearn on the whole Pipeline, which refits the preprocessing with
    # every model; scikit-learn's metadata routing takes the weights to the final step.
    with sklearn.config_context(enable_metadata_routing=True):
        pipeline = make_model("logistic_regression", X)
        for step in pipeline.get_params().values():
            if has_fit_parameter(step, "sample_weight") and hasattr(step, "set_fit_request"):
                step.set_fit_request(sample_weight=False)
        pipeline.steps[-1][1].set_fit_request(sample_weight=True)
        reference = ExponentiatedGradient(pipeline, DemographicParity(), max_iter=8)
        reference.fit(X, y, sensitive_features=sensitive)
    np.testing.assert_allclose(ours.predict_proba(X), reference._pmf_predict(X), atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X, random_state=0))
    assert ours.n_iter_ == reference.last_iter_ + 1
    # The mixture's predictors are whole Pipelines that predict from the raw inputs.
    for predictor, theirs in zip(ours.predictors_, reference.predictors_, strict=True):
        np.testing.assert_array_equal(predictor.predict(X), theirs.predict(X))
    # Without sharing, the same models again.
    unshared = SeededExponentiatedGradient(
        make_model("logistic_regression", X), max_iter=8, reuse_preprocessing=False
    ).fit(X, y, sensitive_features=sensitive)
    assert unshared.shared_steps_ is None
    np.testing.assert_allclose(unshared.predict_proba(X), ours.predict_proba(X), atol=1e-12)


def test_progress_reports_every_iteration(frame_data):
    from fairdash.models import make_model

    X, y, sensitive = frame_data
    calls = []
    model = SeededExponentiatedGradient(make_model("logistic_regression", X), max_iter=12)
    model.fit(X, y, sensitive_features=sensitive, progress=lambda i, most: calls.append((i, most)))
    assert calls == [(i, 12) for i in range(1, model.n_iter_ + 1)]
    assert model.n_iter_ == model.mitigator_.last_iter_ + 1
