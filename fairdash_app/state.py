"""Everything the app keeps in the session, declared in one place.

Every page calls :func:`init_state` first: a page can run without ``app.py``
(direct links, AppTest), and Streamlit drops the state of widgets that a run
does not draw (so the widgets of a page you left would be reset).

Keys
----
- Session keys (:data:`DEFAULTS`): the data, the last upload, the problem
  definition, the models and what they are measured on.
- Caches (:data:`CACHES`): keyed by model identity (``ModelResult.uid``, new for
  every model, also one retrained under the same name), never by name. Every
  cache of the session keeps at most so many entries for at most
  :data:`CACHE_TTL_SECONDS` (:class:`fairdash._expiring.ExpiringCache`).
- Fitted models to reuse (:func:`run_cache`): the Mitigate page's
  :class:`fairdash.tradeoff.RunCache` for the data and problem definition, so a
  run with settings already run reuses their models; kept by
  :func:`set_models`, forgotten by :func:`discard_results` and when the data is
  replaced.
- Derived results (:func:`derived`): what is computed from the data and the problem
  definition (the problem itself, the data-stage view, label values), kept per data
  fingerprint, at most :data:`MAX_DERIVED` of them, and dropped when the data is
  replaced. The fingerprint is assigned once, when the data enters the session
  (:func:`data_identity`), so a rerun never hashes the data again.
- Widget keys, one convention: :func:`widget_key` gives ``"w:<page>.<name>"``
  for widgets that hold a value (kept across pages by :func:`init_state`);
  :func:`action_key` gives ``"a:<page>.<name>"`` for buttons, uploaders and
  downloads (Streamlit forbids setting their state).

:func:`discard_results` is the one function that forgets everything derived from
the data, the problem definition or the models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from fairdash import DefinitionBasis, InputError, definition_changes, markdown_text
from fairdash._expiring import ExpiringCache
from fairdash.tradeoff import RunCache
from fairdash_app.memory import release_memory
from fairdash_app.navigation import link

__all__ = [
    "AUDIT",
    "BUNDLED",
    "CACHES",
    "CACHE_TTL_SECONDS",
    "DEFAULTS",
    "DEFAULT_MIN_GROUP_SIZE",
    "MAX_DERIVED",
    "NO_SCORE",
    "SERVER",
    "SERVER_FILE",
    "TRAIN",
    "UPLOAD",
    "Evaluation",
    "UploadedTable",
    "action_key",
    "add_model",
    "cache",
    "current_model",
    "data_identity",
    "derived",
    "describe_basis",
    "describe_changes",
    "discard_results",
    "init_state",
    "is_stale",
    "min_group_size",
    "model_result",
    "needs_rows_notice",
    "require_models",
    "rows_measured",
    "run_cache",
    "set_models",
    "show_definition",
    "stale_changes",
    "stale_notice",
    "switch_definition",
    "use_data",
    "widget_key",
]

WIDGET_PREFIX = "w:"
ACTION_PREFIX = "a:"
#: The data sources of the Data & model page (the server folder only when one is set).
BUNDLED, UPLOAD = "Bundled data set", "Upload a file"
SERVER = "Server data folder (large logs)"
#: A file of the server data folder loaded into the session (to train on, like an upload).
SERVER_FILE = "File on the server"
#: The two workflows of the Data & model page, and the score choice meaning "no score".
TRAIN, AUDIT = "Train a model on this data", "Audit existing predictions"
NO_SCORE = "(no score column)"


def widget_key(page: str, name: str) -> str:
    """Key of a widget that holds a value (kept when the user visits other pages)."""
    return f"{WIDGET_PREFIX}{page}.{name}"


def action_key(page: str, name: str) -> str:
    """Key of a button, file uploader or download button (never kept or set)."""
    return f"{ACTION_PREFIX}{page}.{name}"


@dataclass(frozen=True)
class UploadedTable:
    """An uploaded file, read: kept until another upload replaces it."""

    name: str
    digest: str  # sha256 of the file's bytes
    data: pd.DataFrame
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    content: bytes | None = None  # kept only when there are sheets to switch between
    file_id: str | None = None  # Streamlit's id of the upload: same id, same file, no re-read


@dataclass
class Evaluation:
    """The test rows every model in the session is measured on, and what the models
    were computed for (the data and the problem definition at the time)."""

    test_index: pd.Index
    y_test: np.ndarray
    sensitive_test: pd.DataFrame
    problem: object  # fairdash.Problem
    data: pd.DataFrame
    data_name: str | None
    data_digest: str | None


DEFAULTS = {
    "data": None,  # the DataFrame the Data & model page defines the problem on
    "data_name": None,  # bundled name or uploaded file name
    "data_digest": None,  # sha256 of an uploaded file (None for bundled data)
    "upload": None,  # UploadedTable: the last upload, kept until replaced
    "definitions": {},  # Data & model widget values per data source (restored on return)
    "problem": None,  # fairdash.Problem defined on the Data & model page (None: incomplete)
    "run": None,  # fairdash.TrainingRun from the Data & model page
    "metrics": None,  # group metrics of that run's test predictions
    "models": [],  # fairdash.tradeoff.ModelResult, all on the evaluation's test rows
    "failures": [],  # fairdash.tradeoff.MethodFailure: methods of that run that could not run
    "evaluation": None,  # Evaluation: the models' test rows, data and definition
    "current_model": None,  # name of the model the Explore / What-if / Report pages show
    "settings": {},  # what produced the models (for saved configurations)
    "thresholds": None,  # what-if thresholds by group label, if set
    "flash": None,  # a message for the next run (set by a button callback)
    "strategy_outcome": None,  # what the last What-if strategy achieved (StrategyOutcome, uid)
    "confirm_train": False,  # Data & model asks before training replaces several models
    "slices": None,  # (model uid, find_slices table): the Discover page's last search
    "leakage": None,  # fairdash.LeakageCheck of the trained run (suspiciously good?)
    "merged": {},  # rare categories merged into "Other" on Data & model: {column: values}
    "log_audit": None,  # fairdash_app.server_log.LogAudit: a server-side log audited in place
    "log_tables": {},  # CellTables of server-side logs, by (files, columns): aggregated once
    "derived": None,  # results derived from the data (see `derived`), by (kind, key)
    "run_caches": None,  # RunCache of the Mitigate page per data and problem (`run_cache`)
}
#: Seconds an entry of a session cache is kept (then computed again when needed).
CACHE_TTL_SECONDS = 3600.0
#: At most this many derived results are kept (least recently used dropped first).
MAX_DERIVED = 32
#: Caches keyed by model identity (``ModelResult.uid``), and the most entries each keeps.
CACHES = {
    "cache:whatif_curves": ("ThresholdCurves of a model's scores", 16),
    "cache:images": ("static chart images prepared on the Report page", 32),
    "cache:compare_table": ("the Compare table with bootstrap intervals, per metric pair", 8),
    "cache:model_results": ("figures and metrics of the current model (see `model_result`)", 64),
}
#: Run caches kept (one per data set and problem definition; two: switching back and forth).
MAX_RUN_CACHES = 2


def _new_cache(name: str) -> ExpiringCache:
    """An empty session cache: one of :data:`CACHES`, ``"derived"`` or ``"run_caches"``."""
    size = {"derived": MAX_DERIVED, "run_caches": MAX_RUN_CACHES}.get(name)
    if size is None:
        size = CACHES[name][1]
    return ExpiringCache(max_entries=size, ttl_seconds=CACHE_TTL_SECONDS)
# The Data & model widgets that define the problem on one data source.
_DEFINITION_WIDGETS = tuple(
    widget_key("data", name)
    for name in (
        "target", "task", "positive", "sensitive", "bins.", "include_sensitive", "inputs.",
        "merge_rare", "min_group_size", "workflow", "prediction", "score",
    )
)
#: Groups with fewer rows are left out of summary numbers (set on Data & model).
DEFAULT_MIN_GROUP_SIZE = 30
# Widgets whose values only make sense for the models they were set for.
_DERIVED_WIDGETS = (widget_key("whatif", "group."), widget_key("whatif", "all"))
# Results: everything computed from data, problem or models.
_RESULTS = (
    "run", "metrics", "models", "failures", "evaluation", "current_model", "settings",
    "thresholds", "slices", "strategy_outcome", "leakage", "log_audit",
)


def init_state() -> None:
    """Give every key its default if this session has not set it yet, and keep the
    values of widgets drawn on other pages (Streamlit would drop them)."""
    state = st.session_state
    if "data" not in state:
        # A new session: sessions that ended (Streamlit drops them when another connects)
        # left their data in the allocators' free lists.
        release_memory()
    for key, value in DEFAULTS.items():
        if key not in state:
            state[key] = value.copy() if isinstance(value, list | dict) else value
    for key in (*CACHES, "derived", "run_caches"):
        if state.get(key) is None:
            state[key] = _new_cache(key)
    for key in list(state.keys()):
        if isinstance(key, str) and key.startswith(WIDGET_PREFIX):
            state[key] = state[key]


def cache(name: str) -> ExpiringCache:
    """One of the :data:`CACHES` (a bounded, expiring mapping keyed by model identity)."""
    if name not in CACHES:
        raise KeyError(f"Unknown cache {name!r}; declare it in CACHES.")
    state = st.session_state
    if state.get(name) is None:
        state[name] = _new_cache(name)
    return state[name]


def model_result(kind: str, model, key, compute):
    """A figure or table of one model, computed once per model identity and ``key``.

    Only the results of one model are kept (the current one): showing another
    model drops them, so the cache never grows with the number of models.
    """
    kept = cache("cache:model_results")
    if kept.get("uid") != model.uid:
        kept.clear()
        kept["uid"] = model.uid
    if (kind, key) not in kept:
        kept[(kind, key)] = compute()
    return kept[(kind, key)]


def data_identity(name: str | None, digest: str | None) -> str | None:
    """What identifies a data source: a bundled name, or an upload's name and digest."""
    return None if name is None else f"{name}:{digest}" if digest else name


