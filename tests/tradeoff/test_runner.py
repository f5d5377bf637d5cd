"""run_methods / results_table on Adult: every method, every model measured, a sensible front."""

import json
import logging

import numpy as np
import pytest

import fairdash
from fairdash import InputError, datasets
from fairdash.metrics import GroupMetrics, RegressionGroupMetrics
from fairdash.tradeoff import (
    DEFAULT_PARAMS,
    METHODS,
    MethodConfig,
    results_table,
    run_methods,
    split_data,
)

logging.getLogger("fairlearn").setLevel(logging.ERROR)


@pytest.fixture(scope="module")
def adult():
    return datasets.load("adult").sample(4000, random_state=2).reset_index(drop=True)


@pytest.fixture(scope="module")
def classification(adult):
    problem = fairdash.define_problem(
        adult, target="income", sensitive_features=["sex"], positive_label=">50K"
    )
    progress = []
    methods = [
        "unmitigated",
        "reweighing",
        MethodConfig("correlation_remover", {"alpha": 1.0}),
        "linear_ferm",
        MethodConfig("fair_pca", {"n_components": 5}),
        "steering",
        MethodConfig("grid_search", {"grid_size": 4, "n_jobs": 2}),
        MethodConfig("exponentiated_gradient", {"max_iter": 2}),
        MethodConfig("covariance_constrained", {"factors": [1.0, 0.0]}),
        MethodConfig("threshold_optimizer", {"tolerances": [None, 0.05]}),
        {"method": "barycenter", "params": {"alphas": [0.0, 0.5, 1.0]}},
    ]
    results = run_methods(
        adult,
        problem,
        methods=methods,
        random_state=0,
        progress=lambda done, total, message: progress.append((done, total, message)),
    )
    return problem, results, progress


def test_every_model_of_every_method_has_test_metrics(adult, classification):
    problem, results, progress = classification
    assert len(results) == 1 + 1 + 1 + 1 + 1 + 1 + 4 + 1 + 2 + 2 + 3
    assert {r.method for r in results} == set(METHODS)
    assert len({r.name for r in results}) == len(results)
    split = split_data(adult, problem, random_state=0)
    y_test = problem.encode_target(adult.loc[split.test_index])
    for result in results:
        assert isinstance(result.metrics, GroupMetrics)
        assert len(result.y_pred) == len(y_test) and set(np.unique(result.y_pred)) <= {0, 1}
        assert result.y_score is not None and len(result.y_score) == len(y_test)
        overall = result.metrics.overall
        assert overall["accuracy"] == pytest.approx(np.mean(result.y_pred == y_test))
        assert np.isfinite(result.metrics.disparities()["demographic_parity_difference"])
        assert result.fit_seconds >= 0
        json.dumps(result.to_dict())
    assert [r.is_unmitigated for r in results].count(True) == 1
    done = [d for d, _, _ in progress]
    assert done == sorted(done) and progress[-1][:2] == (len(results), len(results))


def test_post_processing_starts_from_the_unmitigated_model(classification):
    _, results, _ = classification
    by_name = {r.name: r for r in results}
    base = by_name["unmitigated"]
    # alpha=1 gives back the unmitigated scores; alpha=0 equalises the groups.
    np.testing.assert_allclose(by_name["barycenter alpha=1"].y_score, base.y_score, atol=1e-12)
    dp = {n: r.metrics.disparities()["demographic_parity_difference"] for n, r in by_name.items()}
    assert dp["barycenter alpha=0"] < dp["unmitigated"] / 2
    assert dp["threshold_optimizer exact"] < dp["unmitigated"] / 2
    search = [r for r in results if r.method == "grid_search"]
    assert [r.params["candidate"] for r in search] == [0, 1, 2, 3]
    assert sum(r.params["best"] for r in search) == 1
    assert all(isinstance(r.params["lambda"], dict) for r in search)


def test_results_table_front_is_non_empty_and_has_the_extremes(classification):
    _, results, _ = classification
    table = results_table(results)
    assert list(table.columns) == [
        "name",
        "method",
        "params",
        "accuracy",
        "demographic_parity_difference",
        "fit_seconds",
        "is_unmitigated",
        "on_front",
    ]
    assert table["on_front"].any()
    best = table.sort_values(
        ["accuracy", "demographic_parity_difference"], ascending=[False, True]
    ).iloc[0]
    fairest = table.sort_values(
        ["demographic_parity_difference", "accuracy"], ascending=[True, False]
    ).iloc[0]
    assert best["on_front"] and fairest["on_front"]
    # Another pair of metrics gives another front, still with its extremes.
    other = results_table(
        results, performance="balanced_accuracy", disparity="equalized_odds_difference"
    )
    top = other["balanced_accuracy"].idxmax()
    assert (
        other.loc[top, "on_front"]
        or (
            other.loc[other["balanced_accuracy"] == other.loc[top, "balanced_accuracy"], "on_front"]
        ).any()
    )
    with pytest.raises(InputError, match="Unknown metric"):
        results_table(results, performance="speed")


