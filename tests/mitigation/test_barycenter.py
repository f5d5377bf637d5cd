"""Wasserstein-barycenter post-processing (Chzhen et al. 2020): BarycenterMap and its wrapper."""

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference
from fairlearn.postprocessing import ThresholdOptimizer
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from fairdash import InputError, datasets
from fairdash.mitigation import BarycenterMap, WassersteinBarycenter, _barycenter
from fairdash.models import make_model

CRIME = Path(__file__).parent / "data" / "crime_wb"


def ks_unfairness(scores, groups) -> float:
    """Max over pairs of groups of the two-sample Kolmogorov-Smirnov statistic."""
    scores, groups = np.asarray(scores), np.asarray(groups)
    return max(
        ks_2samp(scores[groups == a], scores[groups == b], method="asymp").statistic
        for a, b in itertools.combinations(np.unique(groups), 2)
    )


def naive_barycenter(cal_scores, cal_groups, scores, groups) -> np.ndarray:
    """g = sum_s' p_s' Q_s'(F_s(f)) row by row, straight from the definitions (no jitter)."""
    labels = np.unique(cal_groups)
    samples = {s: np.sort(cal_scores[cal_groups == s]) for s in labels}
    shares = {s: np.mean(cal_groups == s) for s in labels}

    def quantile(sample, level):  # inf{t : F(t) >= level}, and the minimum at level 0
        return sample[max(int(np.ceil(level * len(sample))) - 1, 0)]

    out = []
    for score, group in zip(scores, groups, strict=True):
        level = np.mean(samples[group] <= score)
        out.append(sum(shares[s] * quantile(samples[s], level) for s in labels))
    return np.array(out)


@pytest.fixture(scope="module")
def crime():
    def load(name):
        return np.loadtxt(CRIME / f"{name}.csv")

    return {name: load(name) for name in ["RF_YLF", "RF_YLT", "RF_YTF", "RF_YTT", "SL", "ST"]}


def test_crime_predictions_reproduce_the_papers_trade_off(crime):
    base_mse = np.mean((crime["RF_YTF"] - crime["RF_YTT"]) ** 2)
    assert base_mse == pytest.approx(0.0141, abs=5e-5)
    assert ks_unfairness(crime["RF_YTF"], crime["ST"]) == pytest.approx(0.602, abs=5e-4)

    barycenter = BarycenterMap(random_state=0).fit(crime["RF_YLF"], sensitive_features=crime["SL"])
    fair = barycenter.transform(crime["RF_YTF"], sensitive_features=crime["ST"])
    # Measured 0.0323 and 0.090; bounded by the reference figures of the data's README
    # (an independent port of the authors' procedure): MSE 0.032-0.033, KS 0.08-0.11.
    assert 0.032 <= np.mean((fair - crime["RF_YTT"]) ** 2) <= 0.033
    assert 0.08 <= ks_unfairness(fair, crime["ST"]) <= 0.11
    # On the calibration data the groups' distributions coincide up to discreteness.
    calibration = barycenter.transform(crime["RF_YLF"], sensitive_features=crime["SL"])
    assert ks_unfairness(calibration, crime["SL"]) < 0.02
    np.testing.assert_allclose(barycenter.group_proportions_.sum(), 1.0)
    assert [len(s) for s in barycenter.sorted_scores_] == [
        int((crime["SL"] == g).sum()) for g in (0, 1)
    ]


def test_matches_the_definition_row_by_row():
    rng = np.random.default_rng(0)
    sizes = [40, 17, 63]
    cal_groups = np.repeat(["a", "b", "c"], sizes)
    # Rounded scores: ties within and across groups, and test scores equal to calibration ones.
    cal_scores = np.round(rng.gamma(2.0, size=sum(sizes)) + (cal_groups == "b"), 1)
    groups = rng.choice(["a", "b", "c"], 300)
    scores = np.concatenate([np.round(rng.gamma(2.0, size=200), 1), rng.uniform(-1, 9, 100)])
    barycenter = BarycenterMap(jitter=0.0).fit(cal_scores, sensitive_features=cal_groups)
    expected = naive_barycenter(cal_scores, cal_groups, scores, groups)
    fair = barycenter.transform(scores, sensitive_features=groups)
    np.testing.assert_allclose(fair, expected, rtol=0, atol=1e-12)


