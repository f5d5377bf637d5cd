"""Quantile bins are decided once, from the data the user sees, and the same in every split."""

import logging

import numpy as np
import pandas as pd
import pytest

import fairdash
from fairdash import datasets, group_labels
from fairdash.groups import bin_edges, group_label, sensitive_frame
from fairdash.tradeoff import MethodConfig, run_methods, split_data

logging.getLogger("fairlearn").setLevel(logging.ERROR)


@pytest.fixture(scope="module")
def german():
    return datasets.load("german")


@pytest.fixture(scope="module")
def problem(german):
    return fairdash.define_problem(
        german, target="risk", sensitive_features=["sex", "age"], bins={"age": 4}
    )


def test_edges_are_the_quantiles_of_the_whole_data(german, problem):
    expected = np.unique(np.quantile(german["age"].to_numpy(dtype=float), [0, 0.25, 0.5, 0.75, 1]))
    np.testing.assert_array_equal(problem.bin_edges["age"], expected)
    assert set(problem.bin_edges) == {"age"}


@pytest.mark.parametrize("seed", range(5))
def test_every_split_and_every_post_processor_sees_the_same_groups(german, problem, seed):
    whole = set(group_labels(problem.sensitive(german)))
    assert len(whole) == 2 * 4
    split = split_data(german, problem, random_state=seed)
    for rows in (split.train_index, split.calibration_index, split.test_index):
        part = problem.sensitive(german.loc[rows])
        assert list(part["age"].cat.categories) == list(
            problem.sensitive(german)["age"].cat.categories
        )
        assert set(group_labels(part)) == whole
    # Before the fix, barycenter failed for each of these seeds with "Sensitive group
    # sex='female', age='[42, 75]' was not seen when the estimator was fitted".
    results = run_methods(
        german,
        problem,
        methods=[
            MethodConfig("barycenter", {"alphas": [0.0, 1.0]}),
            MethodConfig("threshold_optimizer", {"tolerances": [None, 0.05]}),
        ],
        random_state=seed,
    )
    assert {r.method for r in results} == {"barycenter", "threshold_optimizer"}
    for result in results:
        by_group = result.metrics.by_group
        present = by_group.index[by_group["count"].to_numpy() > 0]
        assert {group_label(key) for key in present} == whole


def test_rows_outside_the_decided_edges_get_bins_of_their_own():
    edges = bin_edges(pd.DataFrame({"age": [20, 30, 40, 50, 60]}), ["age"], bins={"age": 2})
    assert edges == {"age": (20.0, 40.0, 60.0)}
    later = pd.DataFrame({"age": [10, 20, 40, 60, 70, None]})
    frame = sensitive_frame(later, ["age"], edges=edges)
    assert list(frame["age"].astype(str)) == [
        "< 20", "[20, 40)", "[40, 60]", "[40, 60]", "> 60", "(missing)"
    ]


def test_user_edges_are_opened_once_on_the_whole_data():
    data = pd.DataFrame({"age": [10, 25, 30, 45, 70, 99]})
    edges = bin_edges(data, ["age"], bins={"age": [25, 45]})
    assert edges == {"age": (-np.inf, 25.0, 45.0, np.inf)}
    # A part without values beyond the edges keeps the whole data's bins.
    part = sensitive_frame(data.iloc[1:3], ["age"], edges=edges)
    assert list(part["age"].cat.categories) == ["< 25", "[25, 45)", "≥ 45"]
    assert list(part["age"].astype(str)) == ["[25, 45)", "[25, 45)"]
