"""Data & model on a messy file (AppTest): the favourable outcome asked and guessed, model inputs
screened (each decision overridable), the leakage warning after training, the small-group policy
on the headline cards, and rare categories merged before training."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fairdash
from fairdash import markdown_text
from fairdash.cli import audit
from fairdash_app.state import AUDIT
from tests._messy import MESSY, make_messy_frame
from tests.pages.test_session_state import app, visit

SENSITIVE = list(MESSY["sensitive"])
TARGET = MESSY["target"]
INPUTS = f"w:data.inputs.{TARGET}|{'|'.join(sorted(SENSITIVE))}"


@pytest.fixture(scope="module")
def messy():
    # As read (repeated headers renamed): reading them is the io layer's job.
    return make_messy_frame(n_rows=1200, random_state=0)


def _upload_and_define(messy):
    at = app()
    visit(at, "data_model")
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value(
        ("compas-like.csv", messy.to_csv(index=False).encode(), "text/csv")).run()
    at.selectbox(key="w:data.target").set_value(TARGET).run()
    at.multiselect(key="w:data.sensitive").set_value(SENSITIVE).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def _train(at):
    at.button(key="a:data.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def test_screened_inputs_guessed_outcome_and_honest_model(messy):
    at = _upload_and_define(messy)
    # The favourable outcome is guessed from the target's name, and shown as a guess.
    assert at.selectbox(key="w:data.positive").value == MESSY["favourable"]
    assert any("Guessed" in c.value and "bad outcome" in c.value for c in at.caption)
    # The inputs default to the screen's use + warn columns.
    screen = fairdash.screen_features(messy, target=TARGET, sensitive_features=SENSITIVE)
    expected = list(screen.index[screen["verdict"] != "exclude"])
    assert at.multiselect(key=INPUTS).value == expected
    for kind in ("identifiers", "dates", "free_text", "after_outcome"):
        for column in MESSY[kind]:
            assert column not in expected
    (table,) = [t.value for t in at.table if "reason" in t.value.columns]
    # Shown as markdown, escaped: the names and reasons are text, whatever they hold.
    flagged = screen[screen["verdict"] != "use"]
    assert list(table.index) == [markdown_text(c) for c in flagged.index]
    assert list(table["reason"]) == [markdown_text(r) for r in flagged["reason"]]
    assert set(table["used"]) <= {"yes", "no"}
    _train(at)
    problem = at.session_state["run"].problem
    assert list(problem.feature_columns) == [c for c in messy.columns if c in expected]
    assert problem.excluded_features["is_recid"].startswith("On its own it predicts")
    assert not at.session_state["leakage"].suspicious
    assert "suspiciously good" not in " ".join(w.value for w in at.warning)


def test_adding_outcome_columns_back_warns_after_training(messy):
    at = _upload_and_define(messy)
    chosen = at.multiselect(key=INPUTS).value
    at.multiselect(key=INPUTS).set_value([*chosen, *MESSY["after_outcome"]]).run()
    _train(at)
    check = at.session_state["leakage"]
    assert "suspiciously good" in check.message and "'end'" in check.message
    assert fairdash.markdown_text(check.message) in [w.value for w in at.warning]  # as text
    assert check.importance.index[0] in MESSY["after_outcome"]


def test_small_group_policy_and_rare_categories(messy):
    at = _upload_and_define(messy)
    _train(at)
    note = [c.value for c in at.caption if "Left out of the summary numbers" in c.value]
    assert note and "Asian × Female" in note[0]
    metrics = at.session_state["metrics"]
    shown = at.session_state["models"][0].metrics.disparities(min_group_size=30)
    assert shown == metrics.disparities(min_group_size=30)
    visit(at, "explore")
    assert any("Asian × Female" in c.value for c in at.caption)
    dp = shown["demographic_parity_difference"]
    assert any(m.value == f"{dp:.3f}" for m in at.metric)
    visit(at, "data_model")
    at.number_input(key="w:data.min_group_size").set_value(50).run()
    at.multiselect(key="w:data.merge_rare").set_value(["race"]).run()
    assert any("merged into" in c.value and "Asian" in c.value for c in at.caption)
    _train(at)
    groups = at.session_state["metrics"].by_group.index.get_level_values("race")
    assert "Asian" not in set(groups) and "Other" in set(groups)
    assert at.session_state["metrics"].min_group_size == 50


@pytest.fixture(scope="module")
def predictions(messy):
    """An analyst's own model on the messy file: outcome, predicted label, score, groups."""
    rng = np.random.default_rng(0)
    y = messy[TARGET].to_numpy()
    score = np.clip(0.5 + np.where(y == 0, 0.2, -0.2) + rng.normal(0, 0.25, len(y)), 0, 1)
    return pd.DataFrame({
        "person": messy["name"], "race": messy["race"], "sex": messy["sex"], TARGET: y,
        "predicted": np.where(score >= 0.5, 0, 1), "p_no_recid": score,
    })


