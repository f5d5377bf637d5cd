"""The slice search's outputs: the chart, the report sections, searchable columns, the words."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from fairdash.plots import slice_chart
from fairdash.report import audit_report_html, slice_sections
from fairdash.slices import find_slices, searchable_columns, slice_summary


@pytest.fixture(scope="module")
def table(messy):
    features, y_true, y_pred = messy
    hostile = features.assign(
        note=np.where(features["flag"], '<a href="http://x">m</a>', "<b>plain</b>")
    )
    return find_slices(hostile, y_true, y_pred, metric="error_rate")


def test_chart_draws_the_worst_slices_with_their_intervals(table):
    figure = slice_chart(table, top=10)
    rest, slices = figure.data
    shown = table.head(10)
    # The most harmful at the top: plotly draws the last category highest.
    # Labels are escaped (plotly renders entities as the characters).
    assert list(slices.y)[::-1] == [html.escape(s, quote=False) for s in shown["slice"]]
    np.testing.assert_allclose(list(slices.x)[::-1], shown["value"])
    np.testing.assert_allclose(list(rest.x)[::-1], shown["complement"])
    np.testing.assert_allclose(
        np.array(slices.error_x.array)[::-1], shown["ci_high"] - shown["value"]
    )
    np.testing.assert_allclose(
        np.array(slices.error_x.arrayminus)[::-1], shown["value"] - shown["ci_low"]
    )
    colours = list(slices.marker.color)[::-1]
    assert [c == "#c92a2a" for c in colours] == list(shown["significant"])
    assert "error rate" in figure.layout.title.text


def test_no_markup_from_the_data_reaches_the_chart_or_the_report(table):
    assert table["slice"].str.contains("<a href").any()
    figure = slice_chart(table, top=len(table))
    assert not any("<a" in label or "<b>" in label for label in figure.data[1].y)
    sections = slice_sections(table, top=len(table))
    words = sections[0][1]
    assert "<a href" not in words and "&lt;a href" in words
    assert slice_summary(table) in words.replace("&#x27;", "'")


def test_report_sections_go_into_the_html_report(table, messy):
    import fairdash
    from fairdash.metrics import group_metrics

    features, y_true, y_pred = messy
    data = features.assign(y=y_true)
    problem = fairdash.define_problem(data, target="y", sensitive_features=["sex"])
    metrics = group_metrics(y_true, y_pred, features[["sex"]])
    report = audit_report_html(metrics, problem=problem, extra_sections=slice_sections(table))
    assert "Subgroups the model fails" in report and "<a href=\"http://x\">" not in report


def test_searchable_columns_say_why_a_column_is_left_out():
    data = pd.DataFrame(
        {
            "sex": ["F", "M"] * 100,
            "id": [f"p{i}" for i in range(200)],
            "day": pd.date_range("2024-01-01", periods=200),
            "age": np.arange(200) % 70,
        }
    )
    usable, skipped = searchable_columns(data)
    assert usable == ["sex", "age"]
    assert "'id' has 200 distinct values" in skipped["id"]
    assert "'day'" in skipped["day"]


def test_summary_counts_are_the_table_s(table):
    text = slice_summary(table)
    attrs = table.attrs
    assert text.startswith(f"{attrs['n_tested']:,} slices tested (1 to 3 conditions")
    assert f"{attrs['n_significant']:,} significant at a false discovery rate of 0.05" in text


def test_chart_title_says_most_harmful_only_when_every_slice_drawn_does_worse(table):
    worse = table[table["harm"] > 0]
    assert len(worse) >= 5 and (table["harm"] <= 0).any()
    assert slice_chart(worse, top=5).layout.title.text == "The 5 most harmful slices: error rate"
    everything = slice_chart(table, top=len(table)).layout.title.text
    assert everything == (
        f"{len(table)} slices ranked by harm ({len(worse)} worse than all other rows): error rate"
    )
