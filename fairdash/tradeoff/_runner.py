"""Run mitigation methods on one train/calibration/test split and measure every model.

Each method gives one or more models (every GridSearch candidate, every alpha
of a barycenter sweep, every tolerance of a threshold optimizer sweep), all
evaluated on the same test rows with the metrics engine, so they can be put
on one accuracy-versus-disparity front. Each method runs on its own: one that
cannot run is reported, and the others' models are kept.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
from sklearn.base import BaseEstimator

from fairdash._errors import InputError
from fairdash._problem import Problem
from fairdash._training import MAX_FIT_ROWS
from fairdash.tradeoff._captured_warnings import capture_warnings
from fairdash.tradeoff._catalogue import CATALOGUE, REGRESSION_METHODS, MethodConfig
from fairdash.tradeoff._methods import RUNNERS, MethodRun, n_models
from fairdash.tradeoff._results import MethodFailure, ModelResult, TradeoffResults
from fairdash.tradeoff._reuse import (
    FittedParts,
    MethodOutcome,
    RunCache,
    SharedPreprocessing,
    run_key,
)
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


def _use_base(parts: FittedParts, base: BaseEstimator, seconds: float) -> None:
    """Take a fitted unmitigated model, and its fitted preprocessing if it can be shared."""
    from fairdash.mitigation._reductions import shared_prefix  # imports fairlearn

    parts.base = (base, seconds)
    prefix = None if parts.checked else shared_prefix(base)
    if prefix is not None:
        prefix.steps = [(name, SharedPreprocessing(step)) for name, step in prefix.steps]
        parts.shared_steps, parts.checked = prefix, True


def _sample_note(split: TradeoffSplit) -> str | None:
    """What was fitted on a sample of the rows, if anything."""
    sampled = []
    if split.train_sample is not None:
        sampled.append(
            f"the models were fitted on a stratified sample (by target and group) of "
            f"{len(split.train_sample):,} of the {len(split.train_index):,} training rows"
        )
    if split.calibration_sample is not None:
        sampled.append(
            f"post-processing calibrated on a stratified sample of "
            f"{len(split.calibration_sample):,} of the {len(split.calibration_index):,} "
            "calibration rows"
        )
    if not sampled:
        return None
    return (
        f"Large data: {'; '.join(sampled)}. Every one of the {len(split.test_index):,} test "
        "rows is evaluated."
    )


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
    max_fit_rows: int | None = MAX_FIT_ROWS,
    base: BaseEstimator | None = None,
    base_fit_seconds: float = 0.0,
    cache: RunCache | None = None,
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

    What the methods share is fitted once: when the estimator is a Pipeline
    whose steps before the last ignore ``y`` and sample weights (the
    registry's preprocessing does), those steps are fitted once on the
    training rows and every model is built on them (refitting them per method
    would give the same models); post-processors start from the one
    unmitigated model. Fit seconds of the other methods leave the shared
    preprocessing out. With a ``cache``, a later run on the same split with
    the same estimator reuses the preprocessing and the unmitigated model,
    and a method whose settings were already run reuses its models (a note
    says which).

    Training rows beyond ``max_fit_rows`` are not fitted on: models fit on a
    stratified sample (by target and group) of that many training rows, and
    post-processors calibrate on such a sample of the calibration rows; every
    test row is evaluated, and a note says so.

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
        ``calibration_size``, ``random_state`` and ``max_fit_rows``.
    max_fit_rows : int or None, default=MAX_FIT_ROWS
        Fit on a stratified sample of at most this many training rows, and
        calibrate on at most this many calibration rows (None: all rows).
    base : estimator, optional
        The unmitigated model, already fitted on the split's training rows
        (``split.fit_index``) with ``estimator``: used instead of fitting it
        again (post-processors start from it; a Pipeline's fitted preprocessing
        is shared with the other methods). The caller ensures it is that model.
    base_fit_seconds : float, default=0.0
        The fit seconds reported for ``base``.
    cache : RunCache, optional
        Models of earlier runs on the same data and problem, to reuse; this
        run's models are added to it.

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
            max_fit_rows=max_fit_rows,
        )
    key = None if cache is None else run_key(data, problem, split, estimator, random_state)
    parts = FittedParts() if cache is None else cache.parts(key)
    if base is not None and parts.base is None:
        _use_base(parts, base, float(base_fit_seconds))
    min_group_size = int(min_group_size)
    outcomes = [None if cache is None else cache.method(key, c, min_group_size) for c in configs]
    run = None  # gathering the split's rows costs seconds at millions: only when fitting
    if any(outcome is None for outcome in outcomes):
        run = MethodRun(data, problem, split, estimator, random_state, min_group_size, parts)
    notes: list[str] = [] if run is None else run.notes

    def note(text: str | None) -> None:
        if text is not None and text not in notes:
            notes.append(text)

    note(_sample_note(split))
    total = sum(n_models(c) for c in configs)
    done = [0]

    def report(count: int, message: str, *, partial: float = 0.0) -> None:
        done[0] = min(done[0] + count, total)
        if progress is not None:
            # A fit under way stays short of its model's step: the step completes on its report.
            progress(done[0] + min(partial, 0.99) if partial else done[0], total, message)

    results: list[ModelResult] = []
    failures: list[MethodFailure] = []
    try:
        for config, kept in zip(configs, outcomes, strict=True):
            if kept is not None:
                results.extend(copy.copy(result) for result in kept.results)
                for text in kept.notes:
                    note(text)
                note(
                    f"{config.name}: reused from an earlier run with the same data, split, "
                    "estimator and settings (not fitted again)."
                )
                report(n_models(config), f"{config.name}: reused")
                continue
            before, n_results, n_notes = done[0], len(results), len(notes)
            warned: list[str] = []
            try:
                with capture_warnings(config.name) as warned:
                    results.extend(RUNNERS[config.method](run, config, report))
            except Exception as error:  # one method's failure must not discard the others
                failures.append(
                    MethodFailure(config.method, config.name, _failure_message(error))
                )
                done[0] = before + n_models(config)
                if progress is not None:
                    progress(done[0], total, f"{config.name}: could not run")
            else:
                if cache is not None:
                    given = [*notes[n_notes:], *(n for n in warned if n not in notes)]
                    cache.keep(key, config, min_group_size,
                               MethodOutcome([copy.copy(r) for r in results[n_results:]], given))
            notes.extend(text for text in warned if text not in notes)
            done[0] = before + n_models(config)  # in case a method reported fewer steps
    finally:
        if run is not None:
            run.forget()
    if not results:
        reasons = "; ".join(f"{CATALOGUE[f.method].label}: {f.message}" for f in failures)
        raise InputError(f"No method could run. {reasons}")
    seen: dict[str, int] = {}
    for result in results:
        count = seen.get(result.name, 0)
        seen[result.name] = count + 1
        if count:
            result.name = f"{result.name} ({count + 1})"
    return TradeoffResults(results, failures=failures, notes=notes)
