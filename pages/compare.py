"""Compare: every model on the performance-vs-disparity plane, with the Pareto front, its
uncertainty, and any two models side by side per group."""

from __future__ import annotations

import streamlit as st

import fairdash
from fairdash import markdown_text, small_group_note
from fairdash.metrics import compare_models
from fairdash.plots import model_comparison_chart, tradeoff_scatter
from fairdash.tradeoff import (
    describe_front,
    describe_paired_difference,
    tradeoff_intervals,
    tradeoff_table,
)
from fairdash_app.state import (
    action_key,
    cache,
    current_model,
    init_state,
    min_group_size,
    require_models,
    widget_key,
)

init_state()

CLASSIFICATION_PERFORMANCE = ["accuracy", "balanced_accuracy"]
CLASSIFICATION_DISPARITY = [
    "demographic_parity_difference",
    "equalized_odds_difference",
    "equal_opportunity_difference",
]
REGRESSION_PERFORMANCE = ["root_mean_squared_error"]
REGRESSION_DISPARITY = ["ks_distance", "wasserstein_distance"]
N_BOOT = 200


SHORT = {
    "demographic_parity_difference": "DP difference",
    "equalized_odds_difference": "EO difference",
    "equal_opportunity_difference": "EOpp difference",
    "balanced_accuracy": "balanced acc.",
    "root_mean_squared_error": "RMSE",
    "ks_distance": "KS distance",
    "wasserstein_distance": "Wasserstein",
}


def words(metric: str) -> str:
    return metric.replace("_", " ")


def models_table(models, evaluation, performance: str, disparity: str, n_boot: int | None,
                 size: int | None):
    """The readable table with intervals, computed once per set of models, metrics and
    small-group policy."""
    tables = cache("cache:compare_table")
    key = (tuple(m.uid for m in models), performance, disparity, n_boot, size)
    if key not in tables:
        tables.clear()  # one entry: the models shown now
        tables[key] = tradeoff_table(
            models, y_true=evaluation.y_test, sensitive_features=evaluation.sensitive_test,
            performance=performance, disparity=disparity, n_boot=n_boot, min_group_size=size,
        )
    return tables[key]


def make_current(name: str) -> None:
    state["current_model"] = name
    state["thresholds"] = None


st.title("Compare models")
if not require_models():
    st.stop()

state = st.session_state
models = state["models"]
evaluation = state["evaluation"]
problem = evaluation.problem
regression = problem.task == "regression"
c1, c2, c3 = st.columns([2, 2, 1])
performance = c1.selectbox(
    "Performance", REGRESSION_PERFORMANCE if regression else CLASSIFICATION_PERFORMANCE,
    format_func=words, key=widget_key("compare", "performance"),
)
disparity = c2.selectbox(
    "Disparity", REGRESSION_DISPARITY if regression else CLASSIFICATION_DISPARITY,
    format_func=words, key=widget_key("compare", "disparity"),
)
state.setdefault(widget_key("compare", "intervals"), not regression)
show_intervals = c3.toggle(
    "Bootstrap intervals", key=widget_key("compare", "intervals"), disabled=regression,
    help=f"{N_BOOT} resamples of the test rows, the same rows for every model, so that "
    "differences between models are paired.",
)
# The small-group policy set on Data & model: the disparity axis, the front, the hypervolume,
# the intervals and the table leave smaller groups out (every model has the same test rows).
size = min_group_size()
try:
    table = models_table(
        models, evaluation, performance, disparity,
        N_BOOT if show_intervals and not regression else None, size,
    )
except fairdash.InputError as err:
    st.error(markdown_text(err))
    st.stop()
left_out_note = small_group_note(models[0].metrics, min_group_size=size)
if len(models) > 1 and any(m.method == "existing predictions" for m in models):
    st.caption(
        ":material/info: Your model's own predictions and the post-processors fitted on its "
        f"scores, all measured on the {len(evaluation.y_test):,} rows of your file that were "
        "not used to fit them (set on Mitigate)."
    )

front = table[table["on_front"]]
if not regression:
    st.caption(describe_front(table, performance=performance, disparity=disparity))
fig = tradeoff_scatter(
    table, performance=performance, disparity=disparity,
    current=state["current_model"], maximize_performance=not regression,
)
if left_out_note:
    st.caption(f":material/info: {markdown_text(left_out_note)} The {words(disparity)} axis, "
               "the front, the intervals and the table follow this rule.")
event = st.plotly_chart(fig, key=action_key("compare", "tradeoff"), on_select="rerun",
                        selection_mode="points")
points = (event or {}).get("selection", {}).get("points", []) if event else []
if points:
    picked = points[0].get("customdata", [None])[0]
    if picked in set(table["name"]) and picked != state["current_model"]:
        make_current(picked)
        st.rerun()


