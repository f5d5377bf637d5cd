"""Audit a prediction log from the server's data folder (``FAIRDASH_DATA_DIR``) where it lives.

A log of gigabytes is never uploaded through the browser: the operator puts it
in the data folder, the user picks it and its columns, and DuckDB reduces it to
a :class:`~fairdash.engines.CellTable` once per (files, columns), kept in the
session. Explore, What-if and Report then work from that table: the metrics
from :func:`~fairdash.engines.metrics_from_cell_table`, What-if from
:func:`~fairdash.engines.threshold_curves_from_table`.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from fairdash import InputError, markdown_text
from fairdash._problem import Problem
from fairdash._readings import weighted_note
from fairdash.engines import (
    DATA_DIR_VARIABLE,
    DEFAULT_SCORE_BINS,
    CellTable,
    HistogramThresholdCurves,
    aggregate_log,
    describe_log,
    is_numeric_type,
    list_data_dir,
    metrics_from_cell_table,
    resolve_files,
    resolve_in_data_dir,
    threshold_curves_from_table,
)
from fairdash.groups import parse_bins_text
from fairdash.metrics import GroupMetrics
from fairdash.report import audit_report_html
from fairdash.thresholds import threshold_step
from fairdash_app.state import (
    NO_SCORE,
    action_key,
    discard_results,
    min_group_size,
    widget_key,
)

__all__ = [
    "NO_WEIGHT",
    "LogAudit",
    "active_log",
    "choose_server_log",
    "data_dir",
    "log_report_html",
    "log_table",
    "pair_metrics",
]

PAGE = "data"
#: The weight choice meaning "every row counts once".
NO_WEIGHT = "(no weights: every row counts once)"
#: Said wherever What-if works on a log's histogram.
EDGES_NOTE = (
    f"Thresholds on a server-side log come from per-group score histograms "
    f"({DEFAULT_SCORE_BINS:,} equal-width bins): exact at the histogram's edges; a threshold "
    "between two edges acts as the next edge up."
)


@dataclass(frozen=True)
class LogAudit:
    """A server-side log audited in place: its counts, metrics and threshold curves."""

    name: str  # relative to the data folder
    target: str
    prediction: str
    score: str | None
    sensitive_features: tuple[str, ...]
    positive_label: object
    table: CellTable
    metrics: GroupMetrics
    curves: HistogramThresholdCurves | None
    uid: str  # new for every audit (What-if keeps its strategy outcome per uid)
    slider_step: float = 0.01  # What-if's slider step, from the occupied bin edges
    sample_weight: str | None = None
    bins: tuple[tuple[str, int | tuple[float, ...]], ...] = ()  # as chosen (the rest: default)

    @property
    def name_md(self) -> str:
        """The log's name as markdown that shows it as it is (file names can hold anything)."""
        return markdown_text(self.name)

    def problem(self) -> Problem:
        """The problem definition the report shows (no model inputs: the model is not here)."""
        notes = self.table.notes
        if self.sample_weight:
            notes = (*notes, weighted_note(self.sample_weight))
        return Problem(
            target=self.target, task="classification", positive_label=self.positive_label,
            sensitive_features=self.sensitive_features, feature_columns=(),
            bins=dict(self.table.binned), notes=notes,
        )


def data_dir() -> str | None:
    """The server-side data folder, or None when ``FAIRDASH_DATA_DIR`` is not set."""
    return os.environ.get(DATA_DIR_VARIABLE) or None


def active_log() -> LogAudit | None:
    """The server-side log the session audits, if any."""
    return st.session_state.get("log_audit")


def _files_signature(path: str) -> tuple:
    """The files of a log with their sizes and modification times: a changed file is
    aggregated again."""
    files, _ = resolve_files(path)
    return tuple((f, os.path.getsize(f), os.path.getmtime(f)) for f in files)