def test_blocked_ranking_and_exact_sort_fallback_agree(monkeypatch):
    rng = np.random.default_rng(1)
    cal_groups = rng.integers(0, 4, 5000)
    cal_scores = rng.normal(size=5000) + cal_groups
    groups = rng.integers(0, 4, 3000)
    scores = rng.normal(size=3000) * 2 + groups
    barycenter = BarycenterMap(random_state=3).fit(cal_scores, sensitive_features=cal_groups)
    reference = barycenter.transform(scores, sensitive_features=groups)
    monkeypatch.setattr(_barycenter, "_RANK_BLOCK", 7)  # many small blocks
    again = barycenter.transform(scores, sensitive_features=groups)
    np.testing.assert_array_equal(again, reference)
    monkeypatch.setattr(_barycenter, "_MIN_SCORE_BITS", 64)  # np.lexsort instead of packed keys
    again = barycenter.transform(scores, sensitive_features=groups)
    np.testing.assert_array_equal(again, reference)
    sorted_cal = np.sort(cal_scores)
    np.testing.assert_array_equal(
        _barycenter._ranks(sorted_cal, scores), np.searchsorted(sorted_cal, scores, "right")
    )


def test_alpha_relaxes_and_one_returns_the_input_exactly(crime):
    scores, groups = crime["RF_YTF"], crime["ST"]
    fair = BarycenterMap(random_state=0).fit(crime["RF_YLF"], sensitive_features=crime["SL"])
    g = fair.transform(scores, sensitive_features=groups)
    identity = BarycenterMap(alpha=1.0, random_state=0)
    identity.fit(crime["RF_YLF"], sensitive_features=crime["SL"])
    np.testing.assert_array_equal(identity.transform(scores, sensitive_features=groups), scores)
    half = fair.set_params(alpha=0.25).transform(scores, sensitive_features=groups)
    np.testing.assert_allclose(half, 0.5 * scores + 0.5 * g, rtol=0, atol=1e-15)
    alphas = np.linspace(0, 1, 21)
    path = fair.transform_path(scores, sensitive_features=groups, alphas=alphas)
    assert path.shape == (21, len(scores))
    for alpha, row in zip(alphas, path, strict=True):
        relaxed = fair.set_params(alpha=alpha).transform(scores, sensitive_features=groups)
        np.testing.assert_array_equal(row, relaxed)
    np.testing.assert_array_equal(path[-1], scores)
    # Unfairness decreases as alpha goes to 0.
    ks = [ks_unfairness(row, groups) for row in path]
    assert ks[0] < 0.2 < 0.5 < ks[-1]
    with pytest.raises(InputError, match="alpha must be between 0 and 1"):
        fair.transform_path(scores, sensitive_features=groups, alphas=[0.5, 1.5])
    with pytest.raises(InputError, match="alpha must be between 0 and 1"):
        BarycenterMap(alpha=-0.1).fit(scores, sensitive_features=groups)


def test_order_within_each_group_is_preserved():
    rng = np.random.default_rng(2)
    cal_groups = rng.integers(0, 3, 2000)
    cal_scores = rng.beta(2, 5, 2000) + 0.2 * cal_groups
    barycenter = BarycenterMap(random_state=0).fit(cal_scores, sensitive_features=cal_groups)
    # Distinct scores further apart than twice the jitter keep their order exactly.
    scores = np.unique(np.round(rng.uniform(-0.1, 1.6, 3000), 4))
    for group in range(3):
        fair = barycenter.transform(scores, sensitive_features=np.full(len(scores), group))
        assert np.all(np.diff(fair) >= 0)
        assert np.ptp(fair) > 0.5


