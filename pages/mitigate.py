"""Mitigate: run pre-, in- and post-processing methods on one split."""

from __future__ import annotations

import streamlit as st

import fairdash
from fairdash.models import estimator_names, estimator_spec
from fairdash.tradeoff import DEFAULT_PARAMS, MethodConfig, results_table
from fairdash_app.navigation import link
from fairdash_app.state import action_key, init_state, stale_notice, widget_key
from fairdash_app.workflows import mitigate_and_store

init_state()

METHOD_LABELS = {
    "unmitigated": "Unmitigated model",
    "reweighing": "Reweighing (pre-processing)",
    "correlation_remover": "Correlation remover (pre-processing)",
    "linear_ferm": "Linear FERM (pre-processing, linear models)",
    "grid_search": "Grid search (in-processing)",
    "exponentiated_gradient": "Exponentiated gradient (in-processing)",
    "threshold_optimizer": "Threshold optimizer (post-processing)",
    "barycenter": "Wasserstein barycenter (post-processing)",
}
REGRESSION_METHODS = ["correlation_remover", "barycenter"]
CONSTRAINTS = {
    "demographic_parity": "Demographic parity",
    "equalized_odds": "Equalized odds",
    "true_positive_rate_parity": "True positive rate parity",
    "false_positive_rate_parity": "False positive rate parity",
    "error_rate_parity": "Error rate parity",
}
TO_CONSTRAINTS = [
    "demographic_parity",
    "equalized_odds",
    "true_positive_rate_parity",
    "false_positive_rate_parity",
    "true_negative_rate_parity",
    "false_negative_rate_parity",
]
TO_OBJECTIVES = [
    "accuracy_score",
    "balanced_accuracy_score",
    "selection_rate",
    "true_positive_rate",
    "true_negative_rate",
]


def _params(method: str) -> dict:
    """Widgets for one method's parameters."""
    key = widget_key("mitigate", f"param.{method}.")
    if method == "correlation_remover":
        return {"alpha": st.slider("alpha (1 removes all linear correlation)", 0.0, 1.0, 1.0,
                                   0.05, key=key + "alpha")}
    if method == "grid_search":
        c1, c2 = st.columns(2)
        constraint = c1.selectbox("Constraint", list(CONSTRAINTS), format_func=CONSTRAINTS.get,
                                  key=key + "constraints")
        size = c2.slider("Grid size (candidates)", 3, 60, 10, key=key + "grid_size")
        return {"constraints": constraint, "grid_size": size}
    if method == "exponentiated_gradient":
        c1, c2, c3 = st.columns(3)
        constraint = c1.selectbox("Constraint", list(CONSTRAINTS), format_func=CONSTRAINTS.get,
                                  key=key + "constraints")
        eps = c2.number_input("eps (allowed violation)", 0.001, 0.5, 0.01, 0.005,
                              format="%.3f", key=key + "eps")
        iters = c3.number_input("Max iterations", 5, 200, 50, key=key + "max_iter")
        return {"constraints": constraint, "eps": float(eps), "max_iter": int(iters)}
    if method == "threshold_optimizer":
        c1, c2 = st.columns(2)
        constraint = c1.selectbox("Constraint", TO_CONSTRAINTS, key=key + "constraints",
                                  format_func=lambda c: c.replace("_", " "))
        objective = c2.selectbox("Objective", TO_OBJECTIVES, key=key + "objective",
                                 format_func=lambda c: c.replace("_", " "))
        params = {"constraints": constraint, "objective": objective}
        if st.checkbox("Sweep tolerances (one model each)", True, key=key + "sweep"):
            params["tolerances"] = DEFAULT_PARAMS["threshold_optimizer"]["tolerances"]
        else:
            params["tolerances"] = [None]
        return params
    if method == "barycenter":
        n = st.slider("Alpha values in the sweep (0 fully fair … 1 unchanged)", 2, 41, 21,
                      key=key + "alphas")
        return {"alphas": [round(i / (n - 1), 4) for i in range(n)]}
    return {}


def _progress_runner(bar, log):
    finished: list[str] = []

    def progress(done: int, total: int, message: str) -> None:
        bar.progress(done / max(total, 1), text=f"{done}/{total} models · {message}")
        finished.append(message)
        log.caption(" · ".join(finished[-12:]))

    return progress


state = st.session_state
st.title("Mitigate")
problem = state["problem"]
data = state["data"]
if data is None or problem is None:
    st.info("Define the problem on the **Data & model** page first.")
    link("data", "Go to Data & model")
    st.stop()
stale_notice()

st.caption(
    f"Target **{problem.target}**, sensitive features **{' × '.join(problem.sensitive_features)}**"
    f" · {state['data_name']}"
)
available = list(METHOD_LABELS) if problem.task == "classification" else [
    "unmitigated", *REGRESSION_METHODS]
defaults = ["reweighing", "grid_search", "barycenter"] if problem.task == "classification" \
    else ["barycenter"]
state.setdefault(widget_key("mitigate", f"methods.{problem.task}"), defaults)
chosen = st.multiselect(
    "Methods (the unmitigated model is always included)",
    [m for m in available if m != "unmitigated"],
    format_func=METHOD_LABELS.get,
    key=widget_key("mitigate", f"methods.{problem.task}"),
)
configs = [MethodConfig("unmitigated")]
for method in chosen:
    with st.expander(METHOD_LABELS[method], expanded=method in ("grid_search", "barycenter")):
        configs.append(MethodConfig(method, _params(method)))

c1, c2, c3, c4 = st.columns(4)
names = estimator_names(problem.task)
last = state["run"].estimator if state["run"] is not None else None
state.setdefault(widget_key("mitigate", f"estimator.{problem.task}"),
                 last if last in names else names[0])
estimator = c1.selectbox(
    "Estimator", names, format_func=lambda n: estimator_spec(n, task=problem.task).label,
    key=widget_key("mitigate", f"estimator.{problem.task}"),
)
for name, value in (("test_size", 0.3), ("calibration", 0.2), ("seed", 0)):
    state.setdefault(widget_key("mitigate", name), value)
test_size = c2.slider("Test share", 0.1, 0.5, step=0.05, key=widget_key("mitigate", "test_size"))
calibration = c3.slider("Calibration share (post-processing)", 0.05, 0.4, step=0.05,
                        key=widget_key("mitigate", "calibration"))
seed = c4.number_input("Random seed", 0, 2**31 - 1, key=widget_key("mitigate", "seed"))

if st.button("Run mitigations", type="primary", key=action_key("mitigate", "run")):
    bar = st.progress(0.0, text="Starting…")
    log = st.empty()
    try:
        results = mitigate_and_store(
            data, problem, configs, estimator=estimator, test_size=test_size,
            calibration_size=calibration, seed=int(seed), progress=_progress_runner(bar, log),
        )
    except fairdash.InputError as err:
        st.error(str(err))
    else:
        bar.progress(1.0, text=f"Done: {len(results)} models")
        st.success(f"{len(results)} models trained. See them on the Compare page.")

models = state["models"]
if models:
    st.subheader(f"Finished models ({len(models)})")
    st.dataframe(
        results_table(models).drop(columns=["on_front"]),
        width="stretch",
        hide_index=True,
        key=action_key("mitigate", "models_table"),
    )
    link("compare", "Compare the models")
