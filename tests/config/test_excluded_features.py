"""Saved configurations carry the model inputs left out and why (issue 9 item 2)."""

import pytest

from fairdash import InputError
from fairdash.datasets import load as load_dataset
from tests.config.test_load_config import load, saved


def test_excluded_inputs_round_trip_into_the_problem():
    config = saved(workflow="train")
    config["problem"]["excluded_features"] = {"fnlwgt": "Left out by you.",
                                              "education-num": "The same as 'education'."}
    spec = load(config).problem
    assert spec.excluded_features == config["problem"]["excluded_features"]
    problem = spec.define(load_dataset("adult"))
    assert dict(problem.excluded_features) == config["problem"]["excluded_features"]
    assert problem.to_dict()["excluded_features"] == config["problem"]["excluded_features"]
    assert load(saved(workflow="train")).problem.excluded_features == {}


@pytest.mark.parametrize(
    "bad", [["fnlwgt"], {"fnlwgt": 3}, {"fnlwgt": ""}, {"": "why"}, {"fnlwgt": "x" * 1001}]
)
def test_bad_excluded_inputs_name_the_field(bad):
    config = saved(workflow="train")
    config["problem"]["excluded_features"] = bad
    with pytest.raises(InputError, match=r"problem\.excluded_features"):
        load(config)


def test_audit_settings_load_and_are_checked():
    config = saved(workflow="train")
    config["settings"] = {"workflow": "audit", "prediction": "pred", "score": None}
    settings = load(config).settings
    assert (settings.workflow, settings.prediction, settings.score) == ("audit", "pred", None)
    assert settings.estimator is None and settings.test_size is None
    config["settings"] = {"workflow": "audit"}
    with pytest.raises(InputError, match=r"settings\.prediction"):
        load(config)
    config["settings"] = {"workflow": "audit", "prediction": "pred", "estimator": "x"}
    with pytest.raises(InputError, match="estimator"):
        load(config)
