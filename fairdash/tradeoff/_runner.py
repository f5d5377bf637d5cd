"""Run mitigation methods on one train/calibration/test split and measure every model.

Each method gives one or more models (every GridSearch candidate, every alpha
of a barycenter sweep, every tolerance of a threshold optimizer sweep), all
evaluated on the same test rows with the metrics engine, so they can be put
on one accuracy-versus-disparity front. Each method runs on its own: one that
cannot run is reported, and the others' models are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd
from sklearn.base import BaseEstimator

from fairdash._errors import InputError
from fairdash._problem import Problem
from fairdash.tradeoff._captured_warnings import capture_warnings
from fairdash.tradeoff._catalogue import CATALOGUE, REGRESSION_METHODS, MethodConfig
from fairdash.tradeoff._methods import RUNNERS, MethodRun, n_models
from fairdash.tradeoff._results import MethodFailure, ModelResult, TradeoffResults
from fairdash.tradeoff._split import TradeoffSplit, split_data

__all__ = ["MIN_POSTPROCESSING_GROUP_SIZE", "run_methods"]

#: Group-wise mitigators (post-processors, linear FERM) pool groups with fewer fitting rows.
MIN_POSTPROCESSING_GROUP_SIZE = 10


def _as_config(method: MethodConfig | Mapping | str) -> MethodConfig:
    if isinstance(method, MethodConfig):
        return method
    if isinstance(method, str):
        return MethodConfig(method)
    if isinstance(method, Mapping):
        return MethodConfig.from_dict(method)
    raise InputError(f"A method must be a MethodConfig, a dict or a name, got {method!r}.")


def _failure_message(error: Exception) -> str:
    if isinstance(error, InputError):
        return str(error)
    # Data a method cannot use surfaces as upstream errors; say what it was.
    return f"{type(error).__name__}: {error}"


def run_methods(
    data: pd.DataFrame,
    problem: Problem,
    *,
    methods: Sequence[MethodConfig | Mapping | str],
    estimator: str | BaseEstimator = "logistic_regression",
    test_size: float = 0.3,
    calibration_size: float = 0.2,
    random_state: int = 0,
    min_group_size: int = MIN_POSTPROCESSING_GROUP_SIZE,
    progress: Callable[[int, int, str], None] | None = None,
    split: TradeoffSplit | None = None,
) -> TradeoffResults:
    """Run mitigation methods on one split and measure every resulting model on the test rows.

    Every model-fitting method (unmitigated, reweighing, correlation remover,
    linear FERM, grid search, exponentiated gradient) fits on the training
    rows; post-processing (threshold optimizer, barycenter) starts from the
    unmitigated model fitted on the training rows and calibrates on the
    calibration rows. The sensitive features given to the mitigators are the
    problem's sensitive columns (categoricals, combined into intersectional
    groups).

    Each method runs on its own: a method that fails (e.g. linear FERM with a
    non-linear estimator) is listed in the result's ``failures`` with the
    reason, and the other methods' models are kept. Group-wise mitigators fit
    the groups with fewer than ``min_group_size`` fitting rows, or without an
    outcome they need, as one pooled group: the post-processors (calibration
    rows; the threshold optimizer needs both outcomes, and groups with no
    calibration row are pooled too) and linear FERM (training rows; it needs
    positives). The rule is in :mod:`fairdash.tradeoff._small_groups`; the
    result's ``notes`` name the groups.

    What scikit-learn and fairlearn warn about while a method runs (e.g. a
    solver that did not converge, a grid too coarse for its dimensions) is
    in the ``notes`` too, each starting with the method's name, and so is a
    grid search that is the wrong tool for the number of groups (see
    :func:`grid_search_note`).

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
    min_group_size : int, default=10
        Group-wise mitigators pool groups with fewer fitting rows than this.
    progress : callable, optional
        Called as ``progress(done, total, message)`` as models are finished,
        and as a long fit advances (exponentiated gradient's iterations) with
        a fractional ``done``: the models finished plus the share of the fit's
        iteration budget used.
    split : TradeoffSplit, optional
        The rows to use, from :func:`split_data` (so a caller that needs the
        test rows splits once); by default ``split_data`` with ``test_size``,
        ``calibration_size`` and ``random_state``.

    Returns
    -------
    TradeoffResults
        A list of :class:`ModelResult` in the order of ``methods`` (names are
        unique), with ``failures`` (:class:`MethodFailure`: the methods that
        could not run, and why) and ``notes`` (str, each starting with a method's name).

    Raises
    ------
    fairdash.InputError
        For an unknown method or parameter, a method that does not support the
        task, data no split or model can be made of, or when no method could run.

    Examples
    --------
    >>> import fairdash
    >>> from fairdash import datasets
    >>> adult = datasets.load("adult").sample(2000, random_state=0)
    >>> problem = fairdash.define_problem(
    ...     adult, target="income", sensitive_features=["sex"], positive_label=">50K"
    ... )
    >>> results = run_methods(
    ...     adult, problem, methods=["unmitigated", {"method": "barycenter",
    ...     "params": {"alphas": [0.0, 1.0]}}]
    ... )
    >>> [r.name for r in results], results.failures
    (['unmitigated', 'barycenter alpha=0', 'barycenter alpha=1'], [])
    """
    configs = [_as_config(method) for method in methods]
    if not configs:
        raise InputError("Choose at least one method.")
    if problem.task != "classification":
        unsupported = [c.method for c in configs if c.method not in REGRESSION_METHODS]
        if unsupported:
            raise InputError(
                f"{', '.join(dict.fromkeys(unsupported))} work(s) for binary classification "
                f"only; for regression choose among: {', '.join(sorted(REGRESSION_METHODS))}."
            )
    if split is None:
        split = split_data(
            data,
            problem,
            test_size=test_size,
            calibration_size=calibration_size,
            random_state=random_state,
        )
    run = MethodRun(data, problem, split, estimator, random_state, int(min_group_size))
    total = sum(n_models(c) for c in configs)
    done = [0]

    def report(count: int, message: str, *, partial: float = 0.0) -> None:
        done[0] = min(done[0] + count, total)
        if progress is not None:
            # A fit under way stays short of its model's step: the step completes on its report.
            progress(done[0] + min(partial, 0.99) if partial else done[0], total, message)

    results: list[ModelResult] = []
    failures: list[MethodFailure] = []
    for config in configs:
        before = done[0]
        warned: list[str] = []
        try:
            with capture_warnings(config.name) as warned:
                results.extend(RUNNERS[config.method](run, config, report))
        except Exception as error:  # one method's failure must not discard the others
            failures.append(MethodFailure(config.method, config.name, _failure_message(error)))
            done[0] = before + n_models(config)
            if progress is not None:
                progress(done[0], total, f"{config.name}: could not run")
        run.notes.extend(note for note in warned if note not in run.notes)
        done[0] = before + n_models(config)  # in case a method reported fewer steps
    if not results:
        reasons = "; ".join(f"{CATALOGUE[f.method].label}: {f.message}" for f in failures)
        raise InputError(f"No method could run. {reasons}")
    seen: dict[str, int] = {}
    for result in results:
        count = seen.get(result.name, 0)
        seen[result.name] = count + 1
        if count:
            result.name = f"{result.name} ({count + 1})"
    return TradeoffResults(results, failures=failures, notes=run.notes)
