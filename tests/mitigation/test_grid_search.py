"""ParallelGridSearch: the same candidates, predictions and best model as fairlearn's GridSearch."""

import logging

import numpy as np
import pandas as pd
import pytest
from fairlearn.reductions import (
    DemographicParity,
    EqualizedOdds,
    ErrorRateParity,
    FalsePositiveRateParity,
    GridSearch,
    TruePositiveRateParity,
)
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

import fairdash
from fairdash import InputError, datasets
from fairdash.mitigation import CONSTRAINTS, ParallelGridSearch, _grid_search
from fairdash.models import make_model

# fairlearn warns (through logging) that these grids are small for their dimension.
logging.getLogger("fairlearn").setLevel(logging.ERROR)

MOMENTS = {
    "demographic_parity": DemographicParity,
    "equalized_odds": EqualizedOdds,
    "true_positive_rate_parity": TruePositiveRateParity,
    "false_positive_rate_parity": FalsePositiveRateParity,
    "error_rate_parity": ErrorRateParity,
}


@pytest.fixture(autouse=True)
def always_parallel(monkeypatch):
    """These tests' data are small: without this, n_jobs=2 would fall back to one process."""
    monkeypatch.setattr(_grid_search, "MIN_PARALLEL_ROW_FITS", 0)


@pytest.fixture(scope="module")
def adult():
    data = datasets.load("adult").sample(3000, random_state=1)
    problem = fairdash.define_problem(
        data, target="income", sensitive_features=["sex", "race"], positive_label=">50K"
    )
    X = data.loc[:, list(problem.feature_columns)]
    return X, problem.encode_target(data), problem.sensitive(data)


@pytest.fixture(scope="module")
def numeric():
    rng = np.random.default_rng(0)
    n = 1200
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    X = rng.normal(size=(n, 4)) + (group == "a")[:, None] * 0.8
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.8, size=n) > 0.4).astype(int)
    return X, y, pd.Series(group, name="group")


def _fairlearn(estimator, moment, X, y, sensitive, **kwargs):
    # The workers run single-threaded BLAS; so must the reference for bit-equal fits.
    with threadpool_limits(1):
        return GridSearch(estimator, moment, **kwargs).fit(X, y, sensitive_features=sensitive)


def _assert_same_search(ours, reference, X):
    pd.testing.assert_frame_equal(ours.lambda_vecs_, reference.lambda_vecs_)
    pd.testing.assert_frame_equal(ours.gammas_, reference.gammas_)
    assert ours.objectives_ == reference.objectives_
    assert ours.best_idx_ == reference.best_idx_
    assert len(ours.predictors_) == len(reference.predictors_)
    with threadpool_limits(1):
        candidates = ours.candidate_predictions(X)
        for i, (mine, theirs) in enumerate(
            zip(ours.predictors_, reference.predictors_, strict=True)
        ):
            assert type(mine) is type(theirs)
            expected = theirs.predict(X)
            np.testing.assert_array_equal(mine.predict(X), expected)
            np.testing.assert_array_equal(candidates[i], expected)
        np.testing.assert_array_equal(ours.predict(X), reference.predict(X))


def test_adult_pipeline_in_parallel_equals_fairlearn_grid_search(adult):
    X, y, sensitive = adult
    fit_X, fit_y, fit_s = X.iloc[:2000], y[:2000], sensitive.iloc[:2000]
    estimator = make_model("logistic_regression", X)
    calls = []
    ours = ParallelGridSearch(estimator, grid_size=8, n_jobs=2).fit(
        fit_X, fit_y, sensitive_features=fit_s, progress=lambda done, total: calls.append(done)
    )
    # A plain fairlearn GridSearch(grid_size=8): the grid is built the same way.
    reference = _fairlearn(
        estimator,
        DemographicParity(),
        fit_X,
        fit_y,
        fit_s,
        grid_size=8,
        sample_weight_name="estimator__sample_weight",
    )
    held_out = X.iloc[2000:]
    _assert_same_search(ours, reference, held_out)
    with threadpool_limits(1):
        np.testing.assert_array_equal(
            ours.predict_proba(held_out), reference.predict_proba(held_out)
        )
    assert ours.n_workers_ == 2
    # The y-independent preprocessing was fitted once and is shared by every candidate.
    assert ours.shared_steps_ is not None
    assert all(p.steps[0][1] is ours.shared_steps_.steps[0][1] for p in ours.predictors_)
    # How many intermediate counts the poller sees depends on the machine's speed.
    assert calls == sorted(calls) and calls[-1] == 8


@pytest.mark.parametrize("constraints", list(CONSTRAINTS))
def test_every_constraint_equals_fairlearn_with_the_same_grid_size(numeric, constraints):
    X, y, sensitive = numeric
    ours = ParallelGridSearch(
        LogisticRegression(), constraints=constraints, grid_size=7, n_jobs=2
    ).fit(X, y, sensitive_features=sensitive)
    reference = _fairlearn(
        LogisticRegression(), MOMENTS[constraints](), X, y, sensitive, grid_size=7
    )
    _assert_same_search(ours, reference, X)


def test_sequential_and_unshared_preprocessing_give_the_same_candidates(adult):
    X, y, sensitive = (part[:1500] for part in adult)
    estimator = make_model("logistic_regression", X)
    parallel = ParallelGridSearch(estimator, grid_size=3, n_jobs=2).fit(
        X, y, sensitive_features=sensitive
    )
    sequential = ParallelGridSearch(
        estimator, grid_size=3, n_jobs=1, reuse_preprocessing=False
    ).fit(X, y, sensitive_features=sensitive)
    assert sequential.shared_steps_ is None
    assert parallel.best_idx_ == sequential.best_idx_
    with threadpool_limits(1):
        np.testing.assert_array_equal(
            parallel.candidate_predictions(X), sequential.candidate_predictions(X)
        )
        np.testing.assert_allclose(
            parallel.candidate_scores(X), sequential.candidate_scores(X), rtol=0, atol=1e-12
        )