def test_audit_existing_predictions_without_training(predictions):
    at = app()
    visit(at, "data_model")
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value(
        ("my_model.csv", predictions.to_csv(index=False).encode(), "text/csv")).run()
    at.radio(key="w:data.workflow").set_value(AUDIT).run()
    at.selectbox(key="w:data.target").set_value(TARGET).run()
    assert at.selectbox(key="w:data.positive").value == 0  # guessed: 1 = reoffends
    at.selectbox(key="w:data.prediction").set_value("predicted").run()
    at.selectbox(key="w:data.score").set_value("p_no_recid").run()
    at.multiselect(key="w:data.sensitive").set_value(SENSITIVE).run()
    at.button(key="a:data.audit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (model,) = at.session_state["models"]
    assert model.method == "existing predictions" and at.session_state["run"] is None
    # The same numbers as the command line's audit of the same file.
    expected = audit(
        predictions, target=TARGET, prediction="predicted", score="p_no_recid",
        positive_label=0, sensitive_features=SENSITIVE,
    ).to_dict()
    overall = model.metrics.overall
    for name, value in expected["overall"]["metrics"].items():
        assert value == pytest.approx(float(overall[name]), abs=1e-12)
    shown = model.metrics.disparities(min_group_size=30)
    for name, value in expected["disparities"].items():
        assert value == pytest.approx(shown[name], abs=1e-12)
    for page in ("explore", "whatif", "report"):
        visit(at, page)
        assert "Stale results" not in " ".join(w.value for w in at.warning), page
    # Mitigate: post-processing of the file's scores; training methods not available, why.
    visit(at, "mitigate")
    text = " ".join(m.value for m in at.markdown)
    assert "Post-processing your model's scores" in text
    assert "has no model or inputs to train on" in text  # the reason, per method
    at.button(key="a:mitigate.scores").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    models = at.session_state["models"]
    assert {m.method for m in models} == {"existing predictions", "threshold_optimizer",
                                          "barycenter"}
    evaluation = at.session_state["evaluation"]
    assert len(evaluation.y_test) == len(models[0].y_pred) < len(model.y_pred)
    # The audited model on the test rows is the file's own predictions of those rows.
    rows = model.y_pred[np.searchsorted(predictions.index, evaluation.test_index)]
    np.testing.assert_array_equal(models[0].y_pred, rows)
    visit(at, "compare")
    table = at.dataframe[0].value
    assert len(table) == len(models)
    assert any("not used to fit them" in c.value for c in at.caption)
    visit(at, "report")  # the report of the post-processed models: no error
    visit(at, "data_model")
    assert at.radio(key="w:data.workflow").value == AUDIT
    assert at.selectbox(key="w:data.prediction").value == "predicted"
    assert "computed for" not in " ".join(w.value for w in at.warning)


def test_an_audit_configuration_restores_the_same_numbers(predictions):
    import json

    at = app()
    visit(at, "data_model")
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value(
        ("my_model.csv", predictions.to_csv(index=False).encode(), "text/csv")).run()
    at.radio(key="w:data.workflow").set_value(AUDIT).run()
    at.selectbox(key="w:data.target").set_value(TARGET).run()
    at.selectbox(key="w:data.prediction").set_value("predicted").run()
    at.selectbox(key="w:data.score").set_value("p_no_recid").run()
    at.multiselect(key="w:data.sensitive").set_value(SENSITIVE).run()
    at.button(key="a:data.audit").click().run()
    (before,) = at.session_state["models"]
    config = {
        "fairdash_config": 1,
        "data": {"name": "my_model.csv", "sha256": at.session_state["data_digest"],
                 "bundled": False},
        "problem": at.session_state["evaluation"].problem.to_dict(),
        "settings": at.session_state["settings"],
        "current_model": before.name,
        "thresholds": None,
    }
    assert config["settings"] == {"workflow": "audit", "prediction": "predicted",
                                  "score": "p_no_recid"}
    # Forget the models, then restore them from the configuration on the Report page.
    at.session_state["models"] = []
    at.session_state["evaluation"] = None
    visit(at, "report")
    at.file_uploader(key="a:report.config_upload").set_value(
        ("fairdash-config.json", json.dumps(config).encode(), "application/json")).run()
    at.button(key="a:report.restore").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (after,) = at.session_state["models"]
    assert after.method == "existing predictions"
    assert after.metrics.by_group.equals(before.metrics.by_group)
    np.testing.assert_array_equal(after.y_score, before.y_score)
    assert at.session_state["w:data.workflow"] == AUDIT


def test_post_processed_audit_configuration_restores_the_same_models(predictions):
    import json

    from fairdash.config import load_config

    at = app()
    visit(at, "data_model")
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value(
        ("my_model.csv", predictions.to_csv(index=False).encode(), "text/csv")).run()
    at.radio(key="w:data.workflow").set_value(AUDIT).run()
    at.selectbox(key="w:data.target").set_value(TARGET).run()
    at.selectbox(key="w:data.prediction").set_value("predicted").run()
    at.selectbox(key="w:data.score").set_value("p_no_recid").run()
    at.multiselect(key="w:data.sensitive").set_value(SENSITIVE).run()
    at.button(key="a:data.audit").click().run()
    visit(at, "mitigate")
    at.slider(key="w:mitigate.scores_calibration").set_value(0.4).run()
    at.button(key="a:mitigate.scores").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    before = list(at.session_state["models"])
    settings = at.session_state["settings"]
    assert settings["calibration_size"] == 0.4
    assert [m["method"] for m in settings["methods"]] == ["threshold_optimizer", "barycenter"]
    config = {
        "fairdash_config": 1,
        "data": {"name": "my_model.csv", "sha256": at.session_state["data_digest"],
                 "bundled": False},
        "problem": at.session_state["evaluation"].problem.to_dict(),
        "settings": settings, "current_model": before[3].name, "thresholds": None,
    }
    assert load_config(json.dumps(config)).settings.calibration_size == 0.4
    at.session_state["models"] = []
    at.session_state["evaluation"] = None
    visit(at, "report")
    at.file_uploader(key="a:report.config_upload").set_value(
        ("fairdash-config.json", json.dumps(config).encode(), "application/json")).run()
    at.button(key="a:report.restore").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    after = at.session_state["models"]
    assert [m.name for m in after] == [m.name for m in before]
    for a, b in zip(after, before, strict=True):
        np.testing.assert_array_equal(a.y_pred, b.y_pred)
    assert at.session_state["current_model"] == before[3].name


def test_merged_categories_reach_mitigate_and_mark_models_stale(messy):
    at = _upload_and_define(messy)
    at.multiselect(key="w:data.merge_rare").set_value(["race"]).run()
    _train(at)
    visit(at, "mitigate")
    assert "Stale results" not in " ".join(w.value for w in at.warning)
    visit(at, "data_model")
    at.multiselect(key="w:data.merge_rare").set_value([]).run()
    assert "computed for" in " ".join(w.value for w in at.warning)  # no longer merged: stale


def test_auditing_replaces_stale_models_without_a_stale_question_above_the_results(
    messy, predictions
):
    """Models trained on one file, then another file audited: once the audit replaces
    them, the page no longer asks about stale models above the audit's results."""
    at = _upload_and_define(messy)
    _train(at)
    at.file_uploader(key="a:data.upload").set_value(
        ("my_model.csv", predictions.to_csv(index=False).encode(), "text/csv")).run()
    at.radio(key="w:data.workflow").set_value(AUDIT).run()
    at.selectbox(key="w:data.target").set_value(TARGET).run()
    at.selectbox(key="w:data.prediction").set_value("predicted").run()
    at.multiselect(key="w:data.sensitive").set_value(SENSITIVE).run()
    stale = "computed for"
    assert any(stale in w.value for w in at.warning)  # asked while the trained model is stale
    at.button(key="a:data.audit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["models"][0].method == "existing predictions"
    assert any("Audited" in s.value for s in at.success)
    assert not any(stale in w.value for w in at.warning), [w.value for w in at.warning]
    assert not [b for b in at.button if b.label.startswith("Discard")]
    # The summary table says whether the four-fifths rule passes in words.
    (summary,) = [d.value for d in at.dataframe if "four_fifths_rule_passed" in d.value.index]
    passed = at.session_state["metrics"].disparities(min_group_size=30)["four_fifths_rule_passed"]
    assert summary.loc["four_fifths_rule_passed", "value"] == ("yes" if passed else "no")


def test_data_and_model_says_the_mitigation_models_are_there(messy):
    """After Mitigate, Data & model has no single trained run to show: it says how many
    models the session holds and which one the other pages show."""
    at = _upload_and_define(messy)
    visit(at, "mitigate")
    at.button(key="a:mitigate.run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    n = len(at.session_state["models"])
    assert n > 1 and at.session_state["run"] is None
    visit(at, "data_model")
    (shown,) = [i.value for i in at.info if "models** from" in i.value]
    assert f"**{n} models** from the mitigation run" in shown
    assert at.session_state["current_model"] in shown.replace("\\", "")