@settings(max_examples=60, deadline=None)
@given(
    cal=st.lists(
        st.tuples(st.integers(0, 2), st.floats(-100, 100, allow_nan=False)),
        min_size=6,
        max_size=60,
    ),
    queries=st.lists(st.floats(-200, 200, allow_nan=False), min_size=1, max_size=40),
)
def test_properties_without_jitter(cal, queries):
    cal_groups = np.array([g for g, _ in cal])
    cal_scores = np.array([s for _, s in cal])
    counts = np.bincount(cal_groups, minlength=3)
    if (counts[counts > 0] < 2).any():
        with pytest.raises(InputError, match="at least 2"):
            BarycenterMap(jitter=0).fit(cal_scores, sensitive_features=cal_groups)
        return
    barycenter = BarycenterMap(jitter=0).fit(cal_scores, sensitive_features=cal_groups)
    scores = np.sort(np.array(queries))
    for group in np.flatnonzero(counts):
        fair = barycenter.transform(scores, sensitive_features=np.full(len(scores), group))
        assert np.all(np.diff(fair) >= -1e-9 * (1 + np.abs(fair[1:])))  # monotone
        # Barycenter values lie within the range of the calibration scores.
        assert fair.min() >= cal_scores.min() - 1e-9
        assert fair.max() <= cal_scores.max() + 1e-9
    identity = BarycenterMap(alpha=1.0, jitter=0).fit(cal_scores, sensitive_features=cal_groups)
    group = int(np.flatnonzero(counts)[0])
    same = identity.transform(scores, sensitive_features=np.full(len(scores), group))
    np.testing.assert_array_equal(same, scores)


def test_unseen_and_too_small_groups_are_named():
    scores = np.array([0.1, 0.4, 0.3, 0.9, 0.5])
    with pytest.raises(InputError, match="group 'b' has 1 calibration score"):
        BarycenterMap().fit(scores, sensitive_features=["a", "a", "a", "b", "c"])
    barycenter = BarycenterMap().fit(scores, sensitive_features=["a", "a", "b", "b", "b"])
    with pytest.raises(InputError, match="group 'z' was not seen"):
        barycenter.transform(scores, sensitive_features=["a", "z", "b", "b", "b"])
    frame = pd.DataFrame({"sex": ["F", "F", "M", "M", "M"], "race": ["x", "x", "x", "x", "y"]})
    with pytest.raises(InputError, match=r"'M × y' \(sex × race\) has 1 calibration"):
        BarycenterMap().fit(scores, sensitive_features=frame)
    with pytest.raises(InputError, match="NaN or infinite"):
        barycenter.transform(
            [0.1, np.nan, 0.2, 0.3, 0.4], sensitive_features=["a", "a", "b", "b", "b"]
        )
    with pytest.raises(InputError, match="rows"):
        barycenter.transform(scores, sensitive_features=["a", "b"])
    with pytest.raises(NotFittedError):
        BarycenterMap().transform(scores, sensitive_features=["a"] * 5)


def test_intersectional_groups_and_missing_values():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {"sex": rng.choice(["F", "M"], 4000), "race": rng.choice(["x", "y", None], 4000)}
    )
    shift = (frame["sex"] == "M") * 0.3 + frame["race"].isna() * 0.2
    scores = rng.beta(2, 4, 4000) + shift.to_numpy()
    barycenter = BarycenterMap(random_state=0).fit(scores, sensitive_features=frame)
    assert len(barycenter.groups_) == 6
    assert ("F", None) in barycenter.groups_
    fair = barycenter.transform(scores, sensitive_features=frame)
    codes = frame.groupby(["sex", "race"], dropna=False).ngroup()
    assert ks_unfairness(scores, codes) > 0.3
    assert ks_unfairness(fair, codes) < 0.02


