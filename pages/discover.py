"""Discover: the subgroups the model fails, across every combination of columns."""

from __future__ import annotations

import streamlit as st

from fairdash import InputError, markdown_text
from fairdash.plots import slice_chart
from fairdash.slices import PROPORTION_METRICS, find_slices, searchable_columns, slice_summary
from fairdash_app.navigation import PAGES
from fairdash_app.state import (
    action_key,
    current_model,
    init_state,
    require_models,
    rows_measured,
    widget_key,
)

init_state()
state = st.session_state
COLUMNS, METRIC, ORDER, MIN_SIZE, FDR, CHOSEN = (
    widget_key("discover", name)
    for name in ("columns", "metric", "max_order", "min_size", "fdr", "chosen")
)


@st.cache_data(max_entries=4, ttl="1h",
               show_spinner="Searching every combination of the columns...")
def search(features, y_true, y_pred, y_score, metric, max_order, min_size, fdr):
    return find_slices(
        features, y_true, y_pred, metric=metric, y_score=y_score, max_order=max_order,
        min_size=min_size, fdr=fdr,
    )


st.title("Discover")
st.caption(
    "Every combination of up to three conditions *column = value* is tested against the rest "
    "of the rows the model is measured on; the false discovery rate is controlled over all "
    "of them."
)
if not require_models():
    st.stop()
model = current_model()
evaluation = state["evaluation"]
problem = evaluation.problem
rows = evaluation.data.loc[evaluation.test_index]
settings = state["settings"]
audited = settings.get("workflow") == "audit"
# Audited predictions: the prediction and score columns are the model's outputs, not
# descriptions of people; the model's inputs are unknown, so every other column is a default.
outputs = {settings.get("prediction"), settings.get("score")} - {None} if audited else set()
candidates = [c for c in rows.columns if c != problem.target and c not in outputs]
if COLUMNS not in state:
    known = {*problem.feature_columns, *problem.sensitive_features}
    inputs = candidates if audited else [c for c in candidates if c in known]
    state[COLUMNS] = searchable_columns(rows[inputs])[0]
state[COLUMNS] = [c for c in state[COLUMNS] if c in candidates]
st.caption(f"Current model: **{markdown_text(model.name)}** · {rows_measured(len(rows))}")

columns = st.multiselect("Columns to search", candidates, key=COLUMNS)
left, middle, right, last = st.columns(4)
classification = problem.task == "classification"
metrics = list(PROPORTION_METRICS) if classification else ["mean_absolute_error",
                                                           "mean_prediction"]
if classification and model.y_score is not None:
    metrics.append("brier_score")
state.setdefault(METRIC, "error_rate" if classification else "mean_absolute_error")
metric = left.selectbox("Metric", metrics, key=METRIC, format_func=lambda m: m.replace("_", " "))
state.setdefault(ORDER, 3)
max_order = middle.slider("Most conditions per slice", 1, 3, key=ORDER)
state.setdefault(MIN_SIZE, 30)
min_size = right.number_input("Minimum size", 1, 100_000, key=MIN_SIZE,
                              help="Fewest rows in the metric's denominator")
state.setdefault(FDR, 0.05)
fdr = last.selectbox("False discovery rate", [0.01, 0.05, 0.1, 0.2], key=FDR)
if not columns:
    st.info("Choose at least one column to search.")
    st.stop()

try:
    table = search(
        rows[columns], evaluation.y_test, model.y_pred,
        model.y_score if metric == "brier_score" else None,
        metric, max_order, int(min_size), fdr,
    )
except InputError as err:
    st.error(markdown_text(err))
    st.stop()

state["slices"] = (model.uid, table)  # for the report's "subgroups the model fails"
st.markdown(slice_summary(table))
if table.empty:
    st.info("No slice is large enough to test; lower the minimum size.")
    st.stop()
st.plotly_chart(slice_chart(table, top=15), key=action_key("discover", "chart"))
shown = table.head(50).drop(columns=["conditions"])
st.dataframe(shown, width="stretch", hide_index=True, key=action_key("discover", "table"))

st.subheader("Look at a slice on every page")
choices = list(table["slice"].head(50))
chosen = st.selectbox("Slice", choices, key=CHOSEN) if choices else None
if chosen is not None:
    slice_columns = [c for c, _ in table.loc[table["slice"] == chosen, "conditions"].iloc[0]]
    st.caption(
        f"Makes **{markdown_text(', '.join(map(str, slice_columns)))}** the sensitive features "
        "on the Data & model page; retrain there, and every page shows the groups of these columns."
    )
    if st.button("Use its columns as the sensitive features",
                 key=action_key("discover", "use")):
        state[widget_key("data", "sensitive")] = slice_columns
        if set(slice_columns) & set(problem.feature_columns):
            # Keep them as model inputs, as they were.
            state[widget_key("data", "include_sensitive")] = True
        st.switch_page(PAGES["data"].path)
