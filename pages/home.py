"""Home: what FairDash does, and a one-click demo on UCI Adult."""

from __future__ import annotations

import streamlit as st

import fairdash
from fairdash import markdown_text
from fairdash.tradeoff import MethodConfig
from fairdash_app.navigation import PAGES
from fairdash_app.state import action_key, init_state, show_definition, use_data
from fairdash_app.workflows import bundled_data, mitigate_and_store

init_state()

DEMO_METHODS = [
    MethodConfig("unmitigated"),
    MethodConfig("reweighing"),
    # sex x race has 10 groups: too many dimensions for grid search (see grid_search_note).
    MethodConfig("threshold_optimizer", {"constraints": "demographic_parity"}),
    MethodConfig("barycenter"),
]


def run_demo() -> None:
    """Adult, sex × race, logistic regression and three mitigations; then the Compare page."""
    bar = st.progress(0.0, text="Loading UCI Adult…")
    data = bundled_data("adult")
    use_data(data, "adult", None)
    problem = fairdash.define_problem(
        data, target="income", positive_label=">50K", sensitive_features=["sex", "race"]
    )

    def progress(done: float, total: int, message: str) -> None:
        text = f"{int(done)}/{total} models · {markdown_text(message)}"
        bar.progress(min(done / max(total, 1), 1.0), text=text)

    mitigate_and_store(
        data, problem, DEMO_METHODS, estimator="logistic_regression", test_size=0.3,
        calibration_size=0.2, seed=0, progress=progress,
    )
    show_definition(problem, data_name="adult", bundled=True)
    st.switch_page(PAGES["compare"].path)


st.title("FairDash")
st.markdown(
    "Explore and mitigate unfairness in machine-learning models. Choose data and a model, "
    "see who is treated differently, by how much and how sure we are; compare mitigations on "
    "the performance-vs-disparity front; move thresholds and watch every metric change; "
    "export a report."
)
st.button(
    "Run the demo", type="primary", key=action_key("home", "demo"), icon=":material/play_arrow:",
    help="UCI Adult, sex × race, logistic regression with reweighing, the threshold "
    "optimizer (demographic parity) and the Wasserstein barycenter; about half a minute.",
)
if st.session_state.get(action_key("home", "demo")):
    run_demo()

st.markdown(
    """
**Pages**
- **Data & model**: bundled UCI Adult / German credit or your CSV, TSV, Parquet or Excel file;
  the target, the favourable label, sensitive features (their combinations are the groups) and
  an estimator; group metrics with confidence intervals.
- **Mitigate**: reweighing, correlation remover, linear FERM, grid search, exponentiated
  gradient, threshold optimizer, Wasserstein barycenter.
- **Compare**: every model on the performance-vs-disparity plane with the Pareto front; pick the
  current model.
- **Explore**: tables, intersectional charts, heatmaps, error rates, scores and ROC by group.
- **What-if**: thresholds per group, one-click strategies.
- **Report**: a self-contained HTML report, tables as CSV, charts, the session's configuration.
"""
)
