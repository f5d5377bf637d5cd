"""Methods that could not run stay in the session and are listed in the report with why."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from streamlit.testing.v1 import AppTest

import fairdash
import fairdash_app.report
from fairdash.models import make_preprocessor
from fairdash.tradeoff import MethodConfig, run_methods, split_data
from fairdash_app.workflows import evaluation_for
from tests.tradeoff._tiny_groups import make_tiny_groups_frame

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def session():
    data = make_tiny_groups_frame()
    problem = fairdash.define_problem(
        data, target="two_year_recid", positive_label=0, sensitive_features=["race", "sex"],
        feature_columns=["age", "priors_count"],
    )
    # Nearest neighbours take no sample weights, which grid search needs: it cannot run.
    knn = make_pipeline(make_preprocessor(data[list(problem.feature_columns)]),
                        KNeighborsClassifier())
    results = run_methods(data, problem, estimator=knn, random_state=0, methods=[
        "unmitigated", MethodConfig("grid_search", {"grid_size": 3}), "barycenter"])
    assert [f.method for f in results.failures] == ["grid_search"]
    split = split_data(data, problem, random_state=0)
    return {"data": data, "data_name": "tiny.csv", "data_digest": "x", "problem": problem,
            "results": results, "current_model": results[0].name,
            "evaluation": evaluation_for(data, problem, split.test_index,
                                         data_name="tiny.csv", data_digest="x")}


def _keep_models():
    """A page's script: store a run's models as the app does, then show what was kept."""
    import streamlit as st

    from fairdash_app.state import discard_results, init_state, set_models

    init_state()
    state = st.session_state
    if not state.get("stored"):
        set_models(state["results"], state["evaluation"])
        state["stored"] = True
    st.write(len(state["failures"]))
    if st.button("discard", key="discard"):
        discard_results()


def test_set_models_keeps_the_failures_and_the_report_lists_them(session):
    results = session["results"]
    at = AppTest.from_function(_keep_models, default_timeout=60)
    at.session_state["results"] = results
    at.session_state["evaluation"] = session["evaluation"]
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["failures"] == results.failures
    at.button(key="discard").click().run()
    assert at.session_state["failures"] == []

    made = []
    original = fairdash_app.report.audit_report_html
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fairdash_app.report, "audit_report_html",
                      lambda *a, **k: made.append(original(*a, **k)) or made[-1])
        at = AppTest.from_file(str(ROOT / "pages" / "report.py"), default_timeout=180)
        for key, value in session.items():
            if key != "results":
                at.session_state[key] = value
        at.session_state["models"] = list(results)
        at.session_state["failures"] = results.failures
        at.run()
    assert not at.exception, at.exception
    report = html.unescape(made[-1])
    message = results.failures[0].message
    assert "sample weights" in message
    summary = report[report.index("Executive summary"):report.index("</section>")]
    assert f"{results.failures[0].name} could not run: {message}" in summary
    tried = report[report.index("Models tried and the recommendation"):]
    assert "Tried but could not run (no model):" in tried
    assert f"{results.failures[0].name}: {message}" in tried.replace("<b>", "").replace("</b>", "")


def test_mitigate_page_keeps_showing_the_failures(session):
    results = session["results"]
    at = AppTest.from_file(str(ROOT / "pages" / "mitigate.py"), default_timeout=180)
    for key, value in session.items():
        if key != "results":
            at.session_state[key] = value
    at.session_state["models"] = list(results)
    at.session_state["failures"] = results.failures
    at.run()
    assert not at.exception, at.exception
    assert any("could not run" in w.value and "sample weights" in w.value for w in at.warning)
