"""Means (Welch's t-test) against scipy, and the block counting against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import fairdash
from fairdash.slices import find_slices
from fairdash.slices._counting import combination_sums, covering_blocks
from tests.slices.conftest import messy_features


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(7)
    features = messy_features(3000, rng)
    y_true = rng.normal(50_000, 8_000, len(features))
    noise = rng.normal(0, 2_000, len(features))
    noise[(features["charge"] == "felony").to_numpy()] *= 3  # a slice with larger errors
    return features, y_true, y_true + noise


@pytest.mark.parametrize("metric", ["mean_absolute_error", "mean_prediction"])
def test_means_and_welch_p_values_equal_scipy(regression, metric):
    features, y_true, y_pred = regression
    values = np.abs(y_true - y_pred) if metric == "mean_absolute_error" else y_pred
    table = find_slices(features, y_true, y_pred, metric=metric, prune=False, max_order=2)
    keys = fairdash.sensitive_frame(features, list(features.columns)).astype(str)
    assert table.attrs["n_tested"] == len(table) > 100
    for row in table.itertuples():
        mask = np.ones(len(values), dtype=bool)
        for column, value in row.conditions:
            mask &= (keys[column] == value).to_numpy()
        inside, outside = values[mask], values[~mask]
        assert row.size == row.denominator == mask.sum()
        assert row.value == pytest.approx(inside.mean(), rel=1e-12)
        assert row.complement == pytest.approx(outside.mean(), rel=1e-12)
        welch = stats.ttest_ind(inside, outside, equal_var=False)
        assert row.p_value == pytest.approx(welch.pvalue, rel=1e-7, abs=1e-300)
        low, high = stats.t.interval(
            0.95, len(inside) - 1, loc=inside.mean(), scale=stats.sem(inside)
        )
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), rel=1e-9)
    if metric == "mean_absolute_error":
        top = table.iloc[0]
        assert ("charge", "felony") in top["conditions"] and top["harm"] == top["gap"] > 0
    else:
        # No favourable direction: harm is the size of the gap.
        np.testing.assert_allclose(table["harm"], table["gap"].abs())


def test_weighted_means_use_weighted_moments(regression):
    features, y_true, y_pred = regression
    weights = np.random.default_rng(1).uniform(0.5, 2.0, len(y_true))
    table = find_slices(
        features[["charge", "sex"]],
        y_true,
        y_pred,
        metric="mean_absolute_error",
        prune=False,
        sample_weight=weights,
    )
    errors = np.abs(y_true - y_pred)
    for row in table.itertuples():
        mask = np.ones(len(errors), dtype=bool)
        for column, value in row.conditions:
            mask &= (features[column].astype(str) == value).to_numpy()
        assert row.value == pytest.approx(np.average(errors[mask], weights=weights[mask]))
        assert row.complement == pytest.approx(np.average(errors[~mask], weights=weights[~mask]))


def test_brier_score_ranks_by_squared_probability_error():
    rng = np.random.default_rng(9)
    n = 5000
    features = pd.DataFrame({"site": rng.choice(["a", "b", "c", "d"], n)})
    y_true = rng.integers(0, 2, n)
    score = np.clip(y_true * 0.7 + rng.normal(0.15, 0.1, n), 0, 1)
    bad = (features["site"] == "c").to_numpy()
    score[bad] = rng.random(bad.sum())  # uninformative scores at one site
    table = find_slices(features, y_true, None, metric="brier_score", y_score=score)
    top = table.iloc[0]
    assert top["conditions"] == (("site", "c"),) and top["significant"]
    assert top["value"] == pytest.approx(np.mean((score[bad] - y_true[bad]) ** 2))


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_covering_blocks_cover_every_combination(order, seed):
    rng = np.random.default_rng(seed)
    radices = list(rng.integers(2, 30, 9))
    blocks = covering_blocks(radices, order=order, n_outcomes=4, max_cells=1 << 16)
    covered = {c for b in blocks for c in itertools.combinations(b, order)}
    assert covered == set(itertools.combinations(range(9), order))
    for block in blocks:
        cells = 4 * np.prod([radices[j] for j in block])
        # A block grows beyond one combination only within the cell budget.
        assert len(block) == order or cells <= 1 << 16


def test_combination_sums_equal_brute_force_counts():
    rng = np.random.default_rng(0)
    n, radices = 2000, [3, 5, 2, 7, 4]
    codes = [rng.integers(0, r, n).astype(np.intp) for r in radices]
    outcome = rng.integers(0, 4, n).astype(np.intp)
    weights = rng.random(n)
    sums = combination_sums(
        codes, radices, max_order=3, outcome=outcome, n_outcomes=4, weights=[None, weights]
    )
    assert set(sums) == {
        c for k in (1, 2, 3) for c in itertools.combinations(range(len(radices)), k)
    }
    for combo, (counts, weighted) in sums.items():
        expected = np.zeros((*(radices[j] for j in combo), 4))
        expected_w = np.zeros_like(expected)
        np.add.at(expected, (*(codes[j] for j in combo), outcome), 1)
        np.add.at(expected_w, (*(codes[j] for j in combo), outcome), weights)
        np.testing.assert_array_equal(counts, expected)
        np.testing.assert_allclose(weighted, expected_w, rtol=1e-12)
