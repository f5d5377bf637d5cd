"""AppTest of the Discover page: the search over a trained model's test rows, its words,
chart and table, and the click that makes a slice's columns the sensitive features."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import fairdash
from fairdash.slices import find_slices, slice_summary
from fairdash.tradeoff import MethodConfig, run_methods, split_data
from fairdash_app.state import UPLOAD, UploadedTable
from fairdash_app.workflows import evaluation_for
from tests.conftest import shown_text

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "discover.py")


def loans(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Loans whose outcome is noise for young renters in the south: the model fails there."""
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "age": rng.integers(18, 70, n),
            "region": rng.choice(["north", "south", "east"], n),
            "housing": rng.choice(["rent", "own"], n),
            "income": rng.normal(50, 15, n).round(1),
            "applicant_id": [f"A{i:05d}" for i in range(n)],  # not searchable: an identifier
        }
    )
    score = (data["income"] - 50) / 10
    approved = rng.random(n) < 1 / (1 + np.exp(-3 * score))
    noise = (data["age"] < 30) & (data["region"] == "south") & (data["housing"] == "rent")
    approved = np.where(noise, rng.random(n) < 0.5, approved)
    return data.assign(approved=np.where(approved, "yes", "no"))


@pytest.fixture(scope="module")
def session():
    data = loans()
    problem = fairdash.define_problem(
        data,
        target="approved",
        positive_label="yes",
        sensitive_features=["sex"],
        feature_columns=["age", "region", "housing", "income"],
    )
    results = run_methods(data, problem, methods=[MethodConfig("unmitigated")], random_state=0)
    split = split_data(data, problem, test_size=0.3, calibration_size=0.2, random_state=0)
    return {
        "data": data,
        "data_name": "loans.csv",
        "data_digest": "x",
        "problem": problem,
        "models": results,
        "evaluation": evaluation_for(data, problem, split.test_index, data_name="loans.csv",
                                     data_digest="x"),
        "current_model": results[0].name,
    }


def run(session: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_without_a_model_it_says_where_to_start():
    at = run()
    assert at.info and not at.error


def test_search_words_chart_and_table_equal_the_core(session):
    at = run(session)
    # Default columns: the model inputs and the sensitive features (not the identifier).
    assert at.multiselect(key="w:discover.columns").value == [
        "sex", "age", "region", "housing", "income"
    ]
    evaluation, model = session["evaluation"], session["models"][0]
    rows = session["data"].loc[evaluation.test_index]
    expected = find_slices(
        rows[["sex", "age", "region", "housing", "income"]],
        evaluation.y_test,
        model.y_pred,
        metric="error_rate",
    )
    words = [m.value for m in at.markdown]
    assert slice_summary(expected) in words
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    drawn = figure["data"][1]["y"]
    assert list(drawn)[::-1] == [html.escape(s, quote=False) for s in expected["slice"].head(15)]
    table = at.dataframe[0].value
    assert list(table["slice"]) == list(expected["slice"].head(50))
    np.testing.assert_allclose(table["q_value"], expected["q_value"].head(50))
    # The planted slice's conditions are among the worst.
    top = set(expected["conditions"].iloc[0])
    assert top & {("region", "south"), ("housing", "rent")}


def test_changing_the_metric_and_order_searches_again(session):
    at = run(session)
    at.selectbox(key="w:discover.metric").set_value("false_negative_rate").run()
    at.slider(key="w:discover.max_order").set_value(1).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["order"]) == {1}
    assert "1 to 1 conditions" in " ".join(m.value for m in at.markdown)


def test_a_column_that_cannot_be_searched_is_a_message(session):
    at = run(session)
    at.multiselect(key="w:discover.columns").set_value(["sex", "applicant_id"]).run()
    assert not at.exception
    assert "applicant_id" in shown_text(at.error[0].value)


