"""fairlearn's ThresholdOptimizer that refuses groups it has no thresholds for."""

from __future__ import annotations

from typing import Literal

import numpy as np
from fairlearn.postprocessing import ThresholdOptimizer
from sklearn.base import BaseEstimator, MetaEstimatorMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted, validate_data

from fairdash._compat import num_samples, randomized_proba
from fairdash._errors import InputError
from fairdash._validation import check_target
from fairdash.groups import encode_groups

__all__ = ["GroupThresholdOptimizer"]

Constraint = Literal[
    "demographic_parity",
    "equalized_odds",
    "false_negative_rate_parity",
    "false_positive_rate_parity",
    "selection_rate_parity",
    "true_negative_rate_parity",
    "true_positive_rate_parity",
]
Objective = Literal[
    "accuracy_score",
    "balanced_accuracy_score",
    "selection_rate",
    "true_positive_rate",
    "true_negative_rate",
]


class GroupThresholdOptimizer(MetaEstimatorMixin, BaseEstimator):
    """fairlearn's ``ThresholdOptimizer`` (Hardt et al.) with a guard for unseen groups.

    Post-processing: each group gets its own (randomized) threshold on the
    estimator's scores, chosen to maximise ``objective`` under ``constraints``.
    fairlearn silently predicts 0 for a group it has no threshold for; here
    such a group raises :class:`fairdash.InputError` naming it. Several
    sensitive columns (e.g. a DataFrame of two categoricals) form
    intersectional groups, one threshold per combination present in ``fit``.

    Parameters
    ----------
    estimator : estimator object
        The (unmitigated) classifier to post-process.
    constraints : str, default="demographic_parity"
        fairlearn's constraints: ``"demographic_parity"``, ``"equalized_odds"``,
        ``"true_positive_rate_parity"``, ``"false_positive_rate_parity"``,
        ``"true_negative_rate_parity"``, ``"false_negative_rate_parity"``.
    objective : str, default="accuracy_score"
        fairlearn's objectives: ``"accuracy_score"``, ``"balanced_accuracy_score"``
        (any constraints), ``"selection_rate"``, ``"true_positive_rate"``,
        ``"true_negative_rate"`` (not with equalized odds).
    grid_size : int, default=1000
        Resolution of the constraint values searched.
    flip : bool, default=False
        Allow decisions that flip the score's order.
    prefit : bool, default=True
        Use the fitted ``estimator`` as is (False: fit a clone on the same data).
    predict_method : str, default="auto"
        Which output of the estimator is thresholded (fairlearn's ``predict_method``).
    tol : float, optional
        Largest allowed difference of the constraint metric between groups
        (None: equal). Not supported with ``"equalized_odds"``.
    random_state : int, RandomState instance or None, default=0
        Seed of the randomized predictions; an int makes them reproducible.

    Attributes
    ----------
    optimizer_ : fairlearn.postprocessing.ThresholdOptimizer
        The fitted fairlearn post-processor.
    groups_ : list of tuple
        The groups seen in ``fit`` (tuples of sensitive values).
    sensitive_feature_names_ : list of str or None
        Names of the sensitive columns seen in ``fit``.
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str

    References
    ----------
    M. Hardt, E. Price and N. Srebro, "Equality of opportunity in supervised
    learning", NeurIPS 2016.
    """

    def __init__(
        self,
        estimator,
        *,
        constraints: Constraint = "demographic_parity",
        objective: Objective = "accuracy_score",
        grid_size: int = 1000,
        flip: bool = False,
        prefit: bool = True,
        predict_method: str = "auto",
        tol: float | None = None,
        random_state=0,
    ) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.objective = objective
        self.grid_size = grid_size
        self.flip = flip
        self.prefit = prefit
        self.predict_method = predict_method
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y, *, sensitive_features) -> GroupThresholdOptimizer:
        """Choose each group's threshold.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Passed to the estimator as is.
        y : array-like of shape (n_samples,)
            Labels 0 and 1.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s); several columns form intersectional groups.

        Returns
        -------
        self
        """
        validate_data(self, X, skip_check_array=True)
        n_rows = num_samples(X)
        labels = check_target(y, n_rows=n_rows)
        if not np.isin(labels, [0, 1]).all():
            raise InputError("The threshold optimizer needs labels 0 and 1 (1 = positive).")
        if self.tol is not None and not (np.isfinite(self.tol) and self.tol >= 0):
            raise InputError(f"tol must be a non-negative number or None, got {self.tol!r}.")
        if self.prefit:
            try:
                check_is_fitted(self.estimator)
            except NotFittedError:
                raise InputError(
                    "The estimator is not fitted; fit it first or use prefit=False."
                ) from None
        groups = encode_groups(sensitive_features, n_rows=n_rows, keep_empty=False)
        positives = np.bincount(groups.codes, weights=labels == 1, minlength=groups.n_groups)
        sizes = np.bincount(groups.codes, minlength=groups.n_groups)
        degenerate = np.flatnonzero((positives == 0) | (positives == sizes))
        if len(degenerate):
            # fairlearn's own message ("Degenerate labels ...") does not say what to do.
            raise InputError(
                f"Sensitive group {groups.describe(int(degenerate[0]))} has only one label in the "
                "data the threshold optimizer is fitted on; every group needs both positive "
                "and negative examples. Use more data or fewer groups."
            )
        optimizer = ThresholdOptimizer(
            estimator=self.estimator,
            constraints=self.constraints,
            objective=self.objective,
            grid_size=self.grid_size,
            flip=self.flip,
            prefit=self.prefit,
            predict_method=self.predict_method,
            tol=self.tol,
        )
        try:
            optimizer.fit(X, y, sensitive_features=sensitive_features)
        except ValueError as error:
            # fairlearn's messages for unsupported constraint/objective pairs are clear.
            if isinstance(error, InputError):
                raise
            raise InputError(str(error)) from None
        self.optimizer_ = optimizer
        self.groups_ = groups.keys
        self.sensitive_feature_names_ = groups.columns
        return self

    def _check_groups(self, X, sensitive_features) -> None:
        check_is_fitted(self)
        validate_data(self, X, skip_check_array=True, reset=False)
        groups = encode_groups(sensitive_features, n_rows=num_samples(X), keep_empty=False)
        fitted = self.sensitive_feature_names_
        named = None not in fitted and None not in groups.columns
        if named and list(groups.columns) != list(fitted):
            raise InputError(
                f"The sensitive columns are {groups.columns}, but the optimizer was fitted "
                f"with {self.sensitive_feature_names_}; pass them in the same order."
            )
        seen = set(self.groups_)
        unseen = [g for g, key in enumerate(groups.keys) if key not in seen]
        if unseen:
            raise InputError(
                f"The threshold optimizer has no threshold for sensitive group "
                f"{groups.describe(unseen[0])}: it was not in the data the "
                "optimizer was fitted on (fairlearn would silently predict 0 for it). Fit it "
                "on data that contains every group."
            )

    @property
    def classes_(self) -> np.ndarray:
        """The labels, 0 and 1."""
        return np.array([0, 1])

    def predict(self, X, *, sensitive_features) -> np.ndarray:
        """Randomized predictions with each group's threshold, drawn with ``random_state``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Every group must have been seen in ``fit``.

        Returns
        -------
        numpy.ndarray of shape (n_samples,)

        Raises
        ------
        fairdash.InputError
            If a row's group was not seen in ``fit``.
        """
        self._check_groups(X, sensitive_features)
        return np.asarray(
            self.optimizer_.predict(
                X, sensitive_features=sensitive_features, random_state=self.random_state
            )
        )

    def predict_proba(self, X, *, sensitive_features) -> np.ndarray:
        """Probabilities of predicting 0 and 1 under each group's randomized threshold.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, 2)
        """
        self._check_groups(X, sensitive_features)
        return randomized_proba(self.optimizer_, X, sensitive_features=sensitive_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = "classifier"
        tags.classifier_tags = inner.classifier_tags
        tags.input_tags = inner.input_tags
        tags.target_tags.required = True
        tags.non_deterministic = self.random_state is None
        return tags
