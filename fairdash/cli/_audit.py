"""The audit behind ``python -m fairdash audit``: check a table of predictions, measure."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import fairdash
from fairdash._predictions import _plain, evaluate_predictions
from fairdash._problem import Problem
from fairdash._readings import small_group_note, weighted_note
from fairdash.groups import group_label, resolve_reference, value_text
from fairdash.metrics import GroupMetrics, data_stage

__all__ = ["Audit", "audit", "jsonable", "summary_notes"]

def _group_parts(key: Any) -> tuple[str, ...]:
    return tuple(value_text(p) for p in (key if isinstance(key, tuple) else (key,)))


@dataclass(frozen=True)
class Audit:
    """Group metrics of a model's predictions, with everything needed to report them.

    Returned by :func:`audit`; do not construct directly.

    Attributes
    ----------
    problem : fairdash.Problem
        Target, positive label, sensitive features and bins.
    prediction : str
        The column of predicted labels.
    score : str or None
        The column of scores, if given.
    metrics : fairdash.metrics.GroupMetrics
        Metrics of the audited rows (those with a target value).
    data_stage : pandas.DataFrame or None
        Label balance per group before any model (:func:`fairdash.metrics.data_stage`);
        None for a log audited by an out-of-core engine.
    reference : object or None
        The reference group's key in ``metrics.by_group`` (a tuple with several
        sensitive features), or None to compare the groups with each other.
    source : str or None
        Where the data came from (a file name).
    n_rows, n_columns : int
        Size of the data.
    n_audited : int
        Rows audited: those with a target value.
    notes : tuple of str
        What the user should know (rows left out, default bins, small groups).
    sample_weight : str or None
        The column of row weights, if the rates are weighted.
    """

    problem: Problem
    prediction: str
    score: str | None
    metrics: GroupMetrics
    data_stage: pd.DataFrame | None
    reference: Any
    source: str | None
    n_rows: int
    n_columns: int
    n_audited: int
    notes: tuple[str, ...] = field(default=())
    sample_weight: str | None = None

    @property
    def comparison(self) -> str:
        """``"to_reference"`` with a reference group, else ``"between_groups"``."""
        return "between_groups" if self.reference is None else "to_reference"

    @property
    def reference_label(self) -> str | None:
        """The reference group's readable label, or None."""
        return None if self.reference is None else group_label(self.reference)

    def differences(self) -> pd.Series:
        """Per metric, the largest difference between groups (or to the reference group).

        Groups flagged small are left out (:meth:`left_out_groups`), as in every summary.
        """
        return self.metrics.difference(
            reference=self.reference, min_group_size=self.metrics.min_group_size
        ).drop("count")

    def ratios(self) -> pd.Series:
        """Per metric, the smallest ratio between groups (or to the reference, inverted if > 1).

        Groups flagged small are left out, as for :meth:`differences`.
        """
        return self.metrics.ratio(
            reference=self.reference, min_group_size=self.metrics.min_group_size
        ).drop("count")

    def disparities(self) -> dict:
        """fairlearn's summary disparities, groups flagged small left out."""
        return self.metrics.disparities(min_group_size=self.metrics.min_group_size)

    def left_out_groups(self) -> list[str]:
        """Labels of the groups left out of the summaries: rows, but fewer than the minimum."""
        return [
            group_label(k)
            for k in self.metrics.left_out_groups(self.metrics.min_group_size)
        ]

    def groups(self) -> list[dict]:
        """One dict per group with rows: values, label, count, metrics and intervals."""
        by_group = self.metrics.by_group
        intervals = self.metrics.intervals
        small = self.metrics.small_group
        names = self.metrics.sensitive_feature_names
        to_reference = (
            None if self.reference is None else self.metrics.difference_to(self.reference)
        )
        rates = [c[: -len("_lower")] for c in intervals.columns if c.endswith("_lower")]
        out = []
        for position, key in enumerate(by_group.index):
            row = by_group.iloc[position]
            if not row["count"] > 0:
                continue  # an empty combination of several features
            entry = {
                "group": dict(zip(names, _group_parts(key), strict=True)),
                "label": group_label(key),
                "count": int(row["count"]),
                "small_group": bool(small.iloc[position]),
                "metrics": {m: float(v) for m, v in row.drop("count").items()},
                "intervals": {
                    m: {
                        "lower": float(intervals.iloc[position][f"{m}_lower"]),
                        "upper": float(intervals.iloc[position][f"{m}_upper"]),
                    }
                    for m in rates
                },
            }
            if to_reference is not None:
                entry["difference_to_reference"] = {
                    m: float(v) for m, v in to_reference.iloc[position].drop("count").items()
                }
            out.append(entry)
        return out

    def to_dict(self, *, gates: Sequence[Any] = (), generated_at: str | None = None) -> dict:
        """Everything the JSON output holds, JSON-friendly (NaN as None).

        Parameters
        ----------
        gates : sequence of GateResult
            Gate outcomes to include.
        generated_at : str, optional
            Timestamp to record.

        Returns
        -------
        dict
        """
        problem = self.problem
        overall = self.metrics.overall
        overall_intervals = self.metrics.overall_intervals
        rates = [k[: -len("_lower")] for k in overall_intervals.index if k.endswith("_lower")]
        reference = None
        if self.reference is not None:
            reference = {
                "group": dict(
                    zip(
                        self.metrics.sensitive_feature_names,
                        _group_parts(self.reference),
                        strict=True,
                    )
                ),
                "label": self.reference_label,
            }
        result = {
            "fairdash_version": fairdash.__version__,
            "generated_at": generated_at,
            "data": {
                "source": self.source,
                "rows": self.n_rows,
                "columns": self.n_columns,
                "rows_audited": self.n_audited,
            },
            "problem": {
                "target": problem.target,
                "positive_label": _plain(problem.positive_label),
                "positive_label_guessed": problem.positive_label_guessed,
                "prediction": self.prediction,
                "score": self.score,
                "sample_weight": self.sample_weight,
                "sensitive_features": list(problem.sensitive_features),
                "bins": {
                    k: (v if isinstance(v, int) else list(v)) for k, v in problem.bins.items()
                },
                "min_group_size": self.metrics.min_group_size,
                "confidence_level": self.metrics.confidence_level,
                "reference": reference,
            },
            "overall": {
                "count": int(overall["count"]),
                "metrics": {m: float(v) for m, v in overall.drop("count").items()},
                "intervals": {
                    m: {
                        "lower": float(overall_intervals[f"{m}_lower"]),
                        "upper": float(overall_intervals[f"{m}_upper"]),
                    }
                    for m in rates
                },
            },
            "groups": self.groups(),
            "disparities": self.disparities(),
            "left_out_of_summaries": self.left_out_groups(),
            "comparison": self.comparison,
            "differences": {m: float(v) for m, v in self.differences().items()},
            "ratios": {m: float(v) for m, v in self.ratios().items()},
            "gates": [g.to_dict() for g in gates],
            "passed": all(g.passed for g in gates),
            "notes": list(self.notes),
        }
        return jsonable(result)


