"""Mitigate: run pre-, in- and post-processing methods on one split."""

from __future__ import annotations

import streamlit as st

import fairdash
from fairdash import markdown_text
from fairdash.models import estimator_names, estimator_spec
from fairdash.tradeoff import (
    CATALOGUE,
    DEFAULT_METHODS,
    METHODS,
    SCORE_METHODS,
    SPLIT_SETTINGS,
    MethodConfig,
    ParameterSpec,
    grid_dimensions,
    grid_search_note,
    grid_size_for_groups,
    results_table,
    unavailable_on_scores,
)
from fairdash_app.navigation import link
from fairdash_app.state import (
    AUDIT,
    NO_SCORE,
    action_key,
    init_state,
    min_group_size,
    needs_rows_notice,
    stale_notice,
    widget_key,
)
from fairdash_app.workflows import (
    data_stage_for,
    mitigate_and_store,
    model_data,
    postprocess_audit_and_store,
)

init_state()


def _widget(spec: ParameterSpec, key: str, column):
    """One parameter's widget, as the method catalogue describes it; returns its value.

    The default goes into the session (not the widget), so a value chosen here is kept
    when the user visits other pages.
    """
    if spec.widget == "count_slider":  # how many evenly spaced values
        st.session_state.setdefault(key, len(spec.default))
        n = column.slider(spec.label, spec.min_items, spec.max_items, key=key)
        span = spec.maximum - spec.minimum
        return [round(spec.minimum + span * i / (n - 1), 4) for i in range(n)]
    if spec.widget == "sweep_toggle":  # the default sweep, or a single None
        st.session_state.setdefault(key, True)
        return list(spec.default) if column.checkbox(spec.label, key=key) else [None]
    st.session_state.setdefault(key, spec.default)
    if spec.widget == "select":
        return column.selectbox(spec.label, list(spec.choices), format_func=spec.choice_label,
                                key=key)
    if spec.widget == "slider":
        return column.slider(spec.label, spec.minimum, spec.maximum, step=spec.step, key=key)
    if spec.widget == "number":
        value = column.number_input(spec.label, spec.minimum, spec.maximum, step=spec.step,
                                    format=spec.number_format, key=key)
        return int(value) if spec.kind == "int" else float(value)
    raise ValueError(f"Unknown widget {spec.widget!r} in the method catalogue.")


def _n_groups(data, problem) -> int:
    """Groups (intersections of the sensitive features) in the usable rows, from the
    data-stage view the session keeps (no pass over the rows on a rerun)."""
    return int((data_stage_for(data, problem)["count"] > 0).sum())


def _params(method: str, n_groups: int | None) -> dict:
    """Widgets for one method's parameters (those the catalogue exposes).

    The grid size starts from the core's default for the number of groups and the
    chosen constraint, and again when either changes the grid's dimensions.
    """
    exposed = [p for p in CATALOGUE[method].parameters if p.exposed]
    short = [p for p in exposed if p.widget in ("select", "number")]
    columns = st.columns(len(short)) if len(short) > 1 else [st] * len(short)
    params, position = {}, 0
    for spec in exposed:
        column = st
        if spec in short:
            column, position = columns[position], position + 1
        key = widget_key("mitigate", f"param.{method}.{spec.name}")
        if method == "grid_search" and spec.name == "grid_size":
            constraints = params["constraints"]
            dimensions = grid_dimensions(n_groups, constraints=constraints)
            made_for = widget_key("mitigate", "param.grid_search.grid_size.dimensions")
            if st.session_state.get(made_for) != dimensions:  # new groups or constraint
                st.session_state[made_for] = dimensions
                st.session_state[key] = grid_size_for_groups(n_groups, constraints=constraints)
        params[spec.name] = _widget(spec, key, column)
    if method == "grid_search":
        note = grid_search_note(
            n_groups, constraints=params["constraints"], grid_size=params["grid_size"]
        )
        if note is not None:
            st.warning(note)
    return params


