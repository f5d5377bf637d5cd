"""scikit-learn's estimator checks for the mitigation estimators.

Reweighing, LinearFERM, WassersteinBarycenter, DecorrelatedEstimator,
CovarianceConstrainedClassifier, FairPCA and OptimalSteering (its ``fit``;
``fit_resample`` is not covered by scikit-learn's checks, which know no
resamplers).

The checks call ``fit(X, y)`` and ``predict(X)`` without sensitive features,
which these estimators require. So each is checked through a test-only
subclass that derives the sensitive feature from the row itself (the parity of
the third decimal of its first feature): a pseudo-random split into two groups
that holds both classes in the check data and, being a function of the row,
keeps predictions invariant to batching and row order, as the checks demand.
Everything else (validation, cloning, fitted state, delegation, tags) is the
real estimator's.

Two more adaptations, both in the test subclasses only:

* LinearFERM needs positive examples in every group. Where the derived groups
  of a check's tiny data set leave one without positives, the subclass uses a
  single group (the projection is then the identity) instead of failing.
* WassersteinBarycenter needs 2 calibration rows in every group: on check data
  sets so small that a derived group has fewer than 4 rows, the subclass uses a
  single group.
* LinearFERMTransformer is not a classifier, so the checks give it 3-class
  targets; it needs a binary one, so the subclass fits it on "y is the largest
  label". (LinearFERM itself declares ``multi_class=False``, so the checks
  already give it binary targets, and check that multiclass ones are refused.)

The checks that fail, and why, are in ``EXPECTED_FAILURES``. A caveat on two
that pass: on Reweighing's resampling path (KNeighborsClassifier) only the
wrapped estimator validates X, and only the rows the resample drew, so
check_dtype_object and check_estimators_nan_inf pass because the resample
(seeded, random_state=0) contains the one bad value each check plants; with
another seed they could miss it.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import is_classifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples

from fairdash.mitigation import (
    CovarianceConstrainedClassifier,
    DecorrelatedEstimator,
    FairPCA,
    LinearFERM,
    LinearFERMTransformer,
    OptimalSteering,
    Reweighing,
    WassersteinBarycenter,
)


def group_of_rows(X) -> np.ndarray:
    """Test-only sensitive feature of each row, 0 or 1, from its first feature.

    Inputs the real estimator must reject (sparse, 1-D, strings) get a single
    group, so that the estimator itself raises its own error for them.
    """
    n_rows = _num_samples(X)
    if sp.issparse(X):
        return np.zeros(n_rows, dtype=int)
    try:
        values = np.asarray(X)
        if values.dtype.kind not in "biuf":  # strings, objects, complex numbers
            return np.zeros(n_rows, dtype=int)
        values = values.astype(float)
    except (TypeError, ValueError):
        return np.zeros(n_rows, dtype=int)
    if values.ndim != 2 or values.shape[1] == 0 or not np.isfinite(values[:, 0]).all():
        return np.zeros(n_rows, dtype=int)
    return (np.floor(np.abs(values[:, 0]) * 1001) % 2).astype(int)


def _groups_with_positives(X, y) -> np.ndarray:
    groups = group_of_rows(X)
    if y is None:
        return groups
    labels = np.ravel(np.asarray(y))
    if len(labels) != len(groups):
        return groups
    positive = labels == np.max(labels) if labels.dtype.kind in "biuf" else labels == labels[0]
    if len(np.unique(groups[positive])) < len(np.unique(groups)):
        return np.zeros(len(groups), dtype=int)
    return groups


class ReweighingForChecks(Reweighing):
    def fit(self, X, y):
        return super().fit(X, y, sensitive_features=group_of_rows(X))


class LinearFERMForChecks(LinearFERM):
    def fit(self, X, y):
        return super().fit(X, y, sensitive_features=_groups_with_positives(X, y))


class LinearFERMTransformerForChecks(LinearFERMTransformer):
    def fit(self, X, y):
        if y is not None:
            y = np.asarray(y)
            y = (y == np.max(y)).astype(int) if y.ndim == 1 and len(y) else y
        return super().fit(X, y, sensitive_features=_groups_with_positives(X, y))


class WassersteinBarycenterForChecks(WassersteinBarycenter):
    def _groups(self, X) -> np.ndarray:
        groups = group_of_rows(X)
        return np.zeros_like(groups) if getattr(self, "_single_group", False) else groups

    def fit(self, X, y):
        # A derived group of fewer than 4 rows could leave < 2 calibration rows, which
        # the estimator rightly refuses; tiny check data sets then use one group.
        counts = np.bincount(group_of_rows(X))
        self._single_group = bool((counts[counts > 0] < 4).any())
        return super().fit(X, y, sensitive_features=self._groups(X))

    def predict(self, X):
        return super().predict(X, sensitive_features=self._groups(X))

    @available_if(lambda self: is_classifier(self.estimator))
    def predict_proba(self, X):
        return super().predict_proba(X, sensitive_features=self._groups(X))

    def score(self, X, y, sample_weight=None):
        return super().score(X, y, sensitive_features=self._groups(X), sample_weight=sample_weight)


class DecorrelatedEstimatorForChecks(DecorrelatedEstimator):
    def fit(self, X, y):
        return super().fit(X, y, sensitive_features=group_of_rows(X))

    def predict(self, X):
        return super().predict(X, sensitive_features=group_of_rows(X))

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X):
        return super().predict_proba(X, sensitive_features=group_of_rows(X))

    def score(self, X, y, sample_weight=None):
        return super().score(
            X, y, sensitive_features=group_of_rows(X), sample_weight=sample_weight
        )


class CovarianceConstrainedClassifierForChecks(CovarianceConstrainedClassifier):
    def fit(self, X, y):
        return super().fit(X, y, sensitive_features=group_of_rows(X))


class FairPCAForChecks(FairPCA):
    def fit(self, X, y=None):
        return super().fit(X, y, sensitive_features=group_of_rows(X))


class OptimalSteeringForChecks(OptimalSteering):
    def fit(self, X, y):
        groups = group_of_rows(X)
        if y is not None:
            y = np.asarray(y)
            if y.ndim == 1 and len(y) and y.dtype.kind in "biuf":
                y = (y == np.max(y)).astype(int)  # a binary target, as LinearFERMTransformer's
                # Tiny check data sets can leave a (group, class) cell with too few
                # rows for a covariance, which the estimator rightly refuses: one group then.
                cells = np.bincount(groups * 2 + y, minlength=4)
                if (cells < 5).any():
                    groups = np.zeros_like(groups)
        return super().fit(X, y, sensitive_features=groups)


ESTIMATORS = [
    ReweighingForChecks(LogisticRegression()),  # sample-weight path
    ReweighingForChecks(KNeighborsClassifier(), random_state=0),  # resampling path
    LinearFERMForChecks(LogisticRegression()),
    LinearFERMTransformerForChecks(),
    WassersteinBarycenterForChecks(LogisticRegression()),
    WassersteinBarycenterForChecks(Ridge()),
    DecorrelatedEstimatorForChecks(LogisticRegression()),
    DecorrelatedEstimatorForChecks(Ridge()),
    CovarianceConstrainedClassifierForChecks(covariance_threshold=0.1),
    CovarianceConstrainedClassifierForChecks(mode="fairness", gamma=0.2),
    CovarianceConstrainedClassifierForChecks(covariance_threshold=0.1, loss="hinge"),
    FairPCAForChecks(n_components=1),
    OptimalSteeringForChecks(),
]

_JITTER_PER_CALL = (
    "The tie-breaking jitter is drawn per transform call, one draw per row in row order, so a "
    "row's fair score depends on the noise it gets in that batch and position (refitting on "
    "the same rows is reproducible: check_fit_idempotent passes). With jitter=0 a row whose "
    "score equals a calibration score can still cross its own CDF step when the base "
    "estimator's score moves by one ulp between batch sizes."
)

EXPECTED_FAILURES = {
    "WassersteinBarycenterForChecks(estimator=LogisticRegression())": {
        "check_methods_subset_invariance": _JITTER_PER_CALL,
        "check_methods_sample_order_invariance": _JITTER_PER_CALL,
    },
    "WassersteinBarycenterForChecks(estimator=Ridge())": {
        "check_methods_subset_invariance": _JITTER_PER_CALL,
        "check_methods_sample_order_invariance": _JITTER_PER_CALL,
    },
}


def expected_failed_checks(estimator) -> dict[str, str]:
    return EXPECTED_FAILURES.get(repr(estimator), {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