def log_table(
    path: str, *, target: str, prediction: str, score: str | None, sensitive: tuple[str, ...],
    sample_weight: str | None = None, bins: tuple = (),
) -> CellTable:
    """The log's CellTable, aggregated by DuckDB once per (files, columns, bins) in the
    session (``bins``: pairs of a sensitive feature and its bins, as ``aggregate_log``
    takes them)."""
    tables = st.session_state.setdefault("log_tables", {})
    key = (_files_signature(path), target, prediction, score, sensitive, sample_weight, bins)
    if key not in tables:
        tables.clear()  # one log at a time: the tables are small, the choice is the user's
        tables[key] = aggregate_log(
            path, target=target, prediction=prediction, sensitive_features=list(sensitive),
            score=score, sample_weight=sample_weight, bins=dict(bins),
        )
    return tables[key]


def pair_metrics(log: LogAudit, rows: str, columns: str) -> GroupMetrics:
    """Metrics over two of the log's sensitive features (the cells summed over the others)."""
    return metrics_from_cell_table(log.table.over([rows, columns]), target=log.target,
                                   prediction=log.prediction, pos_label=log.positive_label,
                                   weighted=log.sample_weight is not None,
                                   min_group_size=min_group_size())


def log_report_html(log: LogAudit, *, thresholds: dict | None = None) -> str:
    """The HTML audit report of a server-side log (with the What-if thresholds, if set)."""
    extra = []
    if thresholds:
        extra.append(("What-if thresholds (exact at the score histogram's edges)",
                      pd.Series(thresholds, name="threshold").rename_axis("group").to_frame()))
    return audit_report_html(
        log.metrics, problem=log.problem(), prediction=log.prediction, score=log.score,
        source=f"{log.name} (server data folder; {log.table.source})",
        n_rows=log.table.n_rows, notes=log.problem().notes, extra_sections=extra,
    )


def _key(name: str) -> str:
    return widget_key(PAGE, f"log.{name}")


def _pick(label: str, options: list, name: str, default, **kwargs):
    if _key(name) not in st.session_state or st.session_state[_key(name)] not in options:
        st.session_state[_key(name)] = default
    return st.selectbox(label, options, key=_key(name), **kwargs)


