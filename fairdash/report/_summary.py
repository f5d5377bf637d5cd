"""The report's executive summary: findings and caveats in plain language, with their numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fairdash.groups import group_label
from fairdash.metrics import GroupMetrics

__all__ = ["ExecutiveSummary", "RateGap", "executive_summary", "executive_summary_html", "rate_gap"]

# The rates the summary compares, with what they mean for a person.
_GAP_RATES = (
    ("selection_rate", "predicted {fav}", "all people"),
    ("true_positive_rate", "predicted {fav}", "people whose true outcome is {fav}"),
    ("false_positive_rate", "predicted {fav}", "people whose true outcome is not {fav}"),
)


def _label(key: Any) -> str:
    return group_label(key)


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _points(value: float) -> str:
    return f"{value * 100:.1f}"


@dataclass(frozen=True)
class RateGap:
    """The groups with the highest and lowest value of one rate, and the gap between them.

    Attributes
    ----------
    metric : str
        E.g. ``"selection_rate"``.
    high, low : str
        The two groups' labels.
    high_value, low_value : float
        Their rates.
    high_interval, low_interval : (float, float)
        Their Wilson intervals.
    high_rows, low_rows : int
        Their numbers of rows.
    gap : float
        ``high_value - low_value``.
    gap_interval : (float, float)
        Newcombe's hybrid score interval of the gap (his method 10), from the
        two Wilson intervals.
    n_groups : int
        Groups compared (those with at least the minimum size and a defined interval).
    """

    metric: str
    high: str
    low: str
    high_value: float
    low_value: float
    high_interval: tuple[float, float]
    low_interval: tuple[float, float]
    high_rows: int
    low_rows: int
    gap: float
    gap_interval: tuple[float, float]
    n_groups: int

    @property
    def ratio(self) -> float:
        """The lowest rate over the highest (NaN when the highest is 0)."""
        return self.low_value / self.high_value if self.high_value > 0 else math.nan


def rate_gap(metrics: GroupMetrics, *, metric: str, min_group_size: int) -> RateGap | None:
    """The highest and lowest group on ``metric`` among groups of at least ``min_group_size``.

    Groups whose rate has no interval (no rows in its denominator, e.g. a
    true positive rate without positives) are left out.

    Parameters
    ----------
    metrics : GroupMetrics
    metric : str
        A rate with Wilson intervals, e.g. ``"selection_rate"``.
    min_group_size : int
        Groups with fewer rows are left out.

    Returns
    -------
    RateGap or None
        None when fewer than two groups remain.
    """
    by_group = metrics.by_group
    intervals = metrics.intervals
    sizes = metrics.group_sizes.to_numpy()
    value = by_group[metric].to_numpy(dtype=np.float64)
    lower = intervals[f"{metric}_lower"].to_numpy(dtype=np.float64)
    upper = intervals[f"{metric}_upper"].to_numpy(dtype=np.float64)
    kept = np.flatnonzero(
        (sizes >= max(min_group_size, 1)) & np.isfinite(value) & np.isfinite(lower)
    )
    if len(kept) < 2:
        return None
    # Ties go to the first group in table order, for both ends.
    hi = kept[np.argmax(value[kept])]
    lo = kept[np.argmin(value[kept])]
    gap = value[hi] - value[lo]
    # Newcombe (1998), method 10: the difference of two independent proportions.
    gap_lower = gap - math.hypot(value[hi] - lower[hi], upper[lo] - value[lo])
    gap_upper = gap + math.hypot(upper[hi] - value[hi], value[lo] - lower[lo])
    keys = by_group.index
    return RateGap(
        metric=metric,
        high=_label(keys[hi]),
        low=_label(keys[lo]),
        high_value=float(value[hi]),
        low_value=float(value[lo]),
        high_interval=(float(lower[hi]), float(upper[hi])),
        low_interval=(float(lower[lo]), float(upper[lo])),
        high_rows=int(sizes[hi]),
        low_rows=int(sizes[lo]),
        gap=float(gap),
        gap_interval=(float(gap_lower), float(gap_upper)),
        n_groups=len(kept),
    )


@dataclass(frozen=True)
class ExecutiveSummary:
    """What a decision-maker reads first: the basis, findings and caveats, as sentences.

    Attributes
    ----------
    basis : str
        Which model and thresholds the numbers belong to, on which rows.
    findings : list of str
        Who is treated differently, by how much and how sure we are; what was
        tried and which model is recommended.
    caveats : list of str
        What limits the findings.
    gaps : dict of str to RateGap
        The gaps the findings quote, by metric.
    """

    basis: str
    findings: list[str]
    caveats: list[str]
    gaps: dict[str, RateGap] = field(default_factory=dict)


def _gap_sentence(gap: RateGap, *, favourable: str, level: str) -> str:
    metric = dict((m, (what, who)) for m, what, who in _GAP_RATES)
    what, who = (s.format(fav=favourable) for s in metric[gap.metric])
    low, high = gap.gap_interval
    if low > 0:
        sure = "the interval excludes 0, so the gap is unlikely to be sampling noise"
    else:
        sure = "the interval includes 0, so these rows cannot tell the gap from sampling noise"
    return (
        f"Among {who}, {gap.high} is {what} most often, {_pct(gap.high_value)} "
        f"({level} interval {_pct(gap.high_interval[0])} to {_pct(gap.high_interval[1])}, "
        f"{gap.high_rows:,} rows), and {gap.low} least often, {_pct(gap.low_value)} "
        f"({_pct(gap.low_interval[0])} to {_pct(gap.low_interval[1])}, {gap.low_rows:,} rows), "
        f"of {gap.n_groups} groups compared: a gap of {_points(gap.gap)} percentage points "
        f"({level} interval {_points(low)} to {_points(high)}; {sure})."
    )


def _tried_sentence(table: pd.DataFrame, failures: Sequence[tuple[str, str]]) -> str:
    label = "method_label" if "method_label" in table else "method"
    counts = table[label].astype(str).value_counts(sort=False)
    methods = ", ".join(f"{name} ({n})" for name, n in counts.items())
    sentence = (
        f"{len(table)} model(s) from {len(counts)} method(s) were measured on the same test "
        f"rows: {methods}."
    )
    for name, message in failures:
        sentence += f" {name} could not run: {message}"
    return sentence


def _recommendation_sentence(recommendation: Any, table: pd.DataFrame | None) -> str:
    perf = recommendation.performance.replace("_", " ")
    disp = recommendation.disparity.replace("_", " ")
    budget = f"{recommendation.max_performance_loss * 100:g} point(s)"
    if recommendation.is_baseline:
        return (
            f"Recommended: the unmitigated model {recommendation.name}. No model on the front "
            f"lowers the {disp} for a loss of at most {budget} of {perf} "
            f"(its {perf} {recommendation.performance_value:.3f}, {disp} "
            f"{recommendation.disparity_value:.3f})."
        )
    cost = recommendation.performance_cost
    cost_words = (
        f"a cost of {_points(cost)} points of {perf}"
        if cost > 0
        else f"no loss of {perf}: a gain of {_points(-cost)} points"
    )
    sentence = (
        f"Recommended on the trade-off: {recommendation.name}. Its {perf} is "
        f"{recommendation.performance_value:.3f} against {recommendation.baseline_performance:.3f}"
        f" for the unmitigated model {recommendation.baseline} ({cost_words}), and its {disp} "
        f"is {recommendation.disparity_value:.3f} against {recommendation.baseline_disparity:.3f}"
        f" (a change of {recommendation.disparity_change * 100:+.1f} points)."
    )
    bounds = (f"{recommendation.disparity}_lower", f"{recommendation.disparity}_upper")
    if table is not None and all(b in table for b in bounds):
        row = table.loc[table["name"].astype(str) == recommendation.name].iloc[0]
        sentence += (
            f" Bootstrap interval of its {disp}: {row[bounds[0]]:.3f} to {row[bounds[1]]:.3f}."
        )
    return sentence + f" Rule: {recommendation.rule}"


def executive_summary(
    metrics: GroupMetrics,
    *,
    model: str,
    favourable: str,
    favourable_guessed: bool | None = None,
    min_group_size: int | None = None,
    models_table: pd.DataFrame | None = None,
    recommendation: Any = None,
    failures: Sequence[tuple[str, str]] = (),
    excluded_inputs: Mapping[str, str] | None = None,
    leakage_warnings: Sequence[str] = (),
    thresholds_set: bool = False,
) -> ExecutiveSummary:
    """The findings and caveats of an audit, in plain language.

    Parameters
    ----------
    metrics : GroupMetrics
        The audited model's metrics on the test rows, as trained.
    model : str
        Its name.
    favourable : str
        The favourable outcome in words, e.g. ``"income = >50K"``.
    favourable_guessed : bool, optional
        Whether the favourable outcome was guessed rather than chosen; None
        when it is not known (the caveat then asks to check it).
    min_group_size : int, optional
        Groups with fewer rows are left out of the comparisons and named in a
        caveat; by default the metrics' own ``min_group_size``.
    models_table : pandas.DataFrame, optional
        The models tried (:func:`fairdash.tradeoff.results_table`, optionally
        with ``method_label``), for what was tried.
    recommendation : fairdash.tradeoff.Recommendation, optional
        The model chosen on the trade-off.
    failures : sequence of (str, str)
        Methods that could not run and why.
    excluded_inputs : mapping of str to str, optional
        Columns left out of the model's inputs and why.
    leakage_warnings : sequence of str
        Warnings that inputs may be recorded after the outcome.
    thresholds_set : bool, default=False
        Whether what-if thresholds are set (their numbers are elsewhere).

    Returns
    -------
    ExecutiveSummary
    """
    size = metrics.min_group_size if min_group_size is None else int(min_group_size)
    level = f"{metrics.confidence_level:.0%}"
    rows = int(metrics.overall["count"])
    basis = (
        f"Every number here is for the model {model} as trained (its own decisions, no what-if "
        f"thresholds), on {rows:,} test rows; groups are compared only when they have at least "
        f"{size} rows."
    )
    findings: list[str] = []
    gaps: dict[str, RateGap] = {}
    for metric, _, _ in _GAP_RATES:
        gap = rate_gap(metrics, metric=metric, min_group_size=size)
        if gap is not None:
            gaps[metric] = gap
            findings.append(_gap_sentence(gap, favourable=favourable, level=level))
    if "selection_rate" in gaps:
        ratio = gaps["selection_rate"].ratio
        if math.isfinite(ratio):
            verdict = "passes" if ratio >= 0.8 else "fails"
            findings.insert(
                1,
                f"Among the {gaps['selection_rate'].n_groups} groups compared, the lowest "
                f"selection rate is {ratio:.0%} of the highest, so the four-fifths rule "
                f"{verdict}.",
            )
    else:
        findings.append(
            f"Fewer than two groups have at least {size} test rows, so no groups are compared."
        )
    if models_table is not None and len(models_table):
        findings.append(_tried_sentence(models_table, failures))
    if recommendation is not None:
        findings.append(_recommendation_sentence(recommendation, models_table))

    caveats: list[str] = []
    sizes = metrics.group_sizes
    small = sizes[(sizes > 0) & (sizes < size)]
    if len(small):
        named = ", ".join(f"{_label(k)} ({n:,} rows)" for k, n in small.items())
        caveats.append(
            f"{len(small)} group(s) have fewer than {size} test rows and are left out of the "
            f"comparisons (still shown, flagged small, in the tables): {named}."
        )
    how = {
        True: ": this was guessed from the data, not chosen; check that it is the outcome that "
        "is good for the person.",
        False: ", as chosen for this audit.",
        None: ": the selection rates above are the shares of people predicted to get it; "
        "check that it is the outcome that is good for the person.",
    }
    caveats.append(f"The favourable outcome is {favourable}{how[favourable_guessed]}")
    if excluded_inputs:
        named = "; ".join(f"{c} ({r})" for c, r in excluded_inputs.items())
        caveats.append(
            f"{len(excluded_inputs)} column(s) were left out of the model's inputs: {named}"
            + ("" if named.endswith(".") else ".")
        )
    caveats.extend(str(w) for w in leakage_warnings)
    if thresholds_set:
        caveats.append(
            "What-if thresholds are set; their numbers are in their own section, not in this "
            "summary."
        )
    return ExecutiveSummary(basis=basis, findings=findings, caveats=caveats, gaps=gaps)


def executive_summary_html(summary: ExecutiveSummary, *, escape: Any) -> str:
    """The summary as an HTML fragment, every sentence escaped with ``escape``."""
    findings = "".join(f"<li>{escape(s)}</li>" for s in summary.findings)
    caveats = "".join(f"<li>{escape(s)}</li>" for s in summary.caveats)
    return (
        f'<p class="basis">{escape(summary.basis)}</p>'
        f'<h3>Findings</h3><ul class="findings">{findings}</ul>'
        + (f'<h3>Caveats</h3><ul class="caveats">{caveats}</ul>' if caveats else "")
    )
