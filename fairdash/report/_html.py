"""A self-contained HTML audit report: tables, interactive charts, plain-language readings."""

from __future__ import annotations

import datetime
import json
import math
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

import fairdash
from fairdash._groups import GROUP_SEPARATOR
from fairdash._markup import html_text as _e
from fairdash._problem import Problem
from fairdash._readings import SummaryReadings, summary_readings
from fairdash.metrics import GroupMetrics

__all__ = ["audit_report_html", "dataframe_html", "report_versions"]

# A section's content: trusted HTML, a plotly figure or a table (escaped when rendered).
Content = Any

_CSS = """
:root { --ink: #1d2433; --muted: #5c6475; --line: #dde1ea; --accent: #3b5bdb;
        --ok: #2b8a3e; --bad: #c92a2a; --soft: #f1f3f8; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1200px; padding: 24px; line-height: 1.45; }
h1 { margin: 0 0 4px; } h2 { margin-top: 36px; border-bottom: 1px solid var(--line); }
.meta { color: var(--muted); font-size: 0.9em; }
nav ol { columns: 2; font-size: 0.95em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left;
         vertical-align: top; }
th { background: var(--soft); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td small { color: var(--muted); }
.scroll { overflow-x: auto; }
tr.small-group td { color: var(--muted); background: #fafafa; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .value { font-size: 1.8em; font-weight: 600; }
.card .name { font-weight: 600; }
.card .reading { color: var(--muted); font-size: 0.92em; }
.card.fail { border-color: var(--bad); } .card.pass { border-color: var(--ok); }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 0.8em;
         color: #fff; background: var(--muted); }
.badge.pass, tr.pass td:first-child { color: var(--ok); }
.badge.fail, tr.fail td:first-child { color: var(--bad); font-weight: 600; }
.badge.pass, .badge.fail { background: transparent; border: 1px solid currentColor; }
.notes li { margin-bottom: 4px; }
.chart { min-height: 460px; }
"""

_RATE_LABELS = {
    "selection_rate": "selection rate",
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "true_positive_rate": "true positive rate",
    "false_positive_rate": "false positive rate",
    "false_negative_rate": "false negative rate",
    "true_negative_rate": "true negative rate",
    "precision": "precision",
    "negative_predictive_value": "negative predictive value",
    "f1": "F1",
    "base_rate": "base rate",
    "roc_auc": "ROC AUC",
}

_VERSION_PACKAGES = (
    ("python", None),
    ("pandas", "pandas"),
    ("numpy", "numpy"),
    ("scikit-learn", "scikit-learn"),
    ("fairlearn", "fairlearn"),
    ("plotly", "plotly"),
)


def _number(value: object, digits: int = 3) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if value is None:
        return "n/a"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _e(value)
    if math.isnan(number):
        return "n/a"
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    if number.is_integer() and abs(number) >= 1000:
        return f"{int(number):,}"
    return f"{number:.{digits}f}"


def report_versions() -> dict[str, str]:
    """Versions of FairDash, Python and the libraries that computed and drew the report."""
    versions = {"fairdash": fairdash.__version__}
    for label, dist in _VERSION_PACKAGES:
        if dist is None:
            versions[label] = platform.python_version()
            continue
        try:
            versions[label] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[label] = "not installed"
    return versions


