"""find_slices against independent computations: pandas groupby, the tests' formulas, BH."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import fairdash
from fairdash.slices import SLICE_COLUMNS, find_slices
from tests.slices.conftest import PLANTED

# Per metric: numerator and denominator as row masks of (y_true == 1, y_pred == 1).
DEFINITIONS = {
    "selection_rate": (lambda t, p: p, lambda t, p: np.ones_like(t)),
    "accuracy": (lambda t, p: t == p, lambda t, p: np.ones_like(t)),
    "error_rate": (lambda t, p: t != p, lambda t, p: np.ones_like(t)),
    "true_positive_rate": (lambda t, p: t & p, lambda t, p: t),
    "false_positive_rate": (lambda t, p: ~t & p, lambda t, p: ~t),
    "false_negative_rate": (lambda t, p: t & ~p, lambda t, p: t),
    "true_negative_rate": (lambda t, p: ~t & ~p, lambda t, p: ~t),
    "precision": (lambda t, p: t & p, lambda t, p: p),
    "negative_predictive_value": (lambda t, p: ~t & ~p, lambda t, p: ~p),
    "base_rate": (lambda t, p: t, lambda t, p: np.ones_like(t)),
}
Z95 = stats.norm.ppf(0.975)


def by_conditions(table: pd.DataFrame) -> dict:
    return {row.conditions: row for row in table.itertuples(index=False)}


def groupby_reference(
    features: pd.DataFrame,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    metric: str,
    *,
    max_order: int,
    min_size: int,
    weights: np.ndarray | None = None,
) -> dict:
    """Every testable slice from plain pandas groupby sums, keyed by its conditions."""
    t, p = y_true.astype(bool), y_pred.astype(bool)
    numerator, denominator = (f(t, p).astype(bool) for f in DEFINITIONS[metric])
    w = np.ones(len(t)) if weights is None else weights
    rows = pd.DataFrame(
        {
            "num": w * numerator,
            "den": w * denominator,
            "den2": w * w * denominator,
            "den_rows": denominator.astype(int),
            "size": 1,
        }
    )
    totals = rows.sum()
    # The grouping keys: the candidate columns as FairDash labels them (binned, "(missing)").
    keys = fairdash.sensitive_frame(features, list(features.columns))
    expected = {}
    for order in range(1, max_order + 1):
        for combo in itertools.combinations(features.columns, order):
            sums = rows.groupby([keys[c] for c in combo], observed=True).sum()
            for key, row in sums.iterrows():
                key = key if isinstance(key, tuple) else (key,)
                rest = totals - row
                if row["den_rows"] < max(min_size, 1) or rest["den_rows"] < 1:
                    continue
                expected[tuple(zip(combo, map(str, key), strict=True))] = {
                    "size": row["size"],
                    "denominator": row["den_rows"],
                    "value": row["num"] / row["den"],
                    "complement": rest["num"] / rest["den"],
                    "n": row["den"] ** 2 / row["den2"],
                    "n_rest": rest["den"] ** 2 / rest["den2"],
                    "pooled": totals["num"] / totals["den"],
                }
    return expected


def z_test_p(p1: float, n1: float, p2: float, n2: float, pooled: float) -> float:
    """Two-sided pooled two-proportion z-test, written out."""
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    return math.erfc(abs(p1 - p2) / se / math.sqrt(2))


def wilson(p: float, n: float) -> tuple[float, float]:
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 / (1 + Z95**2 / n) * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n))
    return max(centre - half, 0.0), min(centre + half, 1.0)


def bh_step_up(p: np.ndarray, alpha: float) -> np.ndarray:
    """Benjamini-Hochberg's rule as published: reject the k* smallest p-values."""
    m = len(p)
    ranked = np.sort(p)
    below = np.nonzero(ranked <= np.arange(1, m + 1) * alpha / m)[0]
    if len(below) == 0:
        return np.zeros(m, dtype=bool)
    return p <= ranked[below.max()]


def bh_q_values(p: np.ndarray) -> np.ndarray:
    """q_i = min over p_j >= p_i of m p_j / rank_j, by brute force."""
    m = len(p)
    rank = stats.rankdata(p, method="max")
    candidates = np.where(p[None, :] >= p[:, None], m * p[None, :] / rank[None, :], np.inf)
    return np.minimum(candidates.min(axis=1), 1.0)