def test_small_work_falls_back_to_one_process_with_identical_candidates(numeric, monkeypatch):
    X, y, sensitive = numeric
    monkeypatch.setattr(_grid_search, "MIN_PARALLEL_ROW_FITS", 200_000)  # the real rule
    assert len(y) * 7 < _grid_search.MIN_PARALLEL_ROW_FITS
    calls = []
    small = ParallelGridSearch(LogisticRegression(), grid_size=7, n_jobs=2).fit(
        X, y, sensitive_features=sensitive, progress=lambda done, total: calls.append(done)
    )
    assert small.n_workers_ == 1
    assert calls == list(range(1, 8))  # sequential progress: one call per candidate
    monkeypatch.setattr(_grid_search, "MIN_PARALLEL_ROW_FITS", 0)
    parallel = ParallelGridSearch(LogisticRegression(), grid_size=7, n_jobs=2).fit(
        X, y, sensitive_features=sensitive
    )
    assert parallel.n_workers_ == 2
    _assert_same_search(small, parallel, X)
    # Enough work keeps the workers: the rule looks at rows x candidates.
    monkeypatch.setattr(_grid_search, "MIN_PARALLEL_ROW_FITS", len(y) * 7)
    assert (
        ParallelGridSearch(LogisticRegression(), grid_size=7, n_jobs=2)
        .fit(X, y, sensitive_features=sensitive)
        .n_workers_
        == 2
    )


def test_single_class_relabelling_gives_fairlearns_constant_classifier():
    # Group "b" is all positive: multipliers that favour selecting group "a" relabel
    # every row 1, and fairlearn then fits a constant DummyClassifier.
    rng = np.random.default_rng(0)
    group = np.where(np.arange(400) < 40, "a", "b")
    X = rng.normal(size=(400, 2))
    y = np.where(group == "b", 1, (X[:, 0] > 0).astype(int))
    ours = ParallelGridSearch(LogisticRegression(), grid_size=5, grid_limit=0.5, n_jobs=2).fit(
        X, y, sensitive_features=group
    )
    constant = [i for i, p in enumerate(ours.predictors_) if isinstance(p, DummyClassifier)]
    assert constant
    # fairlearn given our grid explicitly.
    reference = _fairlearn(
        LogisticRegression(), DemographicParity(), X, y, group, grid=ours.lambda_vecs_
    )
    _assert_same_search(ours, reference, X)
    scores = ours.candidate_scores(X)
    assert set(np.unique(scores[constant])) <= {0.0, 1.0}


class _SlowLogisticRegression(LogisticRegression):
    """A logistic regression whose fit takes 0.4 s, longer than the poller's 0.1 s period."""

    def fit(self, X, y, sample_weight=None):
        import time

        time.sleep(0.4)
        return super().fit(X, y, sample_weight=sample_weight)


def test_parallel_progress_reports_counts_before_the_end(numeric):
    X, y, sensitive = numeric
    calls = []
    search = ParallelGridSearch(_SlowLogisticRegression(), grid_size=8, n_jobs=2).fit(
        X, y, sensitive_features=sensitive, progress=lambda done, total: calls.append((done, total))
    )
    assert search.n_workers_ == 2
    assert calls == sorted(calls) and calls[-1] == (8, 8)
    # Each worker fits four candidates in about 1.6 s: the poller sees some of them finish.
    assert any(0 < done < 8 for done, _ in calls)


def test_sequential_progress_reports_every_candidate(numeric):
    X, y, sensitive = numeric
    calls = []
    ParallelGridSearch(LogisticRegression(), grid_size=5, n_jobs=1).fit(
        X, y, sensitive_features=sensitive, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(i, 5) for i in range(1, 6)]


def test_bad_input_raises_input_error(numeric):
    X, y, sensitive = numeric
    with pytest.raises(InputError, match="Unknown constraints"):
        ParallelGridSearch(LogisticRegression(), constraints="parity").fit(
            X, y, sensitive_features=sensitive
        )
    with pytest.raises(InputError, match="labels 0 and 1"):
        ParallelGridSearch(LogisticRegression()).fit(X, y + 1, sensitive_features=sensitive)
    with pytest.raises(InputError, match="sample weights"):
        ParallelGridSearch(KNeighborsClassifier()).fit(X, y, sensitive_features=sensitive)
    with pytest.raises(InputError, match="grid_size"):
        ParallelGridSearch(LogisticRegression(), grid_size=0).fit(
            X, y, sensitive_features=sensitive
        )
    with pytest.raises(InputError, match="sensitive_features"):
        ParallelGridSearch(LogisticRegression()).fit(X, y, sensitive_features=sensitive[:10])


def test_fit_does_not_change_parameters_and_pipelines_are_rebuilt(adult):
    X, y, sensitive = (part[:1000] for part in adult)
    estimator = make_model("logistic_regression", X)
    search = ParallelGridSearch(estimator, grid_size=2, n_jobs=1)
    before = search.get_params(deep=False)
    search.fit(X, y, sensitive_features=sensitive)
    assert search.get_params(deep=False) == before
    assert all(isinstance(p, Pipeline | DummyClassifier) for p in search.predictors_)
    assert search.n_features_in_ == X.shape[1]
    with pytest.raises(ValueError, match="feature"):
        search.predict(X.iloc[:, :3])
