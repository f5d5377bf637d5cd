"""Two models side by side on the same rows: change in rates per group, and who gains, who loses.

Every row falls in one cell ``group * 8 + 4 * true + 2 * first + second``
(``first``/``second`` the two models' favourable decisions); one bincount of
the cells gives both models' confusion matrices per group and the decisions
that flip, and the bootstrap resamples the rows once for both models, so the
change in a rate is a paired difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fairdash._validation import (
    binary_indicators,
    check_confidence_level,
    check_n_boot,
    n_rows_of,
)
from fairdash.groups import encode_groups
from fairdash.metrics._base import DisaggregatedMetrics
from fairdash.metrics._group_metrics import BOOTSTRAP_METRICS, rates_from_cell_sums
from fairdash.metrics._intervals import bootstrap_cell_sums, percentile_interval

__all__ = ["COMPARED_RATES", "ModelComparison", "compare_models", "differences_to_reference"]

#: The rates whose change per group is reported.
COMPARED_RATES: tuple[str, ...] = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "accuracy",
)


def _split_cells(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Both models' confusion cells, and the rows gaining / losing the favourable decision.

    ``sums`` has a last axis of 8 cells ``4 * true + 2 * first + second``.
    """
    by_cell = sums.reshape(*sums.shape[:-1], 2, 2, 2)  # (true, first, second)
    first = by_cell.sum(axis=-1).reshape(*sums.shape[:-1], 4)  # cell 2 * true + first
    second = by_cell.sum(axis=-2).reshape(*sums.shape[:-1], 4)
    gained = by_cell[..., 0, 1].sum(axis=-1)  # first unfavourable, second favourable
    lost = by_cell[..., 1, 0].sum(axis=-1)
    return first, second, gained, lost


@dataclass(frozen=True)
class ModelComparison:
    """Two models compared per group; returned by :func:`compare_models`.

    Attributes
    ----------
    by_group : pandas.DataFrame
        One row per group (indexed like :attr:`GroupMetrics.by_group`, empty
        combinations of features left out). Columns: ``count``; for every rate
        of :data:`COMPARED_RATES` ``<rate>_first``, ``<rate>_second``,
        ``<rate>_change`` (second - first) and ``<rate>_change_lower`` /
        ``_upper`` (paired percentile bootstrap); ``gained`` (rows whose
        decision becomes favourable with the second model), ``lost`` (rows
        whose decision becomes unfavourable), ``gained_share``, ``lost_share``
        (of the group's rows) and ``net`` (gained - lost).
    overall : pandas.Series
        The same columns on all rows.
    first_name, second_name : str
        The models' names.
    confidence_level : float
    n_boot : int
    """

    by_group: pd.DataFrame
    overall: pd.Series
    first_name: str
    second_name: str
    confidence_level: float
    n_boot: int


def _columns(
    sums: np.ndarray, boot: np.ndarray, *, confidence_level: float
) -> dict[str, np.ndarray]:
    first, second, gained, lost = _split_cells(sums)
    first_rates, second_rates = rates_from_cell_sums(first), rates_from_cell_sums(second)
    boot_first, boot_second, _, _ = _split_cells(boot)
    boot_first, boot_second = rates_from_cell_sums(boot_first), rates_from_cell_sums(boot_second)
    count = sums.sum(axis=-1)
    columns = {"count": count}
    for rate in COMPARED_RATES:
        lower, upper = percentile_interval(
            boot_second[rate] - boot_first[rate], confidence_level=confidence_level
        )
        columns[f"{rate}_first"] = first_rates[rate]
        columns[f"{rate}_second"] = second_rates[rate]
        columns[f"{rate}_change"] = second_rates[rate] - first_rates[rate]
        columns[f"{rate}_change_lower"] = lower
        columns[f"{rate}_change_upper"] = upper
    with np.errstate(divide="ignore", invalid="ignore"):
        columns.update(
            gained=gained,
            lost=lost,
            gained_share=gained / count,
            lost_share=lost / count,
            net=gained - lost,
        )
    return columns


