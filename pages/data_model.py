"""Data & model: choose data, define the problem, train, see group metrics."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

import fairdash
from fairdash import datasets, io, markdown_text
from fairdash.models import estimator_names, estimator_spec
from fairdash.plots import group_rate_chart
from fairdash_app.navigation import link
from fairdash_app.server_log import choose_server_log, data_dir
from fairdash_app.state import (
    AUDIT,
    BUNDLED,
    DEFAULT_MIN_GROUP_SIZE,
    NO_SCORE,
    SERVER,
    SERVER_FILE,
    TRAIN,
    UPLOAD,
    UploadedTable,
    action_key,
    data_identity,
    derived,
    describe_basis,
    describe_changes,
    discard_results,
    init_state,
    is_stale,
    min_group_size,
    stale_changes,
    use_data,
    widget_key,
)
from fairdash_app.workflows import (
    audit_and_store,
    bundled_data,
    data_digest,
    data_stage_for,
    model_data,
    problem_for,
    read_upload,
    train_and_store,
)

init_state()
state = st.session_state
PAGE = "data"


def key(name: str) -> str:
    return widget_key(PAGE, name)


def _default(name: str, value, options: list | None = None) -> None:
    """Give a widget its first value (or a new one when its value is no longer an option)."""
    if key(name) not in state or (options is not None and state[key(name)] not in options):
        state[key(name)] = value


def _choose_upload() -> UploadedTable | None:
    """The uploader; a file uploaded earlier stays in use until another replaces it. A
    file is read and hashed once, when it arrives (a rerun knows it by Streamlit's id)."""
    upload = st.file_uploader(
        "CSV, TSV, Parquet or Excel file", type=list(io.SUPPORTED_EXTENSIONS),
        key=action_key(PAGE, "upload"),
    )
    kept = state["upload"]
    if upload is None:
        if kept is None:
            st.info("Choose a file to upload, or use a bundled data set.")
            return None
        st.caption(f"Using **{markdown_text(kept.name)}**, uploaded earlier. Upload another "
                   "file to replace it.")
        name, digest, content, fresh = kept.name, kept.digest, kept.content, False
        sheets, file_id = kept.sheets, kept.file_id
    elif kept is not None and kept.file_id == upload.file_id:
        name, digest, content, fresh = kept.name, kept.digest, kept.content, False
        sheets, file_id = kept.sheets, kept.file_id
    else:
        name, content, file_id = upload.name, upload.getvalue(), upload.file_id
        digest = data_digest(content)
        fresh = kept is None or kept.digest != digest
        sheets = kept.sheets if not fresh else ()
    try:
        if fresh and name.lower().endswith(".xlsx"):
            sheets = tuple(io.excel_sheet_names(content))
        sheet = st.selectbox("Sheet", sheets, key=key("sheet")) if len(sheets) > 1 else None
        if not fresh and sheet == kept.sheet:
            if kept.file_id != file_id:
                state["upload"] = kept = replace(kept, file_id=file_id)
            return kept
        if content is None:  # the same file again, a sheet chosen: read its bytes once more
            content = upload.getvalue()
        data = read_upload(content, name=name, sheet=sheet)
    except fairdash.InputError as err:
        st.error(markdown_text(err))
        if kept is not None:
            st.caption(f"The earlier upload, **{markdown_text(kept.name)}**, is kept: remove "
                       "this file to use it.")
        return None
    table = UploadedTable(name, digest, data, sheet, sheets,
                          content if len(sheets) > 1 else None, file_id)
    state["upload"] = table
    return table


def _server_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()
                  if p.is_file() and p.suffix.lstrip(".").lower() in io.SUPPORTED_EXTENSIONS)


def _choose_server_file(folder: Path) -> tuple[pd.DataFrame | None, str | None, str | None]:
    """A file from the server's data folder (``FAIRDASH_DATA_DIR``): read once, never
    uploaded, known by its path, size and modification time."""
    names = _server_files(folder)
    if not names:
        st.info(f"No CSV, TSV, Parquet or Excel file in the server folder {folder}.")
        return None, None, None
    _default("server_file", names[0], names)
    name = st.selectbox("File", names, key=key("server_file"))
    stat = (folder / name).stat()
    digest = f"file:{stat.st_size}:{stat.st_mtime_ns}"
    if (state["data_name"], state["data_digest"]) == (name, digest):
        return state["data"], name, digest
    try:
        return read_upload(folder / name, name=name), name, digest
    except fairdash.InputError as err:
        st.error(str(err))
        return None, None, None


