import numpy as np
import pandas as pd
import pytest

from fairdash import InputError, define_problem, split_indices, train_model
from fairdash.datasets import load


@pytest.fixture(scope="module")
def adult():
    return load("adult")


def test_split_is_stratified_by_target_and_group_and_loses_no_row():
    rng = np.random.default_rng(1)
    strata = rng.choice(6, size=1000, p=[0.4, 0.3, 0.2, 0.05, 0.04, 0.01])
    train, test = split_indices(strata, test_size=0.3, random_state=0)
    assert len(np.intersect1d(train, test)) == 0
    assert sorted(np.concatenate([train, test])) == list(range(1000))
    for s in range(6):
        share = np.isin(np.flatnonzero(strata == s), test).mean()
        assert abs(share - 0.3) < 0.1


def test_split_pools_singleton_strata_instead_of_failing():
    strata = np.array([0] * 20 + [1] * 20 + [2, 3, 4])
    train, test = split_indices(strata, test_size=0.25, random_state=0)
    assert len(train) + len(test) == len(strata)


def test_split_rejects_bad_share():
    with pytest.raises(InputError, match="between 0 and 1"):
        split_indices(np.zeros(10), test_size=1.5, random_state=0)


def test_training_on_adult_is_deterministic_given_a_seed(adult):
    problem = define_problem(adult, target="income", sensitive_features=["sex", "race"])
    a = train_model(adult, problem, estimator="logistic_regression", random_state=3)
    b = train_model(adult, problem, estimator="logistic_regression", random_state=3)
    assert a.test_index.equals(b.test_index)
    np.testing.assert_array_equal(a.y_pred, b.y_pred)
    np.testing.assert_array_equal(a.y_score, b.y_score)
    c = train_model(adult, problem, estimator="logistic_regression", random_state=4)
    assert not a.test_index.equals(c.test_index)
    # sensible model: Adult logistic regression is about 85 % accurate
    assert 0.82 < (a.y_pred == a.y_test).mean() < 0.88
    assert len(a.test_index) == round(0.3 * len(adult))
    assert a.fit_seconds > 0
    # predictions agree with the scores at 0.5
    np.testing.assert_array_equal(a.y_pred, (a.y_score > 0.5).astype(int))
    # stratified: each sex x race group has ~30 % of its rows in the test part
    groups = problem.sensitive(adult)
    test_share = groups.loc[a.test_index].value_counts() / groups.value_counts()
    assert (abs(test_share - 0.3) < 0.02).all()


@pytest.mark.parametrize("estimator", ["decision_tree", "random_forest", "hist_gradient_boosting"])
def test_every_classifier_trains_on_german(estimator):
    german = load("german")
    problem = define_problem(german, target="risk", sensitive_features=["sex", "age"])
    run = train_model(german, problem, estimator=estimator, random_state=0)
    assert set(np.unique(run.y_pred)) <= {0, 1}
    assert ((run.y_score >= 0) & (run.y_score <= 1)).all()
    assert (run.y_pred == run.y_test).mean() > 0.6
    assert list(run.sensitive_test.columns) == ["sex", "age"]


@pytest.mark.parametrize("estimator", ["ridge", "random_forest", "hist_gradient_boosting"])
def test_regressors_train(estimator):
    rng = np.random.default_rng(0)
    n = 600
    df = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b"], n),
                       "c": rng.choice(["u", "v", None], n)})
    df["y"] = 3 * df["x"] + (df["g"] == "a") + rng.normal(scale=0.1, size=n)
    problem = define_problem(df, target="y", sensitive_features=["g"])
    run = train_model(df, problem, estimator=estimator)
    assert run.y_score is None
    assert np.corrcoef(run.y_pred, run.y_test)[0, 1] > 0.9


def test_missing_and_text_inputs_are_imputed():
    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame({"x": rng.normal(size=n), "t": rng.choice(["a", "b", None], n),
                       "s": rng.choice(["f", "m"], n)})
    df.loc[::7, "x"] = np.nan
    df["y"] = np.where(df["x"].fillna(0) > 0, "pos", "neg")
    problem = define_problem(df, target="y", sensitive_features=["s"], positive_label="pos")
    run = train_model(df, problem, estimator="logistic_regression")
    assert len(run.y_pred) == len(run.test_index)


def test_infinite_feature_values_name_the_column():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=100), "s": ["a", "b"] * 50,
                       "y": rng.integers(0, 2, 100)})
    df.loc[3, "x"] = np.inf
    problem = define_problem(df, target="y", sensitive_features=["s"])
    with pytest.raises(InputError, match="'x' has 1 infinite") as err:
        train_model(df, problem)
    assert err.value.column == "x"


def test_large_training_parts_fit_on_a_stratified_sample_and_score_every_test_row(adult):
    from fairdash import sensitive_frame
    from fairdash._training import fit_sample
    from fairdash.models import make_model

    problem = define_problem(adult, target="income", sensitive_features=["sex", "race"])
    full = train_model(adult, problem, random_state=0)
    assert full.fit_index is None
    run = train_model(adult, problem, random_state=0, max_fit_rows=5_000)
    assert run.test_index.equals(full.test_index)  # the same test rows, every one scored
    assert len(run.y_score) == len(run.test_index)
    assert len(run.fit_index) == 5_000 and run.fit_index.isin(run.train_index).all()
    # Each target x group stratum keeps its share of the training part.
    train = adult.loc[run.train_index]
    strata = (sensitive_frame(train, ["sex", "race"]).astype(str).agg("|".join, axis=1)
              + "|" + train["income"].astype(str))
    shares = strata.value_counts(normalize=True)
    sampled = strata.loc[run.fit_index].value_counts(normalize=True)
    assert (sampled.reindex(shares.index, fill_value=0) - shares).abs().max() < 0.002
    # The model is the one fitted on exactly those rows.
    X = adult.loc[:, list(problem.feature_columns)]
    reference = make_model("logistic_regression", X, random_state=0)
    reference.fit(X.loc[run.fit_index], problem.encode_target(adult.loc[run.fit_index]))
    expected = reference.predict_proba(X.loc[run.test_index])[:, 1]
    np.testing.assert_allclose(run.y_score, expected, rtol=1e-10)
    # No sample when the part is small enough; too small a cap is refused.
    assert fit_sample(np.zeros(10, dtype=int), max_rows=10, random_state=0) is None
    with pytest.raises(InputError, match="max_fit_rows"):
        fit_sample(np.zeros(10, dtype=int), max_rows=2, random_state=0)
