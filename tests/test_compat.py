"""fairdash._compat: every private upstream API FairDash uses, checked against public behaviour.

If a scikit-learn or fairlearn upgrade renames or changes one of them, a test here
fails and names it, instead of a mitigator failing (or silently changing) elsewhere.
"""

import inspect
import logging

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.reductions import DemographicParity, EqualizedOdds, ExponentiatedGradient, GridSearch
from sklearn.linear_model import LogisticRegression

from fairdash import _compat

logging.getLogger("fairlearn").setLevel(logging.ERROR)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 600
    group = rng.choice(["a", "b", "c"], n)
    X = rng.normal(size=(n, 3)) + (group == "a")[:, None]
    y = (X[:, 0] + rng.normal(size=n) > 0.5).astype(int)
    return X, y, group


def test_the_private_names_still_exist_with_the_signatures_we_call():
    from fairlearn.reductions._grid_search._grid_generator import _GridGenerator

    parameters = list(inspect.signature(_GridGenerator.__init__).parameters)
    assert parameters == [
        "self",
        "grid_size",
        "grid_limit",
        "pos_basis",
        "neg_basis",
        "neg_allowed",
        "force_L1_norm",
        "grid_offset",
    ], "fairlearn's _GridGenerator changed: update fairdash._compat.fairlearn_grid"
    assert list(inspect.signature(ExponentiatedGradient._pmf_predict).parameters) == ["self", "X"]
    assert list(inspect.signature(ThresholdOptimizer._pmf_predict).parameters) == [
        "self",
        "X",
        "sensitive_features",
    ], "fairlearn's ThresholdOptimizer._pmf_predict changed: update fairdash._compat"


def test_num_samples_counts_rows_of_every_container():
    assert _compat.num_samples(np.zeros((7, 2))) == 7
    assert _compat.num_samples(pd.DataFrame({"a": range(5)})) == 5
    assert _compat.num_samples(sp.csr_matrix(np.eye(4))) == 4
    assert _compat.num_samples([[1, 2], [3, 4], [5, 6]]) == 3
    with pytest.raises(TypeError):
        _compat.num_samples(3.0)


def test_take_rows_of_keeps_the_container_type():
    rows = np.array([2, 0])
    frame = pd.DataFrame({"a": [10, 11, 12]}, index=["x", "y", "z"])
    assert list(_compat.take_rows_of(frame, rows).index) == ["z", "x"]
    np.testing.assert_array_equal(_compat.take_rows_of(np.arange(3), rows), [2, 0])
    taken = _compat.take_rows_of(sp.csr_matrix(np.eye(3)), rows)
    assert sp.issparse(taken) and taken.toarray()[0, 2] == 1
    assert _compat.take_rows_of(["p", "q", "r"], rows) == ["r", "p"]


@pytest.mark.parametrize("moment", [DemographicParity, EqualizedOdds])
def test_fairlearn_grid_is_the_grid_gridsearch_uses(data, moment):
    X, y, group = data
    search = GridSearch(LogisticRegression(), constraints=moment(), grid_size=7, grid_limit=1.5)
    search.fit(X, y, sensitive_features=group)
    constraints = moment()
    constraints.load_data(X, y, sensitive_features=group)
    grid = _compat.fairlearn_grid(constraints, grid_size=7, grid_limit=1.5)
    assert grid.shape[1] == 7
    pd.testing.assert_frame_equal(
        grid.astype(float), search.lambda_vecs_.astype(float), check_names=False
    )


def test_randomized_proba_of_exponentiated_gradient_is_the_weighted_mixture(data):
    X, y, group = data
    mitigator = ExponentiatedGradient(
        LogisticRegression(), constraints=DemographicParity(), max_iter=10
    ).fit(X, y, sensitive_features=group)
    proba = _compat.randomized_proba(mitigator, X)
    # Public reference: the mixture weights_ over the public predictors_.
    expected = sum(
        weight * predictor.predict(X)
        for weight, predictor in zip(mitigator.weights_, mitigator.predictors_, strict=True)
    )
    np.testing.assert_allclose(proba[:, 1], expected, atol=1e-12)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_randomized_proba_of_the_threshold_optimizer_matches_its_random_predictions(data):
    X, y, group = data
    base = LogisticRegression().fit(X, y)
    optimizer = ThresholdOptimizer(
        estimator=base, constraints="demographic_parity", prefit=True,
        predict_method="predict_proba",
    ).fit(X, y, sensitive_features=group)
    proba = _compat.randomized_proba(optimizer, X, sensitive_features=group)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # Public reference: the share of 1s over many seeded predict calls.
    draws = np.mean(
        [optimizer.predict(X, sensitive_features=group, random_state=s) for s in range(400)],
        axis=0,
    )
    assert np.abs(draws - proba[:, 1]).max() < 0.1  # binomial sd <= 0.025 at 400 draws
    deterministic = (proba[:, 1] == 0) | (proba[:, 1] == 1)
    np.testing.assert_array_equal(draws[deterministic], proba[deterministic, 1])


def test_exponentiated_gradient_iterations_are_fairlearns_iterations(data):
    X, y, group = data
    started = []
    with _compat.exponentiated_gradient_iterations(started.append):
        mitigator = ExponentiatedGradient(
            LogisticRegression(), constraints=DemographicParity(), max_iter=20
        ).fit(X, y, sensitive_features=group)
    # Public reference: fairlearn's own count of the iterations it ran.
    assert started == list(range(mitigator.last_iter_ + 1))
    assert len(started) > 1


def test_iteration_listener_restores_logging_and_hears_only_its_thread(data):
    import threading

    X, y, group = data
    logger = logging.getLogger(_compat._EG_LOGGER)
    level_before = logger.level
    seen = []

    class Collect(logging.Handler):
        def emit(self, record):
            seen.append(record)

    collector = Collect(level=logging.DEBUG)
    logging.getLogger().addHandler(collector)

    def fit():
        return ExponentiatedGradient(
            LogisticRegression(), constraints=DemographicParity(), max_iter=6
        ).fit(X, y, sensitive_features=group)

    other_thread = []
    try:
        with _compat.exponentiated_gradient_iterations(other_thread.append):
            worker = threading.Thread(target=fit)
            worker.start()
            worker.join()
            assert other_thread == []  # another thread's fit is not ours
            mine = []
            with _compat.exponentiated_gradient_iterations(mine.append):
                fit()
            assert mine
    finally:
        logging.getLogger().removeHandler(collector)
    # fairlearn's debug records did not leak to the handlers (its logger was silent).
    assert not [r for r in seen if r.levelno < logging.INFO and r.name.startswith("fairlearn")]
    assert logger.level == level_before and not logger.filters


def test_stratified_draw_shares_rows_as_train_test_split_does():
    # The classes' shares of the test rows of train_test_split(stratify=...), from counts alone.
    from sklearn.model_selection import train_test_split

    y = np.repeat([0, 1, 2], [50, 30, 20])
    _, test = train_test_split(np.arange(100), test_size=0.3, stratify=y, random_state=4)
    drawn = _compat.stratified_draw(np.array([50, 30, 20]), 30, np.random.RandomState(0))
    assert drawn.sum() == 30
    assert drawn.tolist() == np.bincount(y[test]).tolist() == [15, 9, 6]
