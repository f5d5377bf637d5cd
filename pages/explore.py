"""Explore: who is treated differently, by how much, and how sure are we."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from fairdash import InputError, markdown_text, summary_readings
from fairdash.groups import resolve_reference
from fairdash.metrics import (
    calibration_by_group,
    differences_to_reference,
    error_balance,
    group_metrics,
    parity_conflict_note,
    prediction_error_by_group,
    regression_group_metrics,
)
from fairdash.plots import (
    error_rate_chart,
    group_label_index,
    group_rate_chart,
    metric_heatmap,
    prediction_error_chart,
    reliability_chart,
    roc_curve_chart,
    score_distribution_chart,
)
from fairdash_app.server_log import active_log
from fairdash_app.server_log import pair_metrics as log_pair_metrics
from fairdash_app.state import (
    action_key,
    current_model,
    init_state,
    min_group_size,
    model_result,
    require_models,
    rows_measured,
    widget_key,
)

init_state()

GUIDE = """
**Which disparity matters for you?**

- *Is the decision punitive* (denying a loan, flagging fraud)? Then wrongly selected people are
  harmed: compare **false positive rates** (equalized odds / false positive rate parity).
- *Is it assistive* (a job interview, a support programme)? Then wrongly missed people are
  harmed: compare **true positive rates** (equal opportunity; constraint *true positive rate
  parity*, or ThresholdOptimizer with that constraint).
- *Should outcomes be shared equally whatever the labels say* (labels reflect past bias, or a
  quota is the policy)? Compare **selection rates** (demographic parity; reweighing, grid search
  with *demographic parity*, the barycenter).
- *Are the labels trustworthy?* If not, error-rate metrics inherit their bias: prefer selection
  rates. If yes, error-rate parity (equalized odds) is the stronger guarantee.
- *Legal screening* in US employment uses the **four-fifths rule**: each group's selection rate
  at least 80 % of the highest.
