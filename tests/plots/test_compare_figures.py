"""The Compare figures: a trace per method, error bars from the intervals, models at one point
named, user text escaped; the two-model chart draws the comparison's numbers."""

import numpy as np
import pandas as pd

from fairdash.metrics._comparison import compare_models
from fairdash.plots import model_comparison_chart, tradeoff_scatter


def _table():
    return pd.DataFrame({
        "name": ["base", "rw", "gs #0", "gs #1", "<b>bold</b> $x$"],
        "method": ["unmitigated", "reweighing", "grid_search", "grid_search", "grid_search"],
        "method_label": ["Unmitigated", "Reweighing", "Grid search", "Grid search", "Grid search"],
        "description": ["no mitigation", "weights", "candidate 1", "candidate 2", "candidate 3"],
        "accuracy": [0.85, 0.85, 0.80, 0.70, 0.75],
        "accuracy_lower": [0.84, 0.84, 0.78, 0.68, 0.73],
        "accuracy_upper": [0.86, 0.86, 0.82, 0.72, 0.77],
        "demographic_parity_difference": [0.2, 0.2, 0.15, 0.05, 0.3],
        "demographic_parity_difference_lower": [0.15, 0.15, 0.1, 0.01, 0.2],
        "demographic_parity_difference_upper": [0.25, 0.25, 0.2, 0.09, 0.4],
        "is_unmitigated": [True, False, False, False, False],
        "on_front": [True, True, True, True, False],
    })


def test_one_trace_per_method_with_error_bars_and_the_star_on_top():
    table = _table()
    fig = tradeoff_scatter(table, performance="accuracy",
                           disparity="demographic_parity_difference", current="rw")
    names = [t.name for t in fig.data]
    assert names == ["Pareto front", "Reweighing", "Grid search", "Unmitigated",
                     "models at the same point", "current model"]
    assert list(fig.data[0].x) == [0.05, 0.15, 0.2, 0.2]
    grid = fig.data[2]
    assert grid.marker.symbol != fig.data[1].marker.symbol != fig.data[3].marker.symbol
    assert [c[0] for c in grid.customdata] == ["gs #0", "gs #1", "<b>bold</b> $x$"]
    np.testing.assert_allclose(grid.error_y.array, [0.02, 0.02, 0.02])
    np.testing.assert_allclose(grid.error_x.arrayminus, [0.05, 0.04, 0.1])
    # Front models have an orange rim, the others none.
    assert list(grid.marker.line.color) == ["#e8590c", "#e8590c", "#ffffff"]


def test_models_at_one_point_are_all_named_and_user_text_is_escaped():
    fig = tradeoff_scatter(_table(), performance="accuracy",
                           disparity="demographic_parity_difference")
    star = next(t for t in fig.data if t.name == "Unmitigated")
    hover = star.customdata[0][1]
    assert "2 models at this point: base, rw" in hover
    assert "Method: Unmitigated" in hover and "no mitigation" in hover
    assert "accuracy: 0.8500 (CI 0.8400–0.8600)" in hover
    marks = next(t for t in fig.data if t.name == "models at the same point")
    assert list(marks.text) == ["×2"] and list(marks.x) == [0.2]
    grid = next(t for t in fig.data if t.name == "Grid search")
    escaped = grid.customdata[2][1]
    assert "&lt;b&gt;bold&lt;/b&gt; &#36;x&#36;" in escaped and "<b>bold" not in escaped


def test_without_intervals_or_descriptions_the_scatter_still_draws():
    table = _table().drop(columns=[c for c in _table() if c.endswith(("_lower", "_upper"))])
    table = table.drop(columns=["description", "method_label"])
    fig = tradeoff_scatter(table, performance="accuracy",
                           disparity="demographic_parity_difference")
    assert all(t.error_x.array is None for t in fig.data)
    assert "bootstrap" not in fig.layout.title.text
    assert [t.name for t in fig.data][1:4] == ["Reweighing", "Grid search", "Unmitigated model"]


def test_model_comparison_chart_draws_the_comparison():
    rng = np.random.default_rng(0)
    n = 600
    groups = pd.Series(rng.choice(["a", "b", "<i>c</i>"], n), name="g")
    y = rng.integers(0, 2, n)
    first, second = rng.integers(0, 2, n), rng.integers(0, 2, n)
    comparison = compare_models(y, first, second, groups, first_name="old", second_name="new",
                                n_boot=20)
    fig = model_comparison_chart(comparison)
    by_group = comparison.by_group
    selection = fig.data[0]
    assert list(selection.y) == ["&lt;i&gt;c&lt;/i&gt;", "a", "b"]
    np.testing.assert_allclose(selection.x, by_group["selection_rate_change"])
    np.testing.assert_allclose(selection.x + selection.error_x.array,
                               by_group["selection_rate_change_upper"])
    gained, lost = fig.data[-2], fig.data[-1]
    np.testing.assert_allclose(gained.x, by_group["gained"])
    np.testing.assert_allclose(lost.x, -by_group["lost"])
    assert "new compared with old" in fig.layout.title.text