def test_reproducible_with_an_int_seed():
    rng = np.random.default_rng(5)
    groups = rng.integers(0, 2, 500)
    scores = rng.normal(size=500)
    first = BarycenterMap(random_state=7).fit(scores, sensitive_features=groups)
    once = first.transform(scores, sensitive_features=groups)
    np.testing.assert_array_equal(once, first.transform(scores, sensitive_features=groups))
    second = BarycenterMap(random_state=7).fit(scores, sensitive_features=groups)
    np.testing.assert_array_equal(once, second.transform(scores, sensitive_features=groups))
    # Another seed draws other noise, which moves ranks by about one place at most.
    other = BarycenterMap(random_state=8).fit_transform(scores, sensitive_features=groups)
    assert not np.array_equal(other, first.transform(scores, sensitive_features=groups))
    assert np.corrcoef(other, first.transform(scores, sensitive_features=groups))[0, 1] > 0.99


def _regression_data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    X = rng.normal(size=(n, 3)) + (group == "b")[:, None] * 0.8 - (group == "c")[:, None]
    y = X @ np.array([1.0, -0.5, 0.3]) + rng.normal(scale=0.3, size=n)
    return X, y, group


def test_wrapper_for_a_regressor_calibrates_on_held_out_rows():
    X, y, group = _regression_data()
    model = WassersteinBarycenter(Ridge(), calibration_size=0.4, random_state=0)
    model.fit(X, y, sensitive_features=group)
    calibration = model.calibration_indices_
    assert len(calibration) == 1200
    # Stratified by group: each group's share of the calibration rows is its overall share.
    for g in "abc":
        assert np.mean(group[calibration] == g) == pytest.approx(np.mean(group == g), abs=2e-3)
    fit_rows = np.setdiff1d(np.arange(3000), calibration)
    direct = Ridge().fit(X[fit_rows], y[fit_rows])
    np.testing.assert_allclose(model.estimator_.coef_, direct.coef_)
    X_new, _, group_new = _regression_data(seed=1)
    fair = model.predict(X_new, sensitive_features=group_new)
    expected = model.barycenter_.transform(direct.predict(X_new), sensitive_features=group_new)
    np.testing.assert_array_equal(fair, expected)
    assert ks_unfairness(direct.predict(X_new), group_new) > 0.4
    assert ks_unfairness(fair, group_new) < 0.15  # sampling noise: 240 to 600 rows a group
    assert not hasattr(model, "predict_proba")
    with pytest.raises(TypeError):
        model.predict(X_new)  # the sensitive features are needed


def test_wrapper_for_a_classifier_thresholds_the_fair_probability():
    rng = np.random.default_rng(0)
    n = 4000
    group = rng.integers(0, 2, n)
    X = rng.normal(size=(n, 2)) + group[:, None]
    y = np.where(X.sum(axis=1) + rng.normal(size=n) > 1, "yes", "no")
    model = WassersteinBarycenter(
        LogisticRegression(), threshold=0.4, random_state=0
    ).fit(X, y, sensitive_features=group)
    proba = model.predict_proba(X, sensitive_features=group)
    assert proba.shape == (n, 2)
    assert proba.min() >= 0 and proba.max() <= 1
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    fair = model.barycenter_.transform(
        model.estimator_.predict_proba(X)[:, 1], sensitive_features=group
    )
    np.testing.assert_allclose(proba[:, 1], np.clip(fair, 0, 1))
    predicted = model.predict(X, sensitive_features=group)
    np.testing.assert_array_equal(predicted, np.where(fair >= 0.4, "yes", "no"))
    np.testing.assert_array_equal(model.classes_, ["no", "yes"])
    rates = [np.mean(predicted[group == g] == "yes") for g in (0, 1)]
    assert abs(rates[0] - rates[1]) < 0.03
    with pytest.raises(InputError, match="Only binary classification is supported"):
        WassersteinBarycenter(DecisionTreeClassifier()).fit(
            X, rng.integers(0, 3, n), sensitive_features=group
        )


