"""fairlearn's ExponentiatedGradient with reproducible (seeded) randomized predictions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from fairlearn.reductions import ExponentiatedGradient, Moment
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted, validate_data

from fairdash._compat import exponentiated_gradient_iterations, num_samples, randomized_proba
from fairdash._errors import InputError
from fairdash._validation import check_target
from fairdash.groups import encode_groups
from fairdash.mitigation._reductions import (
    assemble_pipeline,
    constraint_moment,
    sample_weight_name,
    shared_prefix,
)

__all__ = ["SeededExponentiatedGradient"]


class _RoutedWeights(MetaEstimatorMixin, BaseEstimator):
    """An estimator whose ``fit(X, y, sample_weight=...)`` passes the weights on by name.

    fairlearn's reduction fits a constant DummyClassifier with the same weight
    keyword as the estimator, which fails for a Pipeline's
    ``"<final step>__sample_weight"``; behind this adapter both take ``sample_weight``.
    """

    def __init__(self, estimator, *, weight_name: str = "sample_weight") -> None:
        self.estimator = estimator
        self.weight_name = weight_name

    def fit(self, X, y, sample_weight=None) -> _RoutedWeights:
        self.estimator_ = clone(self.estimator).fit(X, y, **{self.weight_name: sample_weight})
        return self

    @property
    def classes_(self) -> np.ndarray:
        return self.estimator_.classes_

    def predict(self, X) -> np.ndarray:
        return self.estimator_.predict(X)

    def predict_proba(self, X) -> np.ndarray:
        return self.estimator_.predict_proba(X)


class SeededExponentiatedGradient(MetaEstimatorMixin, BaseEstimator):
    """fairlearn's ``ExponentiatedGradient`` reduction, with seeded predictions.

    The reduction returns a randomized classifier: a mixture of the fitted
    candidates, each row predicted by one drawn at random. fairlearn draws
    afresh on every ``predict`` call; here the draws come from
    ``random_state``, so the same rows always get the same predictions.

    ``fit`` builds a new fairlearn ``ExponentiatedGradient`` from these
    parameters every time (fairlearn's sets its own ``nu`` while fitting, so a
    fitted one must not be cloned or refitted).

    fairlearn refits the whole estimator several times per iteration. When
    ``estimator`` is a :class:`~sklearn.pipeline.Pipeline` whose steps before
    the last are deterministic transformers that ignore ``y`` (scalers,
    encoders, imputers, ColumnTransformers of them), those steps are fitted
    once and the reduction runs on their output with the final step: the
    models and predictions are the same as fairlearn's on the whole Pipeline,
    in about 40 % of its CPU time with the app's logistic regression (see
    ``benchmarks/bench_eg.py``).

    Parameters
    ----------
    estimator : estimator object
        A binary classifier whose ``fit`` takes ``sample_weight`` (for a
        Pipeline, its final step's).
    constraints : str or fairlearn.reductions.Moment, default="demographic_parity"
        ``"demographic_parity"``, ``"equalized_odds"``,
        ``"true_positive_rate_parity"``, ``"false_positive_rate_parity"`` or
        ``"error_rate_parity"``, or a fairlearn classification moment.
    eps : float, default=0.01
        Bound on the L1 norm of the Lagrange multipliers is ``1 / eps``
        (fairlearn's ``eps``).
    max_iter : int, default=50
        Most iterations.
    nu : float, optional
        Convergence threshold of the duality gap (fairlearn's default when None).
    eta0 : float, default=2.0
        Initial learning rate.
    run_linprog_step : bool, default=True
        Optimise over the convex hull of the candidates after each step.
    difference_bound, ratio_bound : float, optional
        Bounds passed to the constraint moment (for a name only).
    sample_weight_name : str, optional
        The fit keyword for sample weights; by default ``"sample_weight"``, or
        ``"<final step>__sample_weight"`` for a Pipeline.
    reuse_preprocessing : bool, default=True
        Fit a Pipeline's deterministic, y-independent preprocessing steps once
        (see above); False refits them with every model as fairlearn does.
    random_state : int, RandomState instance or None, default=0
        Seed of the randomized predictions; an int makes them reproducible.

    Attributes
    ----------
    mitigator_ : fairlearn.reductions.ExponentiatedGradient
        The fitted fairlearn reduction.
    predictors_ : pandas.Series of estimators
        The candidates of the mixture (a Pipeline whose preprocessing was not
        shared is behind an adapter whose ``estimator_`` it is).
    weights_ : pandas.Series
        Weight of each candidate in the mixture.
    shared_steps_ : sklearn.pipeline.Pipeline or None
        The fitted preprocessing shared by the candidates, if any.
    n_iter_ : int
        Iterations run (fairlearn stops early once the duality gap is below ``nu``).
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str

    References
    ----------
    A. Agarwal, A. Beygelzimer, M. Dudík, J. Langford and H. Wallach, "A
    reductions approach to fair classification", ICML 2018.
    """

    def __init__(
        self,
        estimator,
        *,
        constraints: str | Moment = "demographic_parity",
        eps: float = 0.01,
        max_iter: int = 50,
        nu: float | None = None,
        eta0: float = 2.0,
        run_linprog_step: bool = True,
        difference_bound: float | None = None,
        ratio_bound: float | None = None,
        sample_weight_name: str | None = None,
        reuse_preprocessing: bool = True,
        random_state=0,
    ) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.eps = eps
        self.max_iter = max_iter
        self.nu = nu
        self.eta0 = eta0
        self.run_linprog_step = run_linprog_step
        self.difference_bound = difference_bound
        self.ratio_bound = ratio_bound
        self.sample_weight_name = sample_weight_name
        self.reuse_preprocessing = reuse_preprocessing
        self.random_state = random_state

    def fit(
        self,
        X,
        y,
        *,
        sensitive_features,
        progress: Callable[[int, int], None] | None = None,
    ) -> SeededExponentiatedGradient:
        """Run the exponentiated gradient reduction.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Passed to the estimator as is.
        y : array-like of shape (n_samples,)
            Labels 0 and 1.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s); several columns form intersectional groups.
        progress : callable, optional
            Called from this thread as ``progress(iteration, max_iter)`` when
            iteration ``iteration`` (1-based) starts; the fit may stop before
            ``max_iter``.

        Returns
        -------
        self
        """
        if not (isinstance(self.eps, int | float) and self.eps > 0):
            raise InputError(f"eps must be a positive number, got {self.eps!r}.")
        if not (isinstance(self.max_iter, int | np.integer) and self.max_iter >= 1):
            raise InputError(f"max_iter must be a positive integer, got {self.max_iter!r}.")
        validate_data(self, X, skip_check_array=True)
        n_rows = num_samples(X)
        labels = check_target(y, n_rows=n_rows)
        if not np.isin(labels, [0, 1]).all():
            raise InputError(
                "Exponentiated gradient needs labels 0 and 1 (1 = the positive outcome)."
            )
        encode_groups(sensitive_features, n_rows=n_rows)
        weight_name = self.sample_weight_name or sample_weight_name(self.estimator)
        estimator, X_fit = self.estimator, X
        prefix = shared_prefix(self.estimator) if self.reuse_preprocessing else None
        self.shared_steps_ = None
        if prefix is not None:
            self.shared_steps_ = clone(prefix)
            X_fit = self.shared_steps_.fit_transform(X, labels)
            final_name, estimator = self.estimator.steps[-1]
            weight_name = weight_name.removeprefix(f"{final_name}__")
        if weight_name != "sample_weight":
            estimator = _RoutedWeights(estimator, weight_name=weight_name)
        # Built fresh from the parameters: fairlearn's fit overwrites its own ``nu``.
        self.mitigator_ = ExponentiatedGradient(
            estimator,
            constraint_moment(
                self.constraints,
                difference_bound=self.difference_bound,
                ratio_bound=self.ratio_bound,
            ),
            eps=float(self.eps),
            max_iter=int(self.max_iter),
            nu=self.nu,
            eta0=self.eta0,
            run_linprog_step=self.run_linprog_step,
            sample_weight_name="sample_weight",
        )
        if progress is None:
            self.mitigator_.fit(X_fit, y, sensitive_features=sensitive_features)
        else:
            max_iter = int(self.max_iter)
            with exponentiated_gradient_iterations(lambda t: progress(t + 1, max_iter)):
                self.mitigator_.fit(X_fit, y, sensitive_features=sensitive_features)
        self.n_iter_ = int(self.mitigator_.last_iter_) + 1
        predictors = self.mitigator_.predictors_
        if self.shared_steps_ is not None:
            predictors = pd.Series(
                [assemble_pipeline(self.estimator, self.shared_steps_, p) for p in predictors],
                index=predictors.index,
                dtype=object,
            )
        self.predictors_ = predictors
        self.weights_ = self.mitigator_.weights_
        return self

    def _check_X(self, X):
        """``X`` checked, and transformed by the shared preprocessing if any."""
        check_is_fitted(self)
        validate_data(self, X, skip_check_array=True, reset=False)
        return X if self.shared_steps_ is None else self.shared_steps_.transform(X)

    @property
    def classes_(self) -> np.ndarray:
        """The labels, 0 and 1."""
        return np.array([0, 1])

    def predict(self, X) -> np.ndarray:
        """Randomized predictions, drawn with ``random_state``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
            0 or 1; the same for the same ``X`` when ``random_state`` is an int.
        """
        return np.asarray(self.mitigator_.predict(self._check_X(X), random_state=self.random_state))

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of predicting 0 and 1 under the randomized classifier.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, 2)
        """
        return randomized_proba(self.mitigator_, self._check_X(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = "classifier"
        tags.classifier_tags = inner.classifier_tags
        tags.input_tags = inner.input_tags
        tags.target_tags.required = True
        tags.non_deterministic = self.random_state is None
        return tags
