"""What-if curves from a log's score histogram equal thresholding every row at the bin edges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairdash import InputError, sensitive_frame
from fairdash.engines import (
    aggregate_log,
    bin_edges,
    metrics_from_cell_table,
    threshold_curves_from_table,
)
from fairdash.metrics import group_metrics
from fairdash.thresholds import STRATEGIES, apply_strategy, naive_cell_sums, sorted_group_codes

SENSITIVE = ["sex", "race", "age"]


def table_of(folder, *, n_score_bins=1 << 16, weighted=False, score="score"):
    return aggregate_log(
        folder, target="income", prediction="pred", sensitive_features=SENSITIVE, score=score,
        sample_weight="weight" if weighted else None, n_score_bins=n_score_bins, threads=1,
    )


def curves_of(table, *, weighted=False):
    return threshold_curves_from_table(
        table, target="income", prediction="pred", pos_label=">50K", weighted=weighted
    )


def row_level(frame, score="score"):
    """Labels, scores and group codes of every row, independently of the engine."""
    codes, index = sorted_group_codes(sensitive_frame(frame, SENSITIVE), n_rows=len(frame))
    y = (frame["income"] == ">50K").to_numpy()
    return y, frame[score].to_numpy(np.float64), codes, index


def write(frame, folder, parts=3):
    folder.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), parts)):
        frame.iloc[rows].to_parquet(folder / f"part-{i}.parquet", index=False)
    return str(folder)


@pytest.mark.parametrize("n_score_bins", [1 << 16, 64])
def test_every_edge_equals_thresholding_every_row(log_folder, log_frame, n_score_bins):
    curves = curves_of(table_of(log_folder, n_score_bins=n_score_bins))
    y, score, codes, index = row_level(log_frame)
    assert curves.index.equals(index)
    np.testing.assert_array_equal(curves.group_sizes, np.bincount(codes, minlength=len(index)))
    n_groups = curves.n_groups
    tested = 0
    for g in np.flatnonzero(curves.group_sizes):
        thresholds, cells = curves.candidate_cells(g)
        mine = codes == g
        for t, got in zip(thresholds, cells, strict=True):
            s = score[mine]
            want = [np.sum(~y[mine] & (s < t)), np.sum(~y[mine] & (s >= t)),
                    np.sum(y[mine] & (s < t)), np.sum(y[mine] & (s >= t))]
            np.testing.assert_array_equal(got, want)
            tested += 1
    assert tested > n_groups * (2 if n_score_bins == 64 else 20)
    # Common thresholds at every occupied edge, all groups at once.
    edges = np.unique(np.concatenate([curves.group_scores(g) for g in range(n_groups)]))
    common = curves.common_threshold_cells(edges)
    for j in range(0, len(edges), max(1, len(edges) // 50)):
        want = naive_cell_sums(y, score, codes, np.full(n_groups, edges[j]), n_groups=n_groups)
        np.testing.assert_array_equal(common[:, j], want)


def test_metrics_at_edges_equal_group_metrics(log_folder, log_frame):
    table = table_of(log_folder)
    curves = curves_of(table)
    _, score, codes, _ = row_level(log_frame)
    rng = np.random.default_rng(1)
    for _ in range(5):
        t = np.array([rng.choice(curves.group_scores(g)) if curves.group_sizes[g] else np.inf
                      for g in range(curves.n_groups)])
        got = curves.metrics(t)
        selected = score >= t[codes]
        want = group_metrics(log_frame["income"], np.where(selected, ">50K", "<=50K"),
                             sensitive_frame(log_frame, SENSITIVE), pos_label=">50K")
        np.testing.assert_array_equal(got.group_sizes.to_numpy(), want.group_sizes.to_numpy())
        pd.testing.assert_frame_equal(got.by_group, want.by_group, rtol=0, atol=1e-12)
        # Wilson intervals with the true row counts as sample sizes.
        pd.testing.assert_frame_equal(got.intervals, want.intervals, rtol=0, atol=1e-12)
    # The same groups, in the same order, as the engine's metrics.
    engine = metrics_from_cell_table(table, target="income", prediction="pred", pos_label=">50K")
    assert curves.index.equals(engine.by_group.index)


def test_weighted_cells_are_weight_sums(log_folder, log_frame):
    curves = curves_of(table_of(log_folder, weighted=True), weighted=True)
    y, score, codes, _ = row_level(log_frame)
    weight = log_frame["weight"].to_numpy()
    for g in np.flatnonzero(curves.group_sizes)[:4]:
        t = np.full(curves.n_groups, np.median(curves.group_scores(g)))
        want = naive_cell_sums(y, score, codes, t, n_groups=curves.n_groups, sample_weight=weight)
        # The threshold is an edge of group g only (other groups snap it up).
        np.testing.assert_allclose(curves.cell_sums(t)[g], want[g], rtol=1e-12)
    np.testing.assert_array_equal(curves.group_sizes, np.bincount(codes, minlength=curves.n_groups))


def test_awkward_scores_land_exactly(tmp_path):
    """Scores on a coarse grid and at the range's ends: the edges still split them exactly."""
    rng = np.random.default_rng(3)
    n = 6_000
    frame = pd.DataFrame({
        "sex": rng.choice(["F", "M", "X"], n, p=[0.5, 0.4999, 0.0001]),
        "race": rng.choice(["a", "b"], n),
        "age": rng.choice([20, 40], n),
        "income": rng.choice(["<=50K", ">50K"], n),
        "pred": rng.integers(0, 2, n),
        # risk scores 1..10 and thirds: many scores sit on or next to computed edges
        "score": np.where(rng.random(n) < 0.5, rng.integers(1, 11, n), rng.integers(3, 31, n) / 3),
    })
    folder = write(frame, tmp_path / "log")
    y, score, codes, _ = row_level(frame)
    for n_bins in (9, 27, 1 << 16):
        curves = curves_of(table_of(folder, n_score_bins=n_bins))
        for g in np.flatnonzero(curves.group_sizes):
            for t, got in zip(*curves.candidate_cells(g), strict=True):
                want = naive_cell_sums(y, score, codes, np.full(curves.n_groups, t),
                                       n_groups=curves.n_groups)[g]
                np.testing.assert_array_equal(got, want)