def _choose_data() -> tuple[pd.DataFrame | None, str | None, str | None, dict]:
    """Widgets for the data source; returns the data, its name, digest and suggestions."""
    folder = data_dir()
    sources = [BUNDLED, UPLOAD, *([SERVER_FILE, SERVER] if folder else [])]
    _default("source", BUNDLED, sources)
    source = st.radio("Data source", sources, horizontal=True, key=key("source"))
    if source == SERVER:  # audited where it lives: no DataFrame, no training
        choose_server_log()
        st.stop()
    if source == BUNDLED:
        names = datasets.names()
        _default("bundled", names[0], names)
        name = st.selectbox(
            "Data set", names, format_func=lambda n: datasets.describe(n)["title"],
            key=key("bundled"),
        )
        info = datasets.describe(name)
        st.caption(f"{info['description']} Source: {info['source']}. Licence: {info['licence']}.")
        if state["upload"] is not None:
            st.caption(f"Your upload **{markdown_text(state['upload'].name)}** is kept: "
                       f"choose *{UPLOAD}* to use it again.")
        return bundled_data(name), name, None, info
    if source == SERVER_FILE:
        return (*_choose_server_file(Path(folder)), {})
    table = _choose_upload()
    if table is None:
        return None, None, None, {}
    return table.data, table.name, table.digest, {}


def _favourable(data: pd.DataFrame, target: str, suggestion: dict):
    """Ask which outcome is good for the person; the default is a guess, shown as one."""
    merged = repr(data.attrs.get("fairdash_merged"))  # rare categories merged, if any
    values = derived("labels", (target, merged), lambda: fairdash.label_values(data[target]))
    suggested = suggestion.get("positive_label")
    guess, reason = derived("positive_guess", (target, merged), lambda: (
        fairdash.guess_positive_label(data[target]))) if values else (None, "")
    _default("positive", suggested if suggested in values else guess, values)
    positive = st.selectbox(
        f"Which value of '{markdown_text(target)}' is the good outcome for the person "
        "(favourable)?",
        values, key=key("positive"),
        help="Selection rates and every headline count the people predicted this value: "
        "for a risk of reoffending or of default, that is the 'no' value.",
    )
    if suggested not in values and positive == guess:
        st.caption(f":material/help: {markdown_text(reason)}")
    return positive


def _sensitive(data: pd.DataFrame, candidates: list, suggestion: dict) -> tuple[list, dict]:
    """The sensitive features (and bins of numeric ones)."""
    if key("sensitive") not in state:
        state[key("sensitive")] = list(suggestion.get("sensitive_features", [])[:2])
    state[key("sensitive")] = [c for c in state[key("sensitive")] if c in candidates]
    sensitive = st.multiselect(
        "Sensitive features (their combinations form the groups)", candidates,
        key=key("sensitive"),
    )
    bins = {}
    for name in sensitive:
        if derived("binned", name, lambda n=name: fairdash.is_binned(data[n])):
            _default(f"bins.{name}", 4)
            bins[name] = int(
                st.number_input(f"Quantile bins for '{markdown_text(name)}'", 2, 10,
                                key=key(f"bins.{name}"))
            )
    return sensitive, bins


def _target(columns: list, suggestion: dict, label: str) -> str:
    _default("target", suggestion.get("target", columns[-1]), columns)
    return st.selectbox(label, columns, key=key("target"))


def _define_audit(data: pd.DataFrame, suggestion: dict) -> dict | None:
    """Widgets for auditing a model's existing predictions; returns the audit's arguments."""
    columns = list(data.columns)
    left, right = st.columns(2)
    with left:
        target = _target(columns, suggestion, "True outcome")
        positive = _favourable(data, target, suggestion)
        others = [c for c in columns if c != target]
        _default("prediction", others[0], others)
        prediction = st.selectbox(
            "The model's predicted label", others, key=key("prediction"),
            help="In the outcome's own values, or 0/1 with 1 the favourable outcome.",
        )
        scores = [NO_SCORE, *(c for c in others if c != prediction)]
        _default("score", NO_SCORE, scores)
        score = st.selectbox(
            "The model's score (optional)", scores, key=key("score"),
            help="Probabilities of the favourable outcome, for ROC AUC and the What-if page.",
        )
    with right:
        candidates = [c for c in others if c not in (prediction, score)]
        sensitive, bins = _sensitive(data, candidates, suggestion)
    if not sensitive:
        st.info("Choose at least one sensitive feature.")
        return None
    return {
        "target": target, "prediction": prediction,
        "score": None if score == NO_SCORE else score, "sensitive_features": sensitive,
        "positive_label": positive, "bins": bins,
    }


