"""Training at scale gives the numbers of the plain calls: the stratified split equals
scikit-learn's ``train_test_split`` (as it was called before it was made faster), row for
row, including pooled single-row strata; test rows scored in chunks equal the pipeline's
``predict`` and ``predict_proba`` on all of them at once."""

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from fairdash import define_problem, split_indices, train_model
from fairdash._training import fit_sample
from fairdash.datasets import load
from tests._messy import MESSY


def _with_train_test_split(strata, *, test_size, random_state):
    """The earlier definition: pool single-row strata, then scikit-learn's split."""
    strata = np.asarray(strata).copy()
    n = len(strata)
    values, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
    rare = counts[inverse] < 2
    if rare.any():
        strata[rare] = values.max() + 1
        if rare.sum() < 2:
            strata[rare] = values[np.argmax(counts)]
    n_test = max(1, round(n * test_size))
    n_strata = len(np.unique(strata))
    stratify = None if n_test < n_strata or n - n_test < n_strata else strata
    train, test = train_test_split(
        np.arange(n), test_size=n_test, random_state=random_state, stratify=stratify
    )
    return np.sort(train), np.sort(test)


def _cases():
    rng = np.random.default_rng(7)
    skewed = rng.choice(6, size=5000, p=[0.4, 0.3, 0.2, 0.05, 0.04, 0.01])
    yield "skewed", skewed
    yield "singletons pooled", np.array([0] * 20 + [1] * 20 + [2, 3, 4])
    yield "one singleton joins the largest", np.array([5] * 30 + [9] * 12 + [2])
    yield "large sparse codes", rng.choice([3, 10_000_000, 77], size=400)
    yield "negative codes", rng.integers(-5, 5, size=700)
    yield "floats", rng.integers(0, 3, size=300).astype(float)
    yield "ties in counts", np.repeat(np.arange(8), 25)
    groups, y = rng.integers(0, 40, size=20_000), rng.integers(0, 2, size=20_000)
    yield "groups x class", groups * 2 + y
    yield "too many strata (not stratified)", np.arange(50)


@pytest.mark.parametrize(("name", "strata"), list(_cases()))
@pytest.mark.parametrize("test_size", [0.3, 0.5, 0.97])
@pytest.mark.parametrize("random_state", [0, 11])
def test_split_equals_train_test_split(name, strata, test_size, random_state):
    got = split_indices(strata, test_size=test_size, random_state=random_state)
    expected = _with_train_test_split(strata, test_size=test_size, random_state=random_state)
    for part, reference in zip(got, expected, strict=True):
        np.testing.assert_array_equal(part, reference, err_msg=name)


def test_fit_sample_keeps_the_earlier_rows():
    rng = np.random.default_rng(2)
    strata = rng.integers(0, 30, size=50_000)
    sample = fit_sample(strata, max_rows=4_000, random_state=5)
    expected, _ = _with_train_test_split(strata, test_size=1.0 - 4_000 / 50_000, random_state=5)
    np.testing.assert_array_equal(sample, expected)


@pytest.mark.parametrize("estimator", ["logistic_regression", "hist_gradient_boosting"])
def test_chunked_scores_equal_the_pipeline_on_every_test_row(monkeypatch, estimator):
    adult = load("adult")
    problem = define_problem(adult, target="income", sensitive_features=["sex", "race"])
    monkeypatch.setattr("fairdash._training._SCORE_CHUNK_ROWS", 1024)
    run = train_model(adult, problem, estimator=estimator, max_fit_rows=5_000)
    X_test = adult.loc[run.test_index, list(problem.feature_columns)]
    proba = run.model.predict_proba(X_test)[:, list(run.model.classes_).index(1)]
    np.testing.assert_array_equal(run.y_score, proba)
    np.testing.assert_array_equal(run.y_pred, run.model.predict(X_test))
    assert run.y_pred.dtype == np.int64 and len(run.y_pred) == len(run.test_index) > 1024


def test_chunked_regression_predictions_equal_the_pipeline(monkeypatch, messy_frame):
    problem = define_problem(
        messy_frame, target="priors_count", sensitive_features=list(MESSY["sensitive"]),
        task="regression",
    )
    monkeypatch.setattr("fairdash._training._SCORE_CHUNK_ROWS", 256)
    run = train_model(messy_frame, problem, estimator="ridge")
    X_test = messy_frame.loc[run.test_index, list(problem.feature_columns)]
    np.testing.assert_array_equal(run.y_pred, run.model.predict(X_test).astype(np.float64))
    assert run.y_score is None and len(run.y_pred) > 256
