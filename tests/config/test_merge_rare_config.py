"""Saved configurations record the rare-category merge (columns, threshold) and restore it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import fairdash
from fairdash import InputError, datasets
from fairdash.config import MergeRare, load_config
from tests.conftest import shown_text

ROOT = Path(__file__).resolve().parents[2]


def german_config(merge_rare) -> dict:
    german = datasets.load("german")
    problem = fairdash.define_problem(german, target="risk", sensitive_features=["sex"])
    config = {
        "fairdash_config": 1,
        "data": {"name": "german", "sha256": None, "bundled": True},
        "problem": problem.to_dict(),
        "settings": {"workflow": "train", "estimator": "logistic_regression",
                     "test_size": 0.3, "random_state": 0},
        "current_model": None,
        "thresholds": None,
    }
    if merge_rare != "absent":
        config["merge_rare"] = merge_rare
    return config


def test_load_config_reads_the_merge_setting():
    config = load_config(json.dumps(german_config({"columns": ["purpose"], "min_count": 30})))
    assert config.merge_rare == MergeRare(columns=("purpose",), min_count=30)
    assert load_config(json.dumps(german_config(None))).merge_rare is None
    assert load_config(json.dumps(german_config("absent"))).merge_rare is None


@pytest.mark.parametrize(
    ("merge_rare", "field"),
    [
        ({"columns": ["purpose"], "min_count": 0}, "merge_rare.min_count"),
        ({"columns": ["purpose"], "min_count": "30"}, "merge_rare.min_count"),
        ({"columns": ["purpose"], "min_count": 30.5}, "merge_rare.min_count"),
        ({"columns": ["purpose"], "min_count": 10**6}, "merge_rare.min_count"),
        ({"columns": [], "min_count": 30}, "merge_rare.columns"),
        ({"columns": ["purpose", "purpose"], "min_count": 30}, "merge_rare.columns"),
        ({"columns": "purpose", "min_count": 30}, "merge_rare.columns"),
        ({"columns": ["purpose"]}, "merge_rare.min_count"),
        ({"columns": ["purpose"], "min_count": 30, "other": "X"}, "merge_rare.other"),
        (["purpose"], "merge_rare"),
    ],
)
def test_load_config_rejects_a_bad_merge_setting_naming_the_field(merge_rare, field):
    with pytest.raises(InputError, match=f"'{field}'"):
        load_config(json.dumps(german_config(merge_rare)))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"methods": [{"method": "reweighing", "params": {}}]}, "settings.methods"),
        ({"score": None}, "settings.methods"),
        ({"calibration_size": 0.95}, "settings.calibration_size"),
        ({"random_state": "0"}, "settings.random_state"),
    ],
)
def test_audit_post_processing_settings_are_checked(changes, field):
    config = german_config(None)
    config["settings"] = {
        "workflow": "audit", "prediction": "job", "score": "duration",
        "methods": [{"method": "barycenter", "params": {}}], "calibration_size": 0.5,
        "random_state": 0, **changes,
    }
    with pytest.raises(InputError, match=f"'{field}'"):
        load_config(json.dumps(config))


def test_audit_post_processing_needs_every_setting():
    config = german_config(None)
    config["settings"] = {"workflow": "audit", "prediction": "job", "score": "duration",
                          "methods": [{"method": "barycenter", "params": {}}], "random_state": 0}
    with pytest.raises(InputError, match=r"'settings\.calibration_size' is missing"):
        load_config(json.dumps(config))
    config["settings"]["calibration_size"] = 0.5
    settings = load_config(json.dumps(config)).settings
    assert settings.calibration_size == 0.5 and settings.random_state == 0
    assert [m.method for m in settings.methods] == ["barycenter"]


def _config_of_session():
    import json

    import streamlit as st

    from fairdash_app.state import init_state
    from fairdash_app.workflows import session_config

    init_state()
    st.code(json.dumps(session_config()))


def restore(config) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/report.py").run()
    at.file_uploader(key="a:report.config_upload").set_value(
        ("config.json", json.dumps(config).encode(), "application/json")).run()
    at.button(key="a:report.restore").click().run()
    assert not at.exception, at.exception
    return at


def test_a_restored_merge_trains_on_merged_data_sets_the_widgets_and_saves_again():
    setting = {"columns": ["purpose"], "min_count": 30}
    at = restore(german_config(setting))
    assert not at.error, [e.value for e in at.error]
    german = datasets.load("german")
    rare = [v for v, n in german["purpose"].value_counts().items() if n < 30]
    assert len(rare) == 3
    assert at.session_state["w:data.merge_rare"] == ["purpose"]
    assert at.session_state["w:data.min_group_size"] == 30
    assert at.session_state["merged"] == {"purpose": rare}
    # The model is the one trained on the merged data, independently.
    merged, _ = fairdash.merge_rare_categories(german, columns=["purpose"], min_count=30)
    problem = fairdash.define_problem(merged, target="risk", sensitive_features=["sex"])
    expected = fairdash.train_model(merged, problem, estimator="logistic_regression",
                                    test_size=0.3, random_state=0)
    model = at.session_state["models"][0]
    np.testing.assert_array_equal(model.y_pred, expected.y_pred)
    np.testing.assert_allclose(model.y_score, expected.y_score)
    assert set(at.session_state["evaluation"].data["purpose"]) >= {"Other"}
    # Data & model recomputes the same merge from the restored widgets: not stale.
    at.switch_page("pages/data_model.py").run()
    assert not at.exception, at.exception
    assert not any("computed for" in shown_text(w.value) for w in at.warning)
    assert at.multiselect(key="w:data.merge_rare").value == ["purpose"]
    # Saving again records the same setting.
    saved = AppTest.from_function(_config_of_session, default_timeout=60)
    for key in ("evaluation", "settings", "current_model", "thresholds", "data_name",
                "data_digest", "problem", "models"):
        saved.session_state[key] = at.session_state[key]
    saved.run()
    assert not saved.exception, saved.exception
    assert json.loads(saved.code[0].value)["merge_rare"] == setting


def test_a_merge_of_a_column_the_data_lacks_changes_nothing():
    at = restore(german_config({"columns": ["race"], "min_count": 30}))
    assert at.error and "merge_rare" in shown_text(at.error[0].value)
    assert "'race'" in shown_text(at.error[0].value)
    assert at.session_state["models"] == []