def _choose_current() -> None:
    make_current(state[widget_key("compare", "current")])


names = list(table["name"])
state[widget_key("compare", "current")] = state["current_model"]
st.selectbox(
    "Current model (used on the Explore, What-if and Report pages)", names,
    key=widget_key("compare", "current"), on_change=_choose_current,
)
model = current_model()
st.success(f"Current model: **{markdown_text(model.name)}** ({markdown_text(model.method)})")

st.subheader("All models")
st.caption("Select a row to make that model the current one; models drawn at the same point "
           "are listed here one by one.")
display = table[["name", "method_label", performance, disparity, "on_front",
                 "description", "fit_seconds"]].copy()
interval_columns = {}
for metric in (performance, disparity):
    if f"{metric}_lower" in table:
        label = f"{metric} interval"
        display.insert(list(display.columns).index(metric) + 1, label, [
            f"{low:.3f} – {high:.3f}"
            for low, high in zip(table[f"{metric}_lower"], table[f"{metric}_upper"], strict=True)
        ])
        interval_columns[label] = st.column_config.TextColumn(
            "95% interval",
            help=f"Percentile bootstrap interval of the {words(metric)} ({N_BOOT} resamples "
            "of the test rows, shared by every model)")
number = st.column_config.NumberColumn
config = {
    "name": st.column_config.TextColumn("model", width="medium"),
    "method_label": st.column_config.TextColumn("method"),
    performance: number(SHORT.get(performance, words(performance)), format="%.4f",
                        help=words(performance)),
    disparity: number(SHORT.get(disparity, words(disparity)), format="%.4f",
                      help=words(disparity)),
    "on_front": st.column_config.CheckboxColumn("front", help="on the Pareto front"),
    "description": st.column_config.TextColumn("parameters", width="large"),
    "fit_seconds": number("fit (s)", format="%.2f", width="small"),
    **interval_columns,
}
picked_rows = st.dataframe(
    display, hide_index=True, width="stretch", column_config=config,
    on_select="rerun", selection_mode="single-row", key=action_key("compare", "table"),
)
rows = picked_rows.selection.rows if picked_rows else []
if rows and names[rows[0]] != state["current_model"]:
    make_current(names[rows[0]])
    st.rerun()

st.subheader("Two models side by side")
if regression or len(models) < 2:
    st.info("Side by side compares two classification models; there is only one here."
            if not regression else "Side by side compares classification models.")
    st.stop()
base = next((m.name for m in models if m.is_unmitigated), names[0])
first_key, second_key = widget_key("compare", "first"), widget_key("compare", "second")
if state.get(first_key) not in names:
    state[first_key] = base
if state.get(second_key) not in names:
    # The current model, or else the fairest model on the front: the comparison that matters.
    fairest = front.sort_values(disparity)["name"]
    fairest = [name for name in fairest if name != base] or [n for n in names if n != base]
    state[second_key] = model.name if model.name != base else fairest[0]
c1, c2 = st.columns(2)
first = c1.selectbox("First model", names, key=first_key)
second = c2.selectbox("Second model", names, key=second_key)
by_name = {m.name: m for m in models}
comparison = compare_models(
    evaluation.y_test, by_name[first].y_pred, by_name[second].y_pred,
    evaluation.sensitive_test, first_name=first, second_name=second, n_boot=N_BOOT,
)
overall = comparison.overall
st.markdown(
    f"Moving from **{markdown_text(first)}** to **{markdown_text(second)}**: "
    f"{overall['gained']:,.0f} people get the "
    f"favourable decision they did not get before and {overall['lost']:,.0f} lose it "
    f"(of {overall['count']:,.0f} test rows)."
)
if not regression:
    paired = tradeoff_intervals(
        [by_name[first], by_name[second]], y_true=evaluation.y_test,
        sensitive_features=evaluation.sensitive_test, performance=performance,
        disparity=disparity, n_boot=N_BOOT, min_group_size=size,
    ).paired_difference(first, second)
    st.markdown("\n".join(f"- {line}" for line in describe_paired_difference(paired)))
st.plotly_chart(model_comparison_chart(comparison), key=action_key("compare", "side_by_side"))
flips = comparison.by_group[["count", "gained", "lost", "net", "gained_share", "lost_share"]]
st.dataframe(
    flips, width="stretch", key=action_key("compare", "flips"),
    column_config={
        "count": number("rows", format="%d"),
        "gained": number("now favourable", format="%d"),
        "lost": number("now unfavourable", format="%d"),
        "net": number("net", format="%+d"),
        "gained_share": number("share gaining", format="percent"),
        "lost_share": number("share losing", format="percent"),
    },
)
