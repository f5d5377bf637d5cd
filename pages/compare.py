"""Compare: every model on the performance-vs-disparity plane, with the Pareto front."""

from __future__ import annotations

import streamlit as st

import fairdash
from fairdash.plots import tradeoff_scatter
from fairdash.tradeoff import hypervolume, results_table
from fairdash_app.state import action_key, current_model, init_state, require_models, widget_key

init_state()

CLASSIFICATION_PERFORMANCE = ["accuracy", "balanced_accuracy"]
CLASSIFICATION_DISPARITY = [
    "demographic_parity_difference",
    "equalized_odds_difference",
    "equal_opportunity_difference",
]
REGRESSION_PERFORMANCE = ["root_mean_squared_error"]
REGRESSION_DISPARITY = ["ks_distance", "wasserstein_distance"]

st.title("Compare models")
if not require_models():
    st.stop()

state = st.session_state
models = state["models"]
problem = state["evaluation"].problem
regression = problem.task == "regression"
c1, c2 = st.columns(2)
performance = c1.selectbox(
    "Performance", REGRESSION_PERFORMANCE if regression else CLASSIFICATION_PERFORMANCE,
    format_func=lambda m: m.replace("_", " "), key=widget_key("compare", "performance"),
)
disparity = c2.selectbox(
    "Disparity", REGRESSION_DISPARITY if regression else CLASSIFICATION_DISPARITY,
    format_func=lambda m: m.replace("_", " "), key=widget_key("compare", "disparity"),
)
try:
    table = results_table(models, performance=performance, disparity=disparity)
except fairdash.InputError as err:
    st.error(str(err))
    st.stop()

front = table[table["on_front"]]
if not regression:
    volume = hypervolume(1 - front[performance], front[disparity], reference=(0.5, 0.5))
    st.caption(
        f"{len(table)} models, {len(front)} on the Pareto front · hypervolume "
        f"{volume:.4f} (error vs disparity, reference point 0.5, 0.5)"
    )
fig = tradeoff_scatter(
    table, performance=performance, disparity=disparity,
    current=state["current_model"], maximize_performance=not regression,
)
event = st.plotly_chart(fig, key=action_key("compare", "tradeoff"), on_select="rerun",
                        selection_mode="points")
points = (event or {}).get("selection", {}).get("points", []) if event else []
if points:
    picked = points[0].get("customdata", [None])[0]
    if picked in set(table["name"]) and picked != state["current_model"]:
        state["current_model"] = picked
        state["thresholds"] = None
        st.rerun()


def _choose_current() -> None:
    state["current_model"] = state[widget_key("compare", "current")]
    state["thresholds"] = None


names = list(table["name"])
state[widget_key("compare", "current")] = state["current_model"]
st.selectbox(
    "Current model (used on the Explore, What-if and Report pages)", names,
    key=widget_key("compare", "current"), on_change=_choose_current,
)
model = current_model()
st.success(f"Current model: **{model.name}** ({model.method})")

st.subheader("All models")
st.dataframe(table, width="stretch", hide_index=True, key=action_key("compare", "table"))