def _audit(data: pd.DataFrame, spec: dict) -> None:
    """Check the predictions (each run, so the page knows the definition), and on the button
    make them the session's model."""
    try:
        checked = fairdash.evaluate_predictions(data, **spec, min_group_size=min_group_size())
    except fairdash.InputError as err:
        st.error(markdown_text(err))
        state["problem"] = None
        return
    state["problem"] = checked.problem
    for note in checked.notes:
        if not note.startswith("Guessed"):  # the guess is shown beside its question
            st.warning(markdown_text(note))
    stale = _stale_models()
    st.header("3. Audit")
    if st.button("Audit these predictions", type="primary", key=action_key(PAGE, "audit")):
        audit_and_store(data, **spec)
        stale.empty()  # the stale models are replaced: no question above the new results
        st.success(
            f"Audited {len(checked.test_index):,} rows: Explore, What-if and Report now show "
            "your model.", icon=":material/check:",
        )


def _define_problem(data: pd.DataFrame, suggestion: dict):
    """Widgets for the problem definition; returns a Problem or None."""
    columns = list(data.columns)
    left, right = st.columns(2)
    with left:
        target = _target(columns, suggestion, "Target (what the model predicts)")
        tasks = ["inferred", "classification", "regression"]
        _default("task", "inferred", tasks)
        task_choice = st.selectbox(
            "Task", tasks, key=key("task"),
            help="Inferred from the target: numeric with many values means regression.",
        )
        task = None if task_choice == "inferred" else task_choice
        inferred = task or derived("task", target, lambda: fairdash.infer_task(data[target]))
        positive = None
        if inferred == "classification":
            positive = _favourable(data, target, suggestion)
    with right:
        candidates = [c for c in columns if c != target]
        sensitive, bins = _sensitive(data, candidates, suggestion)
        _default("include_sensitive", False)
        include = st.checkbox(
            "Also use the sensitive features as model inputs", key=key("include_sensitive")
        )
    if not sensitive:
        st.info("Choose at least one sensitive feature.")
        return None
    try:
        identity = (
            data_identity(state["data_name"], state["data_digest"]),
            repr(data.attrs.get("fairdash_merged")),  # rare categories merged, if any
        )
        screen = _screen(identity, target, tuple(sensitive), positive, _data=data)
        inputs = _choose_inputs(screen, target, sensitive)
        chosen = set(inputs) | (set(sensitive) if include else set())
        excluded = {
            str(c): screen.loc[c, "reason"] if screen.loc[c, "verdict"] == "exclude"
            else "Left out by you."
            for c in screen.index if c not in chosen
        }
        problem = problem_for(
            data,
            target=target,
            sensitive_features=sensitive,
            positive_label=positive,
            feature_columns=[c for c in data.columns if c in chosen],
            excluded_features=excluded,
            task=task,
            bins={k: int(v) for k, v in bins.items()},
        )
    except fairdash.InputError as err:
        st.error(markdown_text(err))
        return None
    for note in problem.notes:
        st.warning(markdown_text(note))
    return problem


@st.cache_data(show_spinner="Screening the columns…", max_entries=8, ttl="1h")
def _screen(identity, target, sensitive, positive, *, _data) -> pd.DataFrame:
    del identity  # the cache key of the data (the frame itself is not hashed)
    return fairdash.screen_features(
        _data, target=target, sensitive_features=list(sensitive), positive_label=positive
    )


