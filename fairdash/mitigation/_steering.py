"""Optimal steering of training data to an ideal distribution (Sharma et al., 2025)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.stats import kurtosis, skew
from sklearn.base import BaseEstimator
from sklearn.covariance import EmpiricalCovariance, LedoitWolf
from sklearn.utils.validation import validate_data

from fairdash._errors import InputError
from fairdash._validation import binary_classes, check_target
from fairdash.groups import encode_groups
from fairdash.mitigation._reweighing import reweighing_weights

__all__ = ["OptimalSteering", "gaussian_kl"]

_MODES = ("affirmative_action",)
# A feature is flagged as far from Gaussian in a (group, class) cell beyond these.
_MAX_ABS_SKEW = 1.0
_MAX_ABS_EXCESS_KURTOSIS = 3.0


def gaussian_kl(mean_p, cov_p, mean_q, cov_q) -> float:
    """KL(N(mean_p, cov_p) || N(mean_q, cov_q)) in nats.

    Parameters
    ----------
    mean_p, mean_q : array-like of shape (d,)
    cov_p, cov_q : array-like of shape (d, d)
        Positive definite covariances.

    Returns
    -------
    float
    """
    mean_p, mean_q = np.atleast_1d(mean_p), np.atleast_1d(mean_q)
    cov_p, cov_q = np.atleast_2d(cov_p), np.atleast_2d(cov_q)
    precision_q = np.linalg.inv(cov_q)
    diff = mean_q - mean_p
    return 0.5 * float(
        np.trace(precision_q @ cov_p)
        + diff @ precision_q @ diff
        - len(mean_p)
        + np.linalg.slogdet(cov_q)[1]
        - np.linalg.slogdet(cov_p)[1]
    )


def _univariate_affine(mean0, var0, mean1, var1, weights) -> tuple[float, float]:
    """Closed-form (g, b) of the univariate steering of group 0 toward reference group 1.

    Minimises ``sum_i w_i KL(N(g mu_i1 + b, g^2 s_i1^2) || N(mu_i0, s_i0^2))``
    over ``g > 0`` and ``b``, for the classes ``i = 0, 1``. Setting the
    derivative in ``b`` to zero gives ``b = sum_i l_i (mu_i0 - g mu_i1) / sum_i l_i``
    with ``l_i = w_i / s_i0^2``; substituting it, the derivative in ``g`` times
    ``g`` is ``(S + 2 c d1^2) g^2 - 2 c d0 d1 g - W`` with ``a_i = w_i / (2 s_i0^2)``,
    ``c = a_0 a_1 / (a_0 + a_1)``, ``d1 = mu_01 - mu_11``, ``d0 = mu_00 - mu_10``,
    ``S = sum_i w_i s_i1^2 / s_i0^2`` and ``W = sum_i w_i``; its positive root is
    the minimiser (the objective tends to infinity as g -> 0 and g -> infinity).
    """
    mean0, var0, mean1, var1, weights = map(np.asarray, (mean0, var0, mean1, var1, weights))
    lam = weights / var0
    a = lam / 2.0
    c = a[0] * a[1] / (a[0] + a[1])
    d1 = mean1[0] - mean1[1]
    d0 = mean0[0] - mean0[1]
    s = float(np.sum(weights * var1 / var0))
    w = float(np.sum(weights))
    quadratic = s + 2.0 * c * d1**2
    linear = -2.0 * c * d0 * d1
    g = (-linear + np.sqrt(linear**2 + 4.0 * quadratic * w)) / (2.0 * quadratic)
    b = float(np.sum(lam * (mean0 - g * mean1)) / np.sum(lam))
    return float(g), b


def _summed_kl(params, target_means, target_precisions, ref_means, ref_covs, weights, logdets):
    """sum_i w_i KL(N(M m_i + b, M S_i M^T) || N(mu_i, Sigma_i)) and its gradient in (M, b)."""
    d = target_means.shape[1]
    M, b = params[: d * d].reshape(d, d), params[d * d :]
    sign, logdet_m = np.linalg.slogdet(M)
    if sign == 0 or not np.isfinite(logdet_m):
        return np.inf, np.zeros_like(params)
    grad_m = -weights.sum() * np.linalg.inv(M).T
    grad_b = np.zeros(d)
    value = 0.0
    for w, mu, prec, m, S, logdet_q in zip(
        weights, target_means, target_precisions, ref_means, ref_covs, logdets, strict=True
    ):
        residual = M @ m + b - mu
        moved = M @ S
        value += 0.5 * w * (
            np.sum(prec * (moved @ M.T))
            + residual @ prec @ residual
            - d
            + logdet_q
            - 2.0 * logdet_m
            - np.linalg.slogdet(S)[1]
        )
        grad_m += w * (prec @ moved + np.outer(prec @ residual, m))
        grad_b += w * (prec @ residual)
    return value, np.concatenate([grad_m.ravel(), grad_b])


def _multivariate_affine(means0, covs0, means1, covs1, weights, *, max_iter, tol):
    """(M, b) minimising the summed KL, by L-BFGS from the identity."""
    d = means0.shape[1]
    precisions = np.array([np.linalg.inv(c) for c in covs0])
    logdets = np.array([np.linalg.slogdet(c)[1] for c in covs0])
    start_b = np.average(means0 - means1, axis=0, weights=weights)
    start = np.concatenate([np.eye(d).ravel(), start_b])
    result = minimize(
        _summed_kl,
        start,
        args=(means0, precisions, means1, covs1, weights, logdets),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": tol, "ftol": tol},
    )
    return result.x[: d * d].reshape(d, d), result.x[d * d :]


def _sqrtm_psd(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def _transport_matrix(cov_from: np.ndarray, cov_to: np.ndarray) -> np.ndarray:
    """A of the Gaussian optimal transport map x -> m' + A (x - m)."""
    root = _sqrtm_psd(cov_from)
    inverse_root = np.linalg.inv(root)
    return inverse_root @ _sqrtm_psd(root @ cov_to @ root) @ inverse_root


