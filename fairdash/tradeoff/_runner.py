"""Run mitigation methods on one train/calibration/test split and measure every model.

Each method gives one or more models (every GridSearch candidate, every alpha
of a barycenter sweep, every tolerance of a threshold optimizer sweep), all
evaluated on the same test rows with the metrics engine, so they can be put
on one accuracy-versus-disparity front.
"""

from __future__ import annotations

import copy
import json
import math
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.pipeline import Pipeline

from fairdash._errors import InputError
from fairdash._problem import Problem
from fairdash._training import split_indices
from fairdash.metrics import (
    GroupMetrics,
    RegressionGroupMetrics,
    group_metrics,
    regression_group_metrics,
)
from fairdash.models import make_model
from fairdash.tradeoff._front import pareto_front

__all__ = [
    "DEFAULT_PARAMS",
    "METHODS",
    "MethodConfig",
    "ModelResult",
    "TradeoffSplit",
    "results_table",
    "run_methods",
    "split_data",
]

#: Default parameters of every method; a MethodConfig may override any of them.
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "unmitigated": {},
    "reweighing": {},
    "correlation_remover": {"alpha": 1.0},
    "linear_ferm": {},
    "grid_search": {
        "constraints": "demographic_parity",
        "grid_size": 10,
        "grid_limit": 2.0,
        "constraint_weight": 0.5,
        "n_jobs": -1,
    },
    "exponentiated_gradient": {
        "constraints": "demographic_parity",
        "eps": 0.01,
        "max_iter": 50,
    },
    "threshold_optimizer": {
        "constraints": "demographic_parity",
        "objective": "accuracy_score",
        "tolerances": [None, 0.01, 0.02, 0.05, 0.1, 0.2],
        "grid_size": 1000,
        "flip": False,
    },
    "barycenter": {"alphas": [round(i / 20, 2) for i in range(21)], "threshold": 0.5},
}
#: The method names, in a sensible display order.
METHODS: tuple[str, ...] = tuple(DEFAULT_PARAMS)
# Methods that also work for regression targets.
_REGRESSION_METHODS = frozenset({"unmitigated", "correlation_remover", "barycenter"})
# Performance metrics where lower is better.
_LOWER_IS_BETTER = frozenset(
    {"root_mean_squared_error", "mean_absolute_error", "false_positive_rate", "false_negative_rate"}
)