def test_prefit_uses_the_fitted_estimator_and_all_rows():
    X, y, group = _regression_data()
    fitted = Ridge().fit(X, y)
    model = WassersteinBarycenter(fitted, prefit=True, random_state=0)
    model.fit(X, y, sensitive_features=group)
    assert model.estimator_ is fitted
    np.testing.assert_array_equal(model.calibration_indices_, np.arange(len(y)))
    with pytest.raises(NotFittedError):
        WassersteinBarycenter(Ridge(), prefit=True).fit(X, y, sensitive_features=group)
    with pytest.raises(InputError, match="calibration_size"):
        WassersteinBarycenter(Ridge(), calibration_size=1.0).fit(X, y, sensitive_features=group)


def test_adult_demographic_parity_and_accuracy_against_threshold_optimizer():
    adult = datasets.load("adult")
    X = adult.drop(columns=["income", "source"])
    y = (adult["income"] == ">50K").to_numpy().astype(int)
    sex = adult["sex"].to_numpy()
    strata = pd.factorize(sex)[0] * 2 + y
    rows = np.arange(len(y))
    train, rest = train_test_split(rows, train_size=0.4, stratify=strata, random_state=0)
    calibration, test = train_test_split(
        rest, train_size=0.5, stratify=strata[rest], random_state=0
    )
    model = make_model("logistic_regression", X).fit(X.iloc[train], y[train])

    fair = WassersteinBarycenter(model, prefit=True, random_state=0)
    fair.fit(X.iloc[calibration], y[calibration], sensitive_features=sex[calibration])
    predicted = fair.predict(X.iloc[test], sensitive_features=sex[test])
    optimizer = ThresholdOptimizer(
        estimator=model,
        constraints="demographic_parity",
        objective="accuracy_score",
        prefit=True,
        predict_method="predict_proba",
    )
    optimizer.fit(X.iloc[calibration], y[calibration], sensitive_features=sex[calibration])
    optimized = optimizer.predict(X.iloc[test], sensitive_features=sex[test], random_state=0)

    def dp(prediction):
        return demographic_parity_difference(y[test], prediction, sensitive_features=sex[test])

    def accuracy(prediction):
        return np.mean(prediction == y[test])

    # Measured: DP 0.182 -> 0.001, accuracy 0.853 -> 0.834; ThresholdOptimizer 0.834 (DP 0.000).
    # Test-set DP is a difference of two sampled selection rates (sampling sd about 0.007 at
    # these sizes): over seeds 0-19 of this procedure it exceeded 0.01 three times (max 0.015),
    # ThresholdOptimizer's four times; the accuracy gap stayed below 0.0025 on all 20.
    assert dp((model.predict_proba(X.iloc[test])[:, 1] >= 0.5).astype(int)) > 0.15
    assert dp(predicted) <= 0.01
    assert abs(accuracy(predicted) - accuracy(optimized)) <= 0.005


def test_sensitive_features_are_keyword_only_with_a_clear_error():
    scores, groups = [0.1, 0.2, 0.3, 0.4], ["a", "a", "b", "b"]
    barycenter = BarycenterMap(jitter=0).fit(scores, sensitive_features=groups)
    calls = [
        lambda: BarycenterMap().fit(scores, groups),
        lambda: barycenter.transform(scores, groups),
        lambda: barycenter.transform_path(scores, groups, [0.0]),
        lambda: BarycenterMap().fit_transform(scores, groups),
    ]
    for call in calls:
        with pytest.raises(TypeError, match=r"by keyword.*sensitive_features=\.\.\."):
            call()
    path = barycenter.transform_path(scores, sensitive_features=groups, alphas=[1.0])
    np.testing.assert_array_equal(path[0], scores)
