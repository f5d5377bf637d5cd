"""tradeoff_table on run_methods models: words, intervals, the numbers of results_table."""

import logging

import numpy as np
import pytest

import fairdash
from fairdash import datasets
from fairdash.tradeoff import (
    MethodConfig,
    results_table,
    run_methods,
    split_data,
    tradeoff_intervals,
    tradeoff_table,
)

logging.getLogger("fairlearn").setLevel(logging.ERROR)


@pytest.fixture(scope="module")
def run():
    adult = datasets.load("adult").sample(3000, random_state=5).reset_index(drop=True)
    problem = fairdash.define_problem(
        adult, target="income", sensitive_features=["sex"], positive_label=">50K"
    )
    results = run_methods(
        adult, problem, random_state=0,
        methods=["unmitigated", "reweighing",
                 MethodConfig("barycenter", {"alphas": [0.0, 1.0]}),
                 MethodConfig("threshold_optimizer", {"tolerances": [None]})],
    )
    test = adult.loc[split_data(adult, problem, random_state=0).test_index]
    return results, problem.encode_target(test), problem.sensitive(test)


def test_table_has_words_and_intervals_and_the_same_numbers(run):
    results, y, sensitive = run
    table = tradeoff_table(results, y_true=y, sensitive_features=sensitive, n_boot=50,
                           disparity="equalized_odds_difference")
    plain = results_table(results, disparity="equalized_odds_difference")
    for column in plain:
        assert table[column].tolist() == plain[column].tolist()
    assert table.set_index("name").loc["barycenter alpha=1", "description"] == (
        "scores unchanged, threshold 0.5"
    )
    assert table["method_label"].tolist()[:2] == ["Unmitigated model", "Reweighing"]
    direct = tradeoff_intervals(results, y_true=y, sensitive_features=sensitive, n_boot=50,
                                disparity="equalized_odds_difference").table()
    for column in ("accuracy_lower", "equalized_odds_difference_upper"):
        np.testing.assert_array_equal(table[column], direct[column])
    assert (table["accuracy_lower"] <= table["accuracy"]).all()
    assert (table["accuracy"] <= table["accuracy_upper"]).all()


def test_identical_models_get_identical_intervals_paired(run):
    results, y, sensitive = run
    names = [r.name for r in results]
    base, same = names.index("unmitigated"), names.index("barycenter alpha=1")
    np.testing.assert_array_equal(results[base].y_pred, results[same].y_pred)
    intervals = tradeoff_intervals(results, y_true=y, sensitive_features=sensitive, n_boot=30)
    np.testing.assert_array_equal(
        intervals.disparity_samples[:, base], intervals.disparity_samples[:, same]
    )
    paired = intervals.paired_difference("unmitigated", "barycenter alpha=1")
    assert (paired[["difference", "lower", "upper"]] == 0).all().all()


def test_no_intervals_for_regression_metrics_or_when_not_asked(run):
    results, y, sensitive = run
    table = tradeoff_table(results, y_true=y, sensitive_features=sensitive, n_boot=None)
    assert not any(c.endswith(("_lower", "_upper")) for c in table)
    table = tradeoff_table(results, y_true=y, sensitive_features=sensitive,
                           performance="roc_auc", n_boot=20)
    assert not any(c.endswith(("_lower", "_upper")) for c in table)
