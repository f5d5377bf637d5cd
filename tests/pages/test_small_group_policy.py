"""One small-group policy on every page (AppTest): Compare's axes, front and table, What-if's
strategies and Data & model's "hide small groups" follow the minimum group size set on Data &
model, on a file with groups of 1-3 people. Numbers are checked against fairlearn on the test
rows with the small groups' rows dropped."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fairlearn.metrics import demographic_parity_difference
from streamlit.testing.v1 import AppTest

import fairdash
from fairdash.thresholds import ThresholdCurves, choose_thresholds
from fairdash.tradeoff import MethodConfig, run_methods, split_data
from fairdash_app.workflows import evaluation_for
from tests.conftest import shown_text
from tests.tradeoff._tiny_groups import make_tiny_groups_frame

ROOT = Path(__file__).resolve().parents[2]
SIZE = "w:data.min_group_size"


@pytest.fixture(scope="module")
def session():
    data = make_tiny_groups_frame()
    problem = fairdash.define_problem(
        data, target="two_year_recid", positive_label=0, sensitive_features=["race", "sex"],
        feature_columns=["age", "priors_count"],
    )
    methods = [MethodConfig("unmitigated"), MethodConfig("reweighing"),
               MethodConfig("threshold_optimizer", {"constraints": "demographic_parity",
                                                    "tolerances": [0.0, 0.05, 0.1]})]
    results = run_methods(data, problem, methods=methods, random_state=0)
    assert not results.failures, results.failures
    split = split_data(data, problem, random_state=0)
    evaluation = evaluation_for(data, problem, split.test_index, data_name="tiny.csv",
                                data_digest="x")
    assert len(evaluation.y_test) == len(results[0].y_pred)
    return {"data": data, "data_name": "tiny.csv", "data_digest": "x", "problem": problem,
            "models": results, "evaluation": evaluation, "current_model": results[0].name}


def run(name: str, session: dict, **extra) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=180)
    for key, value in {**session, **extra}.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def kept_rows(evaluation, size: int) -> np.ndarray:
    sensitive = evaluation.sensitive_test
    sizes = sensitive.groupby(list(sensitive.columns), observed=True)[sensitive.columns[0]]
    return (sizes.transform("size") >= size).to_numpy()


def small_labels(evaluation, size: int) -> list[str]:
    counts = evaluation.sensitive_test.value_counts()
    return sorted(f"{r} × {s}" for (r, s), n in counts.items() if 0 < n < size)


def test_compare_axes_and_table_leave_small_groups_out_and_name_them(session):
    evaluation = session["evaluation"]
    at = run("compare", session, **{SIZE: 30})
    captions = " ".join(shown_text(c.value) for c in at.caption)
    left_out = small_labels(evaluation, 30)
    assert "Asian × Female" in left_out
    assert "Left out of the summary numbers" in captions
    assert f"{len(left_out)} group(s) with fewer than 30 rows" in captions
    assert "Asian × Female (" in captions
    table = at.dataframe[0].value.set_index("name")
    keep = kept_rows(evaluation, 30)
    dropped = evaluation.sensitive_test[keep]
    for model in session["models"]:
        expected = demographic_parity_difference(
            evaluation.y_test[keep], model.y_pred[keep], sensitive_features=dropped)
        assert table.loc[model.name, "demographic_parity_difference"] == pytest.approx(
            expected, abs=1e-12)
    # The policy at 0: every group, fairlearn exactly, and no note.
    at = run("compare", session, **{SIZE: 0})
    table = at.dataframe[0].value.set_index("name")
    for model in session["models"]:
        expected = demographic_parity_difference(
            evaluation.y_test, model.y_pred, sensitive_features=evaluation.sensitive_test)
        assert table.loc[model.name, "demographic_parity_difference"] == pytest.approx(
            expected, abs=1e-12)
    assert "Left out of the summary numbers" not in " ".join(c.value for c in at.caption)


def test_compare_with_fewer_than_two_groups_left_says_there_is_no_front(session):
    at = run("compare", session, **{SIZE: 1000})
    captions = " ".join(shown_text(c.value) for c in at.caption)
    assert "no model has a defined demographic parity difference" in captions
    assert "Fewer than two groups are left" in captions


def test_whatif_strategy_leaves_small_groups_out_and_says_so(session):
    evaluation = session["evaluation"]
    model = session["models"][0]
    at = run("whatif", session, **{SIZE: 30})
    assert "per-group strategies leave the" in " ".join(c.value for c in at.caption)
    at.button(key="a:whatif.strategy.demographic_parity").click().run()
    assert not at.exception
    message = next(shown_text(m.value) for m in [*at.success, *at.warning]
                   if m.value.startswith("**Demographic parity**"))
    left_out = small_labels(evaluation, 30)
    assert "left out of the target" in message and left_out[0] in message
    curves = ThresholdCurves(evaluation.y_test, model.y_score, evaluation.sensitive_test)
    common = choose_thresholds(curves, "single_best", cost_ratio=1.0)[0]
    chosen = at.session_state["thresholds"]
    for label in left_out:
        assert chosen[label] == pytest.approx(min(max(common, 0.0), 1.0))
    # The gap reported is over the large groups only, from the thresholded rows.
    labels = np.array(curves.labels())[curves.codes]
    pred = (model.y_score >= np.array([chosen[g] for g in labels])).astype(int)
    large = [g for g in np.unique(labels) if g not in left_out]
    rates = [pred[labels == g].mean() for g in large]
    outcome = at.session_state["strategy_outcome"]["outcome"]
    assert outcome.gap == pytest.approx(max(rates) - min(rates), abs=1e-9)
    # The group table's small flags follow the policy.
    table = at.dataframe[0].value
    assert sorted(table.index[table["small_group"] & (table["count"] > 0)]) == left_out


def test_data_model_hide_small_groups_follows_the_policy():
    data = make_tiny_groups_frame()
    at = AppTest.from_file(str(ROOT / "pages" / "data_model.py"), default_timeout=180)
    at.run()
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value(
        ("tiny.csv", data.to_csv(index=False).encode(), "text/csv")).run()
    at.selectbox(key="w:data.target").set_value("two_year_recid").run()
    at.multiselect(key="w:data.sensitive").set_value(["race", "sex"]).run()
    at.button(key="a:data.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    # The policy changes after training: flags, the table and the option follow it.
    at.number_input(key=SIZE).set_value(5).run()
    assert not at.exception
    box = at.checkbox(key="w:data.hide_small")
    assert box.label == "Hide groups with fewer than 5 rows in the chart"
    box.check().run()
    sizes = at.session_state["metrics"].group_sizes
    expected = sorted(str(k[0]) + " × " + str(k[1]) for k, n in sizes.items() if n >= 5)
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert sorted(bars["x"]) == expected
    table = next(d.value for d in at.dataframe if "small_group" in d.value)
    assert (table["small_group"] == (table["count"].fillna(0) < 5)).all()
