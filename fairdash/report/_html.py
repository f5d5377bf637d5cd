"""A self-contained HTML audit report: tables, interactive charts, plain-language readings."""

from __future__ import annotations

import datetime
import json
import platform
import textwrap
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

import pandas as pd

import fairdash
from fairdash._problem import Problem
from fairdash._readings import SummaryReadings, summary_readings
from fairdash.metrics import GroupMetrics
from fairdash.report._style import CHART_HEIGHT, CHART_WIDTH, REPORT_CSS
from fairdash.report._summary import ExecutiveSummary, executive_summary_html
from fairdash.report._tables import (
    _GROUP_TABLE_COLUMNS,
    _e,
    _group_table,
    _key_value_table,
    _label,
    _number,
    basis_html,
    dataframe_html,
)

__all__ = ["audit_report_html", "dataframe_html", "report_versions"]

# A section's content: trusted HTML, a plotly figure or a table (escaped when rendered).
Content = Any


_VERSION_PACKAGES = (
    ("python", None),
    ("pandas", "pandas"),
    ("numpy", "numpy"),
    ("scikit-learn", "scikit-learn"),
    ("fairlearn", "fairlearn"),
    ("plotly", "plotly"),
)


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


# Characters of a chart title per line at the chart's width.
_TITLE_CHARACTERS = 75


def _figure_html(figure: Any, div_id: str) -> str:
    # A fixed width that fits an A4 page: a responsive chart keeps its screen width in print.
    sized = type(figure)(figure)
    sized.update_layout(
        width=CHART_WIDTH,
        height=sized.layout.height or CHART_HEIGHT,
        autosize=False,
    )
    title = sized.layout.title.text
    if title and len(title) > _TITLE_CHARACTERS:
        # A title longer than the page is cut: wrap it at spaces (never inside an entity).
        lines = textwrap.wrap(title, _TITLE_CHARACTERS, break_long_words=False,
                              break_on_hyphens=False)
        top = sized.layout.margin.t
        sized.update_layout(
            title_text="<br>".join(lines),
            margin_t=max(top if top is not None else 80, 40 + 22 * len(lines)),
        )
    # plotly.js is in the page's <head> once; figures only carry their data.
    return sized.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": False},
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


# Sections that continue the page of the section before them when printed.
_FOLLOWS = frozenset({"data", "problem", "notes"})
_FOLLOWS_CLASS = ' class="follows"'


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
    summary: ExecutiveSummary | None = None,
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
    summary : ExecutiveSummary, optional
        The executive summary (:func:`fairdash.report.executive_summary`),
        shown first.
    extra_sections : sequence of (str, content)
        More sections, in order: a title and either a plotly figure, a
        DataFrame (shown escaped), a mapping of JSON-friendly data (shown as
        escaped JSON text), an HTML fragment, or a list of these shown one
        after the other. HTML fragments are inserted as they are, so escape
        any user-supplied text in them (with :func:`fairdash.html_text` or
        :func:`dataframe_html`). Figures escape their own text if built by
        :mod:`fairdash.plots`.
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
    if model is not None:
        whose = f"the model {model}, as trained (no what-if thresholds)"
    elif prediction is not None:
        whose = f"the predictions in column {prediction}"
    else:
        whose = "the audited predictions"
    # Every headline number says which model it belongs to.
    basis = basis_html(whose, rows=audited)
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
    sections.append(("summary", "Summary disparities", basis + _cards(readings)))

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
            "</p>" + basis + figure(chart),
        )
    )
    sections.append(("groups", "Metrics by group", basis + _group_table(metrics)))

    if data_stage is not None:
        sections.append(
            (
                "data-stage",
                "Data stage: group sizes and label balance before any model",
                "<p>Share of rows and of favourable outcomes per group in the data itself, "
                "with SageMaker Clarify's pre-training measures (each group against all others)."
                "</p>" + dataframe_html(data_stage, max_columns=_GROUP_TABLE_COLUMNS),
            )
        )

    def render(content: Content) -> str:
        if isinstance(content, pd.DataFrame):
            return dataframe_html(content)
        if isinstance(content, Mapping):
            # JSON-friendly data (e.g. a saved configuration), shown as text.
            return f"<pre>{_e(json.dumps(content, indent=2, ensure_ascii=False))}</pre>"
        if hasattr(content, "to_html") and hasattr(content, "to_plotly_json"):
            return figure(content)
        if isinstance(content, list | tuple):
            return "".join(render(part) for part in content)
        return str(content)

    for number, (section_title, content) in enumerate(extra_sections, start=1):
        sections.append((f"extra-{number}", str(section_title), render(content)))

    versions = report_versions()
    version_text = ", ".join(f"{_e(k)} {_e(v)}" for k, v in versions.items())
    nav = "".join(f'<li><a href="#{a}">{_e(t)}</a></li>' for a, t, _ in sections)
    # Short sections share the page of the one before them in print.
    body = "".join(
        f'<section id="{a}"{_FOLLOWS_CLASS if a in _FOLLOWS else ""}><h2>{_e(t)}</h2>'
        f"{h}</section>"
        for a, t, h in sections
    )
    first = (
        '<section id="executive-summary"><h2>Executive summary</h2>'
        f"{executive_summary_html(summary, escape=_e)}</section>"
        if summary is not None
        else ""
    )
    plotly_js = f'<script type="text/javascript">{get_plotlyjs()}</script>' if n_figures else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="FairDash {_e(fairdash.__version__)}">'
        f"<title>{_e(title)}</title><style>{REPORT_CSS}</style>{plotly_js}</head><body>"
        f"<header><h1>{_e(title)}</h1>"
        f'<div class="meta">Generated {_e(_timestamp(generated_at))} · {version_text}</div>'
        f"</header>{first}<nav><h2>Contents</h2><ol>{nav}</ol></nav>{body}"
        '<footer class="meta"><p>Made with FairDash. Metrics follow fairlearn\'s '
        "definitions; intervals are Wilson score intervals.</p></footer>"
        "</body></html>\n"
    )
