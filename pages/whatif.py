"""What-if: move decision thresholds, per group or for everyone, and see every metric live."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from fairdash import InputError, markdown_text, summary_readings
from fairdash.plots import group_rate_chart
from fairdash.thresholds import (
    STRATEGIES,
    ThresholdCurves,
    apply_strategy,
    decision_cost,
    score_levels_note,
    small_groups,
    threshold_step,
    thresholded_group_table,
    thresholded_model,
    thresholds_by_group,
)
from fairdash_app.server_log import EDGES_NOTE, active_log
from fairdash_app.state import (
    action_key,
    add_model,
    cache,
    current_model,
    init_state,
    min_group_size,
    model_result,
    require_models,
    widget_key,
)

init_state()
state = st.session_state

STRATEGY_LABELS = {
    "single_best": "Best single threshold",
    "demographic_parity": "Demographic parity",
    "equal_opportunity": "Equal opportunity",
    "equal_accuracy": "Equal accuracy",
    "group_cost_optimal": "Per-group cost-optimal",
}
SINGLE, PER_GROUP = "One threshold for everyone", "One threshold per group"
MODE, COST, ALL = (widget_key("whatif", name) for name in ("mode", "cost", "all"))


def group_key(g: int) -> str:
    return widget_key("whatif", f"group.{g}")


def curves_for(model, evaluation) -> ThresholdCurves:
    """Pre-sorted per-group scores of the model, built once per model (by its identity)."""
    curves = cache("cache:whatif_curves")
    if model.uid not in curves:
        curves.clear()  # one model at a time: the current one
        curves[model.uid] = ThresholdCurves(
            evaluation.y_test, model.y_score, evaluation.sensitive_test
        )
    return curves[model.uid]


def _slider_value(t: float, bounds: tuple[float, float]) -> float:
    return float(min(max(t, bounds[0]), bounds[1]))


def use_strategy(strategy: str, curves: ThresholdCurves, uid: str,
                 bounds: tuple[float, float]) -> None:
    """Set the sliders to a strategy's thresholds (a button callback, before widgets render)
    and keep what the strategy achieved against its target."""
    cost = float(state.get(COST, 1.0))
    try:
        # Groups below the small-group policy are left out of the target (common threshold).
        outcome = apply_strategy(curves, strategy, cost_ratio=cost,
                                 min_group_size=min_group_size())
    except InputError as err:
        state["flash"] = str(err)
        return
    present = curves.group_sizes > 0
    if strategy == "single_best":
        state[MODE] = SINGLE
        state[ALL] = _slider_value(outcome.thresholds[0], bounds)
    else:
        state[MODE] = PER_GROUP
    for g in np.flatnonzero(present):
        state[group_key(g)] = _slider_value(outcome.thresholds[g], bounds)
    state["strategy_outcome"] = {"uid": uid, "label": STRATEGY_LABELS[strategy],
                                 "outcome": outcome}


def start_per_group(present: np.ndarray) -> None:
    """Switching to per-group thresholds starts every group at the single threshold."""
    if state[MODE] == PER_GROUP:
        for g in present:
            state[group_key(g)] = state[ALL]


st.title("What-if thresholds")
log = active_log()
if log is not None:  # a server-side log: curves from its score histograms
    if log.curves is None:
        st.info(f"The log **{log.name_md}** was audited without a score column, so there are no "
                "thresholds to move. Choose its score column on the Data & model page.")
        st.stop()
    model = evaluation = None
    problem = log.problem()
    curves, uid = log.curves, log.uid
    bounds = curves.score_range
    if bounds[1] <= bounds[0]:
        st.info(f"Every score in **{log.name_md}** is {bounds[0]:g}, so a threshold selects "
                "everybody or nobody: there is nothing to move.")
        st.stop()
    step = log.slider_step  # about 100 key presses across the scores
    st.caption(f"Server-side log: **{log.name_md}** · a row is selected when its score ≥ its "
               "threshold")
    st.info(EDGES_NOTE, icon=":material/info:")
else:
    if not require_models():
        st.stop()
    model = current_model()
    evaluation = state["evaluation"]
    if model.y_score is None:
        st.info(
            f"The current model, **{markdown_text(model.name)}**, gives no scores, so there are "
            "no thresholds to move. Choose a model with scores on the Compare page."
        )
        st.stop()
    problem = evaluation.problem
    curves, uid = curves_for(model, evaluation), model.uid
    bounds = (0.0, 1.0)
    # Both sort the model's scores: once per model, not on every slider move.
    step = model_result("threshold_step", model, None,
                        lambda: threshold_step(model.y_score))  # ~100 key presses across them
    st.caption(f"Current model: **{markdown_text(model.name)}** · a row is selected when its "
               "score ≥ its threshold")
    coarse = model_result("score_levels_note", model, None,
                          lambda: score_levels_note(model.y_score, method=model.method))
    if coarse is not None:
        st.info(markdown_text(coarse), icon=":material/info:")
labels = curves.labels()
present = np.flatnonzero(curves.group_sizes > 0)

c1, c2 = st.columns([2, 1])
state.setdefault(MODE, SINGLE)
mode = c1.radio("Thresholds", [SINGLE, PER_GROUP], horizontal=True, key=MODE,
                on_change=start_per_group, args=(present,))
state.setdefault(COST, 1.0)
cost = c2.number_input(
    "Cost of a false positive relative to a false negative", 0.01, 100.0, step=0.1,
    key=COST, help="1 means every error costs the same (then cost = number of errors).",
)

st.markdown("**One-click strategies**")
cols = st.columns(len(STRATEGIES))
for col, name in zip(cols, STRATEGIES, strict=True):
    col.button(STRATEGY_LABELS[name], key=action_key("whatif", f"strategy.{name}"),
               help=STRATEGIES[name], on_click=use_strategy, args=(name, curves, uid, bounds))
left_out = small_groups(curves, min_group_size())
if left_out.any():
    st.caption(
        f":material/info: The per-group strategies leave the {int(left_out.sum())} group(s) "
        f"with fewer than {min_group_size()} rows out of what they equalise (the small-group "
        "policy set on Data & model) and give them the best single threshold for everyone."
    )
if state["flash"]:
    st.toast(markdown_text(state["flash"]))
    state["flash"] = None

thresholds = np.full(curves.n_groups, np.inf)
state.setdefault(ALL, _slider_value(0.5, bounds) if log is None else sum(bounds) / 2)
if mode == SINGLE:
    value = st.slider("Threshold", *bounds, step=step, key=ALL, format="%.3f")
    thresholds[present] = value
else:
    grid = st.columns(min(4, len(present)) or 1)
    for i, g in enumerate(present):
        state.setdefault(group_key(g), state[ALL])  # start from the single threshold
        with grid[i % len(grid)]:
            thresholds[g] = st.slider(
                f"{markdown_text(labels[g])} (n={curves.group_sizes[g]:,})", *bounds, step=step,
                key=group_key(g), format="%.3f",
            )
if log is not None:
    thresholds = curves.snap(thresholds)  # the edges in effect: exact there
metrics = curves.metrics(thresholds, min_group_size=min_group_size())
state["thresholds"] = thresholds_by_group(curves, thresholds)

applied = state["strategy_outcome"]
if applied is not None and applied["uid"] == uid:
    outcome = applied["outcome"]
    chosen = np.array([_slider_value(t, bounds) for t in outcome.thresholds])
    if log is not None:
        chosen = curves.snap(chosen)
    if np.allclose(thresholds[present], chosen[present]):
        text = f"**{applied['label']}**. {markdown_text(outcome.summary())}"  # names groups
        (st.success if outcome.met and not outcome.reasons else st.warning)(text)
    else:
        st.caption(f"{applied['label']}: the thresholds have been moved since it was applied.")

total_cost = decision_cost(curves.cell_sums(thresholds).sum(axis=0), cost_ratio=cost)
readings = summary_readings(
    metrics, min_group_size=min_group_size(), favourable=problem.favourable_outcome
)
summary = readings.disparities
cards = st.columns(4)
cards[0].metric("Accuracy", f"{metrics.overall['accuracy']:.3f}")
cards[1].metric("Selection rate", f"{metrics.overall['selection_rate']:.3f}")
cards[2].metric("Total cost", f"{total_cost:,.1f}")
cards[3].metric("Demographic parity difference", f"{summary['demographic_parity_difference']:.3f}")

left, right = st.columns([3, 2])
left.plotly_chart(
    group_rate_chart(metrics.to_frame(), metric="selection_rate",
                     overall=float(metrics.overall["selection_rate"])),
    key=action_key("whatif", "chart"),
)
with right:
    st.markdown("**Disparity summary**")
    if readings.note:
        st.caption(markdown_text(readings.note))
    for card in readings.cards:
        value = "n/a" if card["value"] is None else f"{card['value']:.3f}"
        st.markdown(f"- **{card['title']}**: {value} ({card['detail']}). {card['reading']}")

st.markdown("**Per group** (with the confusion matrix)")
st.dataframe(thresholded_group_table(curves, thresholds, metrics), width="stretch",
             key=action_key("whatif", "table"))

export = {
    "model": log.name if log is not None else model.name,
    "rule": "selected when score >= threshold",
    "cost_ratio": cost,
    "thresholds": state["thresholds"],
}
c1, c2 = st.columns(2)
c1.download_button(
    "Download thresholds (JSON)", json.dumps(export, indent=2), "thresholds.json",
    "application/json", key=action_key("whatif", "download"),
)
if log is not None:
    c2.caption("Adding the thresholded model to Compare needs every row's decision, which a "
               "server-side log does not bring into the app.")
elif c2.button("Add this thresholded model to Compare", key=action_key("whatif", "add")):
    new = thresholded_model(
        model, curves=curves, thresholds=thresholds, y_true=evaluation.y_test,
        sensitive_features=evaluation.sensitive_test, cost_ratio=cost,
    )
    add_model(new)
    st.success(f"Added “{markdown_text(new.name)}” to the Compare page's models.")