def compare_models(
    y_true: Any,
    first_pred: Any,
    second_pred: Any,
    sensitive_features: Any,
    *,
    first_name: str = "first",
    second_name: str = "second",
    pos_label: Any = 1,
    n_boot: int = 200,
    confidence_level: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
) -> ModelComparison:
    """Per group, how the second model's decisions differ from the first's on the same rows.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        True labels.
    first_pred, second_pred : array-like of shape (n_rows,)
        The two models' predicted labels on the same rows, labelled like ``y_true``.
    sensitive_features : Series, DataFrame, array-like or dict
        As :func:`fairdash.metrics.group_metrics` takes them.
    first_name, second_name : str
        Names of the models, kept for display.
    pos_label : scalar, default=1
        The favourable outcome.
    n_boot : int, default=200
        Number of bootstrap resamples of the rows (shared by both models).
    confidence_level : float, default=0.95
    random_state : int or numpy.random.Generator, default=0

    Returns
    -------
    ModelComparison

    Raises
    ------
    fairdash.InputError
        For mismatched lengths, labels that are not binary, or invalid parameters.
    """
    n_rows = n_rows_of(y_true, name="y_true")
    confidence_level = check_confidence_level(confidence_level)
    n_boot = check_n_boot(n_boot)
    true_pos, first_pos = binary_indicators(y_true, first_pred, pos_label=pos_label, n_rows=n_rows)
    _, second_pos = binary_indicators(y_true, second_pred, pos_label=pos_label, n_rows=n_rows)
    groups = encode_groups(sensitive_features, n_rows=n_rows)
    n_cells = 8 * groups.n_groups
    cells = groups.codes.astype(np.intp) * 8
    cells += 4 * true_pos + 2 * first_pos + second_pos

    sums = np.bincount(cells, minlength=n_cells).astype(np.float64).reshape(-1, 8)
    boot = bootstrap_cell_sums(
        cells, n_cells=n_cells, weights=None, n_boot=n_boot, rng=np.random.default_rng(random_state)
    ).reshape(n_boot, -1, 8)
    sums = groups.in_index_order(sums)
    boot = groups.in_index_order(boot, axis=1)
    by_group = pd.DataFrame(
        _columns(sums, boot, confidence_level=confidence_level), index=groups.index
    )
    by_group = by_group[by_group["count"] > 0]
    overall = _columns(sums.sum(axis=0), boot.sum(axis=1), confidence_level=confidence_level)
    return ModelComparison(
        by_group=by_group,
        overall=pd.Series({k: float(v) for k, v in overall.items()}),
        first_name=str(first_name),
        second_name=str(second_name),
        confidence_level=confidence_level,
        n_boot=n_boot,
    )


# Proportions (and AUC): the metrics whose ratio to a reference is meaningful.
_RATIO_METRICS = frozenset({*BOOTSTRAP_METRICS, "roc_auc"})


def differences_to_reference(
    metrics: DisaggregatedMetrics, *, reference: Any = "overall"
) -> pd.DataFrame:
    """Every group's metrics against a reference: differences, and ratios of rates.

    Counts are never differenced (a group is not "912 rows worse" than
    another); ``count`` is kept as it is. Every other metric gets
    ``<metric>_difference`` (group - reference), and the proportions (and ROC
    AUC) also ``<metric>_ratio`` (group / reference, not inverted).

    Parameters
    ----------
    metrics : GroupMetrics or RegressionGroupMetrics
        From :func:`fairdash.metrics.group_metrics` or
        :func:`~fairdash.metrics.regression_group_metrics`.
    reference : "overall" or a group label, default="overall"
        All rows, or one group (a tuple with several sensitive features).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``metrics.by_group``.

    Raises
    ------
    fairdash.InputError
        For a reference that is not one of the groups.
    """
    by_group = metrics.by_group
    if isinstance(reference, str) and reference == "overall":
        difference = by_group - metrics.overall.reindex(by_group.columns)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = by_group / metrics.overall.reindex(by_group.columns)
    else:
        difference = metrics.difference_to(reference)
        ratio = metrics.ratio_to(reference)
    columns = {"count": by_group["count"]}
    for name in by_group.columns:
        if name == "count":
            continue
        columns[f"{name}_difference"] = difference[name]
        if name in _RATIO_METRICS:
            columns[f"{name}_ratio"] = ratio[name]
    return pd.DataFrame(columns, index=by_group.index)