def app(session: dict) -> AppTest:
    """The whole app, as after uploading loans.csv and training on it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for key, value in session.items():
        at.session_state[key] = value
    at.session_state["upload"] = UploadedTable("loans.csv", "x", session["data"])
    at.session_state["w:data.source"] = UPLOAD
    at.session_state["w:data.target"] = "approved"
    at.session_state["w:data.positive"] = "yes"
    at.session_state["w:data.sensitive"] = ["sex"]
    at.run()
    at.switch_page("pages/discover.py").run()
    assert not at.exception, at.exception
    return at


def test_the_report_gets_the_subgroups_the_model_fails(session, monkeypatch):
    import fairdash_app.report

    sections = []

    def report(*args, extra_sections=(), **kwargs):
        sections.extend(title for title, _ in extra_sections)
        return "<html></html>"

    monkeypatch.setattr(fairdash_app.report, "audit_report_html", report)
    at = app(session)
    at.switch_page("pages/report.py").run()
    assert not at.exception, at.exception
    assert "Subgroups the model fails" in sections


def test_one_click_makes_a_slice_s_columns_the_sensitive_features(session):
    at = app(session)
    chosen = at.selectbox(key="w:discover.chosen").value
    columns = [c.split(" = ")[0] for c in chosen.split(" & ")]
    at.button(key="a:discover.use").click().run()
    assert not at.exception, at.exception
    # Now on Data & model, whose sensitive features are the slice's columns.
    assert at.multiselect(key="w:data.sensitive").value == columns
    assert at.session_state["problem"].sensitive_features == tuple(columns)
    # The model used those columns as inputs: they stay inputs.
    if set(columns) - {"sex"}:
        assert at.checkbox(key="w:data.include_sensitive").value is True


def test_discover_on_audited_predictions_searches_the_file_not_the_model_s_outputs():
    """No trained model: an uploaded predictions file, audited. Discover searches the file's
    own columns (never the prediction or score columns, which are the model's outputs), and
    its numbers are those of the core on the same rows."""
    from tests.pages.test_session_state import app as whole_app
    from tests.pages.test_session_state import visit

    data = loans()
    rng = np.random.default_rng(1)
    truth = data["approved"].eq("yes").to_numpy()
    # A model that is right 85 % of the time, and a coin toss for young renters in the south.
    noise = (data["age"] < 30) & (data["region"] == "south") & (data["housing"] == "rent")
    right = rng.random(len(data)) < np.where(noise, 0.5, 0.85)
    predicted = np.where(right, truth, ~truth)
    file = data.assign(
        predicted=np.where(predicted, "yes", "no"),
        score=np.clip(np.where(predicted, 0.7, 0.3) + rng.normal(0, 0.1, len(data)), 0, 1),
    )
    at = whole_app()
    visit(at, "data_model")
    at.radio(key="w:data.source").set_value(UPLOAD).run()
    at.file_uploader(key="a:data.upload").set_value(
        ("my_model.csv", file.to_csv(index=False).encode(), "text/csv")).run()
    at.radio(key="w:data.workflow").set_value("Audit existing predictions").run()
    at.selectbox(key="w:data.target").set_value("approved").run()
    at.selectbox(key="w:data.positive").set_value("yes").run()
    at.selectbox(key="w:data.prediction").set_value("predicted").run()
    at.selectbox(key="w:data.score").set_value("score").run()
    at.multiselect(key="w:data.sensitive").set_value(["sex"]).run()
    at.button(key="a:data.audit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["run"] is None  # no trained model

    visit(at, "discover")
    columns = at.multiselect(key="w:discover.columns")
    assert "predicted" not in columns.options and "score" not in columns.options
    assert "approved" not in columns.options
    # Default: every searchable column of the file (its inputs are unknown), not the id.
    assert columns.value == ["sex", "age", "region", "housing", "income"]
    rows = at.session_state["evaluation"].data.loc[at.session_state["evaluation"].test_index]
    assert len(rows) == len(file)  # every row with an outcome is audited
    # Nothing was held out: the rows are called audited rows, not test rows.
    assert any("3,000 audited rows" in c.value for c in at.caption)
    expected = find_slices(
        rows[columns.value], truth.astype(int), predicted.astype(int), metric="error_rate"
    )
    assert slice_summary(expected) in [m.value for m in at.markdown]
    table = at.dataframe[0].value
    assert list(table["slice"]) == list(expected["slice"].head(50))
    np.testing.assert_allclose(table["value"], expected["value"].head(50))
    assert set(expected["conditions"].iloc[0]) & {("region", "south"), ("housing", "rent")}

    # One click: the slice's columns become the audit's sensitive features.
    chosen = at.selectbox(key="w:discover.chosen").value
    slice_columns = [c.split(" = ")[0] for c in chosen.split(" & ")]
    at.button(key="a:discover.use").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.multiselect(key="w:data.sensitive").value == slice_columns
    # (AppTest's next run is the page it last switched to: go to Data & model as a user is.)
    visit(at, "data_model")
    assert at.multiselect(key="w:data.sensitive").value == slice_columns
    at.button(key="a:data.audit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["evaluation"].problem.sensitive_features == tuple(slice_columns)
    visit(at, "explore")
    assert not [w.value for w in at.warning if "Stale results" in w.value]
    assert any("3,000 audited rows" in c.value for c in at.caption)
    assert list(at.dataframe[0].value.index.names) == slice_columns


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"workflow": "train"}, "1,200 test rows"),
        ({"workflow": "mitigate", "methods": [{"method": "barycenter"}]}, "1,200 test rows"),
        ({"workflow": "audit", "prediction": "p"}, "1,200 audited rows"),
        ({"workflow": "audit", "prediction": "p", "methods": [{"method": "barycenter"}]},
         "1,200 audited rows held out from the post-processing"),
    ],
)
def test_rows_the_models_are_measured_on_in_words(settings, words):
    import streamlit as st

    from fairdash_app.state import rows_measured

    st.session_state["settings"] = settings
    try:
        assert rows_measured(1200) == words
    finally:
        del st.session_state["settings"]
