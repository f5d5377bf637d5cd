"""What a trade-off run gives: one result per model, the methods that could not run, notes."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash.metrics import GroupMetrics, RegressionGroupMetrics
from fairdash.tradeoff._front import pareto_front

__all__ = ["MethodFailure", "ModelResult", "TradeoffResults", "results_table"]

# Performance metrics where lower is better.
_LOWER_IS_BETTER = frozenset(
    {"root_mean_squared_error", "mean_absolute_error", "false_positive_rate", "false_negative_rate"}
)


def _finite_or_none(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


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


@dataclass(frozen=True)
class MethodFailure:
    """A method that could not run, and why.

    Attributes
    ----------
    method : str
        The method, e.g. ``"linear_ferm"``.
    name : str
        Its label in this run (the method name unless the config set a label).
    message : str
        What went wrong, for the user.
    """

    method: str
    name: str
    message: str


class TradeoffResults(list):
    """The models of a run (a list of :class:`ModelResult`), with what else happened.

    A list, so everything that takes the models takes it as is.

    Attributes
    ----------
    failures : list of MethodFailure
        The methods that could not run; the other methods' models are kept.
    notes : list of str
        What the user should know about how the models were made (e.g. small
        groups pooled to fit a post-processor).
    """

    def __init__(
        self,
        models: Iterable[ModelResult] = (),
        *,
        failures: Iterable[MethodFailure] = (),
        notes: Iterable[str] = (),
    ) -> None:
        super().__init__(models)
        self.failures: list[MethodFailure] = list(failures)
        self.notes: list[str] = list(notes)


def _metric(metrics, name: str, min_group_size: int | None = None) -> float:
    overall = metrics.overall
    if name in overall.index:
        return float(overall[name])
    disparities = metrics.disparities(min_group_size=min_group_size)
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
    with_fit_seconds: bool = True,
    min_group_size: int | None = None,
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
    with_fit_seconds : bool, default=True
        Include the ``fit_seconds`` column. Exports leave it out (False): fit
        times vary from run to run, and an exported table must be the same
        bytes for the same models.
    min_group_size : int, optional
        Groups with fewer rows are left out of the disparity (the small-group
        policy of :meth:`fairdash.metrics.GroupMetrics.disparities`); None keeps
        every group.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``method``, ``params`` (JSON text), the performance
        and disparity columns (named after the metrics), ``fit_seconds``
        (unless left out), ``is_unmitigated`` and ``on_front``.
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
    columns = {
        "name": [r.name for r in results],
        "method": [r.method for r in results],
        "params": [json.dumps(r.params, sort_keys=True) for r in results],
        performance: [_metric(r.metrics, performance) for r in results],
        disparity: [_metric(r.metrics, disparity, min_group_size) for r in results],
    }
    if with_fit_seconds:
        columns["fit_seconds"] = [r.fit_seconds for r in results]
    columns["is_unmitigated"] = [r.is_unmitigated for r in results]
    table = pd.DataFrame(columns)
    table["on_front"] = pareto_front(
        table[performance],
        table[disparity],
        maximize_performance=maximize_performance,
        minimize_disparity=not disparity.endswith("_ratio"),
    )
    return table
