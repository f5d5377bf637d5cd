"""run_methods reuses what it fitted: the preprocessing once per run, the unmitigated model and
method results across runs (RunCache, base=), and fits large data on a stratified sample."""

import functools
import logging
import pickle

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import fairdash
from fairdash import InputError, datasets
from fairdash._expiring import ExpiringCache
from fairdash._training import fit_sample, problem_strata
from fairdash.mitigation import BarycenterMap, _reductions
from fairdash.models import make_model, make_preprocessor, positive_scores
from fairdash.tradeoff import MethodConfig, RunCache, run_methods, split_data
from fairdash.tradeoff._reuse import SharedPreprocessing

logging.getLogger("fairlearn").setLevel(logging.ERROR)

#: Every method that fits a model on the training rows, and the two post-processors.
METHODS = [
    "unmitigated",
    "reweighing",
    MethodConfig("correlation_remover", {"alpha": 1.0}),
    "linear_ferm",
    MethodConfig("fair_pca", {"n_components": 5}),
    "steering",
    MethodConfig("grid_search", {"grid_size": 3, "n_jobs": 1}),
    MethodConfig("exponentiated_gradient", {"max_iter": 2}),
    MethodConfig("covariance_constrained", {"factors": [1.0, 0.0]}),
    MethodConfig("threshold_optimizer", {"tolerances": [None, 0.05]}),
    {"method": "barycenter", "params": {"alphas": [0.0, 1.0]}},
]
#: The methods among them that fit the estimator's preprocessing when it is not shared.
FITTING = 9


@pytest.fixture(scope="module")
def adult():
    data = datasets.load("adult").sample(3000, random_state=5).reset_index(drop=True)
    problem = fairdash.define_problem(
        data, target="income", sensitive_features=["sex"], positive_label=">50K"
    )
    return data, problem


@pytest.fixture
def fits(monkeypatch):
    """How many times the one-hot encoder and logistic regression are fitted."""
    counts = {"encoder": 0, "logistic": 0}
    for name, cls in (("encoder", OneHotEncoder), ("logistic", LogisticRegression)):
        original = cls.fit

        @functools.wraps(original)  # keeps the signature: sample_weight stays visible
        def fit(self, *args, _original=original, _name=name, **kwargs):
            counts[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "fit", fit)
    return counts


def _same_outputs(first, second):
    assert [r.name for r in first] == [r.name for r in second]
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.y_pred, b.y_pred, err_msg=a.name)
        np.testing.assert_array_equal(a.y_score, b.y_score, err_msg=a.name)
        assert a.metrics.overall.equals(b.metrics.overall)


def test_every_method_gives_the_same_models_with_the_preprocessing_fitted_once(
    adult, fits, monkeypatch
):
    data, problem = adult
    shared = run_methods(data, problem, methods=METHODS)
    assert not shared.failures
    assert fits["encoder"] == 1
    with monkeypatch.context() as patch:
        # Without sharing: every method fits its own preprocessing, as before.
        patch.setattr(_reductions, "shared_prefix", lambda estimator: None)
        fits["encoder"] = 0
        separate = run_methods(data, problem, methods=METHODS)
    assert fits["encoder"] == FITTING
    _same_outputs(shared, separate)
    # The models stand alone: the shared step keeps no training data, and pickles.
    model = shared[1].model
    step = model.estimator_.steps[0][1]
    assert isinstance(step, SharedPreprocessing) and step._remembered == []
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(
        again.predict_proba(data.head(50)), separate[1].model.predict_proba(data.head(50))
    )


def test_reweighing_by_resampling_fits_its_own_preprocessing(adult, fits, monkeypatch):
    data, problem = adult
    # No sample weights: reweighing fits on a resample, preprocessing included.
    estimator = Pipeline([
        ("preprocess", make_preprocessor(data[list(problem.feature_columns)])),
        ("estimator", KNeighborsClassifier(n_neighbors=15)),
    ])
    shared = run_methods(data, problem, methods=["unmitigated", "reweighing"],
                         estimator=estimator)
    assert fits["encoder"] == 2 and shared[1].model.method_ == "resampling"
    with monkeypatch.context() as patch:
        patch.setattr(_reductions, "shared_prefix", lambda estimator: None)
        separate = run_methods(data, problem, methods=["unmitigated", "reweighing"],
                               estimator=estimator)
    _same_outputs(shared, separate)