def _show_notes(notes: list[str], configs: list[MethodConfig]) -> None:
    """The run's notes under each method's name (every note starts with its method's name)."""
    labels = {f"{c.name}: ": CATALOGUE[c.method].label for c in configs}
    for note in notes:
        prefix = next((p for p in labels if note.startswith(p)), None)
        if prefix is None:
            st.info(markdown_text(note))
        else:
            st.info(f"**{labels[prefix]}**: {markdown_text(note.removeprefix(prefix))}")


def _progress_runner(bar, log):
    """The runner's progress: every message on the bar, finished models in the log below it.

    A fractional count (exponentiated gradient's iterations) moves the bar
    within the model's step without adding to the log.
    """
    finished: list[str] = []
    last = [0]

    def progress(done: float, total: int, message: str) -> None:
        models = f"{int(done)}/{total} models · {markdown_text(message)}"
        bar.progress(min(done / max(total, 1), 1.0), text=models)
        if done == int(done) and done > last[0]:
            last[0] = done
            finished.append(markdown_text(message))
            log.caption(" · ".join(finished[-12:]))

    return progress


def _audited_scores(data, problem) -> None:
    """Audited predictions: post-process the file's scores (no model to train)."""
    score = state.get(widget_key("data", "score"))
    prediction = state.get(widget_key("data", "prediction"))
    if score in (None, NO_SCORE):
        st.info(
            "Your predictions file was audited without a score column, so there is nothing "
            "to post-process, and the other methods retrain a model from inputs the file does "
            "not have. Choose the model's score column on Data & model to run the threshold "
            "optimizer and the barycenter on your model's scores."
        )
        return
    st.markdown(
        f"**Post-processing your model's scores** (column **{markdown_text(score)}**): the "
        "file's rows are split in two. The post-processors are fitted on the calibration "
        "rows; every model, your own predictions included, is then measured on the other "
        "rows, so the numbers on Compare differ from the audit of every row on Data & model."
    )
    with st.expander("Methods not available on audited predictions"):
        for method in METHODS:
            reason = unavailable_on_scores(method)
            if reason and method != "unmitigated":
                st.markdown(f"- **{CATALOGUE[method].label}**: {markdown_text(reason)}")
    state.setdefault(widget_key("mitigate", "methods.scores"), list(SCORE_METHODS))
    chosen = st.multiselect(
        "Methods (your model's own predictions are always included)", list(SCORE_METHODS),
        format_func=lambda m: CATALOGUE[m].label, key=widget_key("mitigate", "methods.scores"),
    )
    configs = []
    for method in chosen:
        with st.expander(CATALOGUE[method].label, expanded=method == "barycenter"):
            st.caption(CATALOGUE[method].description)
            configs.append(MethodConfig(method, _params(method, None)))
    c1, c2 = st.columns(2)
    state.setdefault(widget_key("mitigate", "scores_calibration"), 0.5)
    calibration = c1.slider(
        "Share of the rows that calibrate the post-processors", 0.2, 0.8, step=0.05,
        key=widget_key("mitigate", "scores_calibration"),
        help="The rest are the test rows every model is measured on.",
    )
    seed = _widget(SPLIT_SETTINGS["random_state"], widget_key("mitigate", "seed"), c2)
    if st.button("Run post-processing", type="primary", key=action_key("mitigate", "scores"),
                 disabled=not configs):
        bar = st.progress(0.0, text="Starting…")
        try:
            made = postprocess_audit_and_store(
                data, problem, configs, prediction=prediction, score=score,
                calibration_size=float(calibration), seed=int(seed),
                progress=_progress_runner(bar, st.empty()),
            )
        except fairdash.InputError as err:
            st.error(markdown_text(err))
            return
        bar.progress(1.0, text=f"Done: {len(made.results)} models")
        st.success(
            f"{len(made.results)} models, measured on {len(made.test_rows):,} test rows "
            f"(calibrated on {len(made.calibration_rows):,}). See them on the Compare page."
        )
        _show_notes(made.results.notes, configs)
    _finished_models()


