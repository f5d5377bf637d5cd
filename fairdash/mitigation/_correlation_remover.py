"""An estimator fitted on features with their linear correlation to the groups removed."""

from __future__ import annotations

import numbers

import numpy as np
from fairlearn.preprocessing import CorrelationRemover
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from fairdash._compat import num_samples
from fairdash._errors import InputError
from fairdash._validation import check_target
from fairdash.groups import encode_groups

__all__ = ["DecorrelatedEstimator"]


def _estimator_has(name: str):
    return lambda self: hasattr(self.estimator, name)


class DecorrelatedEstimator(MetaEstimatorMixin, BaseEstimator):
    """fairlearn's ``CorrelationRemover`` on the features, then an estimator.

    fairlearn's ``CorrelationRemover`` works on numeric columns and takes the
    sensitive columns as part of ``X``. Here the features are first made
    numeric by ``preprocessor`` (e.g. scaled numerics and one-hot
    categoricals), then one indicator column per intersectional group of
    ``sensitive_features`` is appended; ``CorrelationRemover`` removes the
    features' linear correlation with those indicators (fully for
    ``alpha=1``) and drops them, and ``estimator`` is fitted on the result.
    The same transformation is applied before predicting; a row of a group
    not seen in ``fit`` gets no indicator set.

    Parameters
    ----------
    estimator : estimator object
        A classifier or regressor.
    preprocessor : transformer or None, default=None
        Makes ``X`` numeric (fitted on the training rows); None: ``X`` must
        already be numeric.
    alpha : float, default=1.0
        Share of the correlation removed, in [0, 1] (fairlearn's ``alpha``).

    Attributes
    ----------
    preprocessor_ : transformer or None
        The fitted preprocessor.
    remover_ : fairlearn.preprocessing.CorrelationRemover
        The fitted remover.
    estimator_ : estimator object
        The estimator fitted on the decorrelated features.
    groups_ : list of tuple
        The groups seen in ``fit``, one indicator column each.
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> group = rng.integers(0, 2, 400)
    >>> X = rng.normal(size=(400, 2)) + group[:, None]
    >>> y = (X[:, 0] + rng.normal(size=400) > 0.5).astype(int)
    >>> model = DecorrelatedEstimator(LogisticRegression()).fit(X, y, sensitive_features=group)
    >>> model.predict(X[:5], sensitive_features=group[:5]).shape
    (5,)
    """

    def __init__(self, estimator, *, preprocessor=None, alpha: float = 1.0) -> None:
        self.estimator = estimator
        self.preprocessor = preprocessor
        self.alpha = alpha

    def _numeric(self, X, *, fit: bool) -> np.ndarray:
        if self.preprocessor is None:
            return validate_data(self, X, reset=fit, dtype=np.float64)
        validate_data(self, X, skip_check_array=True, reset=fit)
        if fit:
            self.preprocessor_ = clone(self.preprocessor)
            features = self.preprocessor_.fit_transform(X)
        else:
            features = self.preprocessor_.transform(X)
        if hasattr(features, "toarray"):
            features = features.toarray()
        return np.asarray(features, dtype=np.float64)

    def _with_indicators(self, features: np.ndarray, sensitive_features) -> np.ndarray:
        groups = encode_groups(sensitive_features, n_rows=features.shape[0], keep_empty=False)
        position = {key: i for i, key in enumerate(self.groups_)}
        indicators = np.zeros((features.shape[0], len(self.groups_)))
        for code, key in enumerate(groups.keys):
            if key in position:  # a group unseen in fit has no indicator set
                indicators[groups.codes == code, position[key]] = 1.0
        return np.hstack([features, indicators])

    def fit(self, X, y, *, sensitive_features) -> DecorrelatedEstimator:
        """Fit the preprocessor, the remover and the estimator.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s); several columns form intersectional groups.

        Returns
        -------
        self
        """
        if not (isinstance(self.alpha, numbers.Real) and 0.0 <= self.alpha <= 1.0):
            raise InputError(f"alpha must be between 0 and 1, got {self.alpha!r}.")
        check_target(y, n_rows=num_samples(X))
        features = self._numeric(X, fit=True)
        groups = encode_groups(sensitive_features, n_rows=features.shape[0], keep_empty=False)
        self.groups_ = groups.keys
        combined = self._with_indicators(features, sensitive_features)
        n_features = features.shape[1]
        self.remover_ = CorrelationRemover(
            sensitive_feature_ids=list(range(n_features, combined.shape[1])), alpha=self.alpha
        )
        self.estimator_ = clone(self.estimator).fit(self.remover_.fit_transform(combined), y)
        return self

    def _decorrelated(self, X, sensitive_features) -> np.ndarray:
        check_is_fitted(self)
        features = self._numeric(X, fit=False)
        return self.remover_.transform(self._with_indicators(features, sensitive_features))

    @property
    def classes_(self) -> np.ndarray:
        """Class labels of the fitted classifier."""
        check_is_fitted(self)
        return self.estimator_.classes_

    def predict(self, X, *, sensitive_features) -> np.ndarray:
        """Predictions of the estimator on the decorrelated features.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        features = self._decorrelated(X, sensitive_features)
        return self.estimator_.predict(features)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X, *, sensitive_features) -> np.ndarray:
        """Class probabilities of the estimator on the decorrelated features.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_classes)
        """
        features = self._decorrelated(X, sensitive_features)
        return self.estimator_.predict_proba(features)

    def score(self, X, y, *, sensitive_features, sample_weight=None) -> float:
        """Accuracy (classifier) or R² (regressor) of the predictions.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        features = self._decorrelated(X, sensitive_features)  # checks it is fitted first
        predicted = self.estimator_.predict(features)
        if is_classifier(self.estimator_):
            return accuracy_score(y, predicted, sample_weight=sample_weight)
        return r2_score(y, predicted, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.target_tags.required = True
        if self.preprocessor is None:
            # X goes through check_array as dense, finite floats.
            tags.input_tags.sparse = False
            tags.input_tags.allow_nan = False
        else:
            tags.input_tags = get_tags(self.preprocessor).input_tags
        return tags
