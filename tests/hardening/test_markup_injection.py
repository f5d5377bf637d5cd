"""Markup in data never reaches a report as markup: the HTML report, the CLI's HTML."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from fairdash import define_problem
from fairdash.cli import main
from fairdash.metrics import group_metrics
from fairdash.plots import error_rate_chart, tradeoff_scatter
from fairdash.report import audit_report_html

COLUMN = "![c](http://127.0.0.1:9911/x.png)"
SEX = ['<a href="http://x">m</a>', '<span style="font-size:90px">f</span>']
RACE = ["$x^2$", "**b**"]
SOURCE = '<img src=x onerror=alert(1) "$x$">.csv'


class _Tags(HTMLParser):
    """Every tag and attribute of a document, and the figures' data."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.figures: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "Plotly.newPlot" in data:
            self.figures.append(data)


def _offenders(document: str) -> list[str]:
    parser = _Tags()
    parser.feed(document)
    problems = []
    for tag, attrs in parser.tags:
        if tag in {"img", "iframe", "object", "embed", "image"}:
            problems.append(f"<{tag}>")
        if tag == "a" and not str(attrs.get("href", "")).startswith("#"):
            problems.append(f"<a href={attrs.get('href')}>")
        if "90px" in str(attrs.get("style", "")).replace(" ", ""):
            problems.append(f"style={attrs['style']}")
        if any(str(v).startswith("http") for k, v in attrs.items() if k in {"src", "href"}):
            problems.append(f"{tag} {attrs}")
    for script in parser.figures:
        for path, text in _figure_strings(script):
            if "customdata" in path and path[-1] == 0:
                continue  # the model's name as it is, for selection events; never displayed
            for tag in re.findall(r"<(/?\w+)", text):
                if tag.strip("/") not in {"br", "b", "extra"}:
                    problems.append(f"figure <{tag}> at {path}")
            if "$" in text:
                problems.append(f"figure $ at {path}")
    return problems


def _figure_strings(script: str):
    """The strings of a figure's data and layout, from plotly's Plotly.newPlot(...) call."""
    decoder = json.JSONDecoder()
    position = script.index("Plotly.newPlot(") + len("Plotly.newPlot(")
    parts = []
    for _ in range(3):  # the div id, the data, the layout
        while script[position] in " \n,":
            position += 1
        value, position = decoder.raw_decode(script, position)
        parts.append(value)
    yield from _strings(parts[1:], ())


def _strings(node, path):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, i))


def _hostile_frame(n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, n)
    score = np.clip(0.4 * y + 0.6 * rng.random(n), 0, 1)
    return pd.DataFrame({
        COLUMN: rng.choice(SEX, n), "race": rng.choice(RACE, n), "y": y,
        "score": score, "pred": (score > 0.5).astype(int),
    })


def test_html_report_with_hostile_names_and_figures_has_no_markup_from_data():
    data = _hostile_frame()
    problem = define_problem(data, target="y", sensitive_features=[COLUMN, "race"])
    metrics = group_metrics(data["y"], data["pred"], data[[COLUMN, "race"]],
                            y_score=data["score"])
    models = pd.DataFrame({
        "name": ['<a href="http://x">model</a>'], "method": ["x"], "params": ["{}"],
        "accuracy": [0.8], "demographic_parity_difference": [0.1],
        "is_unmitigated": [True], "on_front": [True],
    })
    document = audit_report_html(
        metrics, problem=problem, source=SOURCE, model='<a href="http://x">lr</a>',
        notes=[f"Column {COLUMN} is odd."], inputs=[COLUMN],
        extra_sections=[
            ("Error rates " + SEX[0], error_rate_chart(metrics.to_frame())),
            ("Models", tradeoff_scatter(
                models, performance="accuracy", disparity="demographic_parity_difference")),
            ("Table " + SEX[1], metrics.to_frame()),
        ],
    )
    assert _offenders(document) == []
    assert "&lt;a href=&quot;http://x&quot;&gt;m&lt;/a&gt;" in document  # shown, as text


def test_the_check_finds_markup_in_an_unescaped_document():
    found = _offenders(f'<p>{SEX[0]} {SEX[1]}<img src="http://x/y.png"></p>')
    assert {"<a href=http://x>", "style=font-size:90px", "<img>"} <= set(found)


def test_cli_html_and_csv_with_hostile_names(tmp_path):
    path = tmp_path / SOURCE
    _hostile_frame().to_csv(path, index=False)
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["audit", str(path), "--target", "y", "--prediction", "pred", "--score", "score",
         "--sensitive", COLUMN, "race", "--html", str(tmp_path / "r.html"),
         "--gate", "demographic_parity_difference<=1"],
        stdout=out, stderr=err,
    )
    assert code == 0, err.getvalue()
    document = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert _offenders(document) == []


@pytest.mark.parametrize("value", SEX + RACE + [COLUMN])
def test_report_table_cells_show_the_value(value):
    from fairdash.report import dataframe_html

    cell = dataframe_html(pd.DataFrame({"a": [value]}))
    assert _offenders(cell) == []
