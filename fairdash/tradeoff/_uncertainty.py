"""Bootstrap intervals of every model's performance and disparity, on shared resamples.

Every model of a trade-off is measured on the same test rows, so the
resamples are shared too: resample ``b`` draws one set of rows (with
replacement) and every model is measured on exactly those rows. Differences
between two models are then paired, and their interval is much narrower than
the two models' own intervals suggest.

The rows are drawn once, with :func:`fairdash.metrics._intervals.bootstrap_cell_sums`
over one cell per row (so its output is how often each row is drawn in each
resample); each model's confusion-matrix cell sums per group are then one
sparse product of those multiplicities with the model's cell of every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from fairdash._errors import InputError
from fairdash._validation import (
    binary_indicators,
    check_confidence_level,
    check_min_group_size,
    check_n_boot,
    n_rows_of,
)
from fairdash.groups import encode_groups
from fairdash.metrics._group_metrics import BOOTSTRAP_METRICS, rates_from_cell_sums
from fairdash.metrics._intervals import (
    _BOOTSTRAP_CHUNK,
    bootstrap_cell_sums,
    percentile_interval,
)

__all__ = [
    "TRADEOFF_DISPARITIES",
    "TradeoffIntervals",
    "disparity_from_rates",
    "tradeoff_intervals",
]

#: Disparities with bootstrap intervals: the rate(s) compared and how.
TRADEOFF_DISPARITIES: dict[str, tuple[tuple[str, ...], str]] = {
    "demographic_parity_difference": (("selection_rate",), "difference"),
    "demographic_parity_ratio": (("selection_rate",), "ratio"),
    "equalized_odds_difference": (("true_positive_rate", "false_positive_rate"), "difference"),
    "equalized_odds_ratio": (("true_positive_rate", "false_positive_rate"), "ratio"),
    "equal_opportunity_difference": (("true_positive_rate",), "difference"),
    "equal_opportunity_ratio": (("true_positive_rate",), "ratio"),
    "disparate_impact_ratio": (("selection_rate",), "ratio"),
}

# Row multiplicities are held for this many of the engine's chunks at once (about
# 64 MiB of float64); whole chunks, so the rows drawn are those of a single call.
_CHUNKS_AT_ONCE = 2


def disparity_from_rates(
    rates: dict[str, np.ndarray], disparity: str, *, kept: np.ndarray | None = None
) -> np.ndarray:
    """A between-groups disparity from per-group rates, groups on the last axis.

    The largest difference (``max - min``) or the smallest ratio (``min / max``)
    of the rate over the groups, as fairlearn's ``MetricFrame.difference()`` /
    ``ratio()``; equalized odds takes the worse of the TPR and FPR values.
    Groups with a NaN rate (absent from a resample) are skipped.

    Parameters
    ----------
    rates : dict of str to numpy.ndarray
        From :func:`fairdash.metrics._group_metrics.rates_from_cell_sums`.
    disparity : str
        One of :data:`TRADEOFF_DISPARITIES`.
    kept : numpy.ndarray of bool, optional
        The groups compared (the small-group policy); the others are skipped,
        and with fewer than two kept the disparity is NaN, as
        :meth:`fairdash.metrics.GroupMetrics.difference` with ``min_group_size``.
        None compares every group.

    Returns
    -------
    numpy.ndarray
        Shape of the rates without their last axis.
    """
    if disparity not in TRADEOFF_DISPARITIES:
        raise InputError(
            f"Unknown disparity {disparity!r}; choose one of: {', '.join(TRADEOFF_DISPARITIES)}."
        )
    metrics, kind = TRADEOFF_DISPARITIES[disparity]
    values = []
    for metric in metrics:
        rate = rates[metric]
        present = ~np.isnan(rate)
        if kept is not None:
            present &= kept
        high = np.max(np.where(present, rate, -np.inf), axis=-1)
        low = np.min(np.where(present, rate, np.inf), axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = high - low if kind == "difference" else low / high
        values.append(np.where(present.any(axis=-1), value, np.nan))
    out = np.max(values, axis=0) if kind == "difference" else np.min(values, axis=0)
    if kept is not None and int(kept.sum()) < 2:
        out = np.full_like(out, np.nan)
    return out


@dataclass(frozen=True)
class TradeoffIntervals:
    """Bootstrap intervals of the models of a trade-off, on shared resamples.

    Returned by :func:`tradeoff_intervals`; do not construct directly.

    Attributes
    ----------
    names : list of str
        The models, in the order given.
    performance, disparity : str
        The metrics measured.
    performance_values, disparity_values : numpy.ndarray of shape (n_models,)
        The values on the test rows themselves.
    performance_samples, disparity_samples : numpy.ndarray of shape (n_boot, n_models)
        The values in every resample; column ``j`` is model ``names[j]``, row
        ``b`` the same resampled rows for every model.
    confidence_level : float
        Coverage of the percentile intervals.
    left_out : list of str
        The labels of the groups left out of the disparity for size
        (``min_group_size``; :func:`fairdash.groups.group_label`).
    """

    names: list[str]
    performance: str
    disparity: str
    performance_values: np.ndarray
    disparity_values: np.ndarray
    performance_samples: np.ndarray
    disparity_samples: np.ndarray
    confidence_level: float
    left_out: list[str] = field(default_factory=list)

    @property
    def n_boot(self) -> int:
        """Number of resamples."""
        return len(self.performance_samples)

    def table(self) -> pd.DataFrame:
        """One row per model: the value and percentile interval of both metrics.

        Columns ``name``, ``<performance>``, ``<performance>_lower``,
        ``<performance>_upper``, ``<disparity>``, ``<disparity>_lower``,
        ``<disparity>_upper``.
        """
        columns: dict[str, Any] = {"name": self.names}
        for metric, values, samples in (
            (self.performance, self.performance_values, self.performance_samples),
            (self.disparity, self.disparity_values, self.disparity_samples),
        ):
            lower, upper = percentile_interval(samples, confidence_level=self.confidence_level)
            columns[metric] = values
            columns[f"{metric}_lower"] = lower
            columns[f"{metric}_upper"] = upper
        return pd.DataFrame(columns)

    def _position(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise InputError(
                f"No model named {name!r} among the {len(self.names)} models."
            ) from None

    def paired_difference(self, first: str, second: str) -> pd.DataFrame:
        """``second - first`` for both metrics, with a paired percentile interval.

        Parameters
        ----------
        first, second : str
            Model names.

        Returns
        -------
        pandas.DataFrame
            Indexed by the two metric names; columns ``difference``, ``lower``,
            ``upper`` and ``share_above_zero`` (the share of resamples in which
            ``second`` is higher: near 0 or 1 means the order is stable).
        """
        i, j = self._position(first), self._position(second)
        rows = {}
        for metric, values, samples in (
            (self.performance, self.performance_values, self.performance_samples),
            (self.disparity, self.disparity_values, self.disparity_samples),
        ):
            delta = samples[:, j] - samples[:, i]
            lower, upper = percentile_interval(delta, confidence_level=self.confidence_level)
            valid = ~np.isnan(delta)
            rows[metric] = {
                "difference": float(values[j] - values[i]),
                "lower": float(lower),
                "upper": float(upper),
                "share_above_zero": float(np.mean(delta[valid] > 0)) if valid.any() else np.nan,
            }
        return pd.DataFrame.from_dict(rows, orient="index")


def _model_cells(
    predictions: Sequence[Any], true_pos: np.ndarray, codes: np.ndarray, names: list[str]
) -> np.ndarray:
    """The confusion-matrix cell ``group * 4 + 2 * true + pred`` of every row, per model."""
    n_rows = len(true_pos)
    base = codes.astype(np.int64) * 4 + 2 * true_pos
    cells = np.empty((len(predictions), n_rows), dtype=np.int64)
    for j, (name, y_pred) in enumerate(zip(names, predictions, strict=True)):
        pred = np.asarray(y_pred)
        if pred.ndim != 1 or len(pred) != n_rows:
            raise InputError(
                f"Model {name!r} has {pred.size} test predictions but there are {n_rows} test "
                "rows; every model must be measured on the same rows.",
                column="y_pred",
            )
        if pred.dtype.kind not in "biu" or not np.isin(pred, (0, 1)).all():
            raise InputError(
                f"Model {name!r} has predictions other than 0 and 1; bootstrap intervals of the "
                "trade-off need binary classification.",
                column="y_pred",
            )
        cells[j] = base + pred
    return cells


def tradeoff_intervals(
    results: Sequence[Any],
    *,
    y_true: Any,
    sensitive_features: Any,
    performance: str = "accuracy",
    disparity: str = "demographic_parity_difference",
    n_boot: int = 200,
    confidence_level: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    min_group_size: int | None = None,
) -> TradeoffIntervals:
    """Bootstrap intervals of the performance and disparity of every model, paired.

    Every resample draws the test rows with replacement once, and every model
    is measured on those same rows, so that for any two models the
    differences between them can be read off the same resamples
    (:meth:`TradeoffIntervals.paired_difference`).

    Parameters
    ----------
    results : sequence of ModelResult
        From :func:`fairdash.tradeoff.run_methods`, binary classification, all
        with predictions for the same test rows. Anything with ``name`` and
        ``y_pred`` (0/1) attributes works.
    y_true : array-like of shape (n_test,)
        The encoded test target (1 = favourable), as the results were measured on.
    sensitive_features : Series, DataFrame, array-like or dict
        The test rows' sensitive features, as :func:`fairdash.metrics.group_metrics` takes them.
    performance : str, default="accuracy"
        An overall rate: ``accuracy``, ``balanced_accuracy``, ``f1``, ...
    disparity : str, default="demographic_parity_difference"
        One of :data:`TRADEOFF_DISPARITIES`.
    n_boot : int, default=200
        Number of resamples.
    confidence_level : float, default=0.95
    random_state : int or numpy.random.Generator, default=0
        Seed of the resamples.
    min_group_size : int, optional
        Groups with fewer test rows are left out of the disparity, in every
        resample too (the small-group policy of
        :meth:`fairdash.metrics.GroupMetrics.disparities`: which groups are left
        out is decided once, on the test rows, so every resample compares the
        same groups). None keeps every group.

    Returns
    -------
    TradeoffIntervals

    Raises
    ------
    fairdash.InputError
        For no models, predictions of another length or not 0/1, or an unknown metric.
    """
    if not results:
        raise InputError("There are no models to measure.")
    if performance not in BOOTSTRAP_METRICS:
        raise InputError(
            f"Unknown performance {performance!r}; choose one of: {', '.join(BOOTSTRAP_METRICS)}."
        )
    if disparity not in TRADEOFF_DISPARITIES:
        raise InputError(
            f"Unknown disparity {disparity!r}; choose one of: {', '.join(TRADEOFF_DISPARITIES)}."
        )
    confidence_level = check_confidence_level(confidence_level)
    n_boot = check_n_boot(n_boot)
    if min_group_size is not None:
        min_group_size = check_min_group_size(min_group_size)
    n_rows = n_rows_of(y_true, name="y_true")
    true_pos, _ = binary_indicators(y_true, None, pos_label=1, n_rows=n_rows)
    groups = encode_groups(sensitive_features, n_rows=n_rows)
    names = [str(r.name) for r in results]
    sizes = np.bincount(groups.codes, minlength=groups.n_groups)
    # Per-code, as the cell sums below (the policy is decided on the test rows themselves).
    kept = None if min_group_size is None else sizes >= min_group_size
    left_out = [] if kept is None else [
        label for label, small in zip(
            groups.labels, groups.in_index_order(~kept & (sizes > 0)), strict=True
        ) if small
    ]
    cells = _model_cells([r.y_pred for r in results], true_pos, groups.codes, names)
    n_models, n_groups = len(names), groups.n_groups
    n_cells = 4 * n_groups

    # Row i of model j counts in column j * n_cells + cell.
    columns = (cells + (np.arange(n_models) * n_cells)[:, None]).T.ravel()
    indicator = sparse.csr_matrix(
        (np.ones(columns.size), columns, np.arange(0, columns.size + 1, n_models)),
        shape=(n_rows, n_models * n_cells),
    )
    actual = np.asarray(indicator.sum(axis=0)).reshape(n_models, n_groups, 4)

    rng = np.random.default_rng(random_state)
    boot = np.empty((n_boot, n_models, n_groups, 4))
    per_chunk = _CHUNKS_AT_ONCE * max(1, _BOOTSTRAP_CHUNK // max(n_rows, 1))
    rows = np.arange(n_rows, dtype=np.intp)
    for start in range(0, n_boot, per_chunk):
        size = min(per_chunk, n_boot - start)
        multiplicity = bootstrap_cell_sums(rows, n_cells=n_rows, weights=None, n_boot=size, rng=rng)
        boot[start : start + size] = (multiplicity @ indicator).reshape(size, n_models, n_groups, 4)

    def measure(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        overall = rates_from_cell_sums(sums.sum(axis=-2))[performance]
        return overall, disparity_from_rates(rates_from_cell_sums(sums), disparity, kept=kept)

    performance_values, disparity_values = measure(actual)
    performance_samples, disparity_samples = measure(boot)
    return TradeoffIntervals(
        names=names,
        performance=performance,
        disparity=disparity,
        performance_values=performance_values,
        disparity_values=disparity_values,
        performance_samples=performance_samples,
        disparity_samples=disparity_samples,
        confidence_level=confidence_level,
        left_out=left_out,
    )