def switch_definition(old: str | None, new: str | None, *, same_columns: bool) -> None:
    """Keep the problem-definition widgets of the data source ``old`` and bring back those
    of ``new``, so switching data sets and back restores what was chosen. A source never
    defined starts from its defaults, or from the current choices if it has the same
    columns (a corrected file uploaded again)."""
    state = st.session_state
    keys = [k for k in state.keys() if isinstance(k, str) and k.startswith(_DEFINITION_WIDGETS)]
    if old is not None:
        state["definitions"][old] = {k: state[k] for k in keys}
    if new in state["definitions"] or not same_columns:
        for key in keys:
            del state[key]
    for key, value in state["definitions"].get(new, {}).items():
        state[key] = value


def use_data(data: pd.DataFrame | None, name: str | None, digest: str | None) -> None:
    """Make ``data`` the data the Data & model page defines the problem on (keeping the
    definition chosen for the data used before, to bring it back on return)."""
    state = st.session_state
    previous = data_identity(state["data_name"], state["data_digest"])
    if data_identity(name, digest) != previous:
        old = state["data"]
        same = old is not None and data is not None and list(old.columns) == list(data.columns)
        switch_definition(previous, data_identity(name, digest), same_columns=same)
        state["derived"] = _new_cache("derived")  # computed from the data this replaces
        state["run_caches"] = _new_cache("run_caches")
    replaced = state["data"] is not None and state["data"] is not data
    state["data"], state["data_name"], state["data_digest"] = data, name, digest
    if replaced:
        release_memory()