def test_bin_edges_are_the_lowest_score_of_their_bin():
    lo, hi, n = 0.1, 0.7, 1 << 16
    edges = bin_edges(np.arange(n), score_range=(lo, hi), n_bins=n)
    width = hi - lo
    bins = np.minimum(np.floor((edges - lo) / width * n), n - 1)
    np.testing.assert_array_equal(bins, np.arange(n))
    below = np.minimum(np.floor((np.nextafter(edges[1:], -np.inf) - lo) / width * n), n - 1)
    np.testing.assert_array_equal(below, np.arange(n - 1))
    assert edges[0] == lo


def test_snap_and_between_edges(log_folder):
    curves = curves_of(table_of(log_folder, n_score_bins=64))
    g = int(np.argmax(curves.group_sizes))
    edges = curves.group_scores(g)
    between = (edges[3] + edges[4]) / 2
    t = np.full(curves.n_groups, between)
    assert curves.snap(t)[g] == edges[4]
    np.testing.assert_array_equal(curves.cell_sums(t)[g], curves.cell_sums(curves.snap(t))[g])
    assert curves.snap(np.full(curves.n_groups, 2.0))[g] == np.inf


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_strategies_run_on_histogram_curves(log_folder, log_frame, strategy):
    curves = curves_of(table_of(log_folder, n_score_bins=256))
    outcome = apply_strategy(curves, strategy, cost_ratio=1.0, tolerance=0.05)
    y, score, codes, _ = row_level(log_frame)
    present = curves.group_sizes > 0
    # Every chosen threshold is a bin edge (so exact), or selects nobody.
    edges = bin_edges(np.arange(256), score_range=curves.score_range, n_bins=256)
    chosen = outcome.thresholds[present]
    assert np.isin(chosen[np.isfinite(chosen)], edges).all()
    t = np.where(present, outcome.thresholds, np.inf)
    selected = score >= t[codes]
    assert outcome.accuracy == pytest.approx(np.mean(selected == y), abs=1e-12)


def test_refusals(log_folder):
    no_score = table_of(log_folder, score=None)
    with pytest.raises(InputError, match="without a score column"):
        curves_of(no_score)
    curves = curves_of(table_of(log_folder, n_score_bins=64))
    with pytest.raises(InputError, match="Row-level decisions are not available"):
        curves.predict(0.5)
    with pytest.raises(InputError, match="does not occur in the column 'income'"):
        threshold_curves_from_table(table_of(log_folder, n_score_bins=64), target="income",
                                    prediction="pred", pos_label="yes")


def test_table_over_two_features_equals_group_metrics(log_folder, log_frame):
    """The Explore heatmap's metrics: the counts summed over the third feature."""
    table = table_of(log_folder, n_score_bins=64).over(["sex", "age"])
    got = metrics_from_cell_table(table, target="income", prediction="pred", pos_label=">50K")
    want = group_metrics(log_frame["income"], np.where(log_frame["pred"] == 1, ">50K", "<=50K"),
                         sensitive_frame(log_frame, ["sex", "age"]), pos_label=">50K")
    assert got.by_group.index.equals(want.by_group.index)
    pd.testing.assert_frame_equal(got.by_group.drop(columns="roc_auc"), want.by_group,
                                  rtol=0, atol=1e-12)
    with pytest.raises(InputError, match="Choose sensitive features among"):
        table.over(["income"])