def _json_value(value: Any, *, key: str) -> Any:
    """``value`` as plain JSON types (numpy scalars and tuples converted)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"Parameter {key!r} must be finite, got {value!r}.")
        return value
    if isinstance(value, list | tuple | np.ndarray):
        return [_json_value(v, key=key) for v in value]
    raise InputError(
        f"Parameter {key!r} must be a number, string, boolean, None or a list of them; "
        f"got {type(value).__name__}."
    )


@dataclass(frozen=True)
class MethodConfig:
    """A mitigation method and its parameters, JSON-friendly (to save and restore).

    Parameters
    ----------
    method : str
        One of :data:`METHODS`: ``"unmitigated"``, ``"reweighing"``,
        ``"correlation_remover"``, ``"linear_ferm"``, ``"grid_search"``,
        ``"exponentiated_gradient"``, ``"threshold_optimizer"``, ``"barycenter"``.
    params : mapping, optional
        Overrides of :data:`DEFAULT_PARAMS` ``[method]``:

        - correlation_remover: ``alpha`` (1 removes all linear correlation
          with the groups);
        - grid_search: ``constraints``, ``grid_size``, ``grid_limit``,
          ``constraint_weight``, ``n_jobs``;
        - exponentiated_gradient: ``constraints``, ``eps``, ``max_iter``;
        - threshold_optimizer: ``constraints``, ``objective``, ``tolerances``
          (list; ``None`` for exact parity, one model each), ``grid_size``, ``flip``;
        - barycenter: ``alphas`` (list in [0, 1], one model each; 0 is fully
          fair, 1 the unmitigated scores) and ``threshold``.
    label : str, optional
        Name of the method's models in results (default: the method name).

    Raises
    ------
    fairdash.InputError
        For an unknown method or parameter, or a value that is not JSON-friendly.
    """

    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str | None = None

    def __post_init__(self) -> None:
        if self.method not in DEFAULT_PARAMS:
            raise InputError(
                f"Unknown method {self.method!r}; choose one of: {', '.join(METHODS)}."
            )
        defaults = DEFAULT_PARAMS[self.method]
        unknown = [k for k in self.params if k not in defaults]
        if unknown:
            allowed = ", ".join(defaults) or "none"
            raise InputError(
                f"Unknown parameter(s) {', '.join(map(repr, unknown))} for {self.method}; "
                f"allowed: {allowed}."
            )
        params = {k: _json_value(v, key=k) for k, v in self.params.items()}
        object.__setattr__(self, "params", params)

    @property
    def name(self) -> str:
        """The label, or the method name."""
        return self.label or self.method

    def resolved_params(self) -> dict[str, Any]:
        """The defaults with this config's overrides."""
        return {**copy.deepcopy(DEFAULT_PARAMS[self.method]), **copy.deepcopy(self.params)}

    def to_dict(self) -> dict[str, Any]:
        """``{"method", "params", "label"}`` with all parameters resolved (JSON-friendly)."""
        return {"method": self.method, "params": self.resolved_params(), "label": self.label}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MethodConfig:
        """The config saved by :meth:`to_dict`."""
        if "method" not in data:
            raise InputError("A method configuration needs a 'method'.")
        return cls(
            method=data["method"], params=dict(data.get("params") or {}), label=data.get("label")
        )


