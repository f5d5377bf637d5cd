"""Linear fair empirical risk minimization (Donini et al., 2018) as a feature projection."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    OneToOneFeatureMixin,
    TransformerMixin,
    clone,
)
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from fairdash._errors import InputError
from fairdash._validation import check_target
from fairdash.groups import encode_groups

__all__ = ["LinearFERM", "LinearFERMTransformer"]


def _positive_mask(labels: np.ndarray, pos_label) -> tuple[np.ndarray, object]:
    """Which rows are positive examples, and the positive label used."""
    values = np.unique(labels)
    if len(values) < 2:
        raise InputError("y has only one class; LinearFERM needs positive and negative examples.")
    if pos_label is None:
        if type_of_target(labels) == "continuous":
            raise InputError(
                "LinearFERM needs a binary target to know the positive examples, but y is "
                "continuous."
            )
        if len(values) != 2:
            raise InputError(
                "Only binary classification is supported without pos_label: LinearFERM needs "
                f"to know the positive examples, and y has {len(values)} classes. Pass "
                "pos_label= to choose the positive one."
            )
        pos_label = values[-1]  # as scikit-learn: the greater label is the positive one
    positive = labels == pos_label
    if not positive.any():
        raise InputError(f"y has no positive examples (pos_label={pos_label!r}).")
    return positive, pos_label


class LinearFERMTransformer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Project features so every linear model has equal mean score on positives of each group.

    The linear case of FERM (Donini et al., 2018): a linear model ``w·x + b``
    satisfies equal opportunity in the mean (equal average score over the
    positive examples of every group) exactly when ``w`` is orthogonal to the
    differences ``u_g - u_ref`` between the groups' mean feature vectors ``u_g``
    over positive examples. Projecting the features onto the orthogonal
    complement of those differences makes this hold for *any* linear model
    fitted on the projected features, with any loss or regularization. The
    span of the differences does not depend on the reference group, so any
    number of (intersectional) groups is handled; its orthonormal basis comes
    from an SVD, with directions of negligible singular value dropped.

    The guarantee holds on the data the projection was fitted on; it is
    meant for numeric, already preprocessed (e.g. scaled, one-hot) features.

    Parameters
    ----------
    pos_label : scalar, default=None
        The label of the positive examples; by default the greater of two labels.
    tol : float, default=1e-10
        Directions whose singular value is below ``tol`` times the largest
        absolute group mean are dropped as rounding noise (e.g. equal means).

    Attributes
    ----------
    directions_ : numpy.ndarray of shape (n_directions, n_features)
        Orthonormal basis of the span of the differences of the groups' mean
        positive feature vectors; these directions are removed by ``transform``.
    group_means_ : numpy.ndarray of shape (n_groups, n_features)
        Mean feature vector over the positive examples of each group.
    groups_ : list of tuple
        The groups, as tuples of sensitive values, in the order of ``group_means_``.
    pos_label_ : scalar
        The positive label used.
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str

    References
    ----------
    M. Donini, L. Oneto, S. Ben-David, J. Shawe-Taylor and M. Pontil, "Empirical
    risk minimization under fairness constraints", NeurIPS 2018.
    """

    def __init__(self, *, pos_label=None, tol: float = 1e-10) -> None:
        self.pos_label = pos_label
        self.tol = tol

    def fit(self, X, y, *, sensitive_features) -> LinearFERMTransformer:
        """Find the directions to remove from the features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.
        y : array-like of shape (n_samples,)
            Binary labels.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s) of each row.

        Returns
        -------
        self
        """
        X = validate_data(self, X, dtype=np.float64)
        labels = check_target(y, n_rows=X.shape[0])
        groups = encode_groups(sensitive_features, n_rows=X.shape[0], keep_empty=False)
        positive, self.pos_label_ = _positive_mask(labels, self.pos_label)
        codes = groups.codes[positive]
        counts = np.bincount(codes, minlength=groups.n_groups)
        empty = np.flatnonzero(counts == 0)
        if len(empty):
            raise InputError(
                f"Sensitive group {groups.describe(int(empty[0]))} has no positive examples; "
                "LinearFERM needs positives in every group."
            )
        # Group sums as (group indicator matrix) @ X, one pass whatever the number of groups.
        indicator = sp.csr_matrix(
            (np.ones(len(codes)), (codes, np.arange(len(codes)))),
            shape=(groups.n_groups, len(codes)),
        )
        self.group_means_ = (indicator @ X[positive]) / counts[:, None]
        self.groups_ = groups.keys
        differences = self.group_means_[1:] - self.group_means_[0]
        self.directions_ = self._orthonormal_basis(differences)
        return self

    def _orthonormal_basis(self, differences: np.ndarray) -> np.ndarray:
        n_features = differences.shape[1]
        if differences.size == 0:
            return np.zeros((0, n_features))
        _, singular_values, vt = np.linalg.svd(differences, full_matrices=False)
        # Relative to the size of the means: differences at rounding level are noise.
        scale = max(np.abs(self.group_means_).max(), np.finfo(float).tiny)
        return vt[singular_values > self.tol * scale]

    def transform(self, X) -> np.ndarray:
        """Remove the fitted directions from the features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_features)
            ``X`` projected onto the orthogonal complement of ``directions_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X - (X @ self.directions_.T) @ self.directions_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = False
        return tags


def _estimator_has(attribute: str):
    def check(self) -> bool:
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attribute)
        return hasattr(self.estimator, attribute)

    return check


class LinearFERM(MetaEstimatorMixin, BaseEstimator):
    """A linear estimator fitted on features projected by :class:`LinearFERMTransformer`.

    Any linear model (logistic regression, ridge, linear SVM) fitted this way
    has the same mean decision score over the positive training examples of
    every group: equal opportunity in the mean, the linear FERM of Donini et
    al. (2018). Predicting does not need the sensitive features.

    Parameters
    ----------
    estimator : estimator object
        A linear estimator; it is cloned. (A non-linear one can be used, but
        then the equal-mean guarantee does not hold.)
    pos_label : scalar, default=None
        The label of the positive examples; by default the greater of two labels.
    tol : float, default=1e-10
        Tolerance of :class:`LinearFERMTransformer` for dropping negligible directions.

    Attributes
    ----------
    transformer_ : LinearFERMTransformer
        The fitted projection.
    estimator_ : estimator object
        The clone of ``estimator`` fitted on the projected features.
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str

    References
    ----------
    M. Donini, L. Oneto, S. Ben-David, J. Shawe-Taylor and M. Pontil, "Empirical
    risk minimization under fairness constraints", NeurIPS 2018.
    """

    def __init__(self, estimator, *, pos_label=None, tol: float = 1e-10) -> None:
        self.estimator = estimator
        self.pos_label = pos_label
        self.tol = tol

    def fit(self, X, y, *, sensitive_features) -> LinearFERM:
        """Fit the projection, then the estimator on the projected features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.
        y : array-like of shape (n_samples,)
            Binary labels.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s) of each row.

        Returns
        -------
        self
        """
        validate_data(self, X, skip_check_array=True)
        self.transformer_ = LinearFERMTransformer(pos_label=self.pos_label, tol=self.tol)
        self.transformer_.fit(X, y, sensitive_features=sensitive_features)
        projected = self.transformer_.transform(X)
        self.estimator_ = clone(self.estimator).fit(projected, y)
        return self

    def _project(self, X) -> np.ndarray:
        check_is_fitted(self)
        return self.transformer_.transform(X)

    @property
    def classes_(self) -> np.ndarray:
        """Class labels of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.classes_

    def predict(self, X) -> np.ndarray:
        """Predictions of the estimator on the projected features."""
        projected = self._project(X)
        return self.estimator_.predict(projected)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of the estimator on the projected features."""
        projected = self._project(X)
        return self.estimator_.predict_proba(projected)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X) -> np.ndarray:
        """Log class probabilities of the estimator on the projected features."""
        projected = self._project(X)
        return self.estimator_.predict_log_proba(projected)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X) -> np.ndarray:
        """Decision scores of the estimator on the projected features."""
        projected = self._project(X)
        return self.estimator_.decision_function(projected)

    @available_if(_estimator_has("score"))
    def score(self, X, y, sample_weight=None) -> float:
        """Score of the estimator (its own ``score``) on the projected features."""
        projected = self._project(X)
        return self.estimator_.score(projected, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_class = False  # positives need a binary target
        tags.target_tags.required = True
        tags.target_tags.multi_output = False
        return tags
