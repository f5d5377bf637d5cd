"""Reweighing (Kamiran & Calders 2012): weights, the sample-weight path and the resampling path."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fairdash import InputError, datasets
from fairdash.mitigation import Reweighing, reweighing_weights


@pytest.fixture(scope="module")
def adult_train() -> pd.DataFrame:
    adult = datasets.load("adult")
    return adult[adult["source"] == "adult.data"].reset_index(drop=True)


def _formula_by_groupby(y: pd.Series, groups: pd.DataFrame) -> np.ndarray:
    """P(g) P(y) / P(g, y) from pandas counts, independently of the implementation."""
    frame = groups.assign(_y=y.to_numpy())
    keys = list(groups.columns)
    n = len(frame)
    p_group = frame.groupby(keys, dropna=False)["_y"].transform("size") / n
    p_label = frame.groupby("_y")["_y"].transform("size") / n
    p_cell = frame.groupby([*keys, "_y"], dropna=False)["_y"].transform("size") / n
    return (p_group * p_label / p_cell).to_numpy()


def _weighted_base_rates(y: np.ndarray, weights: np.ndarray, codes: np.ndarray) -> np.ndarray:
    return np.bincount(codes, weights * y) / np.bincount(codes, weights)


def test_weights_on_adult_match_the_formula_and_equalize_base_rates(adult_train):
    y = adult_train["income"] == ">50K"
    weights = reweighing_weights(y, adult_train["sex"])
    expected = _formula_by_groupby(y, adult_train[["sex"]])
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-12)
    assert weights.sum() == pytest.approx(len(y), abs=1e-8)
    codes = pd.factorize(adult_train["sex"])[0]
    rates = _weighted_base_rates(y.to_numpy(float), weights, codes)
    np.testing.assert_allclose(rates, y.mean(), rtol=0, atol=1e-12)
    # The unweighted base rates are far apart: the weights do real work.
    raw = np.bincount(codes, y.to_numpy(float)) / np.bincount(codes)
    assert np.ptp(raw) > 0.15


def test_intersectional_weights_with_several_columns_and_missing_values(adult_train):
    y = adult_train["income"] == ">50K"
    groups = adult_train[["sex", "race"]].copy()
    groups.loc[::97, "race"] = np.nan  # missing is a group of its own
    weights = reweighing_weights(y, groups)
    expected = _formula_by_groupby(y, groups)
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-12)
    assert weights.sum() == pytest.approx(len(y), abs=1e-8)
    codes = groups.groupby(["sex", "race"], dropna=False).ngroup().to_numpy()
    assert len(np.unique(codes)) == 2 * (groups["race"].nunique() + 1)
    rates = _weighted_base_rates(y.to_numpy(float), weights, codes)
    np.testing.assert_allclose(rates, y.mean(), rtol=0, atol=1e-12)


def test_2d_array_and_multiclass_labels():
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 3, size=(600, 2))
    y = rng.choice(["a", "b", "c"], size=600)
    weights = reweighing_weights(y, groups)
    assert weights.sum() == pytest.approx(600)
    codes = groups[:, 0] * 3 + groups[:, 1]
    for label in "abc":
        rates = _weighted_base_rates((y == label).astype(float), weights, codes)
        np.testing.assert_allclose(rates, (y == label).mean(), atol=1e-12)


def test_independent_labels_get_weight_one():
    groups = np.repeat([0, 1], 4)
    y = np.tile([0, 1], 4)
    np.testing.assert_allclose(reweighing_weights(y, groups), 1.0)


@pytest.mark.parametrize(
    ("y", "groups", "message"),
    [
        ([0, 1, 1], [0, 1], "rows"),
        ([0, np.nan, 1], [0, 1, 1], "missing"),
        ([0, 1, 1], None, "sensitive_features is missing"),
        ([0, 1, 1], np.zeros((3, 1, 1)), "1-D or 2-D"),
    ],
)
def test_bad_input_raises_input_error(y, groups, message):
    with pytest.raises(InputError, match=message):
        reweighing_weights(y, groups)


def _classification_data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    X = np.column_stack([rng.normal(size=n) + group, rng.normal(size=n)])
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0.8).astype(int)
    return X, y, group


def test_estimator_with_sample_weight_gets_the_weights():
    X, y, group = _classification_data()
    model = Reweighing(LogisticRegression()).fit(X, y, sensitive_features=group)
    assert model.method_ == "weights"
    assert model.resampled_indices_ is None
    np.testing.assert_allclose(model.sample_weight_, reweighing_weights(y, group))
    direct = LogisticRegression().fit(X, y, sample_weight=reweighing_weights(y, group))
    np.testing.assert_allclose(model.estimator_.coef_, direct.coef_)
    np.testing.assert_allclose(model.predict_proba(X), direct.predict_proba(X))
    np.testing.assert_array_equal(model.predict(X), direct.predict(X))
    np.testing.assert_allclose(model.decision_function(X), direct.decision_function(X))
    np.testing.assert_array_equal(model.classes_, [0, 1])


def test_pipeline_routes_the_weights_to_its_final_step():
    X, y, group = _classification_data()
    weights = reweighing_weights(y, group)
    model = Reweighing(make_pipeline(StandardScaler(), LogisticRegression()))
    model.fit(X, y, sensitive_features=group)
    assert model.method_ == "weights"
    direct = make_pipeline(StandardScaler(), LogisticRegression())
    direct.fit(X, y, logisticregression__sample_weight=weights)
    np.testing.assert_allclose(model.predict_proba(X), direct.predict_proba(X))
    # The parameter is not changed by fit (the estimator is cloned).
    assert not hasattr(model.estimator, "classes_")


class _NoWeightsClassifier(ClassifierMixin, BaseEstimator):
    """Records the rows it was fitted on; its fit takes no sample_weight."""

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_estimator_without_sample_weight_is_fitted_on_a_resample_following_the_formula():
    X, y, group = _classification_data(n=1000)
    model = Reweighing(_NoWeightsClassifier(), random_state=0).fit(X, y, sensitive_features=group)
    assert model.method_ == "resampling"
    rows = model.resampled_indices_
    np.testing.assert_array_equal(model.estimator_.X_, X[rows])
    np.testing.assert_array_equal(model.estimator_.y_, y[rows])
    # Every (group, label) cell is drawn round(w * n_cell) = round(n_g n_y / n) times,
    # and only from its own rows.
    cell = group * 2 + y
    n_cell = np.bincount(cell, minlength=4)
    expected = np.rint(np.outer(np.bincount(group), np.bincount(y)).ravel() / len(y))
    np.testing.assert_array_equal(np.bincount(cell[rows], minlength=4), expected)
    np.testing.assert_allclose(expected, np.rint(_cell_weight(y, group) * n_cell))
    # The resampled base rates are (up to rounding) equal across groups.
    rates = np.bincount(group[rows], y[rows]) / np.bincount(group[rows])
    assert abs(rates[0] - rates[1]) < 0.01
    assert abs(len(rows) - len(y)) <= 2
    # Seeded: the same seed gives the same resample, another seed another one.
    again = Reweighing(_NoWeightsClassifier(), random_state=0).fit(X, y, sensitive_features=group)
    np.testing.assert_array_equal(again.resampled_indices_, rows)
    other = Reweighing(_NoWeightsClassifier(), random_state=1).fit(X, y, sensitive_features=group)
    assert not np.array_equal(other.resampled_indices_, rows)


def _cell_weight(y, group):
    weights = reweighing_weights(y, group)
    cell = group * 2 + y
    return np.array([weights[cell == c][0] for c in range(4)])


def test_knn_uses_resampling_on_adult(adult_train):
    data = adult_train.sample(3000, random_state=0)
    X = data[["age", "education-num", "hours-per-week", "capital-gain"]].to_numpy(float)
    y = (data["income"] == ">50K").to_numpy()
    sex = data["sex"]
    model = Reweighing(KNeighborsClassifier(15), random_state=0).fit(X, y, sensitive_features=sex)
    assert model.method_ == "resampling"
    rows = model.resampled_indices_
    counts = pd.crosstab(sex.to_numpy()[rows], y[rows])
    n_g = sex.value_counts()
    n_y = pd.Series(y).value_counts()
    for g in counts.index:
        for label in counts.columns:
            assert counts.loc[g, label] == round(n_g[g] * n_y[label] / len(y))
    assert model.predict_proba(X).shape == (3000, 2)
    assert not hasattr(model, "decision_function")


def test_dataframe_input_keeps_feature_names(adult_train):
    data = adult_train.head(500)
    X = data[["age", "hours-per-week"]]
    y = data["income"] == ">50K"
    model = Reweighing(LogisticRegression()).fit(X, y, sensitive_features=data[["sex", "race"]])
    np.testing.assert_array_equal(model.feature_names_in_, ["age", "hours-per-week"])
    assert model.n_features_in_ == 2
    assert model.predict(X).shape == (500,)


def test_fit_requires_sensitive_features():
    X, y, _ = _classification_data()
    with pytest.raises(InputError, match="sensitive_features"):
        Reweighing(LogisticRegression()).fit(X, y, sensitive_features=None)
    with pytest.raises(InputError, match="rows"):
        Reweighing(LogisticRegression()).fit(X, y, sensitive_features=[0, 1])
