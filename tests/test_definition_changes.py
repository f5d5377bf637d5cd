"""What changed since results were computed, in words (the stale-results warning)."""

import numpy as np
import pandas as pd
import pytest

from fairdash import DefinitionBasis, define_problem, definition_changes


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 200
    return pd.DataFrame({
        "two_year_recid": rng.integers(0, 2, n), "income": rng.normal(50, 10, n).round(1),
        "sex": rng.choice(["F", "M"], n), "race": rng.choice(["a", "b", "c"], n),
        "age": rng.integers(18, 70, n), "priors": rng.poisson(2, n),
    })


def basis(problem, name="c.csv", digest="d1", merged=None):
    return DefinitionBasis(name, digest, problem, merged or {})


def define(data, **kwargs):
    spec = {"target": "two_year_recid", "positive_label": 0, "sensitive_features": ["sex"]}
    return define_problem(data, **{**spec, **kwargs})


def test_the_same_definition_has_no_changes(data):
    assert definition_changes(basis(define(data)), basis(define(data))) == []


def test_each_change_is_named(data):
    first = define(data)
    cases = {
        "the sensitive features changed from sex to sex × race":
            define(data, sensitive_features=["sex", "race"]),
        "the favourable outcome changed from 0 to 1": define(data, positive_label=1),
        "the target changed from two_year_recid to income":
            define(data, target="income", positive_label=None),
        "the model inputs changed (removed priors)":
            define(data, feature_columns=["income", "race", "age"]),
        "the bins of age changed": define(data, sensitive_features=["sex", "age"], bins={"age": 3}),
    }
    for expected, second in cases.items():
        changes = definition_changes(basis(first), basis(second))
        assert expected in changes, (expected, changes)
    regression = definition_changes(basis(first), basis(define(data, target="income",
                                                               positive_label=None)))
    assert "the task changed from classification to regression" in regression


def test_data_merged_categories_and_an_incomplete_definition(data):
    problem = define(data)
    assert definition_changes(basis(problem), basis(problem, name="adult", digest=None)) == [
        "the data changed from c.csv to adult"]
    assert definition_changes(basis(problem), basis(problem, digest="d2")) == [
        "the data changed (another file named c.csv was uploaded)"]
    assert definition_changes(basis(problem), basis(problem, merged={"race": ["c"]})) == [
        "the rare categories merged into 'Other' changed (race)"]
    incomplete = definition_changes(basis(problem), basis(None))
    assert incomplete == [
        "the problem definition is incomplete (choose a target and sensitive features)"]