@dataclass
class ModelResult:
    """One model of the trade-off and its test metrics.

    Attributes
    ----------
    name : str
        Unique within one run, e.g. ``"grid_search #3"`` or ``"barycenter alpha=0.25"``.
    method : str
        The method that made it.
    params : dict
        What distinguishes it, JSON-friendly (e.g. ``{"alpha": 0.25}``, or a
        candidate's index and Lagrange multipliers).
    y_pred : numpy.ndarray
        Test predictions (0/1, or values for regression).
    y_score : numpy.ndarray or None
        Test scores (probability of 1 for classifiers; None for regression).
    metrics : GroupMetrics or RegressionGroupMetrics
        From :func:`fairdash.metrics.group_metrics` /
        :func:`~fairdash.metrics.regression_group_metrics` on the test rows.
    fit_seconds : float
        Fitting time: the candidate's own fit for grid search, the whole
        sweep's for barycenter and threshold optimizer models (shared), not
        counting the unmitigated model that post-processing starts from.
    is_unmitigated : bool
        Whether this is the unmitigated model.
    model : object or None
        The fitted model. For barycenter models, the calibrated
        :class:`~fairdash.mitigation.BarycenterMap` (with its alpha) that maps
        the unmitigated model's scores.
    uid : str
        A random identity given when the result is created (new for every
        model, also one retrained with the same name), to key caches by.
    """

    name: str
    method: str
    params: dict[str, Any]
    y_pred: np.ndarray
    y_score: np.ndarray | None
    metrics: GroupMetrics | RegressionGroupMetrics
    fit_seconds: float
    is_unmitigated: bool = False
    model: object | None = field(default=None, repr=False)
    uid: str = field(default_factory=lambda: uuid.uuid4().hex, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary: names, parameters, overall metrics and disparities."""
        return {
            "name": self.name,
            "method": self.method,
            "params": self.params,
            "fit_seconds": self.fit_seconds,
            "is_unmitigated": self.is_unmitigated,
            "overall": {k: _finite_or_none(v) for k, v in self.metrics.overall.items()},
            "disparities": {
                k: v if isinstance(v, bool) else _finite_or_none(v)
                for k, v in self.metrics.disparities().items()
            },
        }


def _finite_or_none(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class TradeoffSplit:
    """Rows of a train / calibration / test split (labels of the data's index).

    The test rows are those :func:`fairdash.train_model` uses with the same
    ``test_size`` and ``random_state``; the calibration rows (for
    post-processing) are split off the rest, stratified the same way.
    """

    train_index: pd.Index
    calibration_index: pd.Index
    test_index: pd.Index


def _strata(problem: Problem, frame: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    # The strata of fairdash.train_model (group, and class for classification),
    # so the test rows are the same as a training run's.
    sensitive = problem.sensitive(frame)
    codes = np.zeros(len(frame), dtype=np.int64)
    for name in sensitive.columns:
        cat = sensitive[name].cat
        codes = codes * len(cat.categories) + cat.codes.to_numpy(dtype=np.int64)
    return codes * 2 + y if problem.task == "classification" else codes


def split_data(
    data: pd.DataFrame,
    problem: Problem,
    *,
    test_size: float = 0.3,
    calibration_size: float = 0.2,
    random_state: int = 0,
) -> TradeoffSplit:
    """Split the usable rows into train, calibration and test parts.

    Parameters
    ----------
    data : pandas.DataFrame
    problem : Problem
    test_size : float, default=0.3
        Share of the rows in the test part.
    calibration_size : float, default=0.2
        Share of the rows in the calibration part (0: none; post-processing then
        calibrates on the training rows).
    random_state : int, default=0

    Returns
    -------
    TradeoffSplit
    """
    if not 0.0 <= calibration_size < 1.0 or test_size + calibration_size >= 1.0:
        raise InputError(
            f"The calibration share must be at least 0 and leave rows to train on; got "
            f"calibration {calibration_size} with test {test_size}."
        )
    rows = problem.usable_rows(data)
    frame = data.loc[rows]
    y = problem.encode_target(frame)
    strata = _strata(problem, frame, y)
    rest, test = split_indices(strata, test_size=test_size, random_state=random_state)
    calibration = np.array([], dtype=np.int64)
    if calibration_size > 0:
        share = calibration_size / (1.0 - test_size)
        fit, cal = split_indices(strata[rest], test_size=share, random_state=random_state)
        rest, calibration = rest[fit], rest[cal]
    return TradeoffSplit(
        train_index=frame.index[rest],
        calibration_index=frame.index[calibration],
        test_index=frame.index[test],
    )


class _Part:
    """Features, encoded target and sensitive columns of some rows."""

    def __init__(self, data: pd.DataFrame, problem: Problem, index: pd.Index) -> None:
        frame = data.loc[index]
        self.X = frame.loc[:, list(problem.feature_columns)]
        self.y = problem.encode_target(frame)
        self.sensitive = problem.sensitive(frame)


class _Run:
    """Shared state of one run: the split parts and the unmitigated base model."""

    def __init__(
        self,
        data: pd.DataFrame,
        problem: Problem,
        split: TradeoffSplit,
        estimator: str | BaseEstimator,
        random_state: int,
    ) -> None:
        self.problem = problem
        self.classification = problem.task == "classification"
        self.random_state = random_state
        self.train = _Part(data, problem, split.train_index)
        self.test = _Part(data, problem, split.test_index)
        # Without calibration rows, post-processing calibrates on the training rows.
        self.calibration = (
            _Part(data, problem, split.calibration_index)
            if len(split.calibration_index)
            else self.train
        )
        self.estimator = estimator
        self._base: tuple[object, float] | None = None
        self._base_test_scores: np.ndarray | None = None
        if self.classification and len(np.unique(self.train.y)) < 2:
            raise InputError("The training part has a single class; use more data.")

    def new_model(self) -> BaseEstimator:
        """An unfitted copy of the estimator."""
        if isinstance(self.estimator, str):
            return make_model(
                self.estimator,
                self.train.X,
                task=self.problem.task,
                random_state=self.random_state,
            )
        return clone(self.estimator)

    def split_model(self) -> tuple[BaseEstimator | None, BaseEstimator]:
        """The preprocessing and final estimator of a new model (None: no preprocessing)."""
        model = self.new_model()
        if isinstance(model, Pipeline) and len(model.steps) > 1:
            return model[:-1], model.steps[-1][1]
        return None, model

    def base(self) -> tuple[object, float]:
        """The unmitigated model fitted on the training rows, and its fit seconds."""
        if self._base is None:
            model = self.new_model()
            start = time.perf_counter()
            model.fit(self.train.X, self.train.y)
            self._base = (model, time.perf_counter() - start)
        return self._base

    def scores(self, model, X) -> np.ndarray:
        """Positive-class probabilities (classification) or predictions (regression)."""
        from fairdash.mitigation._grid_search import positive_scores

        if self.classification:
            return positive_scores(model, X)
        return np.asarray(model.predict(X), dtype=np.float64)

    def base_test_scores(self) -> np.ndarray:
        if self._base_test_scores is None:
            self._base_test_scores = self.scores(self.base()[0], self.test.X)
        return self._base_test_scores

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

    def fitted_result(self, config: MethodConfig, model, seconds: float, **extra) -> ModelResult:
        """The result of a model that predicts from X alone."""
        X = self.test.X
        return self.result(
            name=config.name,
            method=config.method,
            params=config.resolved_params(),
            y_pred=model.predict(X),
            y_score=self.scores(model, X) if self.classification else None,
            fit_seconds=seconds,
            model=model,
            **extra,
        )


Report = Callable[[int, str], None]


def _run_unmitigated(run: _Run, config: MethodConfig, report: Report) -> list[ModelResult]:
    model, seconds = run.base()
    result = run.fitted_result(config, model, seconds, is_unmitigated=True)
    report(1, config.name)
    return [result]


def _run_reweighing(run: _Run, config: MethodConfig, report: Report) -> list[ModelResult]:
    from fairdash.mitigation import Reweighing

    model = Reweighing(run.new_model(), random_state=run.random_state)
    start = time.perf_counter()
    model.fit(run.train.X, run.train.y, sensitive_features=run.train.sensitive)
    result = run.fitted_result(config, model, time.perf_counter() - start)
    report(1, config.name)
    return [result]


class _DecorrelatedModel:
    """Preprocess, remove the features' linear correlation with the groups, then fit.

    fairlearn's CorrelationRemover works on numeric columns, so it runs after
    the preprocessing (scaled numerics, one-hot categoricals) on those
    features plus one indicator column per intersectional group, which it
    drops from its output.
    """

    def __init__(self, preprocess, estimator, *, alpha: float) -> None:
        self.preprocess = preprocess
        self.estimator = estimator
        self.alpha = alpha

    def _features(self, X, sensitive_features, *, fit: bool) -> np.ndarray:
        from fairdash.mitigation._validation import encode_groups

        if self.preprocess is None:
            features = X
        elif fit:
            features = self.preprocess.fit_transform(X)
        else:
            features = self.preprocess.transform(X)
        if hasattr(features, "toarray"):
            features = features.toarray()
        features = np.asarray(features, dtype=np.float64)
        groups = encode_groups(sensitive_features, n_rows=features.shape[0])
        if fit:
            self.groups_ = groups.keys
        position = {key: i for i, key in enumerate(self.groups_)}
        indicators = np.zeros((features.shape[0], len(self.groups_)))
        for code, key in enumerate(groups.keys):
            if key in position:  # a group unseen in fit has no indicator set
                indicators[groups.codes == code, position[key]] = 1.0
        return np.hstack([features, indicators])

    def fit(self, X, y, *, sensitive_features) -> _DecorrelatedModel:
        from fairlearn.preprocessing import CorrelationRemover

        if not (0.0 <= self.alpha <= 1.0):
            raise InputError(f"alpha must be between 0 and 1, got {self.alpha!r}.")
        combined = self._features(X, sensitive_features, fit=True)
        n_features = combined.shape[1] - len(self.groups_)
        self.remover_ = CorrelationRemover(
            sensitive_feature_ids=list(range(n_features, combined.shape[1])), alpha=self.alpha
        )
        self.estimator_ = clone(self.estimator).fit(self.remover_.fit_transform(combined), y)
        return self

    def _transform(self, X, sensitive_features) -> np.ndarray:
        return self.remover_.transform(self._features(X, sensitive_features, fit=False))

    def predict(self, X, *, sensitive_features) -> np.ndarray:
        return self.estimator_.predict(self._transform(X, sensitive_features))

    def predict_proba(self, X, *, sensitive_features) -> np.ndarray:
        return self.estimator_.predict_proba(self._transform(X, sensitive_features))


def _run_correlation_remover(run: _Run, config: MethodConfig, report: Report):
    from fairdash.mitigation._grid_search import positive_scores

    params = config.resolved_params()
    preprocess, final = run.split_model()
    model = _DecorrelatedModel(preprocess, final, alpha=float(params["alpha"]))
    start = time.perf_counter()
    model.fit(run.train.X, run.train.y, sensitive_features=run.train.sensitive)
    seconds = time.perf_counter() - start
    X, sensitive = run.test.X, run.test.sensitive
    features = model._transform(X, sensitive)
    y_score = positive_scores(model.estimator_, features) if run.classification else None
    result = run.result(
        name=config.name,
        method=config.method,
        params=params,
        y_pred=model.estimator_.predict(features),
        y_score=y_score,
        fit_seconds=seconds,
        model=model,
    )
    report(1, config.name)
    return [result]


def _run_linear_ferm(run: _Run, config: MethodConfig, report: Report) -> list[ModelResult]:
    from fairdash.mitigation import LinearFERM

    preprocess, final = run.split_model()
    start = time.perf_counter()
    train_X = run.train.X if preprocess is None else preprocess.fit_transform(run.train.X)
    ferm = LinearFERM(final).fit(train_X, run.train.y, sensitive_features=run.train.sensitive)
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


def _run_grid_search(run: _Run, config: MethodConfig, report: Report) -> list[ModelResult]:
    from fairdash.mitigation._grid_search import ParallelGridSearch

    params = config.resolved_params()
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


def _run_exponentiated_gradient(run: _Run, config: MethodConfig, report: Report):
    from fairdash.mitigation._exponentiated_gradient import SeededExponentiatedGradient

    params = config.resolved_params()
    model = SeededExponentiatedGradient(
        run.new_model(),
        constraints=params["constraints"],
        eps=float(params["eps"]),
        max_iter=int(params["max_iter"]),
        random_state=run.random_state,
    )
    start = time.perf_counter()
    model.fit(run.train.X, run.train.y, sensitive_features=run.train.sensitive)
    result = run.fitted_result(config, model, time.perf_counter() - start)
    report(1, config.name)
    return [result]


def _run_threshold_optimizer(run: _Run, config: MethodConfig, report: Report):
    from fairdash.mitigation._threshold import GroupThresholdOptimizer

    params = config.resolved_params()
    tolerances = params["tolerances"]
    if params["constraints"] == "equalized_odds" and any(t is not None for t in tolerances):
        raise InputError(
            "The threshold optimizer cannot relax equalized odds; use tolerances [None]."
        )
    base, _ = run.base()
    cal, test = run.calibration, run.test
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
        model.fit(cal.X, cal.y, sensitive_features=cal.sensitive)
        seconds = time.perf_counter() - start
        suffix = "exact" if tol is None else f"tol={tol:g}"
        results.append(
            run.result(
                name=f"{config.name} {suffix}",
                method=config.method,
                params={**{k: v for k, v in params.items() if k != "tolerances"}, "tol": tol},
                y_pred=model.predict(test.X, sensitive_features=test.sensitive),
                y_score=model.predict_proba(test.X, sensitive_features=test.sensitive)[:, 1],
                fit_seconds=seconds,
                model=model,
            )
        )
        report(1, f"{config.name} {suffix}")
    return results


def _run_barycenter(run: _Run, config: MethodConfig, report: Report) -> list[ModelResult]:
    from fairdash.mitigation import BarycenterMap

    params = config.resolved_params()
    alphas = params["alphas"]
    if not alphas:
        raise InputError("The barycenter sweep needs at least one alpha.")
    base, _ = run.base()
    cal, test = run.calibration, run.test
    test_scores = run.base_test_scores()
    start = time.perf_counter()
    calibration_scores = run.scores(base, cal.X)
    barycenter = BarycenterMap(random_state=run.random_state).fit(calibration_scores, cal.sensitive)
    paths = barycenter.transform_path(test_scores, test.sensitive, alphas)
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


_RUNNERS: dict[str, Callable[[_Run, MethodConfig, Report], list[ModelResult]]] = {
    "unmitigated": _run_unmitigated,
    "reweighing": _run_reweighing,
    "correlation_remover": _run_correlation_remover,
    "linear_ferm": _run_linear_ferm,
    "grid_search": _run_grid_search,
    "exponentiated_gradient": _run_exponentiated_gradient,
    "threshold_optimizer": _run_threshold_optimizer,
    "barycenter": _run_barycenter,
}


def _n_models(config: MethodConfig) -> int:
    params = config.resolved_params()
    if config.method == "grid_search":
        return int(params["grid_size"])
    if config.method == "threshold_optimizer":
        return len(params["tolerances"])
    if config.method == "barycenter":
        return len(params["alphas"])
    return 1


def _as_config(method: MethodConfig | Mapping | str) -> MethodConfig:
    if isinstance(method, MethodConfig):
        return method
    if isinstance(method, str):
        return MethodConfig(method)
    if isinstance(method, Mapping):
        return MethodConfig.from_dict(method)
    raise InputError(f"A method must be a MethodConfig, a dict or a name, got {method!r}.")


def run_methods(
    data: pd.DataFrame,
    problem: Problem,
    *,
    methods: Sequence[MethodConfig | Mapping | str],
    estimator: str | BaseEstimator = "logistic_regression",
    test_size: float = 0.3,
    calibration_size: float = 0.2,
    random_state: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
    split: TradeoffSplit | None = None,
) -> list[ModelResult]:
    """Run mitigation methods on one split and measure every resulting model on the test rows.

    Every model-fitting method (unmitigated, reweighing, correlation remover,
    linear FERM, grid search, exponentiated gradient) fits on the training
    rows; post-processing (threshold optimizer, barycenter) starts from the
    unmitigated model fitted on the training rows and calibrates on the
    calibration rows. The sensitive features given to the mitigators are the
    problem's sensitive columns (categoricals, combined into intersectional
    groups).

    Parameters
    ----------
    data : pandas.DataFrame
    problem : Problem
        From :func:`fairdash.define_problem`. Regression supports
        ``"unmitigated"``, ``"correlation_remover"`` and ``"barycenter"``.
    methods : sequence of MethodConfig, dict or str
        The methods to run, in order (a dict as :meth:`MethodConfig.to_dict`
        gives, a str a method with its defaults).
    estimator : str or estimator, default="logistic_regression"
        Registry name (see :func:`fairdash.models.estimator_names`) or an
        unfitted estimator (cloned).
    test_size : float, default=0.3
    calibration_size : float, default=0.2
        Share of the rows that calibrate post-processing (0: the training rows do).
    random_state : int, default=0
        Seed of the split, the models and the randomized predictions.
    progress : callable, optional
        Called as ``progress(done, total, message)`` as models are finished.
    split : TradeoffSplit, optional
        The rows to use, from :func:`split_data` (so a caller that needs the
        test rows splits once); by default ``split_data`` with ``test_size``,
        ``calibration_size`` and ``random_state``.

    Returns
    -------
    list of ModelResult
        In the order of ``methods``; names are unique.

    Raises
    ------
    fairdash.InputError
        For an unknown method or parameter, a method that does not support the
        task, or data a method cannot use.
    """
    configs = [_as_config(method) for method in methods]
    if not configs:
        raise InputError("Choose at least one method.")
    if problem.task != "classification":
        unsupported = [c.method for c in configs if c.method not in _REGRESSION_METHODS]
        if unsupported:
            raise InputError(
                f"{', '.join(dict.fromkeys(unsupported))} work(s) for binary classification "
                f"only; for regression choose among: {', '.join(sorted(_REGRESSION_METHODS))}."
            )
    if split is None:
        split = split_data(
            data,
            problem,
            test_size=test_size,
            calibration_size=calibration_size,
            random_state=random_state,
        )
    run = _Run(data, problem, split, estimator, random_state)
    total = sum(_n_models(c) for c in configs)
    done = [0]

    def report(count: int, message: str) -> None:
        done[0] = min(done[0] + count, total)
        if progress is not None:
            progress(done[0], total, message)

    results: list[ModelResult] = []
    for config in configs:
        before = done[0]
        new = _RUNNERS[config.method](run, config, report)
        done[0] = before + _n_models(config)  # in case a method reported fewer steps
        results.extend(new)
    seen: dict[str, int] = {}
    for result in results:
        count = seen.get(result.name, 0)
        seen[result.name] = count + 1
        if count:
            result.name = f"{result.name} ({count + 1})"
    return results


def _metric(metrics, name: str) -> float:
    overall = metrics.overall
    if name in overall.index:
        return float(overall[name])
    disparities = metrics.disparities()
    if name in disparities:
        return float(disparities[name])
    choices = ", ".join([*overall.index, *disparities])
    raise InputError(f"Unknown metric {name!r}; choose one of: {choices}.")


def results_table(
    results: Sequence[ModelResult],
    *,
    performance: str | None = None,
    disparity: str | None = None,
    maximize_performance: bool | None = None,
) -> pd.DataFrame:
    """One row per model with a performance, a disparity and whether it is on the front.

    Parameters
    ----------
    results : sequence of ModelResult
        From :func:`run_methods`.
    performance : str, optional
        An overall metric, e.g. ``"accuracy"`` (the default for
        classification), ``"balanced_accuracy"``, or
        ``"root_mean_squared_error"`` (the default for regression).
    disparity : str, optional
        A disparity, e.g. ``"demographic_parity_difference"`` (the default for
        classification), ``"equalized_odds_difference"``, or ``"ks_distance"``
        (the default for regression). Lower is better, except for ``*_ratio``.
    maximize_performance : bool, optional
        Whether higher performance is better; by default False for error
        metrics (RMSE, MAE, FPR, FNR) and True otherwise.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``method``, ``params`` (JSON text), the performance
        and disparity columns (named after the metrics), ``fit_seconds``,
        ``is_unmitigated`` and ``on_front``.
    """
    if not results:
        raise InputError("There are no results to tabulate.")
    regression = isinstance(results[0].metrics, RegressionGroupMetrics)
    performance = performance or ("root_mean_squared_error" if regression else "accuracy")
    disparity = disparity or ("ks_distance" if regression else "demographic_parity_difference")
    if performance == disparity:
        raise InputError("Choose two different metrics for performance and disparity.")
    if maximize_performance is None:
        maximize_performance = performance not in _LOWER_IS_BETTER
    table = pd.DataFrame(
        {
            "name": [r.name for r in results],
            "method": [r.method for r in results],
            "params": [json.dumps(r.params, sort_keys=True) for r in results],
            performance: [_metric(r.metrics, performance) for r in results],
            disparity: [_metric(r.metrics, disparity) for r in results],
            "fit_seconds": [r.fit_seconds for r in results],
            "is_unmitigated": [r.is_unmitigated for r in results],
        }
    )
    table["on_front"] = pareto_front(
        table[performance],
        table[disparity],
        maximize_performance=maximize_performance,
        minimize_disparity=not disparity.endswith("_ratio"),
    )
    return table
