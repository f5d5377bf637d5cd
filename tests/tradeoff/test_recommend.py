"""recommend_model: the documented rule, checked against a brute-force reading of it."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import fairdash
from fairdash.tradeoff import RECOMMENDATION_RULE, recommend_model


def _table(perf, disp, *, base=0, disparity="demographic_parity_difference"):
    n = len(perf)
    return pd.DataFrame({
        "name": [f"m{i}" for i in range(n)],
        "accuracy": perf,
        disparity: disp,
        "is_unmitigated": [i == base for i in range(n)],
    })


def _brute_force(perf, disp, base, loss, minimize=True):
    """The rule read literally: front by pairwise dominance, then the budget, then the best."""
    sign = 1 if minimize else -1
    n = len(perf)

    def dominated(i):
        return any(
            perf[j] >= perf[i] and sign * disp[j] <= sign * disp[i]
            and (perf[j] > perf[i] or sign * disp[j] < sign * disp[i])
            for j in range(n)
        )

    ok = [i for i in range(n) if not dominated(i) and perf[i] >= perf[base] - loss - 1e-12]
    if not ok:
        return base
    best = min(ok, key=lambda i: (sign * disp[i], -perf[i], i))
    return best if sign * disp[best] < sign * disp[base] else base


def test_rule_on_random_tables_matches_brute_force():
    rng = np.random.default_rng(0)
    for trial, loss in itertools.product(range(200), (0.0, 0.01, 0.05)):
        n = int(rng.integers(2, 9))
        # Rounded values make ties on both axes common.
        perf = np.round(rng.uniform(0.7, 0.85, n), 2)
        disp = np.round(rng.uniform(0.0, 0.3, n), 2)
        base = int(rng.integers(n))
        chosen = recommend_model(_table(perf, disp, base=base), max_performance_loss=loss)
        expected = _brute_force(list(perf), list(disp), base, loss)
        assert chosen.name == f"m{expected}", (trial, perf, disp, base, loss)
        assert chosen.performance_value == perf[expected]
        assert chosen.performance_cost == pytest.approx(perf[base] - perf[expected])
        assert chosen.disparity_change == pytest.approx(disp[expected] - disp[base])


def test_ratio_disparities_are_better_higher():
    perf = [0.80, 0.798, 0.79]
    ratio = [0.60, 0.85, 0.95]
    table = _table(perf, ratio, disparity="disparate_impact_ratio")
    chosen = recommend_model(table, disparity="disparate_impact_ratio", max_performance_loss=0.005)
    assert chosen.name == "m1" == f"m{_brute_force(perf, ratio, 0, 0.005, minimize=False)}"


def test_the_unmitigated_model_when_nothing_is_fairer_within_budget():
    chosen = recommend_model(_table([0.85, 0.80, 0.86], [0.10, 0.01, 0.20]),
                             max_performance_loss=0.02)
    assert chosen.is_baseline and chosen.name == "m0"
    assert chosen.performance_cost == 0 and chosen.disparity_change == 0


def test_a_loss_of_exactly_the_budget_is_accepted():
    chosen = recommend_model(_table([0.80, 0.79], [0.2, 0.1]), max_performance_loss=0.01)
    assert chosen.name == "m1"


def test_rule_text_names_the_metrics_and_budget():
    chosen = recommend_model(_table([0.8, 0.79], [0.2, 0.1]), max_performance_loss=0.02)
    assert chosen.rule == RECOMMENDATION_RULE.format(
        performance="accuracy", disparity="demographic parity difference", loss="0.02")


@pytest.mark.parametrize(
    ("table", "kwargs", "message"),
    [
        (_table([0.8, 0.7], [0.2, 0.1]).drop(columns="accuracy"), {}, "'accuracy'"),
        (_table([0.8, 0.7], [0.2, 0.1]).assign(is_unmitigated=False), {}, "has 0"),
        (_table([0.8, 0.7], [0.2, 0.1]).assign(is_unmitigated=True), {}, "has 2"),
        (_table([np.nan, 0.7], [0.2, 0.1]), {}, "not defined"),
        (_table([0.8, 0.7], [0.2, 0.1]), {"max_performance_loss": -0.1}, "at least 0"),
    ],
)
def test_bad_tables_raise_input_errors(table, kwargs, message):
    with pytest.raises(fairdash.InputError, match=message):
        recommend_model(table, **kwargs)


def test_works_on_results_table_of_real_models():
    from fairdash import datasets
    from fairdash.tradeoff import MethodConfig, results_table, run_methods

    data = datasets.load("german")
    problem = fairdash.define_problem(data, target="risk",
                                      sensitive_features=["sex"])
    results = run_methods(
        data, problem, random_state=0,
        methods=[MethodConfig("unmitigated"), MethodConfig("barycenter", {"alphas": [0.5, 1.0]})],
    )
    table = results_table(results)
    chosen = recommend_model(table, max_performance_loss=0.05)
    perf = table["accuracy"].tolist()
    disp = table["demographic_parity_difference"].tolist()
    base = int(np.flatnonzero(table["is_unmitigated"])[0])
    assert chosen.name == table["name"][_brute_force(perf, disp, base, 0.05)]
