"""Wasserstein-barycenter post-processing of an estimator's scores (Chzhen et al. 2020).

The estimator's predictions (a regressor's values, a binary classifier's
positive-class probability) on calibration rows calibrate a
:class:`~fairdash.mitigation.BarycenterMap`, which then maps its predictions.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from fairdash._compat import num_samples
from fairdash._errors import InputError
from fairdash._training import split_indices
from fairdash._validation import check_target, take_rows
from fairdash.groups import encode_groups
from fairdash.mitigation._barycenter import BarycenterMap
from fairdash.models import positive_scores

__all__ = ["WassersteinBarycenter"]


def _estimator_is_classifier(self) -> bool:
    return is_classifier(self.estimator)


class WassersteinBarycenter(MetaEstimatorMixin, BaseEstimator):
    """Post-process an estimator's scores with :class:`BarycenterMap` for demographic parity.

    ``fit`` splits the data (stratified by group, and by class for a
    classifier) into a part that fits a clone of the estimator and a
    calibration part whose predictions calibrate the barycenter map; with
    ``prefit=True`` the estimator is used as fitted and all the data calibrates.
    For a regressor the map transforms ``predict``; for a binary classifier it
    transforms the positive-class probability, which ``predict`` thresholds.

    Parameters
    ----------
    estimator : estimator object
        A regressor, or a binary classifier with ``predict_proba``.
    alpha : float, default=0.0
        Relaxation in [0, 1] (0 fully fair, 1 the estimator's own scores).
    calibration_size : float, default=0.5
        Share of the rows that calibrate the map (unless ``prefit``).
    threshold : float, default=0.5
        Classifiers predict the positive class where the fair score is >= threshold.
    jitter : float, default=1e-5
        Half-width of the uniform tie-breaking noise.
    prefit : bool, default=False
        Whether ``estimator`` is already fitted (then it is not refitted or cloned).
    random_state : int, RandomState instance or None, default=None
        Seed of the split and of the noise.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted estimator.
    barycenter_ : BarycenterMap
        The map, calibrated on the calibration rows.
    calibration_indices_ : numpy.ndarray
        Positions of the calibration rows.
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str

    References
    ----------
    E. Chzhen, C. Denis, M. Hebiri, L. Oneto and M. Pontil, "Fair regression
    with Wasserstein barycenters", NeurIPS 2020.
    """

    def __init__(
        self,
        estimator,
        *,
        alpha: float = 0.0,
        calibration_size: float = 0.5,
        threshold: float = 0.5,
        jitter: float = 1e-5,
        prefit: bool = False,
        random_state=None,
    ) -> None:
        self.estimator = estimator
        self.alpha = alpha
        self.calibration_size = calibration_size
        self.threshold = threshold
        self.jitter = jitter
        self.prefit = prefit
        self.random_state = random_state

    def fit(self, X, y, *, sensitive_features) -> WassersteinBarycenter:
        """Fit the estimator (unless prefit) and calibrate the barycenter map.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Passed to the estimator as is.
        y : array-like of shape (n_samples,)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s) of each row.

        Returns
        -------
        self
        """
        validate_data(self, X, skip_check_array=True)
        n_rows = num_samples(X)
        labels = check_target(y, n_rows=n_rows)
        groups = encode_groups(sensitive_features, n_rows=n_rows, keep_empty=False)
        if is_classifier(self.estimator) and type_of_target(labels) == "continuous":
            raise InputError(
                "WassersteinBarycenter with a classifier needs class labels, but y is "
                "continuous; use a regressor for a continuous target."
            )
        if is_classifier(self.estimator) and len(np.unique(labels)) > 2:
            raise InputError(
                "Only binary classification is supported: WassersteinBarycenter maps the "
                f"positive-class score, and y has {len(np.unique(labels))} classes."
            )
        if n_rows < 4:
            raise InputError(
                "WassersteinBarycenter needs at least 4 rows to fit the estimator and "
                f"calibrate the map, got n_samples={n_rows}."
            )
        rng = check_random_state(self.random_state)
        # An int seed is passed on as is, so the map's transform is reproducible.
        map_seed = (
            self.random_state
            if self.random_state is None or isinstance(self.random_state, numbers.Integral)
            else rng.randint(np.iinfo(np.int32).max)
        )
        if self.prefit:
            check_is_fitted(self.estimator)
            self.estimator_ = self.estimator
            self.calibration_indices_ = np.arange(n_rows)
        else:
            if not 0.0 < self.calibration_size < 1.0:
                raise InputError(
                    f"calibration_size must be between 0 and 1, got {self.calibration_size!r}."
                )
            strata = groups.codes
            if is_classifier(self.estimator):
                _, label_codes = np.unique(labels, return_inverse=True)
                strata = strata * (label_codes.max() + 1) + label_codes
            fit_rows, self.calibration_indices_ = split_indices(
                strata,
                test_size=self.calibration_size,
                random_state=int(rng.randint(np.iinfo(np.int32).max)),
            )
            self.estimator_ = clone(self.estimator).fit(take_rows(X, fit_rows), labels[fit_rows])
        if is_classifier(self.estimator_) and len(self.estimator_.classes_) != 2:
            raise InputError(
                "Only binary classification is supported: WassersteinBarycenter maps the "
                f"positive-class score, and the estimator has {len(self.estimator_.classes_)} "
                "classes."
            )
        rows = self.calibration_indices_
        self.barycenter_ = BarycenterMap(
            alpha=self.alpha, jitter=self.jitter, random_state=map_seed
        ).fit(
            self._base_scores(take_rows(X, rows)),
            sensitive_features=take_rows(sensitive_features, rows),
        )
        return self

    def _base_scores(self, X) -> np.ndarray:
        if is_classifier(self.estimator_):
            # The greater of the two labels is the positive class, as in scikit-learn.
            return positive_scores(
                self.estimator_, X, positive_class=self.estimator_.classes_[-1]
            )
        return self.estimator_.predict(X)

    def _fair_scores(self, X, sensitive_features) -> np.ndarray:
        check_is_fitted(self)
        return self.barycenter_.transform(
            self._base_scores(X), sensitive_features=sensitive_features
        )

    @property
    def classes_(self) -> np.ndarray:
        """Class labels of the fitted classifier."""
        check_is_fitted(self)
        return self.estimator_.classes_

    def predict(self, X, *, sensitive_features) -> np.ndarray:
        """Fair predictions: the mapped score, thresholded for a classifier.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        return self._predictions(self._fair_scores(X, sensitive_features))

    def _predictions(self, fair: np.ndarray) -> np.ndarray:
        if is_classifier(self.estimator_):
            return self.estimator_.classes_[(fair >= self.threshold).astype(np.intp)]
        return fair

    @available_if(_estimator_is_classifier)
    def predict_proba(self, X, *, sensitive_features) -> np.ndarray:
        """The mapped positive-class score, clipped to [0, 1], as two columns ``[1 - s, s]``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, 2)
        """
        fair = np.clip(self._fair_scores(X, sensitive_features), 0.0, 1.0)
        return np.column_stack([1.0 - fair, fair])

    def score(self, X, y, *, sensitive_features, sample_weight=None) -> float:
        """Accuracy (classifier) or R² (regressor) of the fair predictions.

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
        predicted = self._predictions(self._fair_scores(X, sensitive_features))
        if is_classifier(self.estimator_):
            return accuracy_score(y, predicted, sample_weight=sample_weight)
        return r2_score(y, predicted, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.input_tags = inner.input_tags
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_class = False  # one positive-class score per row
        tags.target_tags.required = True
        tags.target_tags.multi_output = False
        return tags