def choose_server_log() -> None:
    """The Data & model widgets for a server-side log: which log, which columns, audit."""
    state = st.session_state
    folder = data_dir()
    try:
        names = list_data_dir(folder)
    except InputError as err:
        st.error(f"{markdown_text(err)} Set {DATA_DIR_VARIABLE} to a folder the server can read.")
        return
    st.caption(
        "Logs in the server's data folder (Parquet or CSV files, or folders of Parquet parts). "
        "They are read where they are, by DuckDB: nothing goes through the browser."
    )
    if not names:
        st.info("The data folder holds no Parquet or CSV file yet.")
        return
    name = _pick("Log", names, "name", names[0])
    try:
        path = resolve_in_data_dir(name.rstrip("/"), data_dir=folder)
        columns = describe_log(path)
    except InputError as err:
        st.error(markdown_text(err))
        return
    st.caption(f"{len(columns)} columns: " + ", ".join(map(markdown_text, columns)))
    names = list(columns)
    left, right = st.columns(2)
    with left:
        target = _pick("True outcome", names, "target", names[-1])
        others = [c for c in names if c != target]
        prediction = _pick("The model's predicted label", others, "prediction", others[0],
                           help="In the outcome's own values, or 0/1 with 1 favourable.")
        scores = [NO_SCORE, *(c for c in others if c != prediction)]
        score = _pick("The model's score (for ROC AUC and What-if)", scores, "score", NO_SCORE)
    with right:
        candidates = [c for c in others if c not in (prediction, score)]
        chosen = [c for c in state.get(_key("sensitive"), []) if c in candidates]
        state[_key("sensitive")] = chosen
        sensitive = st.multiselect("Sensitive features (their combinations form the groups)",
                                   candidates, key=_key("sensitive"))
        weights = [NO_WEIGHT, *(c for c in candidates
                                if c not in sensitive and is_numeric_type(columns[c]))]
        weight = _pick("Sample weight (optional)", weights, "weight", NO_WEIGHT,
                       help="A numeric column of non-negative row weights: every count and "
                       "rate is weighted by it.")
        bins = _choose_bins([c for c in sensitive if is_numeric_type(columns[c])])
    if not sensitive:
        st.info("Choose at least one sensitive feature.")
        return
    if bins is None:
        return
    spec = {"target": target, "prediction": prediction,
            "score": None if score == NO_SCORE else score, "sensitive": tuple(sensitive),
            "sample_weight": None if weight == NO_WEIGHT else weight, "bins": bins}
    log = active_log()
    current = log is not None and log.name == name and (
        log.target, log.prediction, log.score, log.sensitive_features, log.sample_weight,
        log.bins,
    ) == tuple(spec.values())
    if not current and not st.button("Audit this log", type="primary",
                                     key=action_key(PAGE, "log.audit")):
        return
    try:
        with st.spinner(f"Aggregating {name} with DuckDB (once per file and columns)…"):
            table = log_table(path, **spec)
    except InputError as err:
        st.error(markdown_text(err))
        return
    labels = sorted(pd.unique(table.cells["y"].dropna()), key=str)
    ones = [v for v in labels if str(v) == "1"]
    positive = _pick(f"Which value of '{markdown_text(target)}' is the good outcome for the person "
                     "(favourable)?", labels, "positive", (ones or labels)[-1], format_func=str)
    positive = positive.item() if hasattr(positive, "item") else positive  # numpy to Python
    if current and log.positive_label == positive:
        _show(log)
        return
    try:
        weighted = spec["sample_weight"] is not None
        metrics = metrics_from_cell_table(table, target=target, prediction=prediction,
                                          pos_label=positive, weighted=weighted,
                                          min_group_size=min_group_size())
        curves = None if spec["score"] is None else threshold_curves_from_table(
            table, target=target, prediction=prediction, pos_label=positive, weighted=weighted
        )
    except InputError as err:
        st.error(markdown_text(err))
        return
    discard_results()  # models and what was derived from them belong to other data
    step = 0.01 if curves is None else threshold_step(
        np.concatenate([curves.group_scores(g) for g in range(curves.n_groups)])
    )
    state["log_audit"] = LogAudit(
        name=name, target=target, prediction=prediction, score=spec["score"],
        sensitive_features=spec["sensitive"], positive_label=positive, table=table,
        metrics=metrics, curves=curves, uid=uuid.uuid4().hex, slider_step=step,
        sample_weight=spec["sample_weight"], bins=spec["bins"],
    )
    _show(state["log_audit"])


def _choose_bins(numeric: list[str]) -> tuple | None:
    """Bins of the numeric sensitive features, as the CLI's ``--bins`` takes them; None
    (and the reason shown) when one cannot be read."""
    chosen = []
    for column in numeric:
        text = st.text_input(
            f"Bins for '{markdown_text(column)}'", key=_key(f"bins.{column}"),
            placeholder="automatic",
            help="Empty: automatic (4 quantile bins when the column has more than 10 values, "
            "else one group per value). A number from 2 to 10: that many quantile bins. "
            "Increasing numbers separated by commas (25,45,65): the bin edges.",
        ).strip()
        if not text:
            continue
        try:
            value = parse_bins_text(text, column=column)
        except InputError as err:
            st.error(markdown_text(f"Bins for '{column}': {err}."))
            return None
        chosen.append((column, value if isinstance(value, int) else tuple(value)))
    return tuple(chosen)


def _show(log: LogAudit) -> None:
    for note in log.table.notes:
        st.warning(markdown_text(note))
    groups = int((log.metrics.by_group["count"] > 0).sum())
    st.success(
        f"Audited **{log.name_md}**: {log.table.n_rows:,} rows in {groups} groups, counted by "
        "DuckDB where the log lives. Explore, What-if and Report now show it; pages that "
        "need the rows themselves say so.", icon=":material/check:",
    )
