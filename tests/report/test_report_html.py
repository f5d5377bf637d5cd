"""The self-contained HTML report: content, one embedded plotly.js, escaping of hostile names."""

from __future__ import annotations

import datetime
import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

import fairdash
from fairdash.metrics import data_stage, group_metrics
from fairdash.report import audit_report_html, dataframe_html, report_versions

HOSTILE = "<script>alert(1)</script>"
HOSTILE_VALUE = '<img src=x onerror="alert(2)">'
PLOTLY_BANNER = get_plotlyjs()[:40]  # "/**\n* plotly.js vX.Y.Z\n..."


def _data(n: int = 300) -> pd.DataFrame:
    i = np.arange(n)
    return pd.DataFrame(
        {
            HOSTILE: np.where(i % 3 == 0, HOSTILE_VALUE, "plain & simple"),
            "sex": np.where(i % 2 == 0, "Female", "Male"),
            "y": ((i * 7) % 10 < 4).astype(int),
            "pred": ((i * 3) % 10 < 5).astype(int),
            "score": ((i * 37) % 100) / 100,
        }
    )


@pytest.fixture(scope="module")
def parts():
    data = _data()
    problem = fairdash.define_problem(
        data, target="y", sensitive_features=[HOSTILE, "sex"], feature_columns=["pred"]
    )
    groups = problem.sensitive(data)
    y = problem.encode_target(data)
    metrics = group_metrics(y, data["pred"], groups, y_score=data["score"], min_group_size=60)
    return data, problem, metrics, data_stage(y, groups)


@pytest.fixture(scope="module")
def report(parts) -> str:
    data, problem, metrics, stage = parts
    extra = go.Figure(go.Scatter(x=[0, 1], y=[1, 0], name=HOSTILE))
    return audit_report_html(
        metrics,
        problem=problem,
        prediction="pred",
        score="score",
        source=f"{HOSTILE}.csv",
        n_rows=len(data),
        n_columns=data.shape[1],
        data_stage=stage,
        notes=[f"note about {HOSTILE}"],
        extra_sections=[
            (f"Trade-off {HOSTILE}", extra),
            ("A table", pd.DataFrame({HOSTILE: [HOSTILE_VALUE]})),
            ("Trusted HTML", "<p id='trusted'>made by the dashboard</p>"),
        ],
        generated_at=datetime.datetime(2024, 5, 17, 9, 30, tzinfo=datetime.UTC),
    )


def test_is_a_complete_document_with_every_section(report):
    assert report.startswith("<!DOCTYPE html>") and report.rstrip().endswith("</html>")
    for title in ("Data", "Problem definition", "Notes", "Summary disparities",
                  "Selection rate by group", "Metrics by group", "Data stage", "A table",
                  "Trusted HTML"):
        assert f">{title}" in report, title
    assert "<p id='trusted'>made by the dashboard</p>" in report


def test_title_timestamp_and_versions(report):
    assert "<title>FairDash audit report</title>" in report
    assert "Generated 2024-05-17T09:30:00+00:00" in report
    versions = report_versions()
    assert set(versions) == {"fairdash", "python", "pandas", "numpy", "scikit-learn",
                             "fairlearn", "plotly"}
    for name, version in versions.items():
        assert f"{name} {version}" in report


def test_data_summary_and_problem(report):
    assert "<th scope=\"row\">Rows</th><td>300</td>" in report
    assert "<th scope=\"row\">Columns</th><td>5</td>" in report
    assert "<th scope=\"row\">Target</th><td>y</td>" in report
    assert "<th scope=\"row\">Prediction column</th><td>pred</td>" in report
    assert "<th scope=\"row\">Score column</th><td>score</td>" in report
    assert "<th scope=\"row\">Favourable outcome</th><td>y = 1 (guessed)</td>" in report


