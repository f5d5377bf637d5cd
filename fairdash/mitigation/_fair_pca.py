"""Fair PCA: a projection whose groups have equal means (Kleindessner et al., 2023)."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.linalg import eigh
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from fairdash._errors import InputError
from fairdash.groups import encode_groups

__all__ = ["FairPCA"]

_MATCHES = ("mean", "covariance")


def _group_moments(X: np.ndarray, codes: np.ndarray, n_groups: int):
    """Group sizes and means (rows) of ``X``."""
    counts = np.bincount(codes, minlength=n_groups).astype(np.float64)
    sums = np.zeros((n_groups, X.shape[1]))
    np.add.at(sums, codes, X)
    return counts, sums / counts[:, None]


def _top_eigenvectors(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` largest eigenvalues (descending) and their eigenvectors (columns)."""
    n = matrix.shape[0]
    values, vectors = eigh(matrix, subset_by_index=[n - k, n - 1])
    return values[::-1], vectors[:, ::-1]


class FairPCA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """PCA restricted to directions along which every group has the same mean.

    The closed-form fair PCA of Kleindessner, Donini, Russell and Zafar
    (2023): the data (centred on the overall mean) are projected onto the
    orthogonal complement of the differences between the groups' mean vectors,
    and ordinary PCA is done there. Every projected coordinate then has the
    same mean in every (intersectional) group on the training data, so no
    linear model of the components can tell the groups apart by their means
    (demographic parity of linear models in expectation).

    ``match="covariance"`` is the paper's variant that also approximately
    equalises the group covariances: within the mean-matched subspace it keeps
    the ``n_covariance_directions`` directions along which the groups'
    covariances differ least (the smallest-magnitude eigenvalues of the
    covariance difference; for more than two groups, of
    ``sum_g p_g (Sigma_g - Sigma)^2``, which has the same eigenvectors for two
    groups), then does PCA within those.

    The semidefinite program of Olfat & Aswani (2019), the original fair PCA,
    needs an SDP solver (e.g. SCS or MOSEK through CVXPY), which is outside
    this project's stack; this closed form runs in the time of ordinary PCA.

    Features are centred, not scaled, as scikit-learn's PCA does: scale them
    first if their units differ.

    Parameters
    ----------
    n_components : int
        Number of components to keep.
    match : {"mean", "covariance"}, default="mean"
    n_covariance_directions : int, default=10
        ``match="covariance"`` only: the number of least-differing directions
        kept before PCA (the paper's ``l``), clipped to between
        ``n_components`` and the dimension of the mean-matched subspace;
        smaller enforces equal covariances more strictly.
    tol : float, default=1e-10
        Mean differences whose singular value is below ``tol`` times the
        largest absolute centred feature value are rounding noise, not directions.

    Attributes
    ----------
    components_ : numpy.ndarray of shape (n_components, n_features)
        Orthonormal directions of the fair components.
    mean_ : numpy.ndarray of shape (n_features,)
        Overall mean of the training data.
    removed_directions_ : numpy.ndarray of shape (n_removed, n_features)
        Orthonormal basis of the span of the group mean differences.
    explained_variance_ : numpy.ndarray of shape (n_components,)
        Training variance (``ddof=1``) along each component.
    explained_variance_ratio_ : numpy.ndarray of shape (n_components,)
        ``explained_variance_`` over the total variance of the data.
    pca_explained_variance_ : numpy.ndarray of shape (n_components,)
        The explained variance of ordinary PCA with as many components, for
        comparison: the price of fairness in variance.
    groups_ : list of tuple
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str

    References
    ----------
    M. Kleindessner, M. Donini, C. Russell and M. B. Zafar, "Efficient fair PCA
    for fair representation learning", AISTATS 2023 (arXiv:2302.13319).
    M. Olfat and A. Aswani, "Convex formulations for fair principal component
    analysis", AAAI 2019.
    """

    def __init__(
        self,
        n_components: int = 2,
        *,
        match: str = "mean",
        n_covariance_directions: int = 10,
        tol: float = 1e-10,
    ) -> None:
        self.n_components = n_components
        self.match = match
        self.n_covariance_directions = n_covariance_directions
        self.tol = tol

    def fit(self, X, y=None, *, sensitive_features) -> FairPCA:
        """Find the fair components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.
        y : None
            Ignored.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s) of each row; every combination is a group.

        Returns
        -------
        self
        """
        if self.match not in _MATCHES:
            raise InputError(f"match must be one of {_MATCHES}, got {self.match!r}.")
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        k = self.n_components
        if not isinstance(k, numbers.Integral) or not 1 <= k <= X.shape[1]:
            raise InputError(
                f"n_components must be an integer between 1 and the number of features "
                f"({X.shape[1]}), got {k!r}."
            )
        groups = encode_groups(sensitive_features, n_rows=X.shape[0], keep_empty=False)
        self.groups_ = groups.keys
        self.mean_ = X.mean(axis=0)
        centred = X - self.mean_
        counts, means = _group_moments(centred, groups.codes, groups.n_groups)
        self.removed_directions_ = self._span(means[1:] - means[0], scale=np.abs(centred).max())
        # Orthonormal basis of the mean-matched subspace: the complement of the span.
        _, _, vt = np.linalg.svd(
            np.eye(X.shape[1]) - self.removed_directions_.T @ self.removed_directions_
        )
        basis = vt[: X.shape[1] - len(self.removed_directions_)].T
        if basis.shape[1] < k:
            raise InputError(
                f"Only {basis.shape[1]} direction(s) have equal group means "
                f"(n_features={X.shape[1]}, {len(self.removed_directions_)} mean "
                "difference(s) removed); "
                f"n_components={k} is too many: choose at most {basis.shape[1]} (fewer groups "
                "or more input features leave more)."
            )
        if self.match == "covariance":
            basis = basis @ self._least_differing(centred, groups.codes, counts, basis)
        n_minus_1 = max(X.shape[0] - 1, 1)
        reduced = centred @ basis
        values, vectors = _top_eigenvectors(reduced.T @ reduced / n_minus_1, k)
        self.components_ = (basis @ vectors).T
        self.explained_variance_ = np.maximum(values, 0.0)
        scatter = centred.T @ centred / n_minus_1
        total = np.trace(scatter)
        ratio = self.explained_variance_ / total if total > 0 else np.zeros(k)
        self.explained_variance_ratio_ = ratio
        self.pca_explained_variance_ = np.maximum(_top_eigenvectors(scatter, k)[0], 0.0)
        return self

    def _span(self, differences: np.ndarray, *, scale: float) -> np.ndarray:
        if differences.size == 0:
            return np.zeros((0, differences.shape[1]))
        _, singular_values, vt = np.linalg.svd(differences, full_matrices=False)
        return vt[singular_values > self.tol * max(scale, np.finfo(float).tiny)]

    def _least_differing(self, centred, codes, counts, basis) -> np.ndarray:
        """Directions (in ``basis`` coordinates) where the group covariances differ least."""
        reduced = centred @ basis
        n_groups = len(counts)
        weights = counts / counts.sum()
        covariances = [
            np.atleast_2d(np.cov(reduced[codes == g], rowvar=False))  # ddof=1, as the paper
            if counts[g] > 1
            else np.zeros((basis.shape[1],) * 2)  # a group of one row has no spread
            for g in range(n_groups)
        ]
        average = sum(w * c for w, c in zip(weights, covariances, strict=True))
        spread = sum(
            w * (c - average) @ (c - average) for w, c in zip(weights, covariances, strict=True)
        )
        dimension = basis.shape[1]
        n_keep = int(np.clip(self.n_covariance_directions, self.n_components, dimension))
        _, vectors = eigh(spread, subset_by_index=[0, n_keep - 1])
        return vectors

    def transform(self, X) -> np.ndarray:
        """Project onto the fair components (no sensitive features needed).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_components)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return (X - self.mean_) @ self.components_.T

    @property
    def _n_features_out(self) -> int:
        return self.components_.shape[0]