def _choose_inputs(screen: pd.DataFrame, target: str, sensitive: list) -> list:
    """The "Model inputs" choice: the screen's use + warn columns by default, every
    decision overridable, and a table of each excluded or warned column with its reason."""
    candidates = list(screen.index)
    name = f"inputs.{target}|{'|'.join(sorted(map(str, sensitive)))}"
    if key(name) not in state:
        state[key(name)] = [c for c in candidates if screen.loc[c, "verdict"] != "exclude"]
    state[key(name)] = [c for c in state[key(name)] if c in candidates]
    inputs = st.multiselect(
        "Model inputs", candidates, key=key(name),
        help="By default every column the screen below does not exclude. Add an excluded "
        "column back only if it is known when the decision is made.",
    )
    flagged = screen[screen["verdict"] != "use"]
    if len(flagged):
        n_excluded = int((screen["verdict"] == "exclude").sum())
        st.caption(
            f"The screen excluded {n_excluded} and warned about {len(flagged) - n_excluded} of "
            f"{len(screen)} columns (ids, names, raw dates, free text, columns that predict "
            "the target almost perfectly, proxies of the sensitive features):"
        )
        # A static table: every decision in view and every reason whole (a grid cut the
        # reasons at the column's width and hid the last rows behind a scroll bar). Its
        # cells are markdown, and names and reasons quote the data: all escaped.
        table = pd.DataFrame(
            {
                "verdict": [markdown_text(v) for v in flagged["verdict"]],
                "reason": [markdown_text(r) for r in flagged["reason"]],
                "used": ["yes" if c in inputs else "no" for c in flagged.index],
            },
            index=pd.Index([markdown_text(c) for c in flagged.index], name="column"),
        )
        st.table(table, border="horizontal")
    return inputs


def _small_groups(data: pd.DataFrame) -> pd.DataFrame:
    """The small-group policy and the option to merge rare categories; returns the data
    with the chosen columns' rare categories merged into "Other"."""
    left, right = st.columns(2)
    _default("min_group_size", DEFAULT_MIN_GROUP_SIZE)
    size = left.number_input(
        "Minimum group size", 0, 100_000, key=key("min_group_size"),
        help="Groups with fewer rows are left out of the headline differences and ratios "
        "(named beside them) and flagged in the group tables; 0 keeps every group.",
    )
    text = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
    if key("merge_rare") in state:
        state[key("merge_rare")] = [c for c in state[key("merge_rare")] if c in text]
    right.multiselect(
        f"Merge categories with fewer than {int(size)} rows into 'Other'", text,
        key=key("merge_rare"),
        help="Before training, e.g. for a sensitive feature with groups of a few people.",
    )
    merged = model_data(data)
    values = merged.attrs.get("fairdash_merged") or {}
    state["merged"] = values
    for column, rare in values.items():
        shown = ", ".join(map(str, rare[:8])) + (" …" if len(rare) > 8 else "")
        st.caption(markdown_text(f"'{column}': {len(rare)} value(s) merged into 'Other' "
                                 f"({shown})."))
    return merged


def _stale_models():
    """Ask before discarding models computed for another data set or definition; returns
    the placeholder of the question, to clear once new models replace the stale ones."""
    placeholder = st.empty()
    if not is_stale():
        return placeholder
    n = len(state["models"])
    box = placeholder.container()
    box.warning(
        f"The {n} model(s) on the other pages were computed for "
        f"{describe_basis(state['evaluation'])}, not for the data and definition on this "
        f"page: {describe_changes(stale_changes())} They stay, marked stale on every page, "
        "until you train again (here or on Mitigate) or discard them; setting the "
        "definition back makes them current again.",
        icon=":material/history:",
    )
    box.button(f"Discard the {n} stale model(s)", key=action_key(PAGE, "discard"),
               on_click=discard_results, icon=":material/delete:")
    return placeholder


