"""Reweighing (Kamiran & Calders, 2012): weights that make label and group independent."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, has_fit_parameter, validate_data

from fairdash._compat import num_samples
from fairdash._errors import InputError
from fairdash._validation import check_target, take_rows
from fairdash.groups import encode_groups

__all__ = ["Reweighing", "reweighing_weights", "sample_weight_key"]


def _cell_counts(y, sensitive_features, *, n_rows: int | None = None):
    """Each row's (group, label) cell and the count of every cell, shape (groups, labels)."""
    groups = encode_groups(sensitive_features, n_rows=n_rows, keep_empty=False)
    labels = check_target(y, n_rows=len(groups.codes))
    label_codes, label_values = pd.factorize(labels, sort=True)
    n_labels = len(label_values)
    cell = groups.codes * n_labels + label_codes
    counts = np.bincount(cell, minlength=groups.n_groups * n_labels)
    return cell, counts.reshape(groups.n_groups, n_labels)


def _expected_counts(counts: np.ndarray) -> np.ndarray:
    """n_g n_y / n: each cell's size were label and group independent."""
    return np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()


def _cell_weights(counts: np.ndarray) -> np.ndarray:
    """w(g, y) = P(g) P(y) / P(g, y) = n_g n_y / (n n_gy) for every cell (NaN if empty)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _expected_counts(counts) / counts


def reweighing_weights(y, sensitive_features) -> np.ndarray:
    """Kamiran–Calders reweighing weights: w(g, y) = P(g) P(y) / P(g, y).

    Every row of intersectional group ``g`` and label ``y`` gets the weight
    its (group, label) cell would have if label and group were independent,
    divided by its observed share. The weights sum to the number of rows, and
    the weighted share of every label is the same in every group (equal to its
    overall share), so the weighted base rates are equal.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels (any discrete values).
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
        Sensitive feature(s); every combination of values is a group, missing
        values a group of their own.

    Returns
    -------
    numpy.ndarray of shape (n_samples,)
        The weight of each row.

    References
    ----------
    F. Kamiran and T. Calders, "Data preprocessing techniques for classification
    without discrimination", Knowledge and Information Systems 33(1), 2012.
    """
    cell, counts = _cell_counts(y, sensitive_features)
    return _cell_weights(counts).ravel()[cell]


def sample_weight_key(estimator) -> str | None:
    """The fit keyword that carries sample weights to ``estimator``, or None if it has none.

    For a Pipeline that is ``"<last step>__sample_weight"`` (recursively for
    nested pipelines), since Pipeline.fit routes ``step__param`` to that step.
    """
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        if last is None or last == "passthrough":
            return None
        inner = sample_weight_key(last)
        return None if inner is None else f"{name}__{inner}"
    return "sample_weight" if has_fit_parameter(estimator, "sample_weight") else None


def _estimator_has(attribute: str):
    def check(self) -> bool:
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attribute)
        return hasattr(self.estimator, attribute)

    return check


class Reweighing(MetaEstimatorMixin, BaseEstimator):
    """Fit an estimator on reweighed data so that labels are independent of groups.

    Pre-processing mitigation of Kamiran & Calders (2012): each row gets the
    weight :func:`reweighing_weights` gives it, passed to the estimator's
    ``fit`` as ``sample_weight`` (for a :class:`~sklearn.pipeline.Pipeline`, to
    its final step). An estimator that takes no sample weights is fitted on a
    resample instead: *uniform sampling* of Kamiran & Calders with rows drawn
    with replacement, that is, every (group, label) cell is drawn uniformly
    with replacement ``round(w * n_cell)`` times (its expected size were label
    and group independent), so the resample has about ``n`` rows. Preferential
    sampling, which needs a ranker, is not implemented. On that path only the
    drawn rows reach the estimator, and so its input validation.

    Parameters
    ----------
    estimator : estimator object
        The estimator to fit; it is cloned.
    random_state : int, RandomState instance or None, default=None
        Seed of the resampling (only used when the estimator takes no sample weights).

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    method_ : {"weights", "resampling"}
        How the weights were applied.
    sample_weight_ : numpy.ndarray of shape (n_samples,)
        The reweighing weight of each training row.
    resampled_indices_ : numpy.ndarray or None
        Positions of the training rows in the resample (``method_ == "resampling"``).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : numpy.ndarray of str
        Names of the features seen in ``fit``, if ``X`` had string column names.

    References
    ----------
    F. Kamiran and T. Calders, "Data preprocessing techniques for classification
    without discrimination", Knowledge and Information Systems 33(1), 2012.
    """

    def __init__(self, estimator, *, random_state=None) -> None:
        self.estimator = estimator
        self.random_state = random_state

    def fit(self, X, y, *, sensitive_features) -> Reweighing:
        """Compute the weights and fit the estimator with them.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Passed to the estimator as is.
        y : array-like of shape (n_samples,)
            Labels.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s) of each row.

        Returns
        -------
        self
        """
        # X goes to the estimator untouched (a Pipeline may need a DataFrame); only
        # its width and column names are recorded here.
        validate_data(self, X, skip_check_array=True)
        n_rows = num_samples(X)
        labels = check_target(y, n_rows=n_rows)
        if type_of_target(labels) == "continuous":
            raise InputError(
                "Reweighing needs class labels, but y is continuous; it reweighs "
                "(group, label) cells of a classification problem."
            )
        cell, counts = _cell_counts(labels, sensitive_features, n_rows=n_rows)
        cell_weights = _cell_weights(counts).ravel()
        self.sample_weight_ = cell_weights[cell]
        self.estimator_ = clone(self.estimator)
        key = sample_weight_key(self.estimator_)
        if key is not None:
            self.method_ = "weights"
            self.resampled_indices_ = None
            self.estimator_.fit(X, labels, **{key: self.sample_weight_})
            return self
        self.method_ = "resampling"
        self.resampled_indices_ = self._resample(cell, counts)
        rows = self.resampled_indices_
        self.estimator_.fit(take_rows(X, rows), labels[rows])
        return self

    def _resample(self, cell: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Positions of a resample with round(w n_cell) = round(n_g n_y / n) rows of each cell."""
        rng = check_random_state(self.random_state)
        cell_counts = counts.ravel()
        target = np.where(cell_counts > 0, np.rint(_expected_counts(counts).ravel()), 0)
        target = target.astype(np.int64)
        # Rows grouped by cell; draw target[c] positions uniformly within cell c.
        order = np.argsort(cell, kind="stable")
        starts = np.concatenate([[0], np.cumsum(cell_counts)[:-1]])
        draw_cell = np.repeat(np.arange(len(target)), target)
        if len(draw_cell) == 0:
            raise InputError("The resample is empty; the data has too few rows.")
        offsets = np.floor(rng.random_sample(len(draw_cell)) * cell_counts[draw_cell])
        rows = order[starts[draw_cell] + offsets.astype(np.int64)]
        # Shuffle so estimators sensitive to row order do not see rows sorted by cell.
        return rows[rng.permutation(len(rows))]

    @property
    def classes_(self) -> np.ndarray:
        """Class labels of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.classes_

    def predict(self, X) -> np.ndarray:
        """Predictions of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X) -> np.ndarray:
        """Log class probabilities of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X) -> np.ndarray:
        """Decision scores of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    @available_if(_estimator_has("score"))
    def score(self, X, y, sample_weight=None) -> float:
        """Score of the fitted estimator (its own ``score``)."""
        check_is_fitted(self)
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.input_tags = inner.input_tags
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_label = False  # one label per row: the cells need it
        tags.target_tags.required = True
        tags.target_tags.multi_output = False
        return tags