def _finished_models() -> None:
    models = state["models"]
    # Kept in the session (and listed in the report) until the models are replaced.
    for failure in state["failures"] if models else []:
        st.warning(f"**{CATALOGUE[failure.method].label}** could not run: "
                   f"{markdown_text(failure.message)}")
    if models:
        st.subheader(f"Finished models ({len(models)})")
        st.dataframe(
            results_table(models, min_group_size=min_group_size()).drop(columns=["on_front"]),
            width="stretch",
            hide_index=True,
            key=action_key("mitigate", "models_table"),
        )
        link("compare", "Compare the models")


state = st.session_state
st.title("Mitigate")
if needs_rows_notice():
    st.stop()
problem = state["problem"]
data = model_data()  # rare categories merged as chosen on Data & model
if data is None or problem is None:
    st.info("Define the problem on the **Data & model** page first.")
    link("data", "Go to Data & model")
    st.stop()
stale_notice()
if state.get(widget_key("data", "workflow")) == AUDIT:
    _audited_scores(data, problem)
    st.stop()

st.caption(
    f"Target **{markdown_text(problem.target)}**, sensitive features "
    f"**{markdown_text(' × '.join(map(str, problem.sensitive_features)))}**"
    f" · {markdown_text(state['data_name'])}"
)
available = [m for m in METHODS if problem.task == "classification" or CATALOGUE[m].regression]
state.setdefault(widget_key("mitigate", f"methods.{problem.task}"),
                 list(DEFAULT_METHODS[problem.task]))
chosen = st.multiselect(
    "Methods (the unmitigated model is always included)",
    [m for m in available if m != "unmitigated"],
    format_func=lambda m: CATALOGUE[m].label,
    key=widget_key("mitigate", f"methods.{problem.task}"),
)
configs = [MethodConfig("unmitigated")]
n_groups = _n_groups(data, problem) if "grid_search" in chosen else None  # only the grid needs it
for method in chosen:
    spec = CATALOGUE[method]
    with st.expander(spec.label, expanded=method in ("grid_search", "barycenter")):
        st.caption(spec.description)
        configs.append(MethodConfig(method, _params(method, n_groups)))

c1, c2, c3, c4 = st.columns(4)
names = estimator_names(problem.task)
last = state["run"].estimator if state["run"] is not None else None
state.setdefault(widget_key("mitigate", f"estimator.{problem.task}"),
                 last if last in names else names[0])
estimator = c1.selectbox(
    "Estimator", names, format_func=lambda n: estimator_spec(n, task=problem.task).label,
    key=widget_key("mitigate", f"estimator.{problem.task}"),
)
test_size = _widget(SPLIT_SETTINGS["test_size"], widget_key("mitigate", "test_size"), c2)
calibration = _widget(
    SPLIT_SETTINGS["calibration_size"], widget_key("mitigate", "calibration"), c3
)
seed = _widget(SPLIT_SETTINGS["random_state"], widget_key("mitigate", "seed"), c4)
fit_rows = int(len(data) * (1 - test_size - calibration))  # about: before unusable rows
if fit_rows > fairdash.MAX_FIT_ROWS:
    st.caption(
        f"Large data: models are fitted on a stratified sample (by target and group) of "
        f"{fairdash.MAX_FIT_ROWS:,} of about {fit_rows:,} training rows, and post-processors "
        "calibrate on at most as many calibration rows; every test row is evaluated."
    )
if calibration == 0:
    st.caption(
        "Calibration share 0: post-processors calibrate on the training rows, and the model "
        "trained on Data & model is reused when it was trained with the same estimator, test "
        "share and seed (it was fitted on exactly these rows)."
    )

if st.button("Run mitigations", type="primary", key=action_key("mitigate", "run")):
    bar = st.progress(0.0, text="Starting…")
    log = st.empty()
    try:
        results = mitigate_and_store(
            data, problem, configs, estimator=estimator, test_size=test_size,
            calibration_size=calibration, seed=int(seed), progress=_progress_runner(bar, log),
        )
    except fairdash.InputError as err:
        st.error(markdown_text(err))
    else:
        bar.progress(1.0, text=f"Done: {len(results)} models")
        st.success(f"{len(results)} models trained. See them on the Compare page.")
        _show_notes(results.notes, configs)

_finished_models()