def test_a_cache_reuses_the_unmitigated_model_and_every_method_run_before(adult, fits):
    data, problem = adult
    cache = RunCache()
    first = run_methods(data, problem, methods=["unmitigated", "reweighing"], cache=cache)
    assert fits == {"encoder": 1, "logistic": 2}
    # Other post-processors on the same split: the unmitigated model is not fitted again.
    second = run_methods(
        data, problem, cache=cache,
        methods=["unmitigated", "reweighing", "threshold_optimizer", "barycenter"],
    )
    assert fits == {"encoder": 1, "logistic": 2}
    assert second[0].model is first[0].model and second[1].model is first[1].model
    reused = [n for n in second.notes if "reused from an earlier run" in n]
    assert [n.split(":")[0] for n in reused] == ["unmitigated", "reweighing"]
    fresh = run_methods(
        data, problem, methods=["unmitigated", "reweighing", "threshold_optimizer", "barycenter"]
    )
    _same_outputs(second, fresh)
    # Another seed is another split: everything is fitted.
    fits.update(encoder=0, logistic=0)
    run_methods(data, problem, methods=["unmitigated"], cache=cache, random_state=1)
    assert fits == {"encoder": 1, "logistic": 1}
    # Another small-group rule: the post-processors run again on the kept base model.
    fits.update(encoder=0, logistic=0)
    third = run_methods(data, problem, methods=["unmitigated", "barycenter"], cache=cache,
                        min_group_size=20)
    assert fits == {"encoder": 0, "logistic": 0}
    assert not any(n.startswith("barycenter: reused") for n in third.notes)


def test_the_cache_is_bounded_and_expires(adult, fits):
    data, problem = adult
    now = [0.0]
    cache = RunCache(max_methods=2, max_runs=1, ttl_seconds=60, clock=lambda: now[0])
    methods = ["unmitigated", "reweighing", MethodConfig("correlation_remover", {"alpha": 0.5})]
    run_methods(data, problem, methods=methods, cache=cache)
    assert len(cache) == 2  # the first method's results were dropped
    fits.update(logistic=0)
    again = run_methods(data, problem, methods=methods[1:], cache=cache)
    assert fits["logistic"] == 0
    assert sum("reused from an earlier run" in n for n in again.notes) == 2
    now[0] = 61.0
    assert len(cache) == 0
    # A byte budget below one method's predictions keeps only the latest method.
    small = RunCache(max_bytes=1)
    results = run_methods(data, problem, methods=methods, cache=small)
    assert len(small) == 1
    assert small.nbytes == results[-1].y_pred.nbytes + results[-1].y_score.nbytes
    fits.update(encoder=0, logistic=0)
    run_methods(data, problem, methods=["unmitigated"], cache=cache)
    assert fits == {"encoder": 1, "logistic": 1}


def test_a_given_base_model_is_used_and_its_preprocessing_shared(adult, fits):
    data, problem = adult
    trained = fairdash.train_model(data, problem, random_state=0)
    split = split_data(data, problem, calibration_size=0.0, random_state=0)
    assert split.train_index.equals(trained.train_index)  # the same rows: no calibration part
    fits.update(encoder=0, logistic=0)
    methods = ["unmitigated", "reweighing", "barycenter"]
    results = run_methods(data, problem, methods=methods, split=split, base=trained.model,
                          base_fit_seconds=trained.fit_seconds)
    assert fits == {"encoder": 0, "logistic": 1}  # reweighing's model only
    assert results[0].model is trained.model and results[0].fit_seconds == trained.fit_seconds
    np.testing.assert_array_equal(results[0].y_pred, trained.y_pred)
    _same_outputs(results, run_methods(data, problem, methods=methods, split=split))