"""


def _reference_choice(metrics) -> object:
    by_group = metrics.by_group[metrics.by_group["count"] > 0]
    labels = group_label_index(by_group.index)
    options = [
        "largest group",
        "best group (highest selection rate among groups not flagged small)",
        "overall",
        *labels,
    ]
    choice = st.selectbox("Reference for differences and ratios", options,
                          key=widget_key("explore", "reference"))
    # The same rules as the CLI's --reference largest / best.
    if choice == "largest group":
        return resolve_reference(metrics, "largest")
    if choice.startswith("best group"):
        return resolve_reference(metrics, "best")
    if choice == "overall":
        return "overall"
    return by_group.index[labels.index(choice)]


st.title("Explore")
log = active_log()
if log is not None:  # a server-side log: everything below from its counts
    model = evaluation = None
    problem = log.problem()
    metrics = log.metrics.with_min_group_size(min_group_size())
    features = list(log.sensitive_features)
    classification = True
    st.caption(f"Server-side log: **{log.name_md}** · {log.table.n_rows:,} rows, counted by "
               "DuckDB where the log lives")
else:
    if not require_models():
        st.stop()
    model = current_model()
    evaluation = st.session_state["evaluation"]
    problem = evaluation.problem
    # Flags and "best" follow the small-group policy set on Data & model now.
    metrics = model.metrics.with_min_group_size(min_group_size())
    features = list(problem.sensitive_features)
    st.caption(f"Current model: **{markdown_text(model.name)}** · "
               f"{rows_measured(len(evaluation.test_index))}")
    classification = problem.task == "classification"

with st.expander("Which disparity matters for my use case?"):
    st.markdown(GUIDE)

if classification:
    st.subheader("Disparity summary")
    readings = summary_readings(
        metrics, min_group_size=min_group_size(), favourable=problem.favourable_outcome
    )
    if readings.note:
        st.caption(f":material/info: {markdown_text(readings.note)}")
    cards = readings.cards
    cols = st.columns(len(cards))
    for col, card in zip(cols, cards, strict=True):
        value = "n/a" if card["value"] is None else f"{card['value']:.3f}"
        col.metric(card["title"], value, card["detail"], delta_color="off", delta_arrow="off")
        col.caption(card["reading"])

st.subheader("Group metrics")
reference = _reference_choice(metrics)
table = metrics.to_frame()
diff = differences_to_reference(metrics, reference=reference)
st.session_state.setdefault(widget_key("explore", "show_small"), True)
show_small = st.checkbox("Show small groups", key=widget_key("explore", "show_small"))
hide_small = not show_small
shown = table if show_small else table[~table["small_group"]]
st.dataframe(shown, width="stretch", key=action_key("explore", "table"))
with st.expander("Differences to the reference (rates only; counts are shown as they are)"):
    st.dataframe(diff, width="stretch", key=action_key("explore", "differences"))

if classification:
    st.plotly_chart(
        group_rate_chart(table, metric="selection_rate",
                         overall=float(metrics.overall["selection_rate"]), hide_small=hide_small),
        key=action_key("explore", "selection_rate"),
    )
    st.plotly_chart(error_rate_chart(table, hide_small=hide_small),
                    key=action_key("explore", "error_rates"))
else:
    errors = prediction_error_by_group(evaluation.y_test, model.y_pred, evaluation.sensitive_test)
    st.plotly_chart(prediction_error_chart(errors), key=action_key("explore", "prediction_error"))

if len(features) >= 2:
    st.subheader("Heatmap over two sensitive features")
    c1, c2, c3 = st.columns(3)
    rows = c1.selectbox("Rows", features, key=widget_key("explore", "heat_rows"))
    columns = c2.selectbox("Columns", [f for f in features if f != rows],
                           key=widget_key("explore", "heat_columns"))
    metric_names = [c for c in metrics.by_group.columns if c != "count"]
    metric = c3.selectbox("Metric", metric_names, key=widget_key("explore", "heat_metric"))
    if log is not None:
        pair_metrics = log_pair_metrics(log, rows, columns)
    elif classification:
        pair = evaluation.sensitive_test[[rows, columns]]
        pair_metrics = group_metrics(evaluation.y_test, model.y_pred, pair, y_score=model.y_score)
    else:
        pair = evaluation.sensitive_test[[rows, columns]]
        pair_metrics = regression_group_metrics(evaluation.y_test, model.y_pred, pair)
    st.plotly_chart(
        metric_heatmap(pair_metrics.to_frame(), metric=metric, rows=rows, columns=columns),
        key=action_key("explore", "heatmap"),
    )

if log is not None:
    st.subheader("Scores by group")
    st.info(
        "Score distributions, ROC curves and calibration by group need every row's score, "
        "so they are not available for a server-side log (it is reduced to counts where it "
        "lives). "
        + ("ROC AUC per group, from the score histograms, is in the table above; it is within "
           f"{np.nanmax(metrics.roc_auc_error_bound.to_numpy()):.1e} of the exact value "
           "(the bound of pairs tied in one bin)."
           if log.score else "Choose a score column on Data & model for ROC AUC and What-if.")
    )
elif classification and model.y_score is not None:
    st.subheader("Scores by group")
    # Counted once per model (a few hundred points per group at any size), not per rerun.
    labels = model_result("group_labels", model, None, lambda: pd.Series(
        group_label_index(pd.MultiIndex.from_frame(evaluation.sensitive_test))))
    st.plotly_chart(model_result("scores", model, None, lambda: score_distribution_chart(
        model.y_score, labels)), key=action_key("explore", "scores"))
    st.plotly_chart(model_result("roc", model, None, lambda: roc_curve_chart(
        evaluation.y_test, model.y_score, labels)), key=action_key("explore", "roc"))

    st.subheader("Calibration by group")
    st.caption(
        "A score is calibrated for a group when, among its people scored about p, a share p "
        "has the favourable outcome. Calibration-in-the-large is the group's observed rate "
        "minus its mean score (positive: the scores understate the group); the expected "
        "calibration error (ECE) is the row-weighted mean gap between observed rate and score "
        "over the bins."
    )
    c1, c2 = st.columns(2)
    st.session_state.setdefault(widget_key("explore", "calibration_bins"), 10)
    n_bins = c1.select_slider("Bins", [5, 10, 15, 20],
                              key=widget_key("explore", "calibration_bins"))
    strategy = c2.radio("Bin edges", ["uniform", "quantile"], horizontal=True,
                        format_func={"uniform": "equal width",
                                     "quantile": "equal counts (quantiles)"}.get,
                        key=widget_key("explore", "calibration_strategy"))
    try:
        calibration = calibration_by_group(
            evaluation.y_test, model.y_score, evaluation.sensitive_test, n_bins=n_bins,
            strategy=strategy,
        )
    except InputError as err:
        st.info(f"No calibration view for this model: {markdown_text(err)}")
    else:
        st.plotly_chart(reliability_chart(calibration),
                        key=action_key("explore", "calibration"))
        st.dataframe(
            calibration.summary, width="stretch", key=action_key("explore", "calibration_table"),
            column_config={
                "count": st.column_config.NumberColumn("rows", format="%d"),
                "mean_score": st.column_config.NumberColumn("mean score", format="%.3f"),
                "observed_rate": st.column_config.NumberColumn("observed rate", format="%.3f"),
                "calibration_in_the_large": st.column_config.NumberColumn(
                    "calibration-in-the-large", format="%+.3f"),
                "expected_calibration_error": st.column_config.NumberColumn("ECE",
                                                                           format="%.3f"),
                "small_group": st.column_config.CheckboxColumn("small group"),
            },
        )

if classification:
    st.subheader("Predictive parity beside equalized odds")
    st.markdown(markdown_text(parity_conflict_note(metrics)))  # it names groups
    balance = error_balance(metrics)
    differences = metrics.difference().reindex(balance.columns[1:])
    st.dataframe(
        balance, width="stretch", key=action_key("explore", "balance"),
        column_config={
            "count": st.column_config.NumberColumn("rows", format="%d"),
            "base_rate": st.column_config.NumberColumn("base rate", format="%.3f"),
            "precision": st.column_config.NumberColumn("PPV (precision)", format="%.3f"),
            "negative_predictive_value": st.column_config.NumberColumn("NPV", format="%.3f"),
            "true_positive_rate": st.column_config.NumberColumn("TPR", format="%.3f"),
            "false_positive_rate": st.column_config.NumberColumn("FPR", format="%.3f"),
        },
    )
    st.caption(
        "Largest difference between groups: "
        + ", ".join(
            f"{name} {differences[column]:.3f}"
            for column, name in (("precision", "PPV"), ("negative_predictive_value", "NPV"),
                                 ("true_positive_rate", "TPR"), ("false_positive_rate", "FPR"))
        )
        + ". Predictive parity asks for equal PPV and NPV; equalized odds for equal TPR and FPR."
    )