def derived(kind: str, key, compute, *, source: str | None = None):
    """A result computed from the session's data, once per data fingerprint and ``key``.

    Parameters
    ----------
    kind : str
        What the result is (``"problem"``, ``"data_stage"``, ...).
    key : hashable
        Everything besides the data that the result depends on.
    compute : callable
        ``compute()`` gives the result when it is not kept yet. An
        :class:`fairdash.InputError` it raises is kept and raised again for the
        same key (an invalid definition stays invalid until the data or the key
        changes).
    source : str, optional
        :func:`data_identity` of the data the result is computed from, when it is
        not the session's current data (the data older models were trained on).

    Returns
    -------
    object
        The result.
    """
    state = st.session_state
    if state.get("derived") is None:
        state["derived"] = _new_cache("derived")
    kept = state["derived"]
    kept.max_entries = MAX_DERIVED  # the module's bound, read when used
    if source is None:
        source = data_identity(state.get("data_name"), state.get("data_digest"))
    full_key = (kind, source, key)
    if full_key not in kept:
        try:
            kept[full_key] = (True, compute())
        except InputError as err:
            kept[full_key] = (False, err)
    ok, value = kept[full_key]
    if not ok:
        raise value.with_traceback(None)
    return value


def discard_results() -> None:
    """Forget everything derived from the data, the problem definition or the models:
    the models, their evaluation, the training run, thresholds, every cache, the
    fitted models kept to reuse (:func:`run_cache`) and the widget values set for
    those models. The data and the definition stay."""
    _discard_models()
    st.session_state["run_caches"] = _new_cache("run_caches")