def jsonable(value: Any) -> Any:
    """``value`` with NaN/inf floats as None and numpy scalars as Python ones."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    value = _plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def summary_notes(metrics: GroupMetrics, *, sample_weight: str | None) -> list[str]:
    """The notes every audit ends with, whatever the engine: weighted rates, small groups
    left out of the summary numbers."""
    notes = [] if sample_weight is None else [weighted_note(sample_weight)]
    left_out = small_group_note(metrics, min_group_size=metrics.min_group_size)
    return notes if left_out is None else [*notes, left_out]


def audit(
    data: pd.DataFrame,
    *,
    target: str,
    prediction: str,
    sensitive_features: Sequence[str],
    score: str | None = None,
    sample_weight: str | None = None,
    positive_label: Any = None,
    bins: Mapping[str, int | Sequence[float]] | None = None,
    reference: Any = None,
    min_group_size: int = 30,
    confidence_level: float = 0.95,
    probabilities: bool = True,
    source: str | None = None,
) -> Audit:
    """Audit a model's predictions stored in a table: group metrics and disparities.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person: the true outcome, the model's prediction (and
        score) and the sensitive features.
    target : str
        Column of true outcomes; two classes. Rows without a value are left out
        (and a note says so).
    prediction : str
        Column of predicted labels: the target's labels, or 0/1 with 1 the
        favourable outcome when the target uses other labels.
    sensitive_features : sequence of str
        Sensitive columns; their combinations form the groups.
    score : str, optional
        Column of scores for the favourable outcome (for ROC AUC).
    sample_weight : str, optional
        Column of row weights (numbers, finite, non-negative, not all zero):
        every rate, interval and disparity is weighted, as
        :func:`fairdash.metrics.group_metrics` weights them; ``count`` and the
        small-group policy stay in rows. A note says the rates are weighted.
    positive_label : object, optional
        The favourable outcome (text is matched to the target's values, so
        ``"1"`` finds 1); chosen as :func:`fairdash.define_problem` does by default.
    bins : mapping, optional
        Bins of numeric sensitive features: a number of quantile bins or edges.
    reference : str or tuple, optional
        Compare each group with this one in :meth:`Audit.differences` and
        :meth:`Audit.ratios`: ``"largest"`` (most rows), ``"best"`` (highest
        selection rate among groups not flagged small), a group's values
        joined by commas (``"Male,White"``) or a tuple of them.
    min_group_size : int, default=30
        Groups with fewer rows are flagged small and left out of the summary
        disparities, differences, ratios and gates (a note names them; they
        stay in the group table). 0 keeps every group, as fairlearn.
    confidence_level : float, default=0.95
        Coverage of the Wilson intervals.
    probabilities : bool, default=True
        Scores must be probabilities, in [0, 1]; False accepts any finite score.
    source : str, optional
        Where the data came from, for reports.

    Returns
    -------
    Audit

    Raises
    ------
    fairdash.InputError
        With a message naming the problem and the column: a column not in the
        data or given two roles, a target without exactly two classes, a
        prediction that is not binary or has missing values, scores that are
        not numbers (or probabilities), unusable sample weights, unusable
        sensitive features (too many categories, infinite values to bin, a
        single group), an unknown reference group.
    """
    evaluation = evaluate_predictions(
        data,
        target=target,
        prediction=prediction,
        sensitive_features=sensitive_features,
        score=score,
        sample_weight=sample_weight,
        positive_label=positive_label,
        bins=bins,
        min_group_size=min_group_size,
        confidence_level=confidence_level,
        probabilities=probabilities,
    )
    metrics = evaluation.metrics
    notes = [*evaluation.notes, *summary_notes(metrics, sample_weight=sample_weight)]
    stage = data_stage(
        evaluation.y_test, evaluation.sensitive_test, pos_label=1,
        sample_weight=evaluation.sample_weight, confidence_level=confidence_level,
    )
    return Audit(
        problem=evaluation.problem,
        prediction=prediction,
        score=score,
        metrics=metrics,
        data_stage=stage,
        reference=None if reference is None else resolve_reference(metrics, reference),
        source=source,
        n_rows=int(data.shape[0]),
        n_columns=int(data.shape[1]),
        n_audited=len(evaluation.test_index),
        notes=tuple(notes),
        sample_weight=sample_weight,
    )
