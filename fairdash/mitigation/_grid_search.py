"""fairlearn's GridSearch over Lagrange multipliers, with the candidates fitted in parallel.

The grid is the one fairlearn's ``GridSearch`` builds (or one given
explicitly); it is split into chunks fitted by worker processes, and every
candidate is fitted exactly as ``fairlearn.reductions.GridSearch`` fits it, so
the candidates, their predictions and the selected best one are the same as
those of a sequential fairlearn ``GridSearch`` over the same grid.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from fairlearn.reductions import Moment
from joblib import delayed, effective_n_jobs
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from fairdash._compat import fairlearn_grid, num_samples
from fairdash._errors import InputError
from fairdash._validation import check_target
from fairdash.groups import encode_groups
from fairdash.mitigation._grid_workers import fit_chunk, run_chunks, warm_quietly
from fairdash.mitigation._reductions import (
    assemble_pipeline,
    constraint_moment,
    sample_weight_name,
    shared_prefix,
)
from fairdash.models import positive_scores

__all__ = ["MIN_PARALLEL_ROW_FITS", "ParallelGridSearch"]

#: Below this many row fits (training rows x candidates) the search runs in this
#: process whatever ``n_jobs`` says: starting worker processes and importing
#: scikit-learn and fairlearn in them (2-8 s on a 2-core machine) costs more than
#: fitting in parallel saves. Measured with logistic regression on Adult, 2
#: cores: 3,000 rows x 10 candidates took 1.1 s in one process and 9.5 s with
#: two cold workers; 20,000 x 10 took 9.4 s and 23.5 s on the loaded machine, and
#: 24,000 x 100 ran 2.26x faster with two workers (README benchmark).
MIN_PARALLEL_ROW_FITS = 200_000


class ParallelGridSearch(MetaEstimatorMixin, BaseEstimator):
    """fairlearn's ``GridSearch`` with the candidates fitted in parallel processes.

    The grid of Lagrange multipliers is built once, exactly as fairlearn's
    ``GridSearch(grid_size=...)`` builds it (or given as ``grid``), and split
    into ``n_jobs`` interleaved chunks fitted by joblib worker processes. Each
    candidate is fitted as fairlearn does (same relabelling, weights and
    constant classifier for single-class relabellings), and the best one is
    chosen by fairlearn's trade-off rule, so ``predictors_``, their
    predictions, ``lambda_vecs_``, ``gammas_``, ``objectives_`` and
    ``best_idx_`` equal those of ``fairlearn.reductions.GridSearch`` over the
    same grid (with the same BLAS threading).

    When ``estimator`` is a :class:`~sklearn.pipeline.Pipeline` whose steps
    before the last are deterministic transformers that ignore ``y`` (scalers,
    encoders, imputers, ColumnTransformers of them), those steps are fitted
    once on ``X`` and shared by every candidate, and the workers fit only the
    final step: the result is the same as refitting them per candidate.

    Parameters
    ----------
    estimator : estimator object
        A binary classifier whose ``fit`` takes ``sample_weight`` (for a
        Pipeline, its final step's).
    constraints : str or fairlearn.reductions.Moment, default="demographic_parity"
        ``"demographic_parity"``, ``"equalized_odds"``,
        ``"true_positive_rate_parity"``, ``"false_positive_rate_parity"`` or
        ``"error_rate_parity"``, or a fairlearn classification moment.
    grid_size : int, default=10
        Number of Lagrange multiplier vectors (ignored when ``grid`` is given).
    grid_limit : float, default=2.0
        Largest multiplier (L1 norm) of the generated grid.
    grid_offset : pandas.Series, optional
        Shift of the generated grid.
    grid : pandas.DataFrame, optional
        An explicit grid: one column per candidate, indexed like the
        constraints' multipliers.
    constraint_weight : float, default=0.5
        Weight of the constraint violation against the error when choosing
        the best candidate (fairlearn's ``tradeoff_optimization``).
    difference_bound, ratio_bound : float, optional
        Bounds passed to the constraint moment (for a name only).
    sample_weight_name : str, optional
        The fit keyword for sample weights; by default ``"sample_weight"``, or
        ``"<final step>__sample_weight"`` for a Pipeline.
    reuse_preprocessing : bool, default=True
        Fit a Pipeline's deterministic, y-independent preprocessing steps once
        (see above); False refits them per candidate as fairlearn does.
    n_jobs : int, default=-1
        Worker processes (-1: all cores). With one, everything runs in this
        process; so it does when the work is small (fewer than
        :data:`MIN_PARALLEL_ROW_FITS` training rows x candidates), where starting
        workers costs more than it saves. The candidates are the same either way.

    Attributes
    ----------
    predictors_ : list of estimators
        The fitted candidates, in grid order.
    lambda_vecs_ : pandas.DataFrame
        The Lagrange multipliers, one column per candidate.
    gammas_ : pandas.DataFrame
        Constraint violations on the training data, one column per candidate.
    objectives_ : list of float
        Training error of each candidate.
    oracle_execution_times_ : list of float
        Fit seconds of each candidate.
    best_idx_ : int
        Position of the candidate that ``predict`` uses.
    n_workers_ : int
        Worker processes the fit used (1: it ran in this process).
    shared_steps_ : sklearn.pipeline.Pipeline or None
        The fitted preprocessing shared by the Pipeline candidates, if any.
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
        grid_size: int = 10,
        grid_limit: float = 2.0,
        grid_offset: pd.Series | None = None,
        grid: pd.DataFrame | None = None,
        constraint_weight: float = 0.5,
        difference_bound: float | None = None,
        ratio_bound: float | None = None,
        sample_weight_name: str | None = None,
        reuse_preprocessing: bool = True,
        n_jobs: int | None = -1,
    ) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.grid_size = grid_size
        self.grid_limit = grid_limit
        self.grid_offset = grid_offset
        self.grid = grid
        self.constraint_weight = constraint_weight
        self.difference_bound = difference_bound
        self.ratio_bound = ratio_bound
        self.sample_weight_name = sample_weight_name
        self.reuse_preprocessing = reuse_preprocessing
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        if self.grid is not None and (
            not isinstance(self.grid, pd.DataFrame) or self.grid.shape[1] == 0
        ):
            raise InputError("grid must be a DataFrame with one column per candidate.")
        if self.grid is None and not (
            isinstance(self.grid_size, int | np.integer) and self.grid_size >= 1
        ):
            raise InputError(f"grid_size must be a positive integer, got {self.grid_size!r}.")
        if not 0.0 <= self.constraint_weight <= 1.0:
            raise InputError(
                f"constraint_weight must be between 0 and 1, got {self.constraint_weight!r}."
            )

    def _build_grid(self, constraints: Moment) -> pd.DataFrame:
        if self.grid is not None:
            return self.grid
        # Exactly the grid fairlearn's GridSearch(grid_size=...) builds.
        return fairlearn_grid(
            constraints,
            grid_size=self.grid_size,
            grid_limit=self.grid_limit,
            grid_offset=self.grid_offset,
        )

    def fit(
        self,
        X,
        y,
        *,
        sensitive_features,
        progress: Callable[[int, int], None] | None = None,
    ) -> ParallelGridSearch:
        """Fit one candidate per grid point.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Passed to the estimator as is.
        y : array-like of shape (n_samples,)
            Labels 0 and 1.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s); several columns form intersectional groups.
        progress : callable, optional
            Called as ``progress(done, total)`` from this thread as candidates
            finish, and once with ``done == total`` at the end.

        Returns
        -------
        self
        """
        self._check_params()
        validate_data(self, X, skip_check_array=True)
        n_rows = num_samples(X)
        labels = check_target(y, n_rows=n_rows)
        if not np.isin(labels, [0, 1]).all():
            raise InputError("Grid search needs labels 0 and 1 (1 = the positive outcome).")
        encode_groups(sensitive_features, n_rows=n_rows)  # clear errors for bad groups
        weight_name = self.sample_weight_name or sample_weight_name(self.estimator)
        n_candidates = int(self.grid_size) if self.grid is None else self.grid.shape[1]
        n_chunks = max(1, min(effective_n_jobs(self.n_jobs), n_candidates))
        if n_rows * n_candidates < MIN_PARALLEL_ROW_FITS:
            n_chunks = 1  # too little work to pay for starting workers
        self.n_workers_ = n_chunks
        warming = None
        if n_chunks > 1:
            # Start the worker processes (seconds of imports) while this one prepares.
            warming = threading.Thread(target=warm_quietly, args=(n_chunks,), daemon=True)
            warming.start()

        # Loaded once here; workers only get the signed weights they need.
        constraints = constraint_moment(
            self.constraints, difference_bound=self.difference_bound, ratio_bound=self.ratio_bound
        )
        constraints.load_data(X, y, sensitive_features=sensitive_features)
        objective = constraints.default_objective()
        objective.load_data(X, y, sensitive_features=sensitive_features)
        objective_in_the_span = constraints.default_objective_lambda_vec is not None
        grid = self._build_grid(constraints)

        signed_weights = np.empty((n_rows, n_candidates))
        for position, column in enumerate(grid.columns):
            weights = constraints.signed_weights(grid[column])
            if not objective_in_the_span:
                weights = weights + objective.signed_weights()
            signed_weights[:, position] = weights.to_numpy(dtype=np.float64)

        prefix = shared_prefix(self.estimator) if self.reuse_preprocessing else None
        if prefix is not None:
            self.shared_steps_ = clone(prefix)
            X_fit = self.shared_steps_.fit_transform(X, labels)
            X_predict = self.shared_steps_.transform(X)
            if _same_array(X_fit, X_predict):
                X_predict = X_fit
            final_name, final = self.estimator.steps[-1]
            # Pipeline routes "<final>__sample_weight"; the final step takes the rest.
            inner_weight_name = weight_name.removeprefix(f"{final_name}__")
            task_estimator = final
        else:
            self.shared_steps_ = None
            X_fit = X_predict = X
            inner_weight_name = weight_name
            task_estimator = self.estimator

        chunks = [np.arange(start, n_candidates, n_chunks) for start in range(n_chunks)]
        if n_chunks == 1:
            results = self._fit_sequential(
                task_estimator, X_fit, X_predict, signed_weights, inner_weight_name, progress
            )
        else:
            warming.join()
            results = [None] * n_candidates
            with tempfile.TemporaryDirectory(prefix="fairdash-gs-") as folder:
                progress_path = os.path.join(folder, "progress")
                open(progress_path, "wb").close()
                tasks = [
                    delayed(fit_chunk)(
                        task_estimator,
                        X_fit,
                        X_predict,
                        np.ascontiguousarray(signed_weights[:, chunk]),
                        inner_weight_name,
                        progress_path,
                    )
                    for chunk in chunks
                ]
                outputs = run_chunks(
                    tasks,
                    n_jobs=n_chunks,
                    progress=progress,
                    total=n_candidates,
                    progress_path=progress_path,
                )
            for chunk, output in zip(chunks, outputs, strict=True):
                for position, result in zip(chunk, output, strict=True):
                    results[position] = result

        self._collect(results, X, grid, signed_weights, constraints, objective, prefix)
        if progress is not None:
            progress(n_candidates, n_candidates)
        return self

    def _fit_sequential(self, estimator, X_fit, X_predict, signed_weights, weight_name, progress):
        results = []
        total = signed_weights.shape[1]
        for position in range(total):
            results.extend(
                fit_chunk(
                    estimator, X_fit, X_predict, signed_weights[:, [position]], weight_name, None
                )
            )
            if progress is not None and position + 1 < total:
                progress(position + 1, total)
        return results

    def _collect(self, results, X, grid, signed_weights, constraints, objective, prefix) -> None:
        """Assemble the candidates and pick the best, as fairlearn's GridSearch.fit does."""
        self.predictors_ = []
        self.objectives_ = []
        self.oracle_execution_times_ = []
        lambda_vecs, gammas = {}, {}
        for position, column in enumerate(grid.columns):
            result = results[position]
            if result is None:
                weights = signed_weights[:, position]
                y_reduction = 1 * (weights > 0)
                # fairlearn's constant classifier, fitted on the original X.
                predictor = DummyClassifier(strategy="constant", constant=np.unique(y_reduction)[0])
                start = time.time()
                predictor.fit(X, y_reduction, sample_weight=np.abs(weights))
                seconds = time.time() - start
                predictions = predictor.predict(X)
            else:
                predictor, predictions, seconds = result
                if prefix is not None:
                    predictor = assemble_pipeline(self.estimator, self.shared_steps_, predictor)

            def predict_fct(_, predictions=predictions):
                return predictions

            self.predictors_.append(predictor)
            self.oracle_execution_times_.append(seconds)
            lambda_vecs[column] = grid[column]
            self.objectives_.append(objective.gamma(predict_fct).iloc[0])
            gammas[column] = constraints.gamma(predict_fct)
        self.lambda_vecs_ = pd.DataFrame(lambda_vecs, dtype=np.float64)
        self.gammas_ = pd.DataFrame(gammas, dtype=np.float64)
        objective_weight = 1.0 - self.constraint_weight
        losses = [
            objective_weight * self.objectives_[i]
            + self.constraint_weight * self.gammas_[grid.columns[i]].max()
            for i in range(len(self.objectives_))
        ]
        self.best_idx_ = losses.index(min(losses))

    def _check_X(self, X):
        check_is_fitted(self)
        validate_data(self, X, skip_check_array=True, reset=False)
        return X

    def predict(self, X) -> np.ndarray:
        """Predictions of the best candidate."""
        return self.predictors_[self.best_idx_].predict(self._check_X(X))

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of the best candidate."""
        return self.predictors_[self.best_idx_].predict_proba(self._check_X(X))

    def _candidate_outputs(self, X, output: Callable) -> np.ndarray:
        X = self._check_X(X)
        shared = None
        if self.shared_steps_ is not None:
            # Transform once for all candidates instead of once per Pipeline.
            shared = self.shared_steps_.transform(X)
        rows = []
        for predictor in self.predictors_:
            if shared is not None and isinstance(predictor, Pipeline):
                rows.append(output(predictor.steps[-1][1], shared))
            else:
                rows.append(output(predictor, X))
        return np.vstack(rows)

    def candidate_predictions(self, X) -> np.ndarray:
        """Predictions of every candidate.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_candidates, n_samples)
        """
        return self._candidate_outputs(X, lambda model, data: np.asarray(model.predict(data)))

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def candidate_scores(self, X) -> np.ndarray:
        """Probability of class 1 under every candidate (0 or 1 for constant candidates).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_candidates, n_samples)
        """
        return self._candidate_outputs(X, positive_scores)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = "classifier"
        tags.classifier_tags = inner.classifier_tags
        tags.input_tags = inner.input_tags
        tags.target_tags.required = True
        return tags


def _same_array(a, b) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)
    return False