def _discard_models() -> None:
    """:func:`discard_results` but for the fitted models kept to reuse."""
    state = st.session_state
    for key in _RESULTS:
        value = DEFAULTS[key]
        state[key] = value.copy() if isinstance(value, list | dict) else value
    for key in CACHES:
        state[key] = _new_cache(key)
    for key in [k for k in state.keys() if isinstance(k, str)]:
        if key.startswith(_DERIVED_WIDGETS):
            del state[key]


def run_cache(problem, data: pd.DataFrame, *, source: str | None) -> RunCache:
    """The :class:`fairdash.tradeoff.RunCache` of the data and problem definition.

    ``source`` is the :func:`data_identity` of ``data``; rare categories merged on
    Data & model are part of the key. At most :data:`MAX_RUN_CACHES` are kept.
    """
    state = st.session_state
    if state.get("run_caches") is None:
        state["run_caches"] = _new_cache("run_caches")
    caches = state["run_caches"]
    key = json.dumps([source, problem.to_dict(), repr(data.attrs.get("fairdash_merged"))],
                     sort_keys=True, default=repr)
    if key not in caches:
        caches[key] = RunCache(ttl_seconds=CACHE_TTL_SECONDS)
    return caches[key]


def set_models(models: list, evaluation: Evaluation, *, current: str | None = None) -> None:
    """Replace the session's models (all measured on ``evaluation``'s rows), and the
    methods that could not run when ``models`` is a ``TradeoffResults``; the fitted
    models kept to reuse stay (:func:`run_cache`)."""
    _discard_models()
    state = st.session_state
    state["models"] = list(models)
    # A TradeoffResults also says which methods could not run (the report lists them).
    state["failures"] = list(getattr(models, "failures", []))
    state["evaluation"] = evaluation
    names = [m.name for m in models]
    state["current_model"] = current if current in names else (names[0] if names else None)


def add_model(model) -> None:
    """Add one more model measured on the same rows (e.g. from the What-if page); a model
    of the same name is replaced."""
    models = [m for m in st.session_state["models"] if m.name != model.name]
    st.session_state["models"] = [*models, model]


def current_model():
    """The current model (a ModelResult), or None."""
    name = st.session_state.get("current_model")
    for model in st.session_state.get("models") or []:
        if model.name == name:
            return model
    return None


def rows_measured(n: int) -> str:
    """What the models are measured on, in words: "1,500 test rows", or "1,500 audited
    rows" for an audited predictions file (every row with an outcome; nothing held out
    unless its scores were post-processed)."""
    settings = st.session_state.get("settings") or {}
    if settings.get("workflow") != "audit":
        return f"{n:,} test rows"
    if settings.get("methods"):  # post-processed: measured on the rows not fitted on
        return f"{n:,} audited rows held out from the post-processing"
    return f"{n:,} audited rows"


def min_group_size() -> int:
    """The small-group policy set on Data & model: groups with fewer rows are left out of
    summary numbers (headline cards) and named beside them."""
    value = st.session_state.get(widget_key("data", "min_group_size"), DEFAULT_MIN_GROUP_SIZE)
    return int(value)


