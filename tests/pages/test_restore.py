"""Restoring a configuration on the Report page is all or nothing: checked first, then swapped."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import fairdash
from fairdash import datasets
from fairdash.tradeoff import run_methods, split_data
from fairdash_app.workflows import evaluation_for
from tests.conftest import shown_text

REPORT = str(Path(__file__).resolve().parents[2] / "pages" / "report.py")


@pytest.fixture(scope="module")
def session():
    data = datasets.load("adult").sample(3000, random_state=0)
    problem = fairdash.define_problem(
        data, target="income", positive_label=">50K", sensitive_features=["sex"]
    )
    results = run_methods(data, problem, methods=["unmitigated"], random_state=0)
    split = split_data(data, problem, random_state=0)
    return {
        "data": data,
        "data_name": "adult",
        "data_digest": None,
        "problem": problem,
        "models": list(results),
        "evaluation": evaluation_for(data, problem, split.test_index, data_name="adult"),
        "current_model": results[0].name,
        "settings": {"workflow": "mitigate", "estimator": "logistic_regression",
                     "test_size": 0.3, "calibration_size": 0.2, "random_state": 0,
                     "methods": [{"method": "unmitigated", "params": {}, "label": None}]},
    }


def german_config(**settings) -> dict:
    german = datasets.load("german")
    problem = fairdash.define_problem(german, target="risk", sensitive_features=["sex"])
    return {
        "fairdash_config": 1,
        "data": {"name": "german", "sha256": None, "bundled": True},
        "problem": problem.to_dict(),
        "settings": {"workflow": "train", "estimator": "logistic_regression",
                     "test_size": 0.3, "random_state": 0, **settings},
        "current_model": None,
        "thresholds": None,
    }


def restore(session, config) -> AppTest:
    at = AppTest.from_file(REPORT, default_timeout=120)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    at.file_uploader(key="a:report.config_upload").set_value(
        ("config.json", json.dumps(config).encode(), "application/json")
    ).run()
    at.button(key="a:report.restore").click().run()
    assert not at.exception, at.exception
    return at


def assert_unchanged(at, session):
    assert at.session_state["data_name"] == "adult"
    assert at.session_state["data"] is not None and len(at.session_state["data"]) == 3000
    assert [m.name for m in at.session_state["models"]] == [m.name for m in session["models"]]
    assert at.session_state["problem"].target == "income"


def test_a_configuration_that_fails_validation_changes_nothing(session):
    at = restore(session, german_config(random_state="0"))
    assert at.error and "'settings.random_state'" in shown_text(at.error[0].value)
    assert_unchanged(at, session)


def test_a_configuration_that_does_not_fit_its_data_changes_nothing(session):
    config = german_config()
    config["problem"]["target"] = "income"  # Adult's target: not a German credit column
    at = restore(session, config)
    assert [e.value for e in at.error] and "income" in shown_text(at.error[0].value)
    assert_unchanged(at, session)
    # The page still works afterwards (no stale mix of German settings and Adult data).
    at.run()
    assert not at.exception and not at.error


def test_a_valid_configuration_swaps_data_and_models(session):
    at = restore(session, german_config())
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["data_name"] == "german"
    assert at.session_state["problem"].target == "risk"
    assert len(at.session_state["models"]) == 1
