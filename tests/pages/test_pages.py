"""AppTest tests of the Home, Mitigate, Compare, Explore, What-if and Report pages.

Each page runs on its own (as after a direct link), with the session state a user would have
after training: models computed once with the core and put into a fresh session."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import fairdash
from fairdash import datasets
from fairdash.tradeoff import MethodConfig, run_methods, split_data
from fairdash_app.workflows import evaluation_for
from tests.conftest import shown_text

ROOT = Path(__file__).resolve().parents[2]


def page(name: str) -> str:
    return str(ROOT / "pages" / f"{name}.py")


def values(array) -> list:
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.fixture(scope="module")
def session():
    data = datasets.load("adult")
    problem = fairdash.define_problem(
        data, target="income", positive_label=">50K", sensitive_features=["sex", "race"]
    )
    methods = [MethodConfig("unmitigated"), MethodConfig("grid_search", {"grid_size": 4}),
               MethodConfig("barycenter", {"alphas": [0.0, 0.5, 1.0]})]
    results = run_methods(data, problem, methods=methods, random_state=0)
    split = split_data(data, problem, test_size=0.3, calibration_size=0.2, random_state=0)
    return {
        "data": data,
        "data_name": "adult",
        "data_digest": None,
        "problem": problem,
        "models": results,
        "evaluation": evaluation_for(data, problem, split.test_index, data_name="adult"),
        "current_model": results[0].name,
        "settings": {"workflow": "mitigate", "estimator": "logistic_regression",
                     "test_size": 0.3, "calibration_size": 0.2, "random_state": 0,
                     "methods": [m.to_dict() for m in methods]},
    }


def run(name: str, session: dict | None = None) -> AppTest:
    at = AppTest.from_file(page(name), default_timeout=180)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("name", ["mitigate", "compare", "explore", "whatif"])
def test_pages_without_a_model_say_where_to_start(name):
    at = run(name)
    assert at.info, f"{name} shows no guidance"
    assert not at.error


def test_home_demo_lands_on_compare_with_models():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.button(key="a:home.demo").click().run()
    assert not at.exception, at.exception
    models = at.session_state["models"]
    methods = {m.method for m in models}
    assert methods == {"unmitigated", "reweighing", "threshold_optimizer", "barycenter"}
    assert len(models) == 1 + 1 + 6 + 21
    # landed on Compare: its scatter is drawn
    assert any("Pareto front" in json.dumps(c) for c in charts(at))
    # Data & model shows the definition the demo's models were made for (not stale)
    at.switch_page("pages/data_model.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="w:data.bundled").value == "adult"
    assert at.multiselect(key="w:data.sensitive").value == ["sex", "race"]
    assert at.selectbox(key="w:data.positive").value == ">50K"
    assert not any("computed for" in w.value for w in at.warning)
    assert len(at.session_state["models"]) == len(models)
    # What-if on a threshold optimizer model says why its thresholds barely move decisions.
    at.session_state["current_model"] = next(
        m.name for m in models if m.method == "threshold_optimizer")
    at.switch_page("pages/whatif.py").run()
    assert not at.exception, at.exception
    assert any("probabilities of its randomized decisions" in i.value for i in at.info)


def test_mitigate_runs_methods_and_lists_models(session):
    state = {k: session[k] for k in ("data", "data_name", "data_digest", "problem")}
    at = run("mitigate", state)
    at.multiselect(key="w:mitigate.methods.classification").set_value(
        ["reweighing", "barycenter"]).run()
    at.slider(key="w:mitigate.param.barycenter.alphas").set_value(5).run()
    at.button(key="a:mitigate.run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    names = [m.name for m in at.session_state["models"]]
    assert len(names) == 1 + 1 + 5
    assert at.session_state["settings"]["workflow"] == "mitigate"


def test_compare_scatter_front_and_selection(session):
    at = run("compare", session)
    fig = charts(at)[0]
    front = next(t for t in fig["data"] if t.get("name") == "Pareto front")
    points = sum(len(values(t["x"])) for t in fig["data"] if t.get("mode") == "markers"
                 and t.get("name") != "current model")
    assert points == len(session["models"])
    assert 1 <= len(values(front["x"])) <= points
    star = next(t for t in fig["data"] if t.get("name") == "Unmitigated model")
    assert len(values(star["x"])) == 1
    # choosing a model in the list makes it current
    other = session["models"][3].name
    box = at.selectbox(key="w:compare.current")
    box.set_value(other).run()
    assert at.session_state["current_model"] == other


def test_compare_methods_intervals_hypervolume_and_words(session):
    from fairdash.tradeoff import (
        hypervolume,
        hypervolume_reference,
        results_table,
        tradeoff_intervals,
    )

    at = run("compare", session)
    fig = charts(at)[0]
    traces = {t.get("name"): t for t in fig["data"]}
    assert {"Unmitigated model", "Grid search", "Wasserstein barycenter"} <= set(traces)
    grid = traces["Grid search"]
    assert len(values(grid["error_y"]["array"])) == 4 and len(values(grid["error_x"]["array"])) == 4
    hover = grid["customdata"][0][1]
    assert "Method: Grid search" in hover and "constraint" in hover and "{" not in hover
    # The hypervolume's reference point comes from the models shown: never 0 for these.
    table = results_table(session["models"])
    reference = hypervolume_reference(1 - table["accuracy"],
                                      table["demographic_parity_difference"])
    front = table[table["on_front"]]
    volume = hypervolume(1 - front["accuracy"], front["demographic_parity_difference"],
                         reference=reference)
    caption = next(c.value for c in at.caption if "Hypervolume" in c.value)
    assert volume > 0 and f"Hypervolume {volume:.4f}" in caption
    assert "that the models shown dominate" in caption
    shown = at.dataframe[0].value
    assert "description" in shown and not shown["description"].str.contains("{").any()
    intervals = tradeoff_intervals(
        session["models"], y_true=session["evaluation"].y_test,
        sensitive_features=session["evaluation"].sensitive_test, n_boot=200).table()
    first = intervals.iloc[0]
    assert shown["accuracy interval"][0] == (
        f"{first['accuracy_lower']:.3f} – {first['accuracy_upper']:.3f}")
    assert "demographic_parity_difference interval" in shown


def test_compare_two_models_side_by_side(session):
    at = run("compare", session)
    models = session["models"]
    first, second = at.selectbox(key="w:compare.first"), at.selectbox(key="w:compare.second")
    from fairdash.tradeoff import results_table

    table = results_table(models)
    fairest = table[table["on_front"] & (table["name"] != "unmitigated")].sort_values(
        "demographic_parity_difference")["name"].iloc[0]
    assert first.value == "unmitigated" and second.value == fairest
    second.set_value(models[2].name).run()
    assert not at.exception
    a, b = models[0].y_pred, models[2].y_pred
    gained, lost = int(((a == 0) & (b == 1)).sum()), int(((a == 1) & (b == 0)).sum())
    sentence = next(m.value for m in at.markdown if m.value.startswith("Moving from"))
    assert f"{gained:,} people get the favourable decision" in sentence
    assert f"{lost:,} lose it" in sentence
    chart = next(c for c in charts(at) if "compared with" in c["layout"]["title"]["text"])
    title = chart["layout"]["title"]["text"]
    assert title.startswith(f"{models[2].name} compared with unmitigated")
    flips = at.dataframe[1].value
    assert flips["gained"].sum() == gained and flips["lost"].sum() == lost


def test_explore_shows_tables_charts_heatmap_and_cards(session):
    at = run("explore", session)
    titles = [c["layout"]["title"]["text"] for c in charts(at)]
    assert "Selection rate by group" in titles
    assert "Error rates by group" in titles
    assert any(t.startswith("Selection rate by sex × race") for t in titles)
    assert "ROC curve by group" in titles
    labels = [m.label for m in at.metric]
    assert "Four-fifths rule (disparate impact ratio)" in labels
    at.selectbox(key="w:explore.reference").set_value("Female × White").run()
    assert not at.exception


def test_explore_differences_calibration_and_predictive_parity(session):
    from fairdash.metrics import calibration_by_group

    at = run("explore", session)
    model, evaluation = session["models"][0], session["evaluation"]
    tables = {i: d.value for i, d in enumerate(at.dataframe)}
    differences = next(t for t in tables.values() if "selection_rate_difference" in t)
    assert "count_difference" not in differences and "count_ratio" not in differences
    assert differences["count"].equals(model.metrics.by_group["count"])
    titles = [c["layout"]["title"]["text"] for c in charts(at)]
    assert any(t.startswith("Calibration by group") for t in titles)
    assert any(t.startswith("Score distribution by group") for t in titles)
    expected = calibration_by_group(evaluation.y_test, model.y_score, evaluation.sensitive_test)
    ece = next(t for t in tables.values() if "expected_calibration_error" in t)
    np.testing.assert_allclose(ece["expected_calibration_error"],
                               expected.summary["expected_calibration_error"])
    columns = ["count", "base_rate", "precision", "negative_predictive_value",
               "true_positive_rate", "false_positive_rate"]
    balance = next(t for t in tables.values() if list(t.columns) == columns)
    np.testing.assert_allclose(balance["precision"],
                               model.metrics.by_group["precision"][balance.index])
    note = next(m.value for m in at.markdown if m.value.startswith("Base rates"))
    assert "Chouldechova 2017" in note
    at.radio(key="w:explore.calibration_strategy").set_value("quantile").run()
    assert not at.exception


def test_whatif_strategy_sets_thresholds_and_updates_metrics(session):
    at = run("whatif", session)
    before = at.session_state["thresholds"]
    at.button(key="a:whatif.strategy.demographic_parity").click().run()
    assert not at.exception
    assert at.radio(key="w:whatif.mode").value == "One threshold per group"
    after = at.session_state["thresholds"]
    assert after != before
    table = at.dataframe[0].value
    big = table[table["count"] >= 300]
    assert np.ptp(big["selection_rate"]) <= 0.02
    # moving one group's slider changes that group's selection rate
    rate = table.loc["Female × White", "selection_rate"]
    slider = at.slider(key="w:whatif.group." + str(list(table.index).index("Female × White")))
    slider.set_value(min(slider.value + 0.1, 1.0)).run()
    new = at.dataframe[0].value
    assert new.loc["Female × White", "selection_rate"] < rate
    at.button(key="a:whatif.add").click().run()
    assert any(m.method == "what-if thresholds" for m in at.session_state["models"])


def test_whatif_strategy_reports_its_outcome_and_sliders_suit_the_scores(session):
    from fairdash.thresholds import ThresholdCurves, apply_strategy, threshold_step

    at = run("whatif", session)
    model, evaluation = session["models"][0], session["evaluation"]
    single = at.slider(key="w:whatif.all")
    assert single.proto.step == threshold_step(model.y_score) == 0.01
    single.set_value(0.42).run()
    # Switching to per-group thresholds starts every group at the single threshold.
    at.radio(key="w:whatif.mode").set_value("One threshold per group").run()
    groups = [s for s in at.slider if s.key.startswith("w:whatif.group.")]
    assert groups and all(s.value == pytest.approx(0.42) for s in groups)
    at.button(key="a:whatif.strategy.demographic_parity").click().run()
    assert not at.exception
    curves = ThresholdCurves(evaluation.y_test, model.y_score, evaluation.sensitive_test)
    # The page applies the session's small-group policy (default 30 rows).
    expected = apply_strategy(curves, "demographic_parity", cost_ratio=1.0, min_group_size=30)
    shown = [*at.success, *at.warning]
    message = shown_text(
        next(m.value for m in shown if m.value.startswith("**Demographic parity**")))
    assert f"the largest gap between groups is {expected.gap:.3f}" in message
    assert ("not met" in message) == (not expected.met)
    if not expected.met:
        assert expected.reasons[0] in message
    # Moving a slider afterwards: the message no longer claims the strategy's result.
    groups = [s for s in at.slider if s.key.startswith("w:whatif.group.")]
    groups[0].set_value(min(groups[0].value + 0.1, 1.0)).run()
    assert not any(m.value.startswith("**Demographic parity**") for m in [*at.success,
                                                                          *at.warning])


def test_report_downloads(session):
    at = run("report", session)
    buttons = {b.proto.label for b in at.get("download_button")}
    assert {"HTML report", "Group metrics (CSV)", "Models (CSV)",
            "Configuration (JSON)"} <= buttons


def test_configuration_round_trips_to_identical_metrics(session):
    at = run("report", session)
    from fairdash_app.workflows import CONFIG_VERSION

    config = {
        "fairdash_config": CONFIG_VERSION,
        "data": {"name": "adult", "sha256": None, "bundled": True},
        "problem": session["problem"].to_dict(),
        "settings": session["settings"],
        "current_model": session["models"][2].name,
        "thresholds": None,
    }
    fresh = run("report")
    fresh.file_uploader(key="a:report.config_upload").set_value(
        ("fairdash-config.json", json.dumps(config).encode(), "application/json")).run()
    fresh.button(key="a:report.restore").click().run()
    assert not fresh.exception and not fresh.error, [e.value for e in fresh.error]
    restored = fresh.session_state["models"]
    assert [m.name for m in restored] == [m.name for m in session["models"]]
    assert fresh.session_state["current_model"] == session["models"][2].name
    for a, b in zip(restored, session["models"], strict=True):
        np.testing.assert_array_equal(a.y_pred, b.y_pred)
        assert a.metrics.by_group.equals(b.metrics.by_group)
    del at


def test_regression_end_to_end_on_adult_hours_per_week():
    """Regression: train, barycenter post-processing, per-group errors, KS disparity."""
    at = run("data_model")
    at.selectbox(key="w:data.target").set_value("hours-per-week").run()
    at.multiselect(key="w:data.sensitive").set_value(["sex"]).run()
    at.selectbox(key="w:data.estimator.regression").set_value("ridge").run()
    at.button(key="a:data.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["problem"].task == "regression"
    assert "KS distance" in [m.label for m in at.metric]
    state = {k: at.session_state[k] for k in ("data", "data_name", "data_digest", "problem",
                                                "models", "evaluation", "current_model")}
    mit = run("mitigate", state)
    assert mit.multiselect(key="w:mitigate.methods.regression").value == ["barycenter"]
    mit.button(key="a:mitigate.run").click().run()
    assert not mit.exception and not mit.error, [e.value for e in mit.error]
    models = mit.session_state["models"]
    assert {m.method for m in models} == {"unmitigated", "barycenter"}
    ks = {m.name: m.metrics.disparities()["ks_distance"] for m in models}
    fair = next(m for m in models if m.params.get("alpha") == 0.0)
    assert ks["unmitigated"] > 0.3  # men's predicted hours are higher
    assert ks[fair.name] < 0.1
    state.update(models=models, evaluation=mit.session_state["evaluation"],
                 current_model=fair.name)
    comp = run("compare", state)
    fig = charts(comp)[0]
    assert fig["layout"]["xaxis"]["title"]["text"].startswith("ks distance")
    exp = run("explore", state)
    assert not exp.error
    assert "root_mean_squared_error" in exp.dataframe[0].value.columns
    errors = next(c for c in charts(exp)
                  if c["layout"]["title"]["text"].startswith("Over- and under-prediction"))
    assert [t["name"] for t in errors["data"]] == ["over-prediction", "under-prediction"]


def test_adult_tutorial_flow_click_by_click():
    """Unaware decision tree, metrics by sex x race, grid search (demographic parity), front."""
    at = run("data_model")
    at.multiselect(key="w:data.sensitive").set_value(["sex", "race"]).run()
    assert at.checkbox(key="w:data.include_sensitive").value is False  # unaware
    at.selectbox(key="w:data.estimator.classification").set_value("decision_tree").run()
    at.button(key="a:data.train").click().run()
    assert not at.error, [e.value for e in at.error]
    problem = at.session_state["problem"]
    assert "sex" not in problem.feature_columns and "race" not in problem.feature_columns
    groups = at.session_state["metrics"].by_group
    assert groups.index.names == ["sex", "race"]
    state = {k: at.session_state[k] for k in ("data", "data_name", "data_digest", "problem",
                                                "run", "models", "evaluation", "current_model")}
    mit = run("mitigate", state)
    assert mit.selectbox(key="w:mitigate.estimator.classification").value == "decision_tree"
    mit.multiselect(key="w:mitigate.methods.classification").set_value(["grid_search"]).run()
    constraint = mit.selectbox(key="w:mitigate.param.grid_search.constraints")
    assert constraint.value == "demographic_parity"
    mit.slider(key="w:mitigate.param.grid_search.grid_size").set_value(6).run()
    mit.button(key="a:mitigate.run").click().run()
    assert not mit.exception and not mit.error, [e.value for e in mit.error]
    models = mit.session_state["models"]
    assert len(models) == 1 + 6
    state.update(models=models, evaluation=mit.session_state["evaluation"],
                 current_model=models[0].name)
    comp = run("compare", state)
    table = comp.dataframe[0].value
    assert table["on_front"].sum() >= 1
    assert set(table["method_label"]) == {"Unmitigated model", "Grid search"}
    front = table[table["on_front"]]
    # non-dominated: no model is both more accurate and fairer than a front model
    for _, row in front.iterrows():
        better = table[(table["accuracy"] > row["accuracy"])
                       & (table["demographic_parity_difference"]
                          < row["demographic_parity_difference"])]
        assert better.empty


def test_explore_best_reference_is_the_clis_best(session):
    """"Best group" leaves out groups flagged small, as ``fairdash audit --reference best``."""
    # A policy of 1,000 rows flags the group with the highest selection rate as small.
    at = run("explore", {**session, "w:data.min_group_size": 1000})
    box = next(s for s in at.selectbox if s.label == "Reference for differences and ratios")
    box.select(next(o for o in box.options if o.startswith("best group"))).run()
    assert not at.exception, at.exception
    metrics = session["models"][0].metrics
    by_group = metrics.by_group
    large = by_group[by_group["count"] >= 1000]
    expected = large["selection_rate"].idxmax()
    assert expected != by_group["selection_rate"].idxmax()
    differences = at.dataframe[1].value
    row = differences.loc[expected]
    assert row["selection_rate_difference"] == 0.0
    others = differences.drop(index=expected)["selection_rate_difference"].dropna()
    # Every other group differs from it: the reference is that group and no other.
    assert (others != 0.0).all()