def stale_changes() -> list[str]:
    """What differs between the definition the models were computed for and the one the
    Data & model page now shows (:func:`fairdash.definition_changes`); empty when current."""
    state = st.session_state
    evaluation = state.get("evaluation")
    if evaluation is None or not state.get("models"):
        return []
    then = DefinitionBasis(evaluation.data_name, evaluation.data_digest, evaluation.problem,
                           evaluation.data.attrs.get("fairdash_merged") or {})
    now = DefinitionBasis(state["data_name"], state["data_digest"], state["problem"],
                          state.get("merged") or {})
    return definition_changes(then, now)


def is_stale() -> bool:
    """Whether the models were computed for other data or another problem definition than
    the one the Data & model page now shows."""
    return bool(stale_changes())


def describe_changes(changes: list[str]) -> str:
    """The changes of :func:`stale_changes` as one sentence (markdown-escaped)."""
    text = "; ".join(changes)
    return markdown_text(text[:1].upper() + text[1:] + ".")


def describe_basis(evaluation: Evaluation) -> str:
    """What the models were computed for, in a sentence fragment."""
    problem = evaluation.problem
    return (
        f"**{markdown_text(evaluation.data_name)}**, target **{markdown_text(problem.target)}**, "
        f"sensitive features **{markdown_text(', '.join(map(str, problem.sensitive_features)))}**, "
        f"{len(problem.feature_columns)} model inputs"
    )


def stale_notice() -> None:
    """Mark results computed for an older definition (every page that shows results)."""
    if is_stale():
        state = st.session_state
        st.warning(
            f"**Stale results.** The {len(state['models'])} model(s) were computed for "
            f"{describe_basis(state['evaluation'])}. Since then, on the Data & model page: "
            f"{describe_changes(stale_changes())} Retrain there or on Mitigate, or discard "
            "them on Data & model.",
            icon=":material/history:",
        )


def needs_rows_notice() -> bool:
    """On a page that needs row-level data: say it is not available while the audit is a
    server-side log (reduced to counts); True when that is the case."""
    log = st.session_state.get("log_audit")
    if log is not None:
        st.info(
            f"The current audit is the server-side log **{log.name_md}**, reduced to counts "
            "where it lives: this page needs the rows themselves (to retrain, compare "
            "models, search slices, draw score distributions or calibration), so it is not "
            "available for it. **Explore**, **What-if** and **Report** work on the log."
        )
        link("explore", "Go to Explore")
        return True
    return False


def require_models() -> bool:
    """Tell the user where to start if there is no model yet; True when there is one."""
    if needs_rows_notice():
        return False
    if current_model() is None or st.session_state.get("evaluation") is None:
        st.info(
            "No model yet. Train one on the **Data & model** page, run mitigations on the "
            "**Mitigate** page, or press **Run the demo** on the home page."
        )
        link("data", "Go to Data & model")
        return False
    stale_notice()
    return True


def show_definition(problem, *, data_name: str | None, bundled: bool) -> None:
    """Set the Data & model page's widgets to a problem definition (after the demo or a
    restored configuration made models for it), so that page shows what they were made for."""
    from fairdash import infer_task

    state = st.session_state
    state[widget_key("data", "source")] = BUNDLED if bundled else UPLOAD
    if bundled:
        state[widget_key("data", "bundled")] = data_name
    state[widget_key("data", "target")] = problem.target
    data = state.get("data")
    inferred = None if data is None else infer_task(data[problem.target])
    state[widget_key("data", "task")] = "inferred" if inferred == problem.task else problem.task
    if problem.positive_label is not None:
        state[widget_key("data", "positive")] = problem.positive_label
    state[widget_key("data", "sensitive")] = list(problem.sensitive_features)
    for name, bins in problem.bins.items():
        if isinstance(bins, int):
            state[widget_key("data", f"bins.{name}")] = bins
    inputs = [c for c in problem.feature_columns if c not in problem.sensitive_features]
    state[widget_key("data", f"inputs.{problem.target}")] = inputs
    state[widget_key("data", "include_sensitive")] = set(problem.sensitive_features) <= set(
        problem.feature_columns
    )
