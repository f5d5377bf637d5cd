"""The Report page's HTML report (AppTest): summary first, recommendation, what-if numbers."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import fairdash
import fairdash_app.report
from fairdash import datasets
from fairdash.metrics import group_metrics
from fairdash.tradeoff import MethodConfig, recommend_model, results_table, run_methods, split_data
from fairdash_app.workflows import evaluation_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def session():
    data = datasets.load("german")
    problem = fairdash.define_problem(data, target="risk", sensitive_features=["sex"])
    methods = [MethodConfig("unmitigated"), MethodConfig("reweighing"),
               MethodConfig("barycenter", {"alphas": [0.5, 1.0]})]
    results = run_methods(data, problem, methods=methods, random_state=0)
    split = split_data(data, problem, test_size=0.3, calibration_size=0.2, random_state=0)
    evaluation = evaluation_for(data, problem, split.test_index, data_name="german")
    labels = sorted(evaluation.sensitive_test["sex"].astype(str).unique())
    return {
        "data": data,
        "data_name": "german",
        "data_digest": None,
        "problem": problem,
        "models": results,
        "evaluation": evaluation,
        "current_model": results[0].name,
        "settings": {"workflow": "mitigate", "estimator": "logistic_regression",
                     "test_size": 0.3, "calibration_size": 0.2, "random_state": 0,
                     "methods": [m.to_dict() for m in methods]},
        "thresholds": {labels[0]: 0.4, labels[1]: 0.6},
    }


@pytest.fixture(scope="module")
def report(session):
    made = []
    original = fairdash_app.report.audit_report_html
    # The page calls the core; keep what it made.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fairdash_app.report, "audit_report_html",
                      lambda *a, **k: made.append(original(*a, **k)) or made[-1])
        at = AppTest.from_file(str(ROOT / "pages" / "report.py"), default_timeout=180)
        for key, value in session.items():
            at.session_state[key] = value
        at.run()
    assert not at.exception, at.exception
    assert len(made) == 1
    return made[0]


def _section(report: str, title: str) -> str:
    start = report.index(f"<h2>{html.escape(title)}</h2>")
    return report[start:report.index("</section>", start)]


def test_summary_comes_first_and_names_the_model(report, session):
    body = report[report.index("<body>"):]
    assert body.index('id="executive-summary"') < body.index("<nav>") < body.index('id="data"')
    summary = _section(report, "Executive summary")
    name = session["current_model"]
    assert f"for the model {html.escape(name)} as trained" in summary
    assert "What-if thresholds are set" in summary


def test_recommendation_follows_the_rule_on_the_session_models(report, session):
    table = results_table(session["models"], with_fit_seconds=False)
    chosen = recommend_model(table, max_performance_loss=0.01)  # the page's default, 1 point
    summary = _section(report, "Executive summary")
    models = _section(report, "Models tried and the recommendation")
    assert f"{html.escape(chosen.name)} <b>(recommended)</b>" in models
    assert models.count("(recommended)") == 1
    assert html.escape(chosen.rule) in models and html.escape(chosen.rule) in summary
    # Parameters in words: no JSON anywhere in the table.
    assert '{"' not in models and "&quot;" not in models
    assert models.count("<tr") == 1 + len(session["models"])


def test_whatif_section_has_its_own_numbers(report, session):
    evaluation = session["evaluation"]
    model = session["models"][0]
    labels = evaluation.sensitive_test["sex"].astype(str).to_numpy()
    thresholds = session["thresholds"]
    cut = np.array([thresholds[label] for label in labels])
    # Independent: the model's scores against each row's group threshold.
    expected = group_metrics(evaluation.y_test, (model.y_score >= cut).astype(int),
                             evaluation.sensitive_test)
    section = _section(report, "What-if thresholds (not the model as trained)")
    assert "They are not the model as trained" in section
    overall = expected.overall
    assert f"accuracy is {overall['accuracy']:.3f}" in section
    assert f"{overall['selection_rate'] * 100:.1f}% of all rows" in section
    for label, row in expected.by_group.iterrows():
        cells = re.search(rf"<td>{label}</td>(.*?)</tr>", section).group(1)
        values = re.findall(r'class="num">([\d.,]+)', cells)
        assert values[:3] == [f"{thresholds[label]:.3f}", f"{int(row['count']):,}",
                              f"{row['selection_rate']:.3f}"]
    # The headline numbers stay those of the model as trained.
    trained = model.metrics.disparities()["demographic_parity_difference"]
    assert f"{trained:.3f}" in _section(report, "Summary disparities")


def test_no_escape_codes_and_no_raw_json(report):
    # What the reader sees: everything but the scripts (plotly's data is JSON, decoded by it).
    visible = re.sub(r"<script.*?</script>", "", report, flags=re.S)
    assert "\\u" not in visible
    assert "<pre>" not in visible


def test_every_section_of_model_numbers_says_whose_they_are(report, session):
    sections = re.findall(r'<section id="([^"]+)"[^>]*><h2>(.*?)</h2>(.*?)</section>', report,
                          flags=re.S)
    about_data = {"data", "problem", "notes", "data-stage"}
    checked = 0
    for anchor, title, body in sections:
        if anchor in about_data:
            continue
        assert '<p class="basis">' in body, title
        checked += 1
    assert checked >= 7
    name = html.escape(session["current_model"])
    assert f"Numbers in this section: the model {name}, as trained" in _section(
        report, "Error rates by group")


def test_the_loss_budget_set_on_the_page_reaches_the_recommendation(session):
    made = []
    original = fairdash_app.report.session_report
    table = results_table(session["models"], with_fit_seconds=False)
    budgets = {}
    for points in (0.0, 50.0):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(fairdash_app.report, "session_report",
                          lambda *a, **k: made.append(k) or original(*a, **k))
            at = AppTest.from_file(str(ROOT / "pages" / "report.py"), default_timeout=180)
            for key, value in session.items():
                at.session_state[key] = value
            at.session_state["w:report.max_loss"] = points
            at.run()
        assert not at.exception, at.exception
        assert made[-1]["max_performance_loss"] == points / 100
        budgets[points] = recommend_model(table, max_performance_loss=points / 100)
    # The rule's choice changes with the budget on these models (else this test proves nothing).
    assert budgets[0.0].name != budgets[50.0].name


def test_side_by_side_flips_and_calibration_of_the_session(report, session):
    from fairdash.metrics import calibration_by_group

    table = results_table(session["models"], with_fit_seconds=False)
    chosen = recommend_model(table, max_performance_loss=0.01)
    assert not chosen.is_baseline  # else the section is rightly absent and this proves nothing
    by_name = {m.name: m for m in session["models"]}
    evaluation = session["evaluation"]
    frame = evaluation.sensitive_test.assign(
        first=by_name[chosen.baseline].y_pred, second=by_name[chosen.name].y_pred)
    section = _section(report, "The recommended model beside the unmitigated one")
    assert f"from {html.escape(chosen.baseline)} to {html.escape(chosen.name)}" in section
    for group, rows in frame.groupby("sex"):
        gained = int(((rows["first"] == 0) & (rows["second"] == 1)).sum())
        lost = int(((rows["first"] == 1) & (rows["second"] == 0)).sum())
        cells = re.search(rf"<td>{group}</td>(.*?)</tr>", section).group(1)
        values = re.findall(r'class="num">([^<]+)', cells)
        assert values[0] == f"{len(rows):,}" and values[-2:] == [f"{gained:,}", f"{lost:,}"]
        change = rows["second"].mean() - rows["first"].mean()
        assert values[1] == f"{change * 100:+.1f}"
    calibration = calibration_by_group(
        evaluation.y_test, session["models"][0].y_score, evaluation.sensitive_test)
    section = _section(report, "Calibration by group")
    for group, row in calibration.summary.iterrows():
        assert f"{row['expected_calibration_error']:.3f}" in section, group
    assert "Base rates" in section


def test_the_trade_off_section_says_what_the_hypervolume_measures(report, session):
    from fairdash.tradeoff import hypervolume, hypervolume_reference

    table = results_table(session["models"], with_fit_seconds=False)
    front = table[table["on_front"]]
    reference = hypervolume_reference(1 - table["accuracy"],
                                      table["demographic_parity_difference"])
    volume = hypervolume(1 - front["accuracy"], front["demographic_parity_difference"],
                         reference=reference)
    section = _section(report, "Performance vs disparity")
    assert f"{len(table)} models, {len(front)} on the Pareto front." in section
    assert f"Hypervolume {volume:.4f}" in section and volume > 0


def test_report_follows_the_definition_and_the_small_group_policy(session):
    made = []
    original = fairdash_app.report.session_report
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fairdash_app.report, "session_report",
                      lambda *a, **k: made.append(k) or original(*a, **k))
        at = AppTest.from_file(str(ROOT / "pages" / "report.py"), default_timeout=180)
        for key, value in session.items():
            at.session_state[key] = value
        at.session_state["w:data.min_group_size"] = 400
        at.run()
    assert not at.exception, at.exception
    assert made[-1]["min_group_size"] == 400
    html_text = original(*[session["models"][0], session["models"], session["evaluation"]],
                         min_group_size=400)[0]
    summary = _section(html_text, "Executive summary")
    # Fewer than two groups of 400 test rows: nothing compared, both groups named as left out.
    assert "Fewer than two groups have at least 400 test rows" in summary
    assert "2 group(s) have fewer than 400 test rows" in summary
    assert "The favourable outcome is risk = 1: this was guessed" in summary