def test_large_training_parts_are_fitted_on_a_stratified_sample(adult):
    data, problem = adult
    split = split_data(data, problem, random_state=0, max_fit_rows=400)
    assert len(split.train_sample) == 400 and len(split.calibration_sample) == 400
    assert set(split.train_sample) <= set(split.train_index)
    assert set(split.calibration_sample) <= set(split.calibration_index)
    # Stratified by group and target: every stratum keeps its share, up to rounding.
    for index, sample in ((split.train_index, split.train_sample),
                          (split.calibration_index, split.calibration_sample)):
        whole = data.loc[index].groupby(["sex", "income"], observed=True).size()
        part = data.loc[sample].groupby(["sex", "income"], observed=True).size()
        assert (abs(part - whole * 400 / len(index)) <= 1).all()
    results = run_methods(data, problem, methods=["unmitigated", "barycenter"],
                          max_fit_rows=400)
    # The unmitigated model is the estimator fitted on the sample alone.
    X = data[list(problem.feature_columns)]
    y = problem.encode_target(data)
    reference = make_model("logistic_regression", X).fit(
        X.loc[split.train_sample], y[data.index.get_indexer(split.train_sample)]
    )
    test = X.loc[split.test_index]
    np.testing.assert_allclose(results[0].y_score, positive_scores(reference, test), atol=1e-12)
    assert len(results[0].y_pred) == len(split.test_index)  # every test row evaluated
    # The barycenter is calibrated on the calibration sample's scores.
    sensitive = problem.sensitive(data)
    barycenter = BarycenterMap(random_state=0).fit(
        positive_scores(reference, X.loc[split.calibration_sample]),
        sensitive_features=sensitive.loc[split.calibration_sample],
    )
    fair = barycenter.set_params(alpha=1.0).transform(
        positive_scores(reference, test), sensitive_features=sensitive.loc[split.test_index]
    )
    np.testing.assert_allclose(results[-1].y_score, np.clip(fair, 0, 1), atol=1e-12)
    note = next(n for n in results.notes if n.startswith("Large data"))
    assert f"400 of the {len(split.train_index):,} training rows" in note
    assert f"400 of the {len(split.calibration_index):,} calibration rows" in note
    assert f"{len(split.test_index):,} test rows" in note
    # Without calibration rows, the sample is the one train_model fits on.
    no_calibration = split_data(data, problem, calibration_size=0.0, max_fit_rows=400)
    trained = fairdash.train_model(data, problem, max_fit_rows=400)
    assert no_calibration.train_sample.equals(trained.fit_index)
    strata = problem_strata(problem, sensitive, y)
    positions = data.index.get_indexer(trained.train_index)
    kept = fit_sample(strata[positions], max_rows=400, random_state=0)
    assert trained.fit_index.equals(trained.train_index[kept])


def test_small_data_is_not_sampled(adult):
    data, problem = adult
    split = split_data(data, problem)
    assert split.train_sample is None and split.calibration_sample is None
    assert split.fit_index is split.train_index
    results = run_methods(data, problem, methods=["unmitigated"])
    assert not any(n.startswith("Large data") for n in results.notes)


def test_expiring_cache_drops_the_least_recently_used_and_the_old():
    now = [0.0]
    cache = ExpiringCache(max_entries=2, ttl_seconds=10, clock=lambda: now[0])
    cache["a"] = 1
    now[0] = 5.0
    cache["b"] = 2
    assert cache["a"] == 1  # "a" is now the most recently used
    cache["c"] = 3
    assert sorted(cache) == ["a", "c"] and "b" not in cache
    now[0] = 10.5  # "a" was stored at 0: expired, "c" at 5 is kept
    assert sorted(cache) == ["c"] and cache.get("a") is None and len(cache) == 1
    now[0] = 15.5
    assert len(cache) == 0
    for bad in ({"max_entries": 0, "ttl_seconds": 1}, {"max_entries": 2, "ttl_seconds": 0}):
        with pytest.raises(InputError):
            ExpiringCache(**bad)