def dataframe_html(frame: pd.DataFrame, *, digits: int = 3, index: bool = True) -> str:
    """A DataFrame as an HTML table, every label and value escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
    digits : int, default=3
        Decimals of floats; NaN shows as ``n/a``.
    index : bool, default=True
        Show the index (one column per level), unless it is an unnamed RangeIndex.

    Returns
    -------
    str
    """
    # A default RangeIndex (0, 1, 2, ...) says nothing: leave it out.
    default_index = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    shown = frame.reset_index() if index and not default_index else frame
    head = "".join(f"<th>{_e(c)}</th>" for c in shown.columns)
    numeric = [
        pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
        for c in shown.columns
    ]
    # Counts stored as floats (NaN for empty groups) read better without decimals.
    whole = [
        is_number and bool(np.all(np.mod(shown[c].dropna().to_numpy(dtype=float), 1) == 0))
        for c, is_number in zip(shown.columns, numeric, strict=True)
    ]
    rows = []
    for values in shown.itertuples(index=False, name=None):
        cells = []
        for value, is_number, is_whole in zip(values, numeric, whole, strict=True):
            if is_whole and pd.notna(value) and np.isfinite(value):
                cells.append(f'<td class="num">{int(value):,}</td>')
            elif is_number:
                cells.append(f'<td class="num">{_number(value, digits)}</td>')
            elif isinstance(value, bool | np.bool_):
                cells.append(f"<td>{'yes' if value else 'no'}</td>")
            else:
                cells.append(f"<td>{'n/a' if pd.isna(value) else _e(value)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _key_value_table(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(f'<tr><th scope="row">{_e(k)}</th><td>{v}</td></tr>' for k, v in rows)
    return f"<table>{body}</table>"


def _parts(key: Any) -> tuple[Any, ...]:
    return key if isinstance(key, tuple) else (key,)


def _label(key: Any) -> str:
    return GROUP_SEPARATOR.join(str(p) for p in _parts(key))


def _group_table(metrics: GroupMetrics) -> str:
    by_group = metrics.by_group
    intervals = metrics.intervals
    small = metrics.small_group.to_numpy()
    names = metrics.sensitive_feature_names
    columns = [c for c in by_group.columns if c != "count"]
    level = f"{metrics.confidence_level:.0%}"
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    head += "<th>rows</th><th>small group</th>"
    head += "".join(f"<th>{_e(_RATE_LABELS.get(c, c))}</th>" for c in columns)
    body = []
    for position, key in enumerate(by_group.index):
        row = by_group.iloc[position]
        if not row["count"] > 0:
            continue
        cells = "".join(f"<td>{_e(p)}</td>" for p in _parts(key))
        cells += f'<td class="num">{int(row["count"]):,}</td>'
        cells += f"<td>{'small' if small[position] else ''}</td>"
        for column in columns:
            value = _number(row[column])
            if f"{column}_lower" in intervals.columns:
                lower = intervals.iloc[position][f"{column}_lower"]
                upper = intervals.iloc[position][f"{column}_upper"]
                value += f"<br><small>{_number(lower)}–{_number(upper)}</small>"
            cells += f'<td class="num">{value}</td>'
        css = ' class="small-group"' if small[position] else ""
        body.append(f"<tr{css}>{cells}</tr>")
    overall = metrics.overall
    overall_intervals = metrics.overall_intervals
    cells = f'<td colspan="{len(names)}"><b>overall</b></td>'
    cells += f'<td class="num">{int(overall["count"]):,}</td><td></td>'
    for column in columns:
        value = _number(overall.get(column))
        if f"{column}_lower" in overall_intervals.index:
            value += (
                f"<br><small>{_number(overall_intervals[f'{column}_lower'])}–"
                f"{_number(overall_intervals[f'{column}_upper'])}</small>"
            )
        cells += f'<td class="num">{value}</td>'
    body.append(f"<tr>{cells}</tr>")
    n_empty = int((metrics.group_sizes == 0).sum())
    empty = (
        f" {n_empty} combination(s) of the sensitive features have no rows and are left out."
        if n_empty
        else ""
    )
    return (
        f"<p>Below each rate: its {level} Wilson confidence interval. Groups with fewer than "
        f"{metrics.min_group_size} rows are flagged small: their rates are uncertain.{empty}</p>"
        f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _figure_html(figure: Any, div_id: str) -> str:
    # plotly.js is in the page's <head> once; figures only carry their data.
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )


def _cards(readings: SummaryReadings) -> str:
    out = []
    for card in readings.cards:
        verdict = card["verdict"]
        css = "card" + ("" if verdict is None else (" pass" if verdict else " fail"))
        badge = ""
        if verdict is not None:
            badge = (
                f' <span class="badge {"pass" if verdict else "fail"}">'
                f"{'passes' if verdict else 'fails'}</span>"
            )
        detail = card["detail"] if verdict is None else None  # the badge says pass/fail
        out.append(
            f'<div class="{css}"><div class="name">{_e(card["title"])}{badge}</div>'
            f'<div class="value">{_number(card["value"])}</div>'
            + (f'<div class="meta">{_e(detail)}</div>' if detail else "")
            + f'<div class="reading">{_e(card["reading"])}</div></div>'
        )
    note = f'<p class="note">{_e(readings.note)}</p>' if readings.note else ""
    return (
        "<p>fairlearn's summary measures, between groups (the largest gap between any two "
        "groups).</p>" + note + f'<div class="cards">{"".join(out)}</div>'
    )


def _timestamp(generated_at: str | datetime.datetime | None) -> str:
    if generated_at is None:
        generated_at = datetime.datetime.now(tz=datetime.UTC)
    if isinstance(generated_at, datetime.datetime):
        return generated_at.isoformat(timespec="seconds")
    return str(generated_at)


def audit_report_html(
    metrics: GroupMetrics,
    *,
    problem: Problem,
    prediction: str | None = None,
    score: str | None = None,
    model: str | None = None,
    inputs: Sequence[str] | None = None,
    source: str | None = None,
    n_rows: int | None = None,
    n_columns: int | None = None,
    data_stage: pd.DataFrame | None = None,
    reference: Any = None,
    notes: Sequence[str] = (),
    min_group_size: int | None = None,
    excluded_inputs: Mapping[str, str] | None = None,
    extra_sections: Sequence[tuple[str, Content]] = (),
    title: str = "FairDash audit report",
    generated_at: str | datetime.datetime | None = None,
) -> str:
    """A self-contained HTML report of a fairness audit.

    The report opens offline in any browser: plotly.js is embedded once,
    inline, and the charts stay interactive. Every string that comes from the
    data or the user (file and column names, group values, notes, section
    titles) is escaped.

    Parameters
    ----------
    metrics : fairdash.metrics.GroupMetrics
        Group metrics of the audited predictions.
    problem : fairdash.Problem
        Target, positive label and sensitive features (with bins).
    prediction, score : str, optional
        Columns holding the model's predictions and scores, when the audit
        reads them from a table.
    model : str, optional
        A description of the model, when the dashboard trained it (e.g.
        ``"Logistic regression, seed 0, 30 % test rows"``).
    inputs : sequence of str, optional
        The model's input columns, to list them.
    source : str, optional
        The data's name (file name or bundled data set).
    n_rows, n_columns : int, optional
        Size of the data.
    data_stage : pandas.DataFrame, optional
        The data-stage view (:func:`fairdash.metrics.data_stage`), shown as a table.
    reference : object, optional
        The reference group's key, if comparisons were made to it.
    notes : sequence of str
        Things the reader should know (rows left out, default bins, ...).
    min_group_size : int, optional
        Groups with fewer rows are left out of the summary cards and named
        beside them (:func:`fairdash.summary_readings`); by default the
        metrics' own ``min_group_size``, so the groups flagged small in the
        table are the ones left out; 0 keeps every group.
    excluded_inputs : mapping of str to str, optional
        Columns left out of the model inputs and why, to list them; by default
        the problem's ``excluded_features``.
    extra_sections : sequence of (str, content)
        More sections, in order: a title and either a plotly figure, a
        DataFrame (shown escaped), a mapping of JSON-friendly data (shown as
        escaped JSON text) or an HTML fragment. HTML fragments are inserted as
        they are, so escape any user-supplied text in them (with
        :func:`fairdash.html_text` or :func:`dataframe_html`). Figures escape
        their own text if built by :mod:`fairdash.plots`.
    title : str, default="FairDash audit report"
    generated_at : str or datetime, optional
        When the report was made; now (UTC) by default.

    Returns
    -------
    str
        The complete HTML document.

    Examples
    --------
    >>> import pandas as pd
    >>> from fairdash import define_problem
    >>> from fairdash.metrics import group_metrics
    >>> data = pd.DataFrame({"sex": ["f", "m"] * 40, "y": [1, 0, 1, 1] * 20,
    ...                      "pred": [1, 0, 0, 1] * 20})
    >>> problem = define_problem(data, target="y", positive_label=1, sensitive_features=["sex"])
    >>> m = group_metrics(data["y"], data["pred"], data[["sex"]])
    >>> html = audit_report_html(m, problem=problem, source="example.csv")
    >>> html.startswith("<!DOCTYPE html>")
    True
    """
    from plotly.offline import get_plotlyjs

    from fairdash.plots import group_rate_chart

    sections: list[tuple[str, str, str]] = []  # (anchor, title, html)
    n_figures = 0

    def figure(fig: Any) -> str:
        nonlocal n_figures
        n_figures += 1
        return f'<div class="chart">{_figure_html(fig, f"fairdash-chart-{n_figures}")}</div>'

    audited = int(metrics.overall["count"])
    data_rows = [("Source", _e(source) if source else "n/a")]
    if n_rows is not None:
        data_rows.append(("Rows", f"{n_rows:,}"))
    if n_columns is not None:
        data_rows.append(("Columns", f"{n_columns:,}"))
    data_rows.append(("Rows evaluated", f"{audited:,}"))
    sections.append(("data", "Data", _key_value_table(data_rows)))

    bins = dict(problem.bins)
    sensitive = ", ".join(
        _e(name) + (f" (bins: {_e(bins[name])})" if name in bins else "")
        for name in problem.sensitive_features
    )
    problem_rows = [
        ("Target", _e(problem.target)),
        (
            "Favourable outcome",
            _e(problem.favourable_outcome or "n/a")
            + (" (guessed)" if problem.positive_label_guessed else ""),
        ),
        ("Sensitive features", sensitive),
    ]
    if prediction is not None:
        problem_rows.append(("Prediction column", _e(prediction)))
    if score is not None:
        problem_rows.append(("Score column", _e(score)))
    if model is not None:
        problem_rows.append(("Model", _e(model)))
    if inputs is not None:
        problem_rows.append((f"Model inputs ({len(inputs)})", ", ".join(_e(c) for c in inputs)))
    if excluded_inputs is None:
        excluded_inputs = problem.excluded_features
    if excluded_inputs:
        problem_rows.append(
            (
                f"Left out of the inputs ({len(excluded_inputs)})",
                "<br>".join(f"{_e(c)}: {_e(r)}" for c, r in excluded_inputs.items()),
            )
        )
    problem_rows.append(
        (
            "Comparison",
            f"to the reference group {_e(_label(reference))}"
            if reference is not None
            else "between groups",
        )
    )
    problem_rows.append(("Small group", f"fewer than {metrics.min_group_size} rows"))
    sections.append(("problem", "Problem definition", _key_value_table(problem_rows)))

    if notes:
        items = "".join(f"<li>{_e(n)}</li>" for n in notes)
        sections.append(("notes", "Notes", f'<ul class="notes">{items}</ul>'))

    readings = summary_readings(
        metrics,
        min_group_size=metrics.min_group_size if min_group_size is None else min_group_size,
        favourable=problem.favourable_outcome,
    )
    sections.append(("summary", "Summary disparities", _cards(readings)))

    # The chart escapes group values and names for plotly itself.
    chart = group_rate_chart(
        metrics.to_frame(),
        metric="selection_rate",
        overall=float(metrics.overall["selection_rate"]),
    )
    sections.append(
        (
            "selection-rate",
            "Selection rate by group",
            "<p>The share of each group given the favourable prediction, with its confidence "
            "interval; the dashed line is the overall rate. Small groups are grey and hatched."
            "</p>" + figure(chart),
        )
    )
    sections.append(("groups", "Metrics by group", _group_table(metrics)))

    if data_stage is not None:
        sections.append(
            (
                "data-stage",
                "Data stage: group sizes and label balance before any model",
                "<p>Share of rows and of favourable outcomes per group in the data itself, "
                "with SageMaker Clarify's pre-training measures (each group against all others)."
                "</p>" + dataframe_html(data_stage),
            )
        )

    for number, (section_title, content) in enumerate(extra_sections, start=1):
        if isinstance(content, pd.DataFrame):
            body = dataframe_html(content)
        elif isinstance(content, Mapping):
            # JSON-friendly data (e.g. a saved configuration), shown as text.
            body = f"<pre>{_e(json.dumps(content, indent=2, ensure_ascii=False))}</pre>"
        elif hasattr(content, "to_html") and hasattr(content, "to_plotly_json"):
            body = figure(content)
        else:
            body = str(content)
        sections.append((f"extra-{number}", str(section_title), body))

    versions = report_versions()
    version_text = ", ".join(f"{_e(k)} {_e(v)}" for k, v in versions.items())
    nav = "".join(f'<li><a href="#{a}">{_e(t)}</a></li>' for a, t, _ in sections)
    body = "".join(f'<section id="{a}"><h2>{_e(t)}</h2>{h}</section>' for a, t, h in sections)
    plotly_js = f'<script type="text/javascript">{get_plotlyjs()}</script>' if n_figures else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="FairDash {_e(fairdash.__version__)}">'
        f"<title>{_e(title)}</title><style>{_CSS}</style>{plotly_js}</head><body>"
        f"<header><h1>{_e(title)}</h1>"
        f'<div class="meta">Generated {_e(_timestamp(generated_at))} · {version_text}</div>'
        f"</header><nav><ol>{nav}</ol></nav>{body}"
        '<footer class="meta"><p>Made with FairDash. Metrics follow fairlearn\'s '
        "definitions; intervals are Wilson score intervals.</p></footer>"
        "</body></html>\n"
    )