def test_planted_three_way_slice_is_found_at_the_top(messy):
    features, y_true, y_pred = messy
    table = find_slices(features, y_true, y_pred, metric="error_rate", prune=True)
    top = table.iloc[0]
    assert top["conditions"] == PLANTED
    assert top["slice"] == "sex = Female & region = south & charge = misdemeanour"
    assert top["order"] == 3 and top["significant"]
    assert top["value"] > top["complement"] + 0.2
    # Slices sharing no condition with it are pruned or far less harmful.
    unrelated = table[[not set(c) & set(PLANTED) for c in table["conditions"]]]
    assert len(unrelated) and (unrelated["harm"] < top["harm"] / 2).all()
    assert not (unrelated["significant"] & (unrelated["harm"] > 0)).any()
    assert list(table.columns) == list(SLICE_COLUMNS)
    assert table["harm"].is_monotonic_decreasing


def test_without_pruning_every_value_equals_a_pandas_groupby(messy):
    features, y_true, y_pred = messy
    for metric in DEFINITIONS:
        table = find_slices(
            features, y_true, y_pred, metric=metric, prune=False, min_size=20, max_order=3
        )
        expected = groupby_reference(
            features, y_true, y_pred, metric, max_order=3, min_size=20
        )
        found = by_conditions(table)
        assert found.keys() == expected.keys(), metric
        assert table.attrs["n_tested"] == len(expected)
        for key, want in expected.items():
            row = found[key]
            assert row.size == want["size"] and row.denominator == want["denominator"]
            assert row.order == len(key)
            assert row.value == pytest.approx(want["value"], abs=1e-12)
            assert row.complement == pytest.approx(want["complement"], abs=1e-12)
            assert row.gap == pytest.approx(want["value"] - want["complement"], abs=1e-12)


def test_p_values_intervals_and_q_values_equal_independent_computations(messy):
    features, y_true, y_pred = messy
    table = find_slices(
        features, y_true, y_pred, metric="false_negative_rate", prune=False, max_order=2
    )
    expected = groupby_reference(
        features, y_true, y_pred, "false_negative_rate", max_order=2, min_size=30
    )
    for key, row in by_conditions(table).items():
        want = expected[key]
        p = z_test_p(want["value"], want["n"], want["complement"], want["n_rest"], want["pooled"])
        assert row.p_value == pytest.approx(p, rel=1e-9, abs=1e-300)
        low, high = wilson(want["value"], want["n"])
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), abs=1e-12)
    p_values = table["p_value"].to_numpy()
    np.testing.assert_allclose(table["q_value"], bh_q_values(p_values), rtol=1e-12)
    for alpha in (0.01, 0.05, 0.2):
        again = find_slices(
            features,
            y_true,
            y_pred,
            metric="false_negative_rate",
            prune=False,
            max_order=2,
            fdr=alpha,
        )
        np.testing.assert_array_equal(
            again["significant"], bh_step_up(again["p_value"].to_numpy(), alpha)
        )
        assert again.attrs["n_significant"] == int(again["significant"].sum())


def test_sample_weights_give_weighted_values_and_kish_sizes(messy):
    features, y_true, y_pred = messy
    rng = np.random.default_rng(3)
    weights = rng.uniform(0.2, 3.0, len(y_true))
    table = find_slices(
        features,
        y_true,
        y_pred,
        metric="precision",
        prune=False,
        max_order=2,
        sample_weight=weights,
    )
    expected = groupby_reference(
        features, y_true, y_pred, "precision", max_order=2, min_size=30, weights=weights
    )
    found = by_conditions(table)
    assert found.keys() == expected.keys()
    for key, want in expected.items():
        row = found[key]
        assert row.value == pytest.approx(want["value"], abs=1e-12)
        assert row.complement == pytest.approx(want["complement"], abs=1e-12)
        p = z_test_p(want["value"], want["n"], want["complement"], want["n_rest"], want["pooled"])
        assert row.p_value == pytest.approx(p, rel=1e-9, abs=1e-300)
        assert (row.ci_low, row.ci_high) == pytest.approx(wilson(want["value"], want["n"]))
    # Unit weights change nothing.
    plain = find_slices(features, y_true, y_pred, metric="precision", max_order=2)
    unit = find_slices(
        features, y_true, y_pred, metric="precision", max_order=2, sample_weight=np.ones(6000)
    )
    pd.testing.assert_frame_equal(plain, unit, check_exact=False, rtol=1e-12, atol=1e-14)


