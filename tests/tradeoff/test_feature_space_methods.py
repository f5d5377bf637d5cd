"""The covariance-constrained sweep, fair PCA and steering through run_methods on Adult."""

import numpy as np
import pytest
from sklearn.base import clone

import fairdash
from fairdash import datasets
from fairdash.metrics import group_metrics
from fairdash.mitigation import CovarianceConstrainedClassifier, FairPCA, OptimalSteering
from fairdash.tradeoff import MethodConfig, results_table, run_methods, split_data

FACTORS = [1.0, 0.5, 0.0]


@pytest.fixture(scope="module")
def adult():
    return datasets.load("adult").sample(4000, random_state=5).reset_index(drop=True)


@pytest.fixture(scope="module")
def run(adult):
    problem = fairdash.define_problem(
        adult, target="income", sensitive_features=["sex"], positive_label=">50K"
    )
    methods = [
        "unmitigated",
        MethodConfig("covariance_constrained", {"factors": FACTORS}),
        MethodConfig("fair_pca", {"n_components": 8}),
        "steering",
    ]
    results = run_methods(adult, problem, methods=methods, random_state=0)
    return problem, results


def _test_rows(adult, problem):
    split = split_data(adult, problem, random_state=0)
    test = adult.loc[split.test_index]
    return test.loc[:, list(problem.feature_columns)], problem.encode_target(test), test


def test_the_covariance_sweep_is_a_front_from_unconstrained_to_fair(run):
    _, results = run
    sweep = [r for r in results if r.method == "covariance_constrained"]
    assert [r.params["factor"] for r in sweep] == FACTORS
    assert len({r.name for r in sweep}) == len(FACTORS)
    disparity = [r.metrics.disparities()["demographic_parity_difference"] for r in sweep]
    # Tightening the covariance bound lowers the disparity on the untouched test rows.
    assert disparity[-1] < 0.5 * disparity[0]
    thresholds = [r.params["covariance_threshold"] for r in sweep]
    assert thresholds[0] > thresholds[1] > thresholds[2] == 0.0
    # Each model's training covariances respect its threshold.
    for result in sweep:
        classifier = result.model[-1]
        assert isinstance(classifier, CovarianceConstrainedClassifier)
        bound = result.params["covariance_threshold"]
        assert np.abs(classifier.covariances_).max() <= bound + 1e-7
    table = results_table(results)
    assert set(table.loc[table["method"] == "covariance_constrained", "name"]) == {
        r.name for r in sweep
    }
    assert table["on_front"].any()


def test_models_predict_the_test_rows_from_features_alone(adult, run):
    problem, results = run
    X_test, y_test, test = _test_rows(adult, problem)
    for result in results:
        if result.method in ("covariance_constrained", "fair_pca", "steering"):
            np.testing.assert_array_equal(result.model.predict(X_test), result.y_pred)
            metrics = group_metrics(y_test, result.y_pred, problem.sensitive(test))
            assert metrics.overall["accuracy"] == pytest.approx(
                result.metrics.overall["accuracy"]
            )


def test_fair_pca_equalises_group_means_of_the_components(adult, run):
    problem, results = run
    (result,) = [r for r in results if r.method == "fair_pca"]
    fair_pca = result.model.named_steps["fair_pca"]
    assert isinstance(fair_pca, FairPCA) and fair_pca.n_components == 8
    split = split_data(adult, problem, random_state=0)
    train = adult.loc[split.train_index]
    features = result.model[:-1].transform(train.loc[:, list(problem.feature_columns)])
    sex = train["sex"].to_numpy()
    gap = features[sex == "Female"].mean(axis=0) - features[sex == "Male"].mean(axis=0)
    np.testing.assert_allclose(gap, 0.0, atol=1e-10)


def test_steering_fits_the_estimator_on_steered_weighted_rows_and_says_so(adult, run):
    problem, results = run
    (result,) = [r for r in results if r.method == "steering"]
    # Rebuilt by hand: the training rows through the fitted preprocessing, steered,
    # then the same estimator fitted with the steering weights.
    split = split_data(adult, problem, random_state=0)
    train = adult.loc[split.train_index]
    features = result.model[:-1].transform(train.loc[:, list(problem.feature_columns)])
    y = problem.encode_target(train)
    X_steered, _, weights = OptimalSteering().fit_resample(
        features, y, sensitive_features=problem.sensitive(train)
    )
    rebuilt = clone(result.model[-1]).fit(X_steered, y, sample_weight=weights)
    np.testing.assert_allclose(rebuilt.coef_, result.model[-1].coef_, rtol=1e-8, atol=1e-10)
    assert not np.allclose(weights, 1.0)  # base rates differ by sex in Adult
    notes = " ".join(results.notes)
    assert "steering: training rows steered toward" in notes and "KL divergence moved" in notes
    # One-hot columns are far from Gaussian: the run says so.
    assert "far from Gaussian" in notes