def test_groups_intervals_and_small_group_flags(report, parts):
    _, _, metrics, _ = parts
    table = report[report.index('id="groups"'):report.index('id="data-stage"')]
    for key in metrics.by_group.index:
        assert f"<td>{key[1]}</td>" in table
    # Narrow tables of at most five metrics each, every one with the four groups and overall.
    n_tables = table.count("<table")
    metric_columns = len(metrics.by_group.columns) - 1
    assert n_tables == -(-metric_columns // 5) and n_tables > 1
    assert table.count("<tr") == n_tables * (1 + 4 + 1)  # header, 4 groups, overall
    for head in re.findall(r"<thead>(.*?)</thead>", table):
        assert head.count("<th>") <= 2 + 2 + 5  # features, rows, small, metrics
    small = metrics.small_group
    assert small.any() and not small.all()
    assert table.count('class="small-group"') == n_tables * int(small.sum())
    lower, upper = metrics.intervals.iloc[0][["selection_rate_lower", "selection_rate_upper"]]
    assert f"{lower:.3f}–{upper:.3f}" in table


def test_plotly_js_embedded_once_and_charts_interactive(report):
    assert report.count(PLOTLY_BANNER) == 1
    assert report.index(PLOTLY_BANNER) < report.index("<body>")  # in <head>, before the charts
    assert report.count('class="plotly-graph-div"') == 2
    assert report.count("Plotly.newPlot(") == 2
    for div in ("fairdash-chart-1", "fairdash-chart-2"):
        assert re.search(rf'id="{div}"', report)
        assert re.search(rf'Plotly\.newPlot\(\s*"{div}"', report)
    # offline: nothing loaded from elsewhere
    assert "<script src" not in report and "<link" not in report
    assert "cdn.plot.ly" not in report.replace(get_plotlyjs(), "")


def test_hostile_names_appear_escaped_only(report):
    assert HOSTILE not in report and HOSTILE_VALUE not in report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in report
    assert "plain &amp; simple" in report
    # The chart's labels are escaped for plotly.js, which then shows them as written.
    chart = report[report.index('id="selection-rate"'):report.index('id="groups"')]
    assert "&lt;img src=x onerror=" in chart
    assert "\\u003cscript" not in chart and "\\u003cimg" not in chart


def test_summary_cards_read_in_plain_language(report, parts):
    _, problem, metrics, _ = parts
    # The report's groups flagged small (fewer than 60 rows) are left out of the summaries.
    summary = metrics.disparities(min_group_size=metrics.min_group_size)
    cards = report[report.index('id="summary"'):report.index('id="selection-rate"')]
    assert len(re.findall(r'class="card[ "]', cards)) == 4
    dp = summary["demographic_parity_difference"]
    assert f"{dp:.3f}" in cards and f"differ by {dp * 100:.1f} percentage points" in cards
    assert "Equalized odds difference" in cards and "Equal opportunity difference" in cards
    verdict = "passes" if summary["four_fifths_rule_passed"] else "fails"
    assert f'class="badge {"pass" if verdict == "passes" else "fail"}">{verdict}' in cards
    # One source: every reading of the app's cards, escaped, and the note on left-out groups.
    readings = fairdash.summary_readings(
        metrics, min_group_size=metrics.min_group_size, favourable=problem.favourable_outcome
    )
    for card in readings.cards:
        assert html.escape(card["reading"]) in cards
    assert "share given y = 1 predicted" in cards
    assert readings.note is not None and html.escape(readings.note) in cards
    sizes = metrics.group_sizes
    assert len(readings.left_out) == int(((sizes > 0) & (sizes < 60)).sum()) == 2
    assert "Left out of the summary numbers: 2 group(s) with fewer than 60 rows" in cards


def test_report_keeps_every_group_when_asked(parts):
    _, problem, metrics, _ = parts
    report = audit_report_html(metrics, problem=problem, min_group_size=0)
    cards = report[report.index('id="summary"'):report.index('id="selection-rate"')]
    dp = metrics.disparities()["demographic_parity_difference"]
    assert f"differ by {dp * 100:.1f} percentage points" in cards
    assert "Left out" not in cards


def test_report_lists_inputs_left_out_with_reasons(parts):
    _, problem, metrics, _ = parts
    report = audit_report_html(
        metrics, problem=problem, inputs=["pred"],
        excluded_inputs={"id": "identifier", HOSTILE: "free text"},
    )
    assert "Left out of the inputs (2)" in report and "id: identifier" in report
    assert HOSTILE not in report and "&lt;script&gt;alert(1)&lt;/script&gt;: free text" in report


def test_undefined_disparities_say_so():
    y = np.array([1, 0, 1, 0])
    pred = np.zeros(4, dtype=int)  # nobody selected: ratios are 0/0
    groups = pd.Series(["a", "a", "b", "b"], name="g")
    metrics = group_metrics(y, pred, groups)
    problem = fairdash.define_problem(
        pd.DataFrame({"y": y, "g": groups, "x": pred}), target="y", sensitive_features=["g"]
    )
    report = audit_report_html(metrics, problem=problem)
    assert "Not defined" in report and "n/a" in report
    assert "fails" in report


def test_minimal_report_without_optional_parts(parts):
    _, problem, metrics, _ = parts
    report = audit_report_html(metrics, problem=problem, model="Logistic regression, seed 0",
                               inputs=["pred"])
    assert "Data stage" not in report and "Notes" not in report
    assert "Logistic regression, seed 0" in report and "Model inputs (1)" in report
    assert report.count(PLOTLY_BANNER) == 1


def test_dataframe_html_escapes_and_formats():
    frame = pd.DataFrame({"<b>": ["<i>x</i>", None], "n": [1234.0, float("nan")],
                          "f": [True, False]}, index=pd.Index(["<r>", "s"], name="<idx>"))
    html = dataframe_html(frame)
    assert "<b>" not in html and "<i>" not in html and "<r>" not in html
    assert "&lt;idx&gt;" in html and "1,234" in html and "n/a" in html and "yes" in html


def test_control_characters_are_shown_as_escapes():
    data = _data(60)
    data["sex"] = np.where(np.arange(60) % 2 == 0, "a\x1b[31m", "b")
    problem = fairdash.define_problem(data, target="y", sensitive_features=["sex"],
                                      feature_columns=["pred"])
    metrics = group_metrics(problem.encode_target(data), data["pred"], problem.sensitive(data))
    report = audit_report_html(metrics, problem=problem)
    assert "\x1b" not in report and "a\\x1b[31m" in report


def test_dataframe_html_leaves_out_a_default_index():
    html = dataframe_html(pd.DataFrame({"model": ["a", "b"]}))
    assert "<th>index</th>" not in html and "<th>model</th>" in html


def test_a_mapping_section_is_escaped_json_text(parts):
    _, problem, metrics, _ = parts
    config = {"name": HOSTILE, "groups": "Female × White", "n": 3}
    report = audit_report_html(
        metrics, problem=problem, extra_sections=[("Configuration", config)]
    )
    section = report.split(">Configuration</h2>", 1)[1].split("</section>", 1)[0]
    assert section.startswith("<pre>") and HOSTILE not in section
    assert "&lt;script&gt;" in section
    assert "Female × White" in section and "\\u00d7" not in section  # no escape codes


def test_charts_fit_an_a4_page_and_long_titles_wrap(parts):
    import json

    from fairdash.report._style import CHART_WIDTH

    _, problem, metrics, _ = parts
    title = " ".join(["a long chart title about &lt;groups&gt;"] * 6)
    fig = go.Figure(go.Bar(x=["a"], y=[1]), layout={"title": {"text": title}})
    report = audit_report_html(metrics, problem=problem, extra_sections=[("Wide", fig)])
    section = report.split(">Wide</h2>", 1)[1].split("</section>", 1)[0]
    layout = json.loads(re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*(\{.*?\}),"
                                  r"\s*\{", section, flags=re.S).group(2))
    assert layout["width"] == CHART_WIDTH and layout["autosize"] is False
    lines = layout["title"]["text"].split("<br>")
    assert len(lines) > 1 and all(len(line) <= 75 for line in lines)
    assert " ".join(lines) == title  # wrapped at spaces only, entities intact
    assert fig.layout.width is None  # the caller's figure is left as it was