def test_integer_weights_give_the_values_of_repeated_rows(messy):
    features, y_true, y_pred = messy
    rng = np.random.default_rng(5)
    repeats = rng.integers(0, 4, len(y_true))
    weighted = find_slices(
        features, y_true, y_pred, prune=False, max_order=2, min_size=0, sample_weight=repeats
    )
    index = np.repeat(np.arange(len(y_true)), repeats)
    repeated = find_slices(
        features.iloc[index].reset_index(drop=True),
        y_true[index],
        y_pred[index],
        prune=False,
        max_order=2,
        min_size=0,
    )
    a, b = by_conditions(weighted), by_conditions(repeated)
    # Slices of zero-weight rows only have no value; every other one matches.
    assert b.keys() <= a.keys()
    for key, row in b.items():
        assert a[key].value == pytest.approx(row.value, abs=1e-12)
        assert a[key].complement == pytest.approx(row.complement, abs=1e-12)


def test_missing_values_are_their_own_slice(messy):
    features, y_true, y_pred = messy
    table = by_conditions(find_slices(features, y_true, y_pred, prune=False, min_size=1))
    missing = fairdash.MISSING_LABEL
    race = features["race"].isna().to_numpy()
    age = features["age"].isna().to_numpy()
    assert table[(("race", missing),)].size == race.sum()
    assert table[(("age", missing),)].size == age.sum()
    both = table[(("race", missing), ("age", missing))]
    assert both.size == (race & age).sum()
    assert both.value == pytest.approx((y_true == y_pred)[race & age].mean())
    # Rows are never lost: the slices of one column partition the rows.
    for column in features.columns:
        sizes = [r.size for k, r in table.items() if len(k) == 1 and k[0][0] == column]
        assert sum(sizes) == len(features)
    # Numeric columns with many values are binned as sensitive features are.
    bins = fairdash.sensitive_frame(features, ["age"])["age"].cat.categories
    assert {k[0][1] for k in table if len(k) == 1 and k[0][0] == "age"} == set(bins)


def test_min_size_applies_to_the_metric_denominator(messy):
    features, y_true, y_pred = messy
    for min_size in (0, 50, 400):
        table = find_slices(
            features, y_true, y_pred, metric="true_positive_rate", prune=False, min_size=min_size
        )
        positives = fairdash.sensitive_frame(features, list(features.columns)).assign(y=y_true)
        assert (table["denominator"] >= max(min_size, 1)).all()
        # The denominator is the number of actual positives in the slice.
        for row in table.head(50).itertuples():
            mask = np.ones(len(y_true), dtype=bool)
            for column, value in row.conditions:
                mask &= (positives[column].astype(str) == value).to_numpy()
            assert row.denominator == y_true[mask].sum()
            assert row.size == mask.sum()
    small = find_slices(features, y_true, y_pred, prune=False, min_size=0)
    large = find_slices(features, y_true, y_pred, prune=False, min_size=400)
    assert large.attrs["n_tested"] < small.attrs["n_tested"]
    assert set(large["conditions"]) == set(small[small["denominator"] >= 400]["conditions"])


def test_groups_of_one_person_are_never_tested():
    rng = np.random.default_rng(0)
    features = pd.DataFrame({"a": ["x"] * 99 + ["alone"], "b": rng.choice(["u", "v"], 100)})
    y_true = rng.integers(0, 2, 100)
    table = find_slices(features, y_true, y_true, min_size=2, prune=False)
    assert not any(("a", "alone") in k for k in table["conditions"])
    with_one = find_slices(features, y_true, 1 - y_true, min_size=1, prune=False)
    assert (("a", "alone"),) in set(with_one["conditions"])


