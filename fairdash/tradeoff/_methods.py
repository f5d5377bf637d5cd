"""How each method of the catalogue runs on a split and becomes measured models.

A :class:`MethodRun` holds what the methods of one run share (the split's
parts, the unmitigated model post-processing starts from); each runner fits
one method and returns its models as :class:`ModelResult` s.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.pipeline import Pipeline

from fairdash._errors import InputError
from fairdash._problem import Problem
from fairdash.metrics import group_metrics, regression_group_metrics
from fairdash.models import make_model, positive_scores
from fairdash.tradeoff._catalogue import CATALOGUE, MethodConfig
from fairdash.tradeoff._feature_space_methods import FEATURE_SPACE_RUNNERS
from fairdash.tradeoff._grid_defaults import grid_search_note
from fairdash.tradeoff._results import ModelResult
from fairdash.tradeoff._reuse import FittedParts, SharedPreprocessing
from fairdash.tradeoff._small_groups import pool_small_groups
from fairdash.tradeoff._split import TradeoffSplit

__all__ = ["RUNNERS", "MethodRun", "Report", "n_models"]

class Report(Protocol):
    """``report(count, message)``: ``count`` more models are done; ``partial`` (0 to 1) is
    how far the next model's fit has come (exponentiated gradient's iterations)."""

    def __call__(self, count: int, message: str, *, partial: float = 0.0) -> None: ...


class _Part:
    """Features, encoded target and sensitive columns of some rows."""

    def __init__(self, data: pd.DataFrame, problem: Problem, index: pd.Index) -> None:
        frame = data.loc[index]
        self.X = frame.loc[:, list(problem.feature_columns)]
        self.y = problem.encode_target(frame)
        self.sensitive = problem.sensitive(frame)


class MethodRun:
    """What the methods of one run share: the split parts, the preprocessing, the base model.

    When the estimator is a Pipeline whose steps before the last ignore ``y``
    and sample weights (see :func:`fairdash.mitigation._reductions.shared_prefix`),
    those steps are fitted once on the training rows and every method's model
    is built on them (:meth:`new_model`): the same models as refitting them per
    method, which fits them on the same rows.

    Parameters
    ----------
    data : pandas.DataFrame
    problem : Problem
    split : TradeoffSplit
    estimator : str or estimator
        Registry name or an unfitted estimator (cloned).
    random_state : int
    min_group_size : int
        Post-processors pool calibration groups smaller than this (see
        :mod:`fairdash.tradeoff._small_groups`).
    parts : FittedParts, optional
        The shared preprocessing and base model, when an earlier run on the same
        split and estimator fitted them (they are filled in as they are fitted).
    """

    def __init__(
        self,
        data: pd.DataFrame,
        problem: Problem,
        split: TradeoffSplit,
        estimator: str | BaseEstimator,
        random_state: int,
        min_group_size: int,
        parts: FittedParts | None = None,
    ) -> None:
        self.problem = problem
        self.classification = problem.task == "classification"
        self.random_state = random_state
        self.min_group_size = min_group_size
        self.train = _Part(data, problem, split.fit_index)
        self.test = _Part(data, problem, split.test_index)
        # Without calibration rows, post-processing calibrates on the training rows.
        self.calibration = (
            _Part(data, problem, split.calibration_fit_index)
            if len(split.calibration_index)
            else self.train
        )
        self.estimator = estimator
        self.notes: list[str] = []
        self.parts = FittedParts() if parts is None else parts
        self._base_test_scores: np.ndarray | None = None
        if self.classification and len(np.unique(self.train.y)) < 2:
            raise InputError("The training part has a single class; use more data.")

    def _estimator_copy(self) -> BaseEstimator:
        if isinstance(self.estimator, str):
            return make_model(
                self.estimator,
                self.train.X,
                task=self.problem.task,
                random_state=self.random_state,
            )
        return clone(self.estimator)

    def shared_steps(self):
        """The fitted preprocessing every method shares (fitted the first time), or None."""
        from fairdash.mitigation._reductions import shared_prefix  # imports fairlearn

        parts = self.parts
        if not parts.checked:
            prefix = shared_prefix(self._estimator_copy())
            if prefix is not None:
                fitted = clone(prefix)
                output = fitted.fit_transform(self.train.X)  # fitting transforms anyway
                fitted.steps = [(n, SharedPreprocessing(s)) for n, s in fitted.steps]
                if len(fitted.steps) == 1:
                    fitted.steps[0][1].remember(self.train.X, output)
                parts.shared_steps = fitted
            parts.checked = True
        steps = parts.shared_steps
        if steps is not None:
            steps.steps[0][1].remember(self.train.X)  # every method transforms these rows
        return steps

    def forget(self) -> None:
        """Drop the training features the shared preprocessing kept during the run."""
        if self.parts.shared_steps is not None:
            for _, step in self.parts.shared_steps.steps:
                step.forget()

    def new_model(self, *, share_preprocessing: bool = True) -> BaseEstimator:
        """An unfitted copy of the estimator, on the run's fitted preprocessing if shared.

        ``share_preprocessing=False``: with its own preprocessing, for a method
        that fits it on other rows than the training rows (a resample).
        """
        from fairdash.mitigation._reductions import assemble_pipeline

        model = self._estimator_copy()
        steps = self.shared_steps() if share_preprocessing else None
        if steps is None:
            return model
        return assemble_pipeline(model, steps, model.steps[-1][1])

    def split_model(self) -> tuple[BaseEstimator | None, BaseEstimator]:
        """The preprocessing and final estimator of a new model (None: no preprocessing)."""
        model = self.new_model()
        if isinstance(model, Pipeline) and len(model.steps) > 1:
            return model[:-1], model.steps[-1][1]
        return None, model

    def base(self) -> tuple[object, float]:
        """The unmitigated model fitted on the training rows, and its fit seconds."""
        if self.parts.base is None:
            start = time.perf_counter()
            model = self.new_model()  # the shared preprocessing's fit counts here
            model.fit(self.train.X, self.train.y)
            self.parts.base = (model, time.perf_counter() - start)
        return self.parts.base

    def scores(self, model, X, **predict_params) -> np.ndarray:
        """Positive-class probabilities (classification) or predictions (regression)."""
        if self.classification:
            return positive_scores(model, X, **predict_params)
        return np.asarray(model.predict(X, **predict_params), dtype=np.float64)

    def base_test_scores(self) -> np.ndarray:
        if self._base_test_scores is None:
            self._base_test_scores = self.scores(self.base()[0], self.test.X)
        return self._base_test_scores

    def note(self, note: str | None) -> None:
        """Add a note for the user (once)."""
        if note is not None and note not in self.notes:
            self.notes.append(note)

    def pooled_sensitive(
        self, method: str, *, fit: _Part, required_labels: tuple = (), on_test: bool = True
    ):
        """The fitting and test rows' sensitive columns with too-small groups pooled.

        ``fit`` is the part the mitigator is fitted on; ``on_test``: whether it
        also takes the test rows' groups (post-processors). A note names what
        was pooled.
        """
        rows = "calibration" if fit is self.calibration else "training"
        pooling = pool_small_groups(
            fit.sensitive,
            min_group_size=self.min_group_size,
            labels=fit.y,
            required_labels=required_labels,
            rows=rows,
        )
        unseen = pooling.unseen(self.test.sensitive) if on_test else []
        self.note(pooling.note(method, unseen=unseen))
        test = pooling.apply(self.test.sensitive) if on_test else None
        return pooling.apply(fit.sensitive), test

    def result(
        self,
        *,
        name: str,
        method: str,
        params: dict,
        y_pred,
        y_score,
        fit_seconds: float,
        model: object,
        is_unmitigated: bool = False,
    ) -> ModelResult:
        """A ModelResult with the test metrics of ``y_pred`` (and ``y_score``)."""
        if self.classification:
            y_pred = np.asarray(y_pred).astype(np.int64)
            y_score = None if y_score is None else np.asarray(y_score, dtype=np.float64)
            metrics = group_metrics(self.test.y, y_pred, self.test.sensitive, y_score=y_score)
        else:
            y_pred = np.asarray(y_pred, dtype=np.float64)
            y_score = None
            metrics = regression_group_metrics(self.test.y, y_pred, self.test.sensitive)
        return ModelResult(
            name=name,
            method=method,
            params=params,
            y_pred=y_pred,
            y_score=y_score,
            metrics=metrics,
            fit_seconds=float(fit_seconds),
            is_unmitigated=is_unmitigated,
            model=model,
        )

    def fitted_result(
        self, config: MethodConfig, model, seconds: float, *, is_unmitigated: bool = False,
        **predict_params,
    ) -> ModelResult:
        """The result of a model that predicts the test rows (X, and ``predict_params``)."""
        X = self.test.X
        return self.result(
            name=config.name,
            method=config.method,
            params=config.resolved_params(),
            y_pred=model.predict(X, **predict_params),
            y_score=self.scores(model, X, **predict_params) if self.classification else None,
            fit_seconds=seconds,
            model=model,
            is_unmitigated=is_unmitigated,
        )


def _run_unmitigated(run: MethodRun, config: MethodConfig, report: Report) -> list[ModelResult]:
    model, seconds = run.base()
    result = run.fitted_result(config, model, seconds, is_unmitigated=True)
    report(1, config.name)
    return [result]


def _run_reweighing(run: MethodRun, config: MethodConfig, report: Report) -> list[ModelResult]:
    from fairdash.mitigation import Reweighing
    from fairdash.mitigation._reweighing import sample_weight_key

    estimator = run.new_model()
    if sample_weight_key(estimator) is None:
        # Fitted on a resample: its preprocessing too, as without sharing.
        estimator = run.new_model(share_preprocessing=False)
    model = Reweighing(estimator, random_state=run.random_state)
    start = time.perf_counter()
    model.fit(run.train.X, run.train.y, sensitive_features=run.train.sensitive)
    result = run.fitted_result(config, model, time.perf_counter() - start)
    report(1, config.name)
    return [result]


def _run_correlation_remover(run: MethodRun, config: MethodConfig, report: Report):
    from fairdash.mitigation import DecorrelatedEstimator

    params = config.resolved_params()
    preprocessor, final = run.split_model()
    model = DecorrelatedEstimator(final, preprocessor=preprocessor, alpha=float(params["alpha"]))
    start = time.perf_counter()
    model.fit(run.train.X, run.train.y, sensitive_features=run.train.sensitive)
    seconds = time.perf_counter() - start
    result = run.fitted_result(config, model, seconds, sensitive_features=run.test.sensitive)
    report(1, config.name)
    return [result]


def _run_linear_ferm(run: MethodRun, config: MethodConfig, report: Report) -> list[ModelResult]:
    from fairdash.mitigation import LinearFERM

    preprocess, final = run.split_model()
    # Every group needs positive examples: groups without (or tiny ones) are pooled.
    train_sensitive, _ = run.pooled_sensitive(
        config.name, fit=run.train, required_labels=(1,), on_test=False
    )
    start = time.perf_counter()
    train_X = run.train.X if preprocess is None else preprocess.fit_transform(run.train.X)
    ferm = LinearFERM(final).fit(train_X, run.train.y, sensitive_features=train_sensitive)
    # A Pipeline of fitted steps: LinearFERM predicts from the features alone.
    model = ferm if preprocess is None else Pipeline([("preprocess", preprocess), ("ferm", ferm)])
    result = run.fitted_result(config, model, time.perf_counter() - start)
    report(1, config.name)
    return [result]


def _lambda_dict(lambda_vec: pd.Series) -> dict[str, float]:
    return {
        " ".join(map(str, key)) if isinstance(key, tuple) else str(key): float(value)
        for key, value in lambda_vec.items()
    }


def _run_grid_search(run: MethodRun, config: MethodConfig, report: Report) -> list[ModelResult]:
    from fairdash.mitigation import ParallelGridSearch

    params = config.resolved_params()
    n_groups = len(run.train.sensitive.drop_duplicates())
    note = grid_search_note(
        n_groups, constraints=params["constraints"], grid_size=int(params["grid_size"])
    )
    run.note(None if note is None else f"{config.name}: {note}")
    search = ParallelGridSearch(
        run.new_model(),
        constraints=params["constraints"],
        grid_size=int(params["grid_size"]),
        grid_limit=float(params["grid_limit"]),
        constraint_weight=float(params["constraint_weight"]),
        n_jobs=params["n_jobs"],
    )
    reported = [0]

    def candidate_done(done: int, total: int) -> None:
        if done > reported[0]:
            report(done - reported[0], f"{config.name}: {done} of {total} candidates")
            reported[0] = done

    search.fit(
        run.train.X, run.train.y, sensitive_features=run.train.sensitive, progress=candidate_done
    )
    predictions = search.candidate_predictions(run.test.X)
    scores = search.candidate_scores(run.test.X)
    results = []
    for i, column in enumerate(search.lambda_vecs_.columns):
        results.append(
            run.result(
                name=f"{config.name} #{i}",
                method=config.method,
                params={
                    **params,
                    "candidate": i,
                    "best": i == search.best_idx_,
                    "lambda": _lambda_dict(search.lambda_vecs_[column]),
                },
                y_pred=predictions[i],
                y_score=scores[i],
                fit_seconds=search.oracle_execution_times_[i],
                model=search.predictors_[i],
            )
        )
    return results


def _run_exponentiated_gradient(run: MethodRun, config: MethodConfig, report: Report):
    from fairdash.mitigation import SeededExponentiatedGradient

    params = config.resolved_params()
    model = SeededExponentiatedGradient(
        run.new_model(),
        constraints=params["constraints"],
        eps=float(params["eps"]),
        max_iter=int(params["max_iter"]),
        random_state=run.random_state,
    )

    def iteration(number: int, most: int) -> None:
        # The share of the iteration budget used moves the bar within this model's step.
        report(0, f"{config.name}: iteration {number} (at most {most})", partial=number / most)

    start = time.perf_counter()
    model.fit(
        run.train.X, run.train.y, sensitive_features=run.train.sensitive, progress=iteration
    )
    seconds = time.perf_counter() - start
    result = run.fitted_result(config, model, seconds)
    report(1, f"{config.name}: {model.n_iter_} iterations")
    return [result]


def _run_threshold_optimizer(run: MethodRun, config: MethodConfig, report: Report):
    from fairdash.mitigation import GroupThresholdOptimizer

    params = config.resolved_params()
    tolerances = params["tolerances"]
    if params["constraints"] == "equalized_odds" and any(t is not None for t in tolerances):
        raise InputError(
            "The threshold optimizer cannot relax equalized odds; use tolerances [None]."
        )
    base, _ = run.base()
    cal, test = run.calibration, run.test
    cal_sensitive, test_sensitive = run.pooled_sensitive(
        config.name, fit=cal, required_labels=(0, 1)
    )
    results = []
    for tol in tolerances:
        model = GroupThresholdOptimizer(
            base,
            constraints=params["constraints"],
            objective=params["objective"],
            grid_size=int(params["grid_size"]),
            flip=bool(params["flip"]),
            prefit=True,
            predict_method="predict_proba",
            tol=tol,
            random_state=run.random_state,
        )
        start = time.perf_counter()
        model.fit(cal.X, cal.y, sensitive_features=cal_sensitive)
        seconds = time.perf_counter() - start
        suffix = "exact" if tol is None else f"tol={tol:g}"
        results.append(
            run.result(
                name=f"{config.name} {suffix}",
                method=config.method,
                params={**{k: v for k, v in params.items() if k != "tolerances"}, "tol": tol},
                y_pred=model.predict(test.X, sensitive_features=test_sensitive),
                y_score=positive_scores(model, test.X, sensitive_features=test_sensitive),
                fit_seconds=seconds,
                model=model,
            )
        )
        report(1, f"{config.name} {suffix}")
    return results


def _run_barycenter(run: MethodRun, config: MethodConfig, report: Report) -> list[ModelResult]:
    from fairdash.mitigation import BarycenterMap

    params = config.resolved_params()
    alphas = params["alphas"]
    if not alphas:
        raise InputError("The barycenter sweep needs at least one alpha.")
    base, _ = run.base()
    cal = run.calibration
    test_scores = run.base_test_scores()
    cal_sensitive, test_sensitive = run.pooled_sensitive(config.name, fit=cal)
    start = time.perf_counter()
    calibration_scores = run.scores(base, cal.X)
    barycenter = BarycenterMap(random_state=run.random_state).fit(
        calibration_scores, sensitive_features=cal_sensitive
    )
    paths = barycenter.transform_path(
        test_scores, sensitive_features=test_sensitive, alphas=alphas
    )
    seconds = time.perf_counter() - start
    threshold = float(params["threshold"])
    results = []
    for alpha, fair in zip(alphas, paths, strict=True):
        if run.classification:
            y_pred, y_score = (fair >= threshold).astype(np.int64), np.clip(fair, 0.0, 1.0)
        else:
            y_pred, y_score = fair, None
        model = copy.copy(barycenter).set_params(alpha=alpha)
        results.append(
            run.result(
                name=f"{config.name} alpha={alpha:g}",
                method=config.method,
                params={"alpha": alpha, "threshold": threshold},
                y_pred=y_pred,
                y_score=y_score,
                fit_seconds=seconds,
                model=model,
            )
        )
        report(1, f"{config.name} alpha={alpha:g}")
    return results


_OWN_RUNNERS = {
    "unmitigated": _run_unmitigated,
    "reweighing": _run_reweighing,
    "correlation_remover": _run_correlation_remover,
    "linear_ferm": _run_linear_ferm,
    "grid_search": _run_grid_search,
    "exponentiated_gradient": _run_exponentiated_gradient,
    "threshold_optimizer": _run_threshold_optimizer,
    "barycenter": _run_barycenter,
}
#: The runner of each method in the catalogue, in the catalogue's order.
RUNNERS: dict[str, Callable[[MethodRun, MethodConfig, Report], list[ModelResult]]] = {
    name: {**_OWN_RUNNERS, **FEATURE_SPACE_RUNNERS}[name] for name in CATALOGUE
}


def n_models(config: MethodConfig) -> int:
    """How many models a method config makes."""
    params = config.resolved_params()
    if config.method == "grid_search":
        return int(params["grid_size"])
    if config.method == "threshold_optimizer":
        return len(params["tolerances"])
    if config.method == "barycenter":
        return len(params["alphas"])
    if config.method == "covariance_constrained":
        return len(params["factors"])
    return 1
