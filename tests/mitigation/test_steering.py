"""Optimal steering to an ideal distribution (Sharma et al. 2025): closed form, fairness."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import check_grad, minimize
from scipy.stats import norm

from fairdash import InputError
from fairdash.mitigation import OptimalSteering, gaussian_kl, reweighing_weights
from fairdash.mitigation._steering import _multivariate_affine, _summed_kl, _univariate_affine

# (group, class) -> (mean, sd) of a univariate feature; group 1 is favoured.
CELLS = {(0, 0): (-1.0, 0.8), (0, 1): (0.5, 1.2), (1, 0): (0.0, 1.0), (1, 1): (2.0, 1.5)}
SIZES = {(0, 0): 3000, (0, 1): 1000, (1, 0): 2000, (1, 1): 2500}


def _univariate_data(seed=0):
    rng = np.random.default_rng(seed)
    x, y, a = [], [], []
    for (group, label), (mean, sd) in CELLS.items():
        n = SIZES[group, label]
        x.append(rng.normal(mean, sd, n))
        y += [label] * n
        a += [group] * n
    order = rng.permutation(len(y))
    return np.concatenate(x)[order, None], np.array(y)[order], np.array(a)[order]


def _numerical_kl_minimum(mean0, var0, mean1, var1, weights):
    def summed_kl(params):
        g, b = params
        return sum(
            weights[i] * gaussian_kl(g * mean1[i] + b, g**2 * var1[i], mean0[i], var0[i])
            for i in range(2)
        )

    result = minimize(
        summed_kl, [1.0, 0.0], method="Nelder-Mead",
        options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 20_000},
    )
    return result.x


@pytest.mark.parametrize("seed", range(5))
def test_univariate_closed_form_equals_numerical_minimisation_of_the_kl(seed):
    rng = np.random.default_rng(seed)
    mean0, mean1 = rng.normal(size=2), rng.normal(size=2)
    var0, var1 = rng.uniform(0.3, 3.0, 2), rng.uniform(0.3, 3.0, 2)
    weights = rng.dirichlet([2.0, 2.0])
    closed = _univariate_affine(mean0, var0, mean1, var1, weights)
    numerical = _numerical_kl_minimum(mean0, var0, mean1, var1, weights)
    np.testing.assert_allclose(closed, numerical, atol=1e-6)
    # The multivariate solver (L-BFGS on the summed KL) agrees in one dimension.
    M, b = _multivariate_affine(
        mean0[:, None], var0[:, None, None], mean1[:, None], var1[:, None, None], weights,
        max_iter=1000, tol=1e-12,
    )
    np.testing.assert_allclose([M[0, 0], b[0]], closed, atol=1e-6)


def test_gradient_of_the_summed_kl():
    rng = np.random.default_rng(1)
    d = 3
    means0, means1 = rng.normal(size=(2, d)), rng.normal(size=(2, d))
    covs = []
    for _ in range(4):
        root = rng.normal(size=(d, d))
        covs.append(root @ root.T + np.eye(d))
    precisions = np.array([np.linalg.inv(c) for c in covs[:2]])
    logdets = np.array([np.linalg.slogdet(c)[1] for c in covs[:2]])
    args = (means0, precisions, means1, np.array(covs[2:]), np.array([0.3, 0.7]), logdets)
    near_identity = np.eye(d) + 0.1 * rng.normal(size=(d, d))
    point = np.concatenate([near_identity.ravel(), rng.normal(size=d)])
    error = check_grad(lambda p: _summed_kl(p, *args)[0], lambda p: _summed_kl(p, *args)[1], point)
    assert error < 1e-5
    # And the value is the sum of the KLs it claims to be.
    M, b = point[: d * d].reshape(d, d), point[d * d :]
    expected = sum(
        w * gaussian_kl(M @ means1[i] + b, M @ covs[2 + i] @ M.T, means0[i], covs[i])
        for i, w in enumerate([0.3, 0.7])
    )
    assert _summed_kl(point, *args)[0] == pytest.approx(expected, rel=1e-12)


def test_gaussian_kl_against_the_univariate_formula_and_integration():
    value = gaussian_kl([0.3], [[2.0]], [-1.0], [[0.5]])
    formula = np.log(np.sqrt(0.5) / np.sqrt(2.0)) + (2.0 + 1.3**2) / (2 * 0.5) - 0.5
    grid = np.linspace(-30, 30, 400_001)
    log_p, log_q = norm.logpdf(grid, 0.3, np.sqrt(2.0)), norm.logpdf(grid, -1.0, np.sqrt(0.5))
    assert value == pytest.approx(formula, rel=1e-12)
    assert value == pytest.approx(np.trapezoid(np.exp(log_p) * (log_p - log_q), grid), rel=1e-6)


def _rates_of_likelihood_ratio_classifiers(cells, base_rate, thresholds):
    """TPR, FPR and selection rate of 1[p1(x)/p0(x) > t], by numerical integration."""
    grid = np.linspace(-40.0, 40.0, 800_001)
    (m0, s0), (m1, s1) = cells
    p0, p1 = norm.pdf(grid, m0, s0), norm.pdf(grid, m1, s1)
    log_ratio = norm.logpdf(grid, m1, s1) - norm.logpdf(grid, m0, s0)
    rates = []
    for t in thresholds:
        selected = log_ratio > t
        tpr = np.trapezoid(p1 * selected, grid)
        fpr = np.trapezoid(p0 * selected, grid)
        rates.append((tpr, fpr, base_rate * tpr + (1 - base_rate) * fpr))
    return np.array(rates)


def _cells_and_base_rates(X, y, a, weights):
    cells, base_rates = {}, {}
    for group in (0, 1):
        rows = a == group
        cells[group] = [
            (X[rows & (y == i), 0].mean(), X[rows & (y == i), 0].std()) for i in (0, 1)
        ]
        base_rates[group] = np.average(y[rows], weights=weights[rows])
    return cells, base_rates


def test_after_steering_likelihood_ratio_classifiers_are_fair_at_every_threshold():
    X, y, a = _univariate_data()
    X_steered, y_out, weights = OptimalSteering().fit_resample(X, y, sensitive_features=a)
    thresholds = np.linspace(-6.0, 6.0, 61)  # log likelihood-ratio thresholds: every cost
    # Gaussians re-estimated from the steered rows, base rates under the weights.
    cells, base_rates = _cells_and_base_rates(X_steered, y_out, a, weights)
    rates = {g: _rates_of_likelihood_ratio_classifiers(cells[g], base_rates[g], thresholds)
             for g in (0, 1)}
    assert np.abs(rates[0] - rates[1]).max() < 1e-3
    # Before steering the same classifiers are far from fair: the check can fail.
    cells, base_rates = _cells_and_base_rates(X, y, a, np.ones(len(y)))
    before = {g: _rates_of_likelihood_ratio_classifiers(cells[g], base_rates[g], thresholds)
              for g in (0, 1)}
    assert np.abs(before[0] - before[1]).max() > 0.1


def test_steering_moves_only_the_other_group_by_the_fitted_map():
    X, y, a = _univariate_data(1)
    steering = OptimalSteering()
    X_steered, y_out, weights = steering.fit_resample(X, y, sensitive_features=a)
    assert steering.reference_ == (1,)  # the higher base rate
    np.testing.assert_array_equal(X_steered[a == 1], X[a == 1])
    np.testing.assert_array_equal(y_out, y)
    np.testing.assert_allclose(weights, reweighing_weights(y, a))
    # Group 0's steered cells are the affine image (g, b) of the reference cells
    # (in original units, since standardisation is affine too).
    centre, scale = X.mean(), X.std()
    (gain,), shift = steering.affine_maps_[(0,)][0][0], steering.affine_maps_[(0,)][1][0]
    class_shares = np.bincount(y) / len(y)
    kl = 0.0
    for label in (0, 1):
        moved = X_steered[(a == 0) & (y == label), 0]
        reference = X[(a == 1) & (y == label), 0]
        expected_mean = (gain * (reference.mean() - centre) / scale + shift) * scale + centre
        assert moved.mean() == pytest.approx(expected_mean, rel=1e-9)
        assert moved.std() == pytest.approx(gain * reference.std(), rel=1e-9)
        # The 1-D optimal transport map is increasing: the rows keep their order.
        original = X[(a == 0) & (y == label), 0]
        assert (np.argsort(moved) == np.argsort(original)).all()
        kl += class_shares[label] * gaussian_kl(
            moved.mean(), moved.var(), original.mean(), original.var()
        )
    # The KL reported is the class-weighted KL from the steered cells to the original ones.
    assert steering.kl_divergence_[(1,)] == 0.0
    assert steering.kl_divergence_[(0,)] == pytest.approx(kl, rel=1e-9)
    assert kl > 1e-3


@pytest.mark.parametrize("n_features", [1, 2])
def test_reweighing_is_the_special_case_of_equal_class_conditionals(n_features):
    rng = np.random.default_rng(2)
    negatives = rng.normal(size=(40, n_features))
    positives = rng.normal(1.0, 2.0, size=(30, n_features))
    # Group 0 repeats group 1's rows (3 and 1 times): the same Gaussians, other base rates.
    X = np.vstack([negatives, positives, np.tile(negatives, (3, 1)), positives])
    y = np.r_[np.zeros(40), np.ones(30), np.zeros(120), np.ones(30)]
    a = np.r_[np.ones(70), np.zeros(150)]
    # Ledoit-Wolf shrinkage depends on the number of rows, so the (exact) special case
    # needs the plain covariances; in one dimension the two are the same.
    steering = OptimalSteering(shrinkage=n_features == 1)
    X_steered, _, weights = steering.fit_resample(X, y, sensitive_features=a)
    np.testing.assert_allclose(X_steered, X, atol=1e-9)
    np.testing.assert_allclose(weights, reweighing_weights(y, a), rtol=1e-12)
    assert steering.kl_divergence_[(0.0,)] == pytest.approx(0.0, abs=1e-12)
    # And the weights equalise the base rates.
    rates = [np.average(y[a == g], weights=weights[a == g]) for g in (0, 1)]
    assert rates[0] == pytest.approx(rates[1], rel=1e-12)


def test_multivariate_steering_makes_the_cells_an_affine_image_of_the_reference():
    rng = np.random.default_rng(3)
    rows = []
    for group, label, mean, n in [(0, 0, [-1, 0], 900), (0, 1, [0.5, 1], 300),
                                  (1, 0, [0, 0], 600), (1, 1, [2, 2], 700)]:
        root = rng.normal(size=(2, 2)) + np.eye(2)
        rows.append((rng.normal(size=(n, 2)) @ root + mean, label, group))
    X = np.vstack([r[0] for r in rows])
    y = np.concatenate([np.full(len(r[0]), r[1]) for r in rows])
    a = np.concatenate([np.full(len(r[0]), r[2]) for r in rows])
    steering = OptimalSteering()
    X_steered, _, _ = steering.fit_resample(X, y, sensitive_features=a)
    M, b = steering.affine_maps_[(0,)]
    # The optimum is a stationary point of the summed KL ...
    weights = np.bincount(y.astype(int)) / len(y)
    means0, covs0 = steering.means_[0], steering.covariances_[0]
    precisions = np.linalg.inv(covs0)
    logdets = np.linalg.slogdet(covs0)[1]
    args = (means0, precisions, steering.means_[1], steering.covariances_[1], weights, logdets)
    _, gradient = _summed_kl(np.concatenate([M.ravel(), b]), *args)
    assert np.abs(gradient).max() < 1e-6
    # ... no worse than another solver's from another start.
    other = minimize(lambda p: _summed_kl(p, *args)[0], np.r_[0.5, 0, 0, 0.5, 0, 0],
                     method="Nelder-Mead", options={"maxiter": 40_000, "xatol": 1e-10,
                                                    "fatol": 1e-14})
    assert _summed_kl(np.concatenate([M.ravel(), b]), *args)[0] <= other.fun + 1e-9
    # The steered rows have the target means exactly (standardised units).
    Z = (X_steered - X.mean(axis=0)) / X.std(axis=0)
    for label in (0, 1):
        target = M @ steering.means_[1, label] + b
        np.testing.assert_allclose(Z[(a == 0) & (y == label)].mean(axis=0), target, atol=1e-10)


def test_groups_and_labels_of_any_kind_and_the_reference_option():
    X, y, a = _univariate_data(4)
    frame = pd.DataFrame({"score": X[:, 0]})
    sensitive = pd.DataFrame({"sex": np.where(a == 1, "M", "F"), "site": "north"})
    labels = np.where(y == 1, "yes", "no")
    steering = OptimalSteering(reference=("F", "north"))
    X_steered, _, _ = steering.fit_resample(frame, labels, sensitive_features=sensitive)
    assert steering.reference_ == ("F", "north")
    np.testing.assert_array_equal(X_steered[a == 0], X[a == 0])  # F is left as is
    assert not np.allclose(X_steered[a == 1], X[a == 1])
    assert steering.non_gaussian_features_ == []
    skewed = pd.DataFrame({"score": X[:, 0], "income": np.exp(2 * X[:, 0])})
    steering.fit(skewed, labels, sensitive_features=sensitive)
    assert steering.non_gaussian_features_ == ["income"]


def test_bad_input_is_an_input_error():
    X, y, a = _univariate_data(5)
    with pytest.raises(InputError, match="not among the groups"):
        OptimalSteering(reference=7).fit(X, y, sensitive_features=a)
    with pytest.raises(InputError, match="mode must be one of"):
        OptimalSteering(mode="everyone").fit(X, y, sensitive_features=a)
    lonely = a.copy()
    lonely[np.flatnonzero(y == 1)[0]] = 9  # a group of one person
    with pytest.raises(InputError, match="Group '9' has 0 row"):
        OptimalSteering().fit(X, y, sensitive_features=lonely)
    with pytest.raises(InputError, match="exactly two classes"):
        OptimalSteering().fit(X, np.arange(len(y)) % 3, sensitive_features=a)
    constant = np.zeros_like(X)
    with pytest.raises(InputError, match="are constant or collinear"):
        OptimalSteering().fit(constant, y, sensitive_features=a)


def _probability_quadratic_exceeds(A, b, const, mean, cov):
    """P(x^T A x + b^T x + const > 0) for x ~ N(mean, cov) in 2-D, by 1-D integration.

    For each x1 the condition is a quadratic inequality in x2, whose probability
    under the Gaussian x2 | x1 is a sum of normal CDFs; x1 is then integrated
    numerically (trapezoid, 20,001 points over +-12 sd).
    """
    sd1 = np.sqrt(cov[0, 0])
    x1 = np.linspace(mean[0] - 12 * sd1, mean[0] + 12 * sd1, 20_001)
    cond_mean = mean[1] + cov[0, 1] / cov[0, 0] * (x1 - mean[0])
    cond_sd = np.sqrt(cov[1, 1] - cov[0, 1] ** 2 / cov[0, 0])
    alpha = A[1, 1]
    beta = 2 * A[0, 1] * x1 + b[1]
    gamma = A[0, 0] * x1**2 + b[0] * x1 + const
    assert abs(alpha) > 1e-9  # distinct covariances: a proper quadratic in x2
    disc = beta**2 - 4 * alpha * gamma
    root = np.sqrt(np.clip(disc, 0, None))
    low, high = np.sort([(-beta - root) / (2 * alpha), (-beta + root) / (2 * alpha)], axis=0)
    between = norm.cdf(high, cond_mean, cond_sd) - norm.cdf(low, cond_mean, cond_sd)
    between = np.where(disc > 0, between, 0.0)
    # alpha > 0: the quadratic is positive outside the roots; alpha < 0: between them.
    inside = 1.0 - between if alpha > 0 else between
    return np.trapezoid(inside * norm.pdf(x1, mean[0], sd1), x1)


def _rates_2d(cells, base_rate, thresholds):
    """TPR, FPR and selection rate of 1[log p1(x)/p0(x) > t] for two 2-D Gaussian classes."""
    (m0, S0), (m1, S1) = cells
    P0, P1 = np.linalg.inv(S0), np.linalg.inv(S1)
    A = 0.5 * (P0 - P1)
    b = P1 @ m1 - P0 @ m0
    const = (
        -0.5 * m1 @ P1 @ m1 + 0.5 * m0 @ P0 @ m0
        - 0.5 * np.linalg.slogdet(S1)[1] + 0.5 * np.linalg.slogdet(S0)[1]
    )
    rates = []
    for t in thresholds:
        tpr = _probability_quadratic_exceeds(A, b, const - t, m1, S1)
        fpr = _probability_quadratic_exceeds(A, b, const - t, m0, S0)
        rates.append((tpr, fpr, base_rate * tpr + (1 - base_rate) * fpr))
    return np.array(rates)


def test_multivariate_steering_makes_likelihood_ratio_classifiers_fair_at_every_threshold():
    """Two features; with maximum-likelihood covariances the steered rows' own moments
    are exactly the targets, so the check re-estimates them from the steered data."""
    rng = np.random.default_rng(7)
    specs = [(0, 0, [-1.0, 0.0], [[1.0, 0.3], [0.3, 0.6]], 1500),
             (0, 1, [0.5, 1.0], [[0.7, -0.2], [-0.2, 1.2]], 500),
             (1, 0, [0.0, 0.0], [[1.2, 0.4], [0.4, 0.8]], 1000),
             (1, 1, [2.0, 1.5], [[0.9, 0.1], [0.1, 1.5]], 1200)]
    X = np.vstack([rng.multivariate_normal(m, S, n) for _, _, m, S, n in specs])
    a = np.concatenate([np.full(n, g) for g, _, _, _, n in specs])
    y = np.concatenate([np.full(n, i) for _, i, _, _, n in specs])
    X_steered, _, weights = OptimalSteering(shrinkage=False).fit_resample(
        X, y, sensitive_features=a
    )
    thresholds = np.linspace(-5.0, 5.0, 21)

    def rates(features, w):
        out = {}
        for g in (0, 1):
            cells = []
            for i in (0, 1):
                rows = features[(a == g) & (y == i)]
                cells.append((rows.mean(axis=0), np.cov(rows, rowvar=False, ddof=0)))
            out[g] = _rates_2d(cells, np.average(y[a == g], weights=w[a == g]), thresholds)
        return out

    after = rates(X_steered, weights)
    assert np.abs(after[0] - after[1]).max() < 1e-3
    before = rates(X, np.ones(len(y)))
    assert np.abs(before[0] - before[1]).max() > 0.1