def test_a_one_that_is_the_bad_outcome_sets_the_harm_direction():
    rng = np.random.default_rng(1)
    n = 4000
    features = pd.DataFrame({"group": rng.choice(["a", "b", "c"], n)})
    # 1 = arrested (bad), 0 = not: the favourable outcome is 0.
    y_pred = np.where(features["group"] == "a", rng.random(n) < 0.6, rng.random(n) < 0.3)
    y_pred = y_pred.astype(int)
    table = find_slices(features, y_pred, y_pred, metric="selection_rate", pos_label=0)
    top = table.iloc[0]
    # Group a gets the favourable outcome (0) least often: harmed.
    assert top["conditions"] == (("group", "a"),)
    assert top["value"] == pytest.approx((y_pred[features["group"] == "a"] == 0).mean())
    assert top["harm"] == pytest.approx(top["complement"] - top["value"]) and top["harm"] > 0


def test_a_column_recorded_after_the_outcome_gives_perfect_slices_not_errors():
    rng = np.random.default_rng(2)
    n = 3000
    y_true = rng.integers(0, 2, n)
    y_pred = np.where(rng.random(n) < 0.2, 1 - y_true, y_true)
    features = pd.DataFrame(
        {"outcome_recorded": np.where(y_true == 1, "paid", "default"), "x": rng.integers(0, 3, n)}
    )
    table = by_conditions(find_slices(features, y_true, y_pred, metric="true_positive_rate"))
    # Every positive is "paid": the other value has no positives, so it is not tested.
    assert (("outcome_recorded", "paid"),) not in table  # it is all of the denominator
    assert (("outcome_recorded", "default"),) not in table


def test_repeated_and_renamed_headers():
    rng = np.random.default_rng(4)
    n = 500
    data = pd.DataFrame(rng.integers(0, 3, (n, 3)), columns=["score", "score", "other"])
    y = rng.integers(0, 2, n)
    with pytest.raises(fairdash.InputError, match="'score' appears more than once") as err:
        find_slices(data, y, y)
    assert err.value.column == "score"
    renamed = data.set_axis(["score", "score.1", "other"], axis=1)
    table = find_slices(renamed, y, 1 - y, prune=False, min_size=0)
    assert {k[0][0] for k in table["conditions"]} == {"score", "score.1", "other"}


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("person_id", [f"id-{i:05d}" for i in range(300)]),
        ("name", [f"Name {i}" for i in range(300)]),
        ("visit", list(pd.date_range("2024-01-01", periods=300, freq="D"))),
        ("comment", [f"free text number {i % 120}" for i in range(300)]),
    ],
)
def test_identifiers_dates_and_free_text_are_refused_naming_the_column(column, values):
    features = pd.DataFrame({"sex": ["F", "M"] * 150, column: values})
    y = np.arange(300) % 2
    with pytest.raises(fairdash.InputError, match=f"'{column}' has .* distinct values") as err:
        find_slices(features, y, y)
    assert err.value.column == column


def test_numeric_identifiers_are_binned_like_sensitive_features():
    features = pd.DataFrame({"row_number": np.arange(400), "sex": ["F", "M"] * 200})
    y = np.arange(400) % 2
    table = find_slices(features, y, 1 - y, min_size=0, prune=False)
    values = {k[0][1] for k in table["conditions"] if k[0][0] == "row_number" and len(k) == 1}
    binned = fairdash.sensitive_frame(features, ["row_number"])["row_number"]
    assert values == set(binned.cat.categories)


