"""Every method runs on its own, and groups of 1-3 people do not stop a mitigator."""

import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

import fairdash
from fairdash import InputError
from fairdash.mitigation import GroupThresholdOptimizer
from fairdash.models import make_preprocessor, positive_scores
from fairdash.tradeoff import (
    METHODS,
    POOLED_GROUP,
    MethodConfig,
    TradeoffResults,
    run_methods,
    split_data,
)
from fairdash.tradeoff._small_groups import pool_small_groups
from tests.tradeoff._tiny_groups import make_tiny_groups_frame

logging.getLogger("fairlearn").setLevel(logging.ERROR)

EVERY_METHOD = [
    "unmitigated",
    "reweighing",
    "correlation_remover",
    "linear_ferm",
    MethodConfig("fair_pca", {"n_components": 1}),  # 6 features, 6 groups: 1 left
    "steering",
    MethodConfig("grid_search", {"grid_size": 4, "n_jobs": 1}),
    MethodConfig("exponentiated_gradient", {"max_iter": 5}),
    MethodConfig("covariance_constrained", {"factors": [1.0, 0.0]}),
    MethodConfig("threshold_optimizer", {"tolerances": [None, 0.05]}),
    MethodConfig("barycenter", {"alphas": [0.0, 1.0]}),
]
TINY = {("Native American", "Male"), ("Asian", "Female"), ("Other", "Female"), ("Asian", "Male")}


@pytest.fixture(scope="module")
def tiny():
    data = make_tiny_groups_frame()
    problem = fairdash.define_problem(
        data,
        target="two_year_recid",
        sensitive_features=["race", "sex"],
        positive_label=0,  # not reoffending is the favourable outcome
        feature_columns=["age", "priors_count", "c_charge_desc"],
    )
    return data, problem


@pytest.fixture(scope="module")
def every_method(tiny):
    data, problem = tiny
    progress = []
    results = run_methods(
        data, problem, methods=EVERY_METHOD, random_state=0,
        progress=lambda done, total, message: progress.append((done, total)),
    )
    return results, progress


def test_race_by_sex_with_groups_of_one_to_three_gives_models_for_every_method(every_method):
    results, progress = every_method
    assert isinstance(results, TradeoffResults)
    assert results.failures == []
    assert {r.method for r in results} == set(METHODS)
    assert len(results) == 1 + 1 + 1 + 1 + 1 + 1 + 4 + 1 + 2 + 2 + 2
    assert progress[-1] == (len(results), len(results))
    for result in results:
        assert len(result.y_pred) == len(results[0].y_pred)
        assert np.isfinite(result.metrics.overall["accuracy"])
    # The metrics still show the tiny groups that landed in the test rows, on their own.
    test_groups = set(results[0].metrics.by_group.index)
    assert not any(POOLED_GROUP in key for key in test_groups)
    # The notes name what was pooled, for each group-wise mitigator.
    for method in ("threshold_optimizer", "barycenter", "linear_ferm"):
        note = next(n for n in results.notes if n.startswith(method))
        assert "Asian'" in note or "Other'" in note or "Native" in note


def test_the_threshold_optimizer_follows_the_documented_pooling_rule(tiny, every_method):
    """Refit by hand: tiny calibration groups (and test-only groups) relabelled as one group."""
    data, problem = tiny
    results, _ = every_method
    split = split_data(data, problem, random_state=0)
    train, cal, test = (data.loc[i] for i in (
        split.train_index, split.calibration_index, split.test_index))
    columns = ["age", "priors_count", "c_charge_desc"]
    base = next(r for r in results if r.method == "unmitigated").model
    cal_groups = problem.sensitive(cal).astype(str)
    sizes = cal_groups.value_counts()
    y_cal = problem.encode_target(cal)
    both = pd.Series(y_cal, index=cal_groups.index).groupby(
        [cal_groups["race"], cal_groups["sex"]]).nunique()
    small = {k for k, v in sizes.items() if v < 10} | {k for k, v in both.items() if v < 2}
    assert small & TINY  # the generator's tiny cells are among them

    in_pool = [k in small for k in zip(cal_groups["race"], cal_groups["sex"], strict=True)]
    pool_too_small = sum(in_pool) < 10 or len(set(y_cal[in_pool])) < 2
    # Step 2 of the rule: a pool still too small joins the largest group.
    destination = sizes.drop(list(small)).idxmax() if pool_too_small else (POOLED_GROUP,) * 2

    def relabel(groups):
        keys = list(zip(groups["race"], groups["sex"], strict=True))
        pooled = [k in small or k not in set(sizes.index) for k in keys]
        out = groups.copy()
        out.loc[pooled, ["race", "sex"]] = list(destination)
        return out

    reference = GroupThresholdOptimizer(
        base, prefit=True, predict_method="predict_proba", random_state=0
    ).fit(cal[columns], y_cal, sensitive_features=relabel(cal_groups))
    test_groups = relabel(problem.sensitive(test).astype(str))
    ours = next(r for r in results if r.name == "threshold_optimizer exact")
    np.testing.assert_array_equal(
        ours.y_pred, reference.predict(test[columns], sensitive_features=test_groups)
    )
    np.testing.assert_allclose(
        ours.y_score,
        positive_scores(reference, test[columns], sensitive_features=test_groups),
    )
    del train


