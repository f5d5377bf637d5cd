"""load_config: every hostile or careless configuration of issue 15 (items 1 and 3) is refused
with an InputError naming the field, and what the app saves loads back."""

import copy
import json

import pytest

from fairdash import InputError
from fairdash.config import MAX_CONFIG_BYTES, MAX_DEPTH, SessionConfig, load_config
from fairdash.tradeoff import DEFAULT_PARAMS, METHODS, MethodConfig


def saved(workflow="mitigate", **settings):
    """A configuration as the app's Report page writes it (every parameter resolved)."""
    config = {
        "fairdash_config": 1,
        "fairdash_version": "0.1.0",
        "data": {"name": "adult", "sha256": None, "bundled": True},
        "problem": {
            "target": "income",
            "task": "classification",
            "positive_label": ">50K",
            "sensitive_features": ["sex", "race"],
            "feature_columns": ["age", "education", "hours-per-week"],
            "bins": {},
        },
        "settings": {
            "workflow": workflow,
            "estimator": "logistic_regression",
            "test_size": 0.3,
            "random_state": 0,
        },
        "current_model": "unmitigated",
        "thresholds": {"Female × White": 0.4, "Male × White": 0.55},
    }
    if workflow == "mitigate":
        config["settings"]["calibration_size"] = 0.2
        config["settings"]["methods"] = [
            MethodConfig(m, {}).to_dict() for m in METHODS
        ]
    config["settings"].update(settings)
    return config


def load(config) -> SessionConfig:
    return load_config(json.dumps(config).encode("utf-8"))


def refused(config_or_raw, *fragments):
    raw = config_or_raw
    if not isinstance(raw, bytes | str):
        raw = json.dumps(raw)
    with pytest.raises(InputError) as caught:
        load_config(raw)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def method_params(config, method):
    for entry in config["settings"]["methods"]:
        if entry["method"] == method:
            return entry["params"]
    raise KeyError(method)


def test_what_the_app_saves_loads_into_typed_settings():
    config = load(saved())
    assert config.data.name == "adult" and config.data.bundled
    assert config.problem.sensitive_features == ("sex", "race")
    assert config.settings.workflow == "mitigate"
    assert [m.method for m in config.settings.methods] == list(METHODS)
    assert all(isinstance(m, MethodConfig) for m in config.settings.methods)
    grid_search = config.settings.methods[METHODS.index("grid_search")]
    assert grid_search.resolved_params() == DEFAULT_PARAMS["grid_search"]
    assert config.thresholds == {"Female × White": 0.4, "Male × White": 0.55}
    trained = load(saved("train"))
    assert trained.settings.methods == () and trained.settings.calibration_size is None
    # Only the parameters the page sets (as new files may write) load too.
    short = saved()
    short["settings"]["methods"] = [
        {"method": "unmitigated"},
        {"method": "barycenter", "params": {"alphas": [0.0, 0.5, 1.0]}, "label": None},
    ]
    assert load(short).settings.methods[1].params == {"alphas": [0.0, 0.5, 1.0]}


def test_limits_equal_the_pages_limits():
    for method, name, value, fragment in [
        ("grid_search", "grid_size", 10**9, "from 3 to 60"),
        ("grid_search", "grid_size", 2, "from 3 to 60"),
        ("exponentiated_gradient", "eps", 0.0, "from 0.001 to 0.5"),
        ("exponentiated_gradient", "max_iter", 10**6, "from 5 to 200"),
        ("correlation_remover", "alpha", 1.5, "from 0 to 1"),
        ("barycenter", "alphas", [0.5] * 20_001, "2 to 41"),
        ("barycenter", "alphas", [1.2, 0.5], "from 0 to 1"),
        ("threshold_optimizer", "tolerances", [None] * 7, "1 to 6"),
        ("threshold_optimizer", "constraints", "magic", "one of"),
        ("fair_pca", "n_components", 51, "from 1 to 50"),
        ("fair_pca", "match", "median", "one of"),
        ("covariance_constrained", "factors", [1.5, 0.0], "from 0 to 1"),
        ("covariance_constrained", "factors", [0.5] * 22, "2 to 21"),
    ]:
        config = saved()
        method_params(config, method)[name] = value
        refused(config, f"settings.methods[{METHODS.index(method)}].params.{name}", fragment)
    for name, value in [("test_size", 0.7), ("test_size", 0.0), ("calibration_size", 0.5)]:
        refused(saved(**{name: value}), f"settings.{name}")
    assert load(saved(random_state=2**31 - 1)).settings.random_state == 2**31 - 1
    for seed in (2**31, -1):
        refused(saved(random_state=seed), "settings.random_state", "from 0 to 2147483647")


def test_settings_the_app_does_not_expose_are_refused_unless_at_their_default():
    for method, name, value in [
        ("grid_search", "n_jobs", 12),
        ("grid_search", "grid_limit", 1e9),
        ("threshold_optimizer", "grid_size", 10**9),
        ("threshold_optimizer", "flip", True),
        ("barycenter", "threshold", 0.9),
    ]:
        config = saved()
        method_params(config, method)[name] = value
        refused(config, f"params.{name}", "not a setting the app lets you choose")
    config = saved()
    config["settings"]["n_jobs"] = 12
    refused(config, "'settings.n_jobs'", "not a setting")
    config = saved()
    config["settings"]["methods"][7]["label"] = "![c](http://127.0.0.1:9911/x.png)"
    refused(config, "settings.methods[7].label", "null")


