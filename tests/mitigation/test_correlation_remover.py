"""DecorrelatedEstimator: fairlearn's CorrelationRemover on the features, then an estimator."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge

import fairdash
from fairdash import InputError, datasets
from fairdash.mitigation import DecorrelatedEstimator
from fairdash.models import make_model


def _data(seed=0, n=600):
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    shift = pd.Series(group).map({"a": 0.0, "b": 1.0, "c": -1.5}).to_numpy()
    X = rng.normal(size=(n, 3)) + shift[:, None] * [1.0, 0.5, 0.0]
    y = (X[:, 0] + X[:, 2] + rng.normal(size=n) > 0).astype(int)
    return X, y, group


def _decorrelated_by_hand(X, group, alpha=1.0):
    """X minus alpha times its least-squares projection on the centred group indicators."""
    indicators = (group[:, None] == np.unique(group)[None, :]).astype(float)
    centred = indicators - indicators.mean(axis=0)
    beta = np.linalg.lstsq(centred, X, rcond=None)[0]
    return X - alpha * centred @ beta


def test_predictions_equal_a_model_fitted_on_features_decorrelated_by_hand():
    X, y, group = _data()
    model = DecorrelatedEstimator(LogisticRegression()).fit(X, y, sensitive_features=group)
    by_hand = _decorrelated_by_hand(X, group)
    # Independent check of the transformation: no linear correlation with any group left.
    indicators = (group[:, None] == np.unique(group)[None, :]).astype(float)
    assert np.abs((by_hand - by_hand.mean(0)).T @ (indicators - indicators.mean(0))).max() < 1e-9
    reference = LogisticRegression().fit(by_hand, y)
    np.testing.assert_allclose(
        model.predict_proba(X, sensitive_features=group),
        reference.predict_proba(by_hand),
        atol=1e-8,
    )
    np.testing.assert_array_equal(
        model.predict(X, sensitive_features=group), reference.predict(by_hand)
    )
    assert model.score(X, y, sensitive_features=group) == pytest.approx(
        np.mean(reference.predict(by_hand) == y)
    )


def test_alpha_zero_keeps_the_features_and_half_is_in_between():
    X, y, group = _data(1)
    plain = Ridge().fit(X, y)
    kept = DecorrelatedEstimator(Ridge(), alpha=0.0).fit(X, y, sensitive_features=group)
    np.testing.assert_allclose(kept.predict(X, sensitive_features=group), plain.predict(X))
    # fairlearn's alpha interpolates linearly: alpha * decorrelated + (1 - alpha) * X.
    half = DecorrelatedEstimator(Ridge(), alpha=0.5).fit(X, y, sensitive_features=group)
    reference = Ridge().fit(_decorrelated_by_hand(X, group, alpha=0.5), y)
    np.testing.assert_allclose(
        half.predict(X, sensitive_features=group),
        reference.predict(_decorrelated_by_hand(X, group, alpha=0.5)),
        atol=1e-8,
    )


def test_with_the_registry_preprocessing_on_a_dataframe():
    adult = datasets.load("adult").sample(1500, random_state=0)
    problem = fairdash.define_problem(
        adult, target="income", sensitive_features=["sex", "race"], positive_label=">50K"
    )
    X = adult.loc[:, list(problem.feature_columns)]
    y, sensitive = problem.encode_target(adult), problem.sensitive(adult)
    pipeline = make_model("logistic_regression", X)
    model = DecorrelatedEstimator(pipeline[-1], preprocessor=pipeline[:-1])
    model.fit(X, y, sensitive_features=sensitive)
    assert list(model.feature_names_in_) == list(X.columns)
    assert len(model.groups_) == len(sensitive.drop_duplicates())
    proba = model.predict_proba(X, sensitive_features=sensitive)
    assert proba.shape == (len(X), 2) and np.allclose(proba.sum(axis=1), 1.0)
    # A group unseen in fit gets no indicator and still a prediction.
    other = sensitive.copy()
    other["race"] = other["race"].cat.add_categories(["unseen"])
    other.iloc[:5, other.columns.get_loc("race")] = "unseen"
    assert len(model.predict(X, sensitive_features=other)) == len(X)


def test_bad_input():
    X, y, group = _data()
    with pytest.raises(InputError, match="alpha must be between 0 and 1"):
        DecorrelatedEstimator(Ridge(), alpha=1.5).fit(X, y, sensitive_features=group)
    with pytest.raises(InputError, match="sensitive_features"):
        DecorrelatedEstimator(Ridge()).fit(X, y, sensitive_features=group[:10])
    with pytest.raises(TypeError):
        DecorrelatedEstimator(Ridge()).fit(X, y)  # the sensitive features are required