def _train(data: pd.DataFrame, problem, stale) -> None:
    """The estimator, split and seed, and the Train button; ``stale`` is the placeholder
    of the stale-models question, cleared once a new model replaces them."""
    left, mid, right = st.columns(3)
    names = estimator_names(problem.task)
    _default(f"estimator.{problem.task}", names[0], names)
    estimator = left.selectbox(
        "Estimator", names, format_func=lambda n: estimator_spec(n, task=problem.task).label,
        key=key(f"estimator.{problem.task}"),
    )
    _default("test_size", 0.3)
    test_size = mid.slider("Test share", 0.1, 0.5, step=0.05, key=key("test_size"))
    _default("seed", 0)
    seed = right.number_input("Random seed", 0, 2**31 - 1, key=key("seed"))
    if not _train_confirmed():
        return
    with st.status(f"Training {estimator_spec(estimator, task=problem.task).label}…") as status:
        try:
            status.write("Splitting the data (stratified by target and group) and fitting…")
            run, metrics = train_and_store(
                data, problem, estimator=estimator, test_size=test_size, seed=int(seed)
            )
            status.write(f"Fitted in {run.fit_seconds:.2f} s; group metrics computed.")
            status.write("Checking whether the model is suspiciously good…")
            state["leakage"] = fairdash.leakage_check(
                run, data, overall=metrics.overall if problem.task == "classification" else None
            )
            if run.fit_index is not None:
                status.write(_sample_note(run))
        except fairdash.InputError as err:
            status.update(label="Training failed", state="error")
            st.error(markdown_text(err))
            return
        except Exception as err:  # hardening: a message, never a traceback
            status.update(label="Training failed", state="error")
            st.error(markdown_text(_training_failure(err)))
            return
        status.update(label="Model trained", state="complete", expanded=False)
        stale.empty()


def _train_confirmed() -> bool:
    """The Train button; with several models in the session (mitigations, what-if models),
    it first asks before they are replaced."""
    n = len(state["models"])
    if st.button("Train model", type="primary", key=action_key(PAGE, "train")):
        if n <= 1:
            return True
        state["confirm_train"] = True
    if not state["confirm_train"]:
        return False
    st.warning(f"Training replaces the {n} models of this session (from Mitigate, What-if or "
               "the demo). Train anyway?", icon=":material/warning:")
    left, right = st.columns(2)
    if right.button("Keep the models", key=action_key(PAGE, "keep_models")):
        state["confirm_train"] = False
        st.rerun()
    if not left.button(f"Replace the {n} models and train", type="primary",
                       key=action_key(PAGE, "confirm_train")):
        return False
    state["confirm_train"] = False
    return True


def _sample_note(run) -> str:
    """What the model was fitted on, when the training part was too large to fit on whole."""
    return (
        f"Fitted on a stratified sample of {len(run.fit_index):,} of the "
        f"{len(run.train_index):,} training rows (same mix of target and groups; at most "
        f"{fairdash.MAX_FIT_ROWS:,} rows are fitted on), evaluated on every one of the "
        f"{len(run.test_index):,} test rows."
    )


def _training_failure(err: Exception) -> str:
    """A message for a failure the core did not foresee (a bug): no traceback in the UI."""
    return (
        f"Training failed ({type(err).__name__}: {err}). Check the data or try another "
        "estimator."
    )