def test_pooling_rule():
    frame = pd.DataFrame(
        {"g": pd.Categorical(["a"] * 20 + ["b"] * 12 + ["c"] * 3 + ["d"] * 2)}
    )
    labels = np.array([0, 1] * 10 + [0, 1] * 6 + [1, 1, 1] + [0, 1])
    # Nothing small: the data is passed on unchanged (so numbers do not change).
    none = pool_small_groups(frame.iloc[:32], min_group_size=10)
    assert none.small == [] and none.note("barycenter") is None
    unchanged = frame.iloc[:32]
    assert none.apply(unchanged) is unchanged
    # c and d are small: pooled together (5 rows, below 10) -> they join the largest group, a.
    pooling = pool_small_groups(frame, min_group_size=10)
    assert pooling.small == [("c",), ("d",)] and pooling.target == ("a",)
    assert list(pooling.apply(frame)["g"].iloc[-5:]) == ["a"] * 5
    # With a minimum of 3, only d is small; pooled alone it is still too small -> joins a.
    alone = pool_small_groups(frame, min_group_size=3)
    assert alone.small == [("d",)] and alone.target == ("a",)
    # With a minimum of 4, c and d pool into 5 rows, enough: a group of their own.
    assert pool_small_groups(frame, min_group_size=4).target is None
    # With a minimum of 13, b (12) and c, d pool into 17 rows: a group of their own.
    pooled = pool_small_groups(frame, min_group_size=13)
    assert pooled.small == [("b",), ("c",), ("d",)] and pooled.target is None
    applied = pooled.apply(frame)
    assert list(applied["g"].iloc[20:]) == [POOLED_GROUP] * 17
    assert list(applied["g"].iloc[:20]) == ["a"] * 20
    assert "b" in list(frame["g"])  # the input is not changed
    # A required outcome: c has only 1s, so it is pooled for the threshold optimizer.
    both = pool_small_groups(frame, min_group_size=2, labels=labels, required_labels=(0, 1))
    assert both.small == [("c",)]
    # A test-only group goes where the pooled groups go, and the note says so.
    test = pd.DataFrame({"g": pd.Categorical(["a", "e", "c"])})
    assert list(pooled.apply(test)["g"]) == ["a", POOLED_GROUP, POOLED_GROUP]
    note = pooled.note("barycenter", unseen=pooled.unseen(test))
    assert "'b'" in note and "1 group(s) with no calibration rows ('e')" in note


def test_a_method_that_cannot_run_is_reported_and_the_others_are_kept(tiny):
    data, problem = tiny
    # Nearest neighbours take no sample weights, which the reductions need.
    knn = make_pipeline(make_preprocessor(data[list(problem.feature_columns)]),
                        KNeighborsClassifier())
    progress = []
    results = run_methods(
        data, problem, estimator=knn,
        methods=["unmitigated", MethodConfig("grid_search", {"grid_size": 3}), "barycenter"],
        progress=lambda done, total, message: progress.append((done, total, message)),
    )
    assert [f.method for f in results.failures] == ["grid_search"]
    assert "sample weights" in results.failures[0].message
    assert {r.method for r in results} == {"unmitigated", "barycenter"}
    assert progress[-1][:2] == (1 + 3 + 21, 1 + 3 + 21)
    assert any("could not run" in message for _, _, message in progress)
    with pytest.raises(InputError, match=r"No method could run.*sample weights"):
        run_methods(data, problem, estimator=knn,
                    methods=[MethodConfig("exponentiated_gradient")])