def test_regression_target_with_the_barycenter(adult):
    problem = fairdash.define_problem(adult, target="hours-per-week", sensitive_features=["sex"])
    assert problem.task == "regression"
    results = run_methods(
        adult,
        problem,
        estimator="ridge",
        methods=[
            "unmitigated",
            MethodConfig("correlation_remover", {"alpha": 1.0}),
            MethodConfig("barycenter", {"alphas": [0.0, 1.0]}),
        ],
    )
    assert all(isinstance(r.metrics, RegressionGroupMetrics) for r in results)
    assert all(r.y_score is None for r in results)
    ks = {r.name: r.metrics.disparities()["ks_distance"] for r in results}
    assert ks["barycenter alpha=0"] < ks["barycenter alpha=1"] / 2
    table = results_table(results)
    assert {"root_mean_squared_error", "ks_distance"} <= set(table.columns)
    assert table["on_front"].any()
    # The lowest RMSE is on the front (lower is better for RMSE).
    assert table.loc[table["root_mean_squared_error"].idxmin(), "on_front"]
    with pytest.raises(InputError, match="binary classification"):
        run_methods(adult, problem, estimator="ridge", methods=["grid_search"])


def test_intersectional_groups_and_the_split(adult):
    problem = fairdash.define_problem(
        adult, target="income", sensitive_features=["sex", "race"], positive_label=">50K"
    )
    split = split_data(adult, problem, test_size=0.3, calibration_size=0.2, random_state=4)
    parts = [set(split.train_index), set(split.calibration_index), set(split.test_index)]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert sum(map(len, parts)) == len(adult)
    assert len(split.calibration_index) == pytest.approx(0.2 * len(adult), abs=2)
    # The test rows are those of a training run with the same share and seed.
    run = fairdash.train_model(adult, problem, test_size=0.3, random_state=4)
    assert list(run.test_index) == list(split.test_index)
    results = run_methods(
        adult,
        problem,
        methods=["unmitigated", MethodConfig("barycenter", {"alphas": [0.0]})],
        random_state=4,
    )
    # Same test rows; the models differ, as the calibration rows are not trained on.
    assert len(results[0].y_pred) == len(run.y_pred)
    assert results[1].metrics.by_group.index.nlevels == 2


def test_method_configs_round_trip_through_json_and_are_checked():
    config = MethodConfig("barycenter", {"alphas": (0.0, np.float64(0.5))}, label="fair")
    assert config.params == {"alphas": [0.0, 0.5]}
    restored = MethodConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert restored.resolved_params() == config.resolved_params()
    assert restored.name == "fair"
    for method in METHODS:
        default = MethodConfig(method)
        assert MethodConfig.from_dict(default.to_dict()) == MethodConfig(
            method, DEFAULT_PARAMS[method]
        )
    with pytest.raises(InputError, match="Unknown method"):
        MethodConfig("magic")
    with pytest.raises(InputError, match="Unknown parameter"):
        MethodConfig("grid_search", {"gridsize": 3})
    with pytest.raises(InputError, match="number, string"):
        MethodConfig("barycenter", {"alphas": {0.5}})
    with pytest.raises(InputError, match="at least one method"):
        run_methods(None, None, methods=[])


def test_a_given_split_is_the_one_used(adult):
    problem = fairdash.define_problem(
        adult, target="income", sensitive_features=["sex"], positive_label=">50K"
    )
    methods = ["unmitigated", MethodConfig("barycenter", {"alphas": [0.5]})]
    split = split_data(adult, problem, test_size=0.25, calibration_size=0.1, random_state=3)
    given = run_methods(adult, problem, methods=methods, random_state=3, split=split)
    default = run_methods(
        adult, problem, methods=methods, test_size=0.25, calibration_size=0.1, random_state=3
    )
    for a, b in zip(given, default, strict=True):
        np.testing.assert_array_equal(a.y_pred, b.y_pred)
        assert a.uid != b.uid  # every result its own identity
    # another split gives models measured on other rows
    other = split_data(adult, problem, test_size=0.4, calibration_size=0.1, random_state=3)
    moved = run_methods(adult, problem, methods=methods, random_state=3, split=other)
    assert len(moved[0].y_pred) == len(other.test_index) != len(given[0].y_pred)


def test_the_exported_models_table_has_no_fit_times_and_is_byte_reproducible(adult):
    from fairdash.io import to_csv_bytes

    problem = fairdash.define_problem(
        adult, target="income", sensitive_features=["sex"], positive_label=">50K"
    )
    methods = ["unmitigated", MethodConfig("barycenter", {"alphas": [0.0, 1.0]})]
    first, second = (run_methods(adult, problem, methods=methods) for _ in range(2))
    exports = [to_csv_bytes(results_table(r, with_fit_seconds=False)) for r in (first, second)]
    assert exports[0] == exports[1]
    assert b"fit_seconds" not in exports[0] and b"barycenter alpha=0" in exports[0]
    # The on-screen table keeps them; the fit times themselves differ between the runs.
    assert "fit_seconds" in results_table(first).columns
    assert [r.fit_seconds for r in first] != [r.fit_seconds for r in second]