def _results() -> None:
    run = state["run"]
    # One small-group policy: the flags, the table and "hide small groups" follow the minimum
    # group size set above, also when it changed after training.
    metrics = state["metrics"].with_min_group_size(min_group_size())
    if run is not None:
        problem = run.problem
        label = estimator_spec(run.estimator, task=problem.task).label
        st.subheader(f"Results: {label} on {len(run.test_index):,} test rows")
    else:  # audited predictions
        problem = state["evaluation"].problem
        st.subheader(f"Results: your model's predictions on {int(metrics.overall['count']):,} rows")
    if is_stale():
        st.caption(":material/history: Stale: computed for an older data set or definition. "
                   f"{describe_changes(stale_changes())}")
    leakage = state["leakage"]
    if leakage is not None and leakage.suspicious:
        st.warning(markdown_text(leakage.message), icon=":material/warning:")
    if run is not None and run.fit_index is not None:
        st.caption(f":material/filter_alt: {_sample_note(run)}")
    if problem.task == "classification":
        readings = fairdash.summary_readings(
            metrics, min_group_size=min_group_size(), favourable=problem.favourable_outcome
        )
        summary = readings.disparities
        if readings.note:
            st.caption(f":material/info: {markdown_text(readings.note)}")
        cols = st.columns(4)
        cols[0].metric("Accuracy", f"{metrics.overall['accuracy']:.3f}")
        cols[1].metric(
            "Demographic parity difference", f"{summary['demographic_parity_difference']:.3f}"
        )
        cols[2].metric(
            "Equalized odds difference", f"{summary['equalized_odds_difference']:.3f}"
        )
        passed = summary["four_fifths_rule_passed"]
        cols[3].metric(
            "Disparate impact ratio",
            f"{summary['disparate_impact_ratio']:.3f}",
            "passes four-fifths rule" if passed else "fails four-fifths rule",
            delta_color="normal" if passed else "inverse",
            delta_arrow="off",  # a verdict, not a change: an arrow would read as one
        )
        table = metrics.to_frame()
        _default("hide_small", False)
        hide_small = st.checkbox(
            f"Hide groups with fewer than {metrics.min_group_size} rows in the chart",
            key=key("hide_small"),
            help="The minimum group size set above: the same groups the summary numbers "
            "leave out.",
        )
        fig = group_rate_chart(
            table,
            metric="selection_rate",
            overall=float(metrics.overall["selection_rate"]),
            hide_small=hide_small,
        )
        st.plotly_chart(fig, key="data_selection_rate_chart")
        st.markdown(
            f"**Metrics by group** (intervals: 95 % Wilson; small: fewer than "
            f"{metrics.min_group_size} rows)"
        )
        st.dataframe(table, width="stretch", key="data_group_table")
        st.markdown(
            f"**Summary disparities** (between groups; selection rate: "
            f"{markdown_text(problem.selection_phrase)})"
        )
        # The rule's verdict in words (in a column of numbers it would read 0 or 1).
        shown = {name: f"{value:.4f}" for name, value in summary.items()
                 if name != "four_fifths_rule_passed"}
        shown["four_fifths_rule_passed"] = "yes" if passed else "no"
        st.dataframe(pd.Series(shown, name="value").to_frame(), width="stretch")
    else:
        disparities = metrics.disparities(min_group_size=min_group_size())
        cols = st.columns(3)
        cols[0].metric("RMSE", f"{metrics.overall['root_mean_squared_error']:.3f}")
        cols[1].metric("KS distance", f"{disparities['ks_distance']:.3f}")
        cols[2].metric("Wasserstein distance", f"{disparities['wasserstein_distance']:.3f}")
        st.markdown("**Metrics by group**")
        st.dataframe(metrics.by_group, width="stretch", key="data_group_table")


st.title("FairDash")
st.caption("Who is treated differently, by how much, and how sure are we?")

st.header("1. Data")
data, data_name, digest, suggestion = _choose_data()
use_data(data, data_name, digest)
state["problem"] = None
if data is not None:
    st.markdown(f"**{markdown_text(data_name)}**: {data.shape[0]:,} rows, {data.shape[1]} columns")
    for note in io.read_notes(data):  # how the file was read: renamed headers, number formats
        st.info(markdown_text(note), icon=":material/info:")
    st.dataframe(data.head(200), width="stretch", height=240)

    st.header("2. Problem")
    _default("workflow", TRAIN, [TRAIN, AUDIT])
    workflow = st.radio("What do you have?", [TRAIN, AUDIT], horizontal=True,
                        key=key("workflow"))
    data = _small_groups(data)
    if workflow == AUDIT:
        spec = _define_audit(data, suggestion)
        problem = None
        if spec is None:
            state["problem"] = None
            _stale_models()
        else:
            _audit(data, spec)
    else:
        state["problem"] = problem = _define_problem(data, suggestion)
        stale = _stale_models()
    try:
        stage = None if problem is None else data_stage_for(data, problem)
    except fairdash.InputError as err:  # e.g. too many groups to count: no model either
        st.error(markdown_text(err))
        problem = None
    if problem is not None:
        with st.expander("Data-stage view: group sizes and label bias before any model"):
            st.dataframe(stage, width="stretch")
        st.header("3. Model")
        _train(data, problem, stale)
else:
    _stale_models()

if state["run"] is not None or (
    state["settings"].get("workflow") == "audit" and state["metrics"] is not None
):
    _results()
elif state["models"] and not is_stale():  # made on Mitigate, by the demo or a restore
    made_by = {"mitigate": "the mitigation run"}.get(state["settings"].get("workflow"),
                                                    "this session")
    st.info(
        f"**{len(state['models'])} models** from {made_by} are in use (current model: "
        f"**{markdown_text(state['current_model'])}**): compare them on Compare; Explore, "
        "What-if and Report show the current one.", icon=":material/model_training:",
    )
    link("compare", "Compare the models")