def test_sizes_are_bounded():
    config = saved()
    config["settings"]["methods"] = [{"method": "unmitigated"}] * 2000
    refused(config, "settings.methods", f"1 to {len(METHODS)} methods")
    config = saved()
    config["settings"]["methods"] = [{"method": "barycenter"}, {"method": "barycenter"}]
    refused(config, "settings.methods", "more than once")
    config = saved()
    config["thresholds"] = {f"g{i}": 0.5 for i in range(10_001)}
    refused(config, "thresholds", "at most 10,000 groups")
    config = saved()
    config["thresholds"] = {f"group {i:07d}": 0.5 for i in range(1_000_000)}
    refused(config, "at most 1,000,000 bytes")
    config = saved()
    config["thresholds"] = {"Female": 1.5}
    refused(config, "thresholds.Female", "from 0 to 1")
    config = saved()
    config["problem"]["sensitive_features"] = [f"c{i}" for i in range(11)]
    refused(config, "problem.sensitive_features", "1 to 10")


def test_wrong_types_name_the_field():
    for settings, field in [
        ({"test_size": "0.3"}, "settings.test_size"),
        ({"random_state": 2**64}, "settings.random_state"),
        ({"random_state": "0"}, "settings.random_state"),
        ({"random_state": 0.5}, "settings.random_state"),
        ({"random_state": True}, "settings.random_state"),
        ({"estimator": "ridge"}, "settings.estimator"),  # a regressor for a classification
        ({"workflow": "magic"}, "settings.workflow"),
    ]:
        refused(saved(**settings), f"'{field}'")
    for bins, field in [
        (["a", "b"], "'problem.bins'"),
        ({"age": 1e8}, "'problem.bins.age'"),
        ({"age": 100_000_000}, "'problem.bins.age'"),
        ({"age": [0, float("nan"), 5]}, "'problem.bins.age[1]'"),
        ({"age": [0, 50, 20]}, "increasing"),
    ]:
        config = saved()
        config["problem"]["sensitive_features"] = ["sex", "age"]
        config["problem"]["bins"] = bins
        refused(json.dumps(config), field)
    config = saved()
    config["problem"]["bins"] = {"income": 4}  # not a sensitive feature
    refused(config, "'problem.bins.income'")
    config = saved()
    config["problem"]["sensitive_features"] = "sex"
    refused(config, "'problem.sensitive_features'")


def test_missing_and_unknown_fields():
    config = saved()
    del config["problem"]["sensitive_features"]
    refused(config, "'problem.sensitive_features' is missing")
    config = saved()
    del config["settings"]["methods"]
    refused(config, "'settings.methods' is missing")
    for name in ("data", "problem", "settings"):
        config = saved()
        del config[name]
        refused(config, f"'{name}' is missing")
    config = saved()
    config["problem"]["surprise"] = 1
    refused(config, "'problem.surprise'", "not a setting")
    config = saved()
    config["extra"] = {}
    refused(config, "'extra'", "not a setting")
    config = saved()
    config["data"] = {"name": "nonexistent", "bundled": True}
    refused(config, "'data.name'", "adult")
    config = saved(workflow="train")
    config["problem"]["task"] = "regression"
    config["settings"]["estimator"] = "ridge"
    assert load(config).settings.estimator == "ridge"
    config = saved()
    config["problem"]["task"] = "regression"
    config["settings"]["estimator"] = "ridge"
    refused(config, "'settings.methods[1].method'", "binary classification only")


def test_hostile_json_gives_input_errors_not_crashes():
    refused("[" * 100_000, f"at most {MAX_DEPTH} levels")
    refused("{" * 100_000, "nests")
    refused('{"a": "' + "[" * 100_000 + '"}', "not a FairDash configuration")  # in a string: fine
    huge = json.dumps(saved()).replace('"random_state": 0', '"random_state": ' + "9" * 5000)
    refused(huge, "'settings.random_state'", "5,000-digit number")
    refused(b"\xff\xfe\x00", "not UTF-8")
    refused("not json", "not a FairDash configuration")
    refused("[]", "not a FairDash configuration")
    refused(json.dumps({**saved(), "fairdash_config": 2}), "version 1")
    text = json.dumps(saved())
    for value in ("NaN", "Infinity", "1e999"):
        refused(text.replace('"test_size": 0.3', f'"test_size": {value}'), "'settings.test_size'")
    refused(text.replace('"test_size": 0.3', '"test_size": 0.3, "test_size": 0.4'), "twice")
    refused(" " * (MAX_CONFIG_BYTES + 1), "at most 1,000,000 bytes")
    with pytest.raises(InputError, match="bytes or str"):
        load_config(12)


def test_configuration_is_not_changed_by_loading():
    config = saved()
    before = copy.deepcopy(config)
    load(config)
    assert config == before