@pytest.mark.parametrize(
    ("kwargs", "column", "message"),
    [
        ({"y_pred": None}, "y_pred", "y_pred is missing: accuracy needs"),
        ({"y_true": [0, 1, 2] * 100}, "y_true", "must be binary"),
        ({"y_pred": ["a", "b", "c"] * 100}, "y_pred", "must be binary"),
        ({"y_true": [0, 1] * 100}, "y_true", "has 200 rows"),
        ({"y_true": [0, 1, None] * 100}, "y_true", "missing values"),
        ({"sample_weight": [-1.0] * 300}, "sample_weight", "must not be negative"),
        ({"metric": "mean_absolute_error", "y_true": ["a", "b", "c"] * 100}, "y_true", "numeric"),
        ({"metric": "brier_score"}, "y_score", "needs scores"),
        ({"metric": "brier_score", "y_score": [2.0] * 300}, "y_score", "between 0 and 1"),
    ],
)
def test_bad_labels_raise_input_error_naming_the_column(kwargs, column, message):
    features = pd.DataFrame({"sex": ["F", "M", "X"] * 100})
    arguments = {"y_true": [0, 1, 1] * 100, "y_pred": [1, 1, 0] * 100, **kwargs}
    with pytest.raises(fairdash.InputError, match=message) as err:
        find_slices(features, arguments.pop("y_true"), arguments.pop("y_pred"), **arguments)
    assert err.value.column == column


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metric": "f1"}, "Unknown metric 'f1'"),
        ({"max_order": 0}, "max_order must be an integer of at least 1"),
        ({"min_size": -1}, "min_size must be an integer of at least 0"),
        ({"bins": 1}, "bins must be an integer of at least 2"),
        ({"fdr": 0}, "fdr must be a number above 0"),
        ({"prune": "yes"}, "prune must be True or False"),
    ],
)
def test_bad_parameters_raise_input_error(kwargs, message):
    features = pd.DataFrame({"sex": ["F", "M"] * 50})
    with pytest.raises(fairdash.InputError, match=message):
        find_slices(features, [0, 1] * 50, [1, 1] * 50, **kwargs)


def test_features_must_be_a_table_with_rows_and_columns():
    with pytest.raises(fairdash.InputError, match="pandas DataFrame"):
        find_slices(np.zeros((10, 2)), [0, 1] * 5, [0, 1] * 5)
    with pytest.raises(fairdash.InputError, match="at least one column"):
        find_slices(pd.DataFrame(index=range(10)), [0, 1] * 5, [0, 1] * 5)


def test_max_order_above_the_number_of_columns_searches_every_combination(messy):
    features, y_true, y_pred = messy
    small = features[["sex", "region"]]
    table = find_slices(small, y_true, y_pred, max_order=5, prune=False, min_size=0)
    assert sorted(table["order"].unique()) == [1, 2]
    assert len(table) == 2 + 3 + 2 * 3


def test_a_date_column_with_few_values_is_refused_naming_the_column():
    features = pd.DataFrame({"day": pd.to_datetime(["2024-01-01", "2024-01-02"] * 50)})
    with pytest.raises(fairdash.InputError, match="holds dates or times") as err:
        find_slices(features, [0, 1] * 50, [1, 1] * 50)
    assert err.value.column == "day"


def test_no_slice_large_enough_gives_an_empty_table_with_every_column(messy):
    features, y_true, y_pred = messy
    table = find_slices(features, y_true, y_pred, min_size=10_000)
    assert table.empty and list(table.columns) == list(SLICE_COLUMNS)
    assert table.attrs["n_tested"] == 0 and table.attrs["n_significant"] == 0


def test_a_constant_column_adds_no_slice_once_pruned(messy):
    features, y_true, y_pred = messy
    with_constant = features.assign(country="NL")
    every = find_slices(with_constant, y_true, y_pred, metric="error_rate", prune=False)
    # "country = NL" is every row: no complement, so it is not a slice.
    assert (("country", "NL"),) not in set(every["conditions"])
    pruned = find_slices(with_constant, y_true, y_pred, metric="error_rate")
    plain = find_slices(features, y_true, y_pred, metric="error_rate")
    # Conjunctions with it repeat slices without it: pruning leaves them out.
    assert not any(c == "country" for k in pruned["conditions"] for c, _ in k)
    assert set(pruned["conditions"]) == set(plain["conditions"])


def test_base_rate_needs_no_predictions(messy):
    features, y_true, y_pred = messy
    without = find_slices(features, y_true, None, metric="base_rate", max_order=2)
    with_predictions = find_slices(features, y_true, y_pred, metric="base_rate", max_order=2)
    pd.testing.assert_frame_equal(without, with_predictions)
    top = without.iloc[0]
    labels = fairdash.sensitive_frame(features, list(features.columns)).astype(str)
    mask = np.ones(len(y_true), dtype=bool)
    for column, value in top["conditions"]:
        mask &= (labels[column] == value).to_numpy()
    assert top["value"] == pytest.approx(y_true[mask].mean())
