"""The executive summary: gaps with Newcombe intervals, sentences, caveats, against references."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from fairdash.metrics import group_metrics
from fairdash.report import executive_summary, rate_gap
from fairdash.tradeoff import recommend_model


def _metrics_from_counts(counts: dict[str, tuple[int, int]], *, min_group_size: int = 30):
    """Groups with (selected, rows); the true labels alternate, so every rate is defined."""
    groups, pred = [], []
    for name, (selected, rows) in counts.items():
        groups += [name] * rows
        pred += [1] * selected + [0] * (rows - selected)
    y_true = np.arange(len(pred)) % 2
    return group_metrics(y_true, np.array(pred), pd.Series(groups, name="g"),
                         min_group_size=min_group_size)


def _wilson(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    z = norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10.
        ((56, 70), (48, 80), (0.0524, 0.3339)),
        ((9, 10), (3, 10), (0.1705, 0.8090)),
    ],
)
def test_gap_interval_matches_newcombes_published_examples(a, b, expected):
    metrics = _metrics_from_counts({"a": a, "b": b}, min_group_size=1)
    gap = rate_gap(metrics, metric="selection_rate", min_group_size=1)
    assert (gap.high, gap.low) == ("a", "b")
    assert gap.gap == pytest.approx(a[0] / a[1] - b[0] / b[1], abs=1e-12)
    assert gap.gap_interval == pytest.approx(expected, abs=1e-4)


def test_gap_leaves_out_small_groups_and_uses_independent_wilson_bounds():
    counts = {"big1": (60, 200), "big2": (20, 150), "tiny": (3, 3), "mid": (40, 100)}
    metrics = _metrics_from_counts(counts)
    gap = rate_gap(metrics, metric="selection_rate", min_group_size=30)
    rates = {k: s / n for k, (s, n) in counts.items() if n >= 30}
    high, low = max(rates, key=rates.get), min(rates, key=rates.get)
    assert (gap.high, gap.low, gap.n_groups) == (high, low, 3)  # "tiny" (100 %) left out
    lh, uh = _wilson(*counts[high])
    ll, ul = _wilson(*counts[low])
    assert gap.high_interval == pytest.approx((lh, uh), abs=1e-12)
    d = rates[high] - rates[low]
    expected = (d - math.hypot(rates[high] - lh, ul - rates[low]),
                d + math.hypot(uh - rates[high], rates[low] - ll))
    assert gap.gap_interval == pytest.approx(expected, abs=1e-12)
    assert rate_gap(metrics, metric="selection_rate", min_group_size=201) is None


def _numbers(text: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.findall(r"-?\d[\d,]*\.?\d*", text)]


@pytest.fixture(scope="module")
def summary_parts():
    rng = np.random.default_rng(3)
    n = 3000
    groups = pd.DataFrame({
        "race": rng.choice(["A", "B", "C"], size=n, p=[0.5, 0.3, 0.2]),
        "sex": rng.choice(["F", "M"], size=n),
    })
    groups.loc[:1, ["race", "sex"]] = ["Tiny", "F"]  # a group of two people
    y = rng.integers(0, 2, size=n)
    lift = groups["race"].map({"A": 0.25, "B": 0.0, "C": -0.1, "Tiny": 0.0}).to_numpy()
    pred = (rng.random(n) < 0.35 + lift + 0.2 * y).astype(int)
    metrics = group_metrics(y, pred, groups, min_group_size=30)
    table = pd.DataFrame({
        "name": ["unmitigated", "grid #1", "grid #2", "barycenter alpha=1"],
        "method": ["unmitigated", "grid_search", "grid_search", "barycenter"],
        "params": ["{}", '{"grid_index": 1}', '{"grid_index": 2}', '{"alpha": 1.0}'],
        "accuracy": [0.80, 0.795, 0.70, 0.79],
        "demographic_parity_difference": [0.30, 0.10, 0.02, 0.12],
        "is_unmitigated": [True, False, False, False],
        "on_front": [True, True, True, False],
    })
    recommendation = recommend_model(table, max_performance_loss=0.01)
    summary = executive_summary(
        metrics, model="unmitigated", favourable="approved = yes", favourable_guessed=True,
        models_table=table, recommendation=recommendation,
        failures=[("Threshold optimizer", "a group has one label.")],
        excluded_inputs={"id": "an identifier", "r_charge": "predicts the target alone"},
        leakage_warnings=["Test accuracy 0.99: check the inputs."], thresholds_set=True,
    )
    return y, pred, groups, metrics, table, recommendation, summary


def test_gap_sentences_quote_independently_computed_numbers(summary_parts):
    y, pred, groups, _metrics, *_, summary = summary_parts
    frame = groups.assign(y=y, pred=pred)
    frame["g"] = frame["race"] + " × " + frame["sex"]
    big = frame.groupby("g").filter(lambda d: len(d) >= 30)
    rates = big.groupby("g")["pred"].mean()
    sentence = summary.findings[0]
    assert sentence.startswith(f"Among all people, {rates.idxmax()} is predicted approved = yes "
                               f"most often, {rates.max() * 100:.1f}%")
    assert f"and {rates.idxmin()} least often, {rates.min() * 100:.1f}%" in sentence
    gap = rates.max() - rates.min()
    assert f"a gap of {gap * 100:.1f} percentage points" in sentence
    assert f"{big.groupby('g').size()[rates.idxmax()]:,} rows" in sentence
    assert f"of {len(rates)} groups compared" in sentence
    # The gap quoted is the selection-rate gap of the groups of 30 or more, the interval Newcombe's.
    low, high = summary.gaps["selection_rate"].gap_interval
    assert f"95% interval {low * 100:.1f} to {high * 100:.1f};" in sentence
    assert ("excludes 0" in sentence) == (low > 0)
    # True positive rates among people whose outcome is favourable, from the rows themselves.
    tpr = big[big["y"] == 1].groupby("g")["pred"].mean()
    tpr_sentence = next(s for s in summary.findings if s.startswith("Among people whose true"))
    assert f"{tpr.idxmax()} is predicted approved = yes most often, {tpr.max() * 100:.1f}%" in (
        tpr_sentence)
    assert f"a gap of {(tpr.max() - tpr.min()) * 100:.1f} percentage points" in tpr_sentence
    four_fifths = summary.findings[1]
    assert four_fifths.startswith(f"Among the {len(rates)} groups compared, the lowest")
    assert f"{rates.min() / rates.max():.0%} of the highest" in four_fifths
    assert ("passes" in four_fifths) == (rates.min() / rates.max() >= 0.8)


def test_basis_names_the_model_rows_and_policy(summary_parts):
    metrics, summary = summary_parts[3], summary_parts[-1]
    assert summary.basis == (
        "Every number here is for the model unmitigated as trained (its own decisions, no "
        f"what-if thresholds), on {int(metrics.overall['count']):,} test rows; groups are "
        "compared only when they have at least 30 rows."
    )


def test_what_was_tried_and_the_recommendation(summary_parts):
    *_, _table, recommendation, summary = summary_parts
    tried = next(s for s in summary.findings if "were measured" in s)
    assert tried.startswith("4 model(s) from 3 method(s)")
    assert "grid_search (2)" in tried and "Threshold optimizer could not run" in tried
    assert recommendation.name == "grid #1"
    sentence = next(s for s in summary.findings if s.startswith("Recommended"))
    assert "grid #1" in sentence and "0.795 against 0.800" in sentence
    assert "a cost of 0.5 points of accuracy" in sentence
    assert "0.100 against 0.300" in sentence and "-20.0 points" in sentence
    assert recommendation.rule in sentence


def test_caveats_name_small_groups_favourable_inputs_leakage_and_thresholds(summary_parts):
    metrics, summary = summary_parts[3], summary_parts[-1]
    caveats = " ".join(summary.caveats)
    sizes = metrics.group_sizes
    small = sizes[(sizes > 0) & (sizes < 30)]
    assert len(small) == 1
    assert "1 group(s) have fewer than 30 test rows" in caveats and "Tiny × F (2 rows)" in caveats
    assert "approved = yes: this was guessed" in caveats
    assert "id (an identifier); r_charge (predicts the target alone)" in caveats
    assert "Test accuracy 0.99: check the inputs." in caveats
    assert "What-if thresholds are set" in caveats


def test_no_comparison_without_two_large_groups():
    metrics = _metrics_from_counts({"a": (5, 10), "b": (2, 10)})
    summary = executive_summary(metrics, model="m", favourable="y = 1")
    assert summary.gaps == {}
    assert summary.findings == [
        "Fewer than two groups have at least 30 test rows, so no groups are compared."
    ]
    assert summary.caveats[-1] == (
        "The favourable outcome is y = 1: the selection rates above are the shares of people "
        "predicted to get it; check that it is the outcome that is good for the person."
    )
    chosen = executive_summary(metrics, model="m", favourable="y = 1", favourable_guessed=False)
    assert chosen.caveats[-1] == "The favourable outcome is y = 1, as chosen for this audit."


def test_the_summary_gaps_are_the_headline_disparities_under_the_same_policy(summary_parts):
    metrics, summary = summary_parts[3], summary_parts[-1]
    headline = metrics.disparities(min_group_size=30)
    gaps = summary.gaps
    assert gaps["selection_rate"].gap == pytest.approx(
        headline["demographic_parity_difference"], abs=1e-12)
    assert gaps["true_positive_rate"].gap == pytest.approx(
        headline["equal_opportunity_difference"], abs=1e-12)
    assert max(gaps["true_positive_rate"].gap, gaps["false_positive_rate"].gap) == pytest.approx(
        headline["equalized_odds_difference"], abs=1e-12)
    assert gaps["selection_rate"].ratio == pytest.approx(
        headline["disparate_impact_ratio"], abs=1e-12)