class OptimalSteering(BaseEstimator):
    """Move training data to the nearest distribution whose Bayes classifiers are fair.

    Sharma, Deshpande, Bhattacharyya and Shah (2025) call a distribution ideal
    when the Bayes-optimal classifier for every cost is exactly fair (equal
    TPR, FPR and selection rate across groups). With a Gaussian model of each
    (group, class) cell, ``X | Y=i, A=a ~ N(mu_ia, Sigma_ia)``, it is ideal
    when base rates are equal and, within each group, the pair of
    class-conditionals is an affine image ``x -> M x + b`` of the reference
    group's pair. This pre-processing finds, for every other group, the
    ``(M, b)`` whose affine image of the reference pair is nearest to the
    group's own pair in KL divergence, ``sum_i w_i KL(N(M mu_iref + b,
    M Sigma_iref M^T) || N(mu_ia, Sigma_ia))`` with ``w_i`` the class shares
    after base-rate equalisation, then moves each of its training points by
    the Gaussian optimal transport map of its cell onto the new
    class-conditional. Base rates are equalised by Kamiran–Calders
    reweighing weights. Any model can then be fitted on the steered data.

    In one dimension ``(M, b) = (g, b)`` has a closed form; with several
    features ``(M, b)`` is found by L-BFGS on the summed KL, with Ledoit–Wolf
    shrinkage covariances (which also make covariances of one-hot columns
    invertible). Features are standardised first (the KL does not depend on
    it; the transport cost is then Euclidean in standardised units).

    ``mode="affirmative_action"`` steers every group other than the reference
    and leaves the reference group's rows as they are. When the groups'
    class-conditionals are already equal, nothing moves and only the
    reweighing weights remain (reweighing is the special case).

    Parameters
    ----------
    mode : {"affirmative_action"}, default="affirmative_action"
    reference : scalar or tuple, optional
        The reference group (its value, or a tuple of values for several
        sensitive columns); by default the group with the highest rate of the
        positive (greater) label.
    shrinkage : bool, default=True
        Estimate the cells' covariances with Ledoit–Wolf shrinkage (else the
        maximum-likelihood covariance, which must then be invertible). In one
        dimension both are the same.
    max_iter : int, default=500
        L-BFGS iterations (several features).
    tol : float, default=1e-10

    Attributes
    ----------
    classes_ : numpy.ndarray of shape (2,)
    groups_ : list of tuple
    reference_ : tuple
        The reference group.
    means_, covariances_ : numpy.ndarray of shape (n_groups, 2, d) and (n_groups, 2, d, d)
        Estimated moments of each (group, class) cell, in standardised units.
    affine_maps_ : dict
        Group -> ``(M, b)`` in standardised units (identity for the reference).
    kl_divergence_ : dict
        Group -> the class-weighted KL divergence moved, ``sum_i w_i KL``
        with ``sum_i w_i = 1`` (0 for the reference), in nats.
    non_gaussian_features_ : list of str
        Features whose skewness or excess kurtosis exceeds 1 or 3 in absolute
        value in some cell: there the Gaussian model, hence the guarantee, is
        doubtful.
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str

    References
    ----------
    S. Sharma, A. Deshpande, A. Bhattacharyya and N. B. Shah, "Optimal
    steering to ideal distributions" (arXiv:2509.15759), NeurIPS 2025.
    """

    def __init__(
        self,
        *,
        mode: str = "affirmative_action",
        reference=None,
        shrinkage: bool = True,
        max_iter: int = 500,
        tol: float = 1e-10,
    ) -> None:
        self.mode = mode
        self.reference = reference
        self.shrinkage = shrinkage
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, *, sensitive_features) -> OptimalSteering:
        """Estimate the cells' Gaussians and the affine maps to the ideal distribution.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.
        y : array-like of shape (n_samples,)
            Binary labels.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s) of each row; every combination is a group.

        Returns
        -------
        self
        """
        self._fit(X, y, sensitive_features)
        return self

    def _fit(self, X, y, sensitive_features):
        if self.mode not in _MODES:
            raise InputError(f"mode must be one of {_MODES}, got {self.mode!r}.")
        X = validate_data(self, X, dtype=np.float64)
        labels = check_target(y, n_rows=X.shape[0])
        self.classes_ = binary_classes(labels, estimator="OptimalSteering")
        groups = encode_groups(sensitive_features, n_rows=X.shape[0], keep_empty=False)
        self.groups_ = groups.keys
        classes = (labels == self.classes_[1]).astype(np.int64)
        cell = groups.codes * 2 + classes
        counts = np.bincount(cell, minlength=2 * groups.n_groups).reshape(-1, 2)
        for g, i in zip(*np.nonzero(counts < 2), strict=True):
            raise InputError(
                f"Group {groups.describe(int(g))} has {counts[g, i]} row(s) of class "
                f"{self.classes_[i].tolist()!r}; steering estimates a Gaussian per group and class "
                "and needs at least 2. Merge small groups or drop that sensitive feature."
            )
        reference = self._reference_code(groups, counts)
        self.reference_ = groups.keys[reference]

        self._centre = X.mean(axis=0)
        self._scale = X.std(axis=0)
        self._scale[self._scale == 0] = 1.0
        Z = (X - self._centre) / self._scale
        d = Z.shape[1]
        self.means_ = np.zeros((groups.n_groups, 2, d))
        self.covariances_ = np.zeros((groups.n_groups, 2, d, d))
        for g in range(groups.n_groups):
            for i in range(2):
                estimator = LedoitWolf() if self.shrinkage else EmpiricalCovariance()
                estimate = estimator.fit(Z[cell == 2 * g + i])
                self.means_[g, i] = estimate.location_
                self.covariances_[g, i] = estimate.covariance_
        spectra = np.linalg.eigvalsh(self.covariances_)
        degenerate = np.argwhere(spectra[..., 0] <= 1e-12 * spectra[..., -1])
        for g, i in degenerate:
            raise InputError(
                f"The features of group {groups.describe(int(g))}, class "
                f"{self.classes_[i].tolist()!r} are constant or collinear; a Gaussian cannot "
                "be fitted to them"
                + ("." if self.shrinkage else " without shrinkage (shrinkage=True).")
            )
        class_weights = np.bincount(classes, minlength=2) / len(classes)
        self.affine_maps_, self.kl_divergence_ = {}, {}
        self._transports = {}
        for g, key in enumerate(groups.keys):
            if g == reference:
                self.affine_maps_[key] = (np.eye(d), np.zeros(d))
                self.kl_divergence_[key] = 0.0
                continue
            M, b = self._affine_map(g, reference, class_weights)
            self.affine_maps_[key] = (M, b)
            kl = 0.0
            for i in range(2):
                new_mean = M @ self.means_[reference, i] + b
                new_cov = M @ self.covariances_[reference, i] @ M.T
                kl += class_weights[i] * gaussian_kl(
                    new_mean, new_cov, self.means_[g, i], self.covariances_[g, i]
                )
                self._transports[g, i] = (
                    new_mean,
                    _transport_matrix(self.covariances_[g, i], new_cov),
                )
            self.kl_divergence_[key] = kl
        self.non_gaussian_features_ = self._non_gaussian(Z, cell)
        return X, labels, groups, cell, Z

    def _reference_code(self, groups, counts) -> int:
        if self.reference is None:
            return int(np.argmax(counts[:, 1] / counts.sum(axis=1)))
        key = self.reference if isinstance(self.reference, tuple) else (self.reference,)
        matches = [g for g, k in enumerate(groups.keys) if k == key]
        if not matches:
            raise InputError(
                f"The reference group {self.reference!r} is not among the groups: "
                + ", ".join(groups.describe(g) for g in range(groups.n_groups))
            )
        return matches[0]

    def _affine_map(self, g, reference, class_weights):
        mean0, cov0 = self.means_[g], self.covariances_[g]
        mean1, cov1 = self.means_[reference], self.covariances_[reference]
        if mean0.shape[1] == 1:
            gain, shift = _univariate_affine(
                mean0[:, 0], cov0[:, 0, 0], mean1[:, 0], cov1[:, 0, 0], class_weights
            )
            return np.array([[gain]]), np.array([shift])
        return _multivariate_affine(
            mean0, cov0, mean1, cov1, class_weights, max_iter=self.max_iter, tol=self.tol
        )

    def _non_gaussian(self, Z, cell) -> list[str]:
        names = (
            self.feature_names_in_.tolist()
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(Z.shape[1])]
        )
        flagged = np.zeros(Z.shape[1], dtype=bool)
        for c in np.unique(cell):
            rows = Z[cell == c]
            if len(rows) < 3:
                continue
            with np.errstate(all="ignore"):
                skewness = np.nan_to_num(skew(rows, axis=0))
                excess = np.nan_to_num(kurtosis(rows, axis=0))
            flagged |= (np.abs(skewness) > _MAX_ABS_SKEW) | (
                np.abs(excess) > _MAX_ABS_EXCESS_KURTOSIS
            )
        return [name for name, bad in zip(names, flagged, strict=True) if bad]

    def fit_resample(self, X, y, *, sensitive_features):
        """Fit, then steer the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)

        Returns
        -------
        X_steered : numpy.ndarray of shape (n_samples, n_features)
            The same rows in the same order; the features of rows outside the
            reference group moved by their cell's optimal transport map.
        y : numpy.ndarray of shape (n_samples,)
            The labels, unchanged.
        sample_weight : numpy.ndarray of shape (n_samples,)
            Reweighing weights equalising the base rates (all ones when they
            are equal already).
        """
        X, labels, groups, cell, Z = self._fit(X, y, sensitive_features)
        X_steered = X.copy()  # the reference group's rows stay exactly as they are
        for (g, i), (new_mean, transport) in self._transports.items():
            rows = cell == 2 * g + i
            moved = new_mean + (Z[rows] - self.means_[g, i]) @ transport.T
            X_steered[rows] = moved * self._scale + self._centre
        return X_steered, labels, reweighing_weights(labels, groups.codes)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
