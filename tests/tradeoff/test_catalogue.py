"""The method catalogue: one source for defaults, page widgets and configuration limits."""

import json

import pytest

from fairdash.config import load_config
from fairdash.mitigation import CONSTRAINTS
from fairdash.tradeoff import (
    CATALOGUE,
    DEFAULT_METHODS,
    DEFAULT_PARAMS,
    METHODS,
    REGRESSION_METHODS,
    SPLIT_SETTINGS,
    MethodConfig,
)
from fairdash.tradeoff._methods import RUNNERS


def test_every_method_has_a_runner_a_label_and_consistent_defaults():
    assert tuple(RUNNERS) == METHODS == tuple(CATALOGUE)
    assert REGRESSION_METHODS == {"unmitigated", "correlation_remover", "barycenter"}
    for name, spec in CATALOGUE.items():
        assert spec.label and spec.description.endswith(".")
        assert DEFAULT_PARAMS[name] == {p.name: p.default for p in spec.parameters}
        assert MethodConfig(name).resolved_params() == DEFAULT_PARAMS[name]
    for task, methods in DEFAULT_METHODS.items():
        assert set(methods) <= set(METHODS)
        if task == "regression":
            assert set(methods) <= REGRESSION_METHODS
    # The reductions' constraint choices are exactly the constraints they accept.
    for method in ("grid_search", "exponentiated_gradient"):
        assert set(CATALOGUE[method].parameter("constraints").choices) == set(CONSTRAINTS)


@pytest.mark.parametrize("method", METHODS)
def test_every_exposed_default_is_within_its_own_limits(method):
    for spec in CATALOGUE[method].parameters:
        if not spec.exposed:
            continue
        if spec.kind == "choice":
            assert spec.default in spec.choices
        elif spec.kind == "float_list":
            assert spec.min_items <= len(spec.default) <= spec.max_items
            assert all(
                (v is None and spec.allow_none) or spec.minimum <= v <= spec.maximum
                for v in spec.default
            )
        elif spec.kind in ("int", "float"):
            assert spec.minimum <= spec.default <= spec.maximum
    for spec in SPLIT_SETTINGS.values():
        assert spec.minimum <= spec.default <= spec.maximum


def test_a_configuration_of_every_method_at_its_defaults_loads():
    config = {
        "fairdash_config": 1,
        "data": {"name": "adult", "bundled": True},
        "problem": {"target": "income", "task": "classification", "positive_label": ">50K",
                    "sensitive_features": ["sex"], "feature_columns": ["age"]},
        "settings": {"workflow": "mitigate", "estimator": "logistic_regression",
                     **{name: spec.default for name, spec in SPLIT_SETTINGS.items()},
                     "methods": [MethodConfig(m).to_dict() for m in METHODS]},
    }
    loaded = load_config(json.dumps(config))
    assert [m.resolved_params() for m in loaded.settings.methods] == [
        DEFAULT_PARAMS[m] for m in METHODS
    ]
