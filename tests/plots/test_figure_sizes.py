"""Figures are aggregated in the server: each page's figures stay under 2 MB of JSON at
1M rows, and the aggregates equal independent numpy / scikit-learn computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from fairdash import sensitive_frame
from fairdash.metrics import group_metrics, prediction_error_by_group, regression_group_metrics
from fairdash.plots import (
    MAX_CURVE_POINTS,
    error_rate_chart,
    group_rate_chart,
    metric_heatmap,
    model_figures,
    prediction_error_chart,
    roc_curve_chart,
    score_distribution_chart,
    thin_curve,
    tradeoff_scatter,
)
from fairdash.tradeoff import ModelResult, results_table

LIMIT = 2_000_000  # bytes of figure JSON a page may send


def _case(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    raw = pd.DataFrame({
        "sex": rng.choice(["Female", "Male"], n, p=[0.33, 0.67]),
        "race": rng.choice(["White", "Black", "Asian", "Other", "Amer-Indian"], n,
                           p=[0.8, 0.1, 0.05, 0.03, 0.02]),
    })
    raw.loc[:3, "race"] = "Pacific"  # a group of four people
    sensitive = sensitive_frame(raw, ["sex", "race"])
    y = rng.integers(0, 2, n)
    # float32-like scores with many distinct values: a ROC curve with ~n points
    score = np.clip(0.35 * y + rng.normal(0.35, 0.2, n), 0, 1)
    return y, score, sensitive


@pytest.fixture(scope="module")
def million():
    y, score, sensitive = _case(1_000_000)
    pred = (score >= 0.5).astype(np.int64)
    return y, score, pred, sensitive, group_metrics(y, pred, sensitive, y_score=score)


def _labels(sensitive: pd.DataFrame) -> pd.Series:
    return sensitive["sex"].astype(str) + " × " + sensitive["race"].astype(str)


def _size(fig) -> int:
    return len(fig.to_json())


def test_every_page_figure_set_is_under_two_megabytes_at_a_million_rows(million):
    y, score, pred, sensitive, metrics = million
    table = metrics.to_frame()
    models = [
        ModelResult(name=f"m{i}", method="unmitigated" if i == 0 else "grid_search",
                    params={"i": i}, y_pred=pred, y_score=score, metrics=metrics,
                    fit_seconds=0.0, is_unmitigated=i == 0)
        for i in range(3)
    ]
    compared = results_table(models)
    pages = {
        "data_model": [group_rate_chart(table, overall=0.5)],
        "explore": [
            group_rate_chart(table, overall=0.5),
            error_rate_chart(table),
            metric_heatmap(table, metric="accuracy", rows="sex", columns="race"),
            score_distribution_chart(score, _labels(sensitive)),
            roc_curve_chart(y, score, _labels(sensitive)),
        ],
        "whatif": [group_rate_chart(table, overall=0.5)],
        "compare": [tradeoff_scatter(compared, performance="accuracy",
                                     disparity="demographic_parity_difference", current="m1")],
        "report": list(model_figures(metrics, model_name="m1", models_table=compared).values()),
    }
    sizes = {page: sum(_size(f) for f in figs) for page, figs in pages.items()}
    assert all(size < LIMIT for size in sizes.values()), sizes
    # Not vacuous: the unthinned ROC curve alone would be over the limit.
    fpr = roc_curve(y, score)[0]
    assert len(fpr) * 2 * 8 > LIMIT


def test_regression_explore_figure_is_small_at_a_million_rows():
    y, score, sensitive = _case(1_000_000, seed=1)
    errors = prediction_error_by_group(score * 100, y * 100.0, sensitive)
    assert _size(prediction_error_chart(errors)) < LIMIT
    assert len(regression_group_metrics(score * 100, y * 100.0, sensitive).by_group) == 12


def test_histograms_are_shares_counted_per_group():
    _, score, sensitive = _case(20_000, seed=2)
    labels = _labels(sensitive)
    fig = score_distribution_chart(score, labels)
    names = sorted(pd.unique(labels))
    assert [t.name for t in fig.data] == names
    size = (score.max() - score.min()) / 40
    edges = score.min() + size * np.arange(42)
    for trace in fig.data:
        assert trace.type == "bar"  # counted in the server, not a histogram of every row
        rows = score[(labels == trace.name).to_numpy()]
        counts, _ = np.histogram(rows, bins=edges)
        np.testing.assert_allclose(trace.y, counts / len(rows))
        assert np.sum(trace.y) == pytest.approx(1.0)
        assert len(trace.x) == 41


def test_roc_curves_are_thinned_with_exact_auc():
    y, score, sensitive = _case(200_000, seed=3)
    fig = roc_curve_chart(y, score, _labels(sensitive))
    labels = _labels(sensitive).to_numpy()
    curves = [t for t in fig.data if t.name != "chance"]
    # The group of four may lack a class; every other group is drawn.
    assert len(curves) >= 10
    for trace in curves:
        label = trace.name.rsplit(" (AUC", 1)[0]
        mask = labels == label
        auc = roc_auc_score(y[mask], score[mask])
        assert f"(AUC {auc:.3f})" in trace.name
        fpr, tpr, _ = roc_curve(y[mask], score[mask])
        x, t = np.asarray(trace.x), np.asarray(trace.y)
        assert len(x) <= MAX_CURVE_POINTS + 2
        assert (x[0], t[0], x[-1], t[-1]) == (fpr[0], tpr[0], fpr[-1], tpr[-1])
        # Every drawn point lies on the full curve, and the area barely moves.
        full = set(zip(fpr.tolist(), tpr.tolist(), strict=True))
        assert set(zip(x.tolist(), t.tolist(), strict=True)) <= full
        assert np.trapezoid(t, x) == pytest.approx(auc, abs=0.01)


def test_thin_curve_keeps_short_curves_whole_and_spreads_long_ones():
    np.testing.assert_array_equal(thin_curve(np.arange(5.0), np.arange(5.0)), np.arange(5))
    x = np.linspace(0, 1, 10_001)
    keep = thin_curve(x, x**2, max_points=100)
    assert keep[0] == 0 and keep[-1] == 10_000 and len(keep) <= 102
    assert np.all(np.diff(keep) > 0)
    steps = np.hypot(np.diff(x[keep]), np.diff((x**2)[keep]))
    assert steps.max() < 3 * steps.mean()
