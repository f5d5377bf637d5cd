"""Report sections beyond the audited model: the models tried and what-if thresholds."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fairdash.metrics import GroupMetrics
from fairdash.report._summary import _gap_sentence, rate_gap
from fairdash.report._tables import _breakable, _e, _label, _number, dataframe_html

__all__ = ["calibration_section", "comparison_section", "models_section", "whatif_section"]

_WHATIF_RATES = ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy")
_CALIBRATION_COLUMNS = {
    "count": "rows",
    "mean_score": "mean score",
    "observed_rate": "observed rate",
    "calibration_in_the_large": "calibration in the large",
    "expected_calibration_error": "expected calibration error",
}


def _words(name: str) -> str:
    return str(name).replace("_", " ")


def _params_in_words(text: Any) -> str:
    """A model's parameters (JSON text) as "name value" pairs, never as raw JSON."""
    try:
        params = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return str(text)
    if not isinstance(params, Mapping):
        return str(params)
    if not params:
        return "default settings"
    parts = []
    for key, value in params.items():
        if isinstance(value, float):
            shown = f"{value:.3g}"
        elif isinstance(value, Mapping | list | tuple):
            shown = f"({len(value)} values)"
        elif value is None:
            shown = "none"
        else:
            shown = _words(value)
        parts.append(f"{_words(key)} {shown}")
    return ", ".join(parts)


def _with_interval(row: pd.Series, column: str) -> str:
    value = _number(row[column])
    lower, upper = f"{column}_lower", f"{column}_upper"
    if lower in row.index and upper in row.index and pd.notna(row[lower]):
        value += f"<br><small>{_number(row[lower])}–{_number(row[upper])}</small>"
    return value


def models_section(
    table: pd.DataFrame,
    *,
    performance: str,
    disparity: str,
    recommendation: Any = None,
    failures: Sequence[tuple[str, str]] = (),
) -> str:
    """The models tried as a readable table: method and parameters in words, metrics, front.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`fairdash.tradeoff.results_table` (or ``tradeoff_table``, whose
        ``method_label``, ``description`` and ``<metric>_lower`` /
        ``<metric>_upper`` columns are used when present).
    performance, disparity : str
        The table's two metric columns.
    recommendation : fairdash.tradeoff.Recommendation, optional
        Its row is marked, and the rule stated.
    failures : sequence of (str, str)
        Methods that were tried but could not run, and why
        (``TradeoffResults.failures`` as ``(name, message)``), listed after the table.

    Returns
    -------
    str
        An HTML fragment, every value escaped.
    """
    method = "method_label" if "method_label" in table else "method"
    has_intervals = f"{performance}_lower" in table or f"{disparity}_lower" in table
    head = (
        "<th>model</th><th>method</th><th>parameters</th>"
        f"<th>{_e(_words(performance))}</th><th>{_e(_words(disparity))}</th>"
        "<th>on the front</th>"
    )
    rows = []
    for _, row in table.iterrows():
        params = row["description"] if "description" in row.index else _params_in_words(
            row.get("params", "{}")
        )
        chosen = recommendation is not None and str(row["name"]) == recommendation.name
        name = _breakable(row["name"]) + (" <b>(recommended)</b>" if chosen else "")
        if bool(row.get("is_unmitigated", False)):
            name += " <small>(unmitigated)</small>"
        css = ' class="recommended"' if chosen else ""
        rows.append(
            f"<tr{css}><td>{name}</td><td>{_e(_words(row[method]))}</td>"
            f"<td>{_breakable(params)}</td>"
            f'<td class="num">{_with_interval(row, performance)}</td>'
            f'<td class="num">{_with_interval(row, disparity)}</td>'
            f"<td>{'yes' if bool(row.get('on_front', False)) else ''}</td></tr>"
        )
    words = (
        f"<p>Every model tried, measured on the same test rows. A model is on the (Pareto) front "
        f"when no other model has both a higher {_e(_words(performance))} and a lower "
        f"{_e(_words(disparity))}."
        + (" Below each value: its bootstrap interval." if has_intervals else "")
        + "</p>"
    )
    if recommendation is not None:
        words += f"<p>Recommendation rule: {_e(recommendation.rule)}</p>"
    failed = "".join(f"<li><b>{_e(name)}</b>: {_e(message)}</li>" for name, message in failures)
    if failed:
        failed = f"<p>Tried but could not run (no model):</p><ul>{failed}</ul>"
    return (
        words + f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>" + failed
    )


def whatif_section(
    metrics: GroupMetrics,
    *,
    model: str,
    thresholds: Mapping[str, float],
    favourable: str,
    min_group_size: int | None = None,
) -> str:
    """What-if thresholds with their own numbers, labelled as not the model as trained.

    Parameters
    ----------
    metrics : GroupMetrics
        The metrics of ``model``'s scores under ``thresholds``, on the same test rows.
    model : str
        The model whose scores are thresholded.
    thresholds : mapping of str to float
        Each group's threshold, keyed by the group's label.
    favourable : str
        The favourable outcome in words.
    min_group_size : int, optional
        Groups compared in the sentence; by default the metrics' own.

    Returns
    -------
    str
        An HTML fragment, every value escaped.
    """
    size = metrics.min_group_size if min_group_size is None else int(min_group_size)
    level = f"{metrics.confidence_level:.0%}"
    by_group = metrics.by_group
    intervals = metrics.intervals
    head = "<th>group</th><th>threshold</th><th>rows</th>" + "".join(
        f"<th>{_e(_words(r))}</th>" for r in _WHATIF_RATES
    )
    rows = []
    for position, key in enumerate(by_group.index):
        count = by_group.iloc[position]["count"]
        if not count > 0:
            continue
        label = _label(key)
        threshold = thresholds.get(label, np.nan)
        cells = f'<td>{_breakable(label)}</td><td class="num">{_number(threshold)}</td>'
        cells += f'<td class="num">{int(count):,}</td>'
        for rate in _WHATIF_RATES:
            value = _number(by_group.iloc[position][rate])
            lower = intervals.iloc[position][f"{rate}_lower"]
            upper = intervals.iloc[position][f"{rate}_upper"]
            value += f"<br><small>{_number(lower)}–{_number(upper)}</small>"
            cells += f'<td class="num">{value}</td>'
        css = ' class="small-group"' if count < size else ""
        rows.append(f"<tr{css}>{cells}</tr>")
    overall = metrics.overall
    basis = (
        f"Numbers in this section: the model {model}'s scores with the what-if thresholds below "
        "(a row is selected when its score is at least its group's threshold), on "
        f"{int(overall['count']):,} test rows. They are not the model as trained, which every "
        "other section reports."
    )
    sentences = [
        f"With these thresholds, accuracy is {overall['accuracy']:.3f} and "
        f"{overall['selection_rate'] * 100:.1f}% of all rows are predicted {favourable}."
    ]
    gap = rate_gap(metrics, metric="selection_rate", min_group_size=size)
    if gap is not None:
        sentences.append(_gap_sentence(gap, favourable=favourable, level=level))
    return (
        f'<p class="basis">{_e(basis)}</p>'
        + "".join(f"<p>{_e(s)}</p>" for s in sentences)
        + f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def comparison_section(comparison: Any, *, favourable: str) -> str:
    """Two models side by side per group: each rate's change with its interval, and flips.

    Parameters
    ----------
    comparison : fairdash.metrics.ModelComparison
        From :func:`fairdash.metrics.compare_models` (``by_group`` with
        ``<rate>_first`` / ``_second`` / ``_change`` / ``_change_lower`` /
        ``_change_upper`` per rate, ``gained`` and ``lost``).
    favourable : str
        The favourable outcome in words.

    Returns
    -------
    str
        An HTML fragment, every value escaped.
    """
    first, second = comparison.first_name, comparison.second_name
    by_group = comparison.by_group
    rates = [r for r in _WHATIF_RATES if f"{r}_change" in by_group]
    head = "<th>group</th><th>rows</th>" + "".join(
        f"<th>{_e(_words(r))}: {_e(second)} − {_e(first)}</th>" for r in rates
    ) + f"<th>become {_e(favourable)}</th><th>no longer {_e(favourable)}</th>"

    def row(label: str, values: pd.Series) -> str:
        cells = f'<td>{_breakable(label)}</td><td class="num">{int(values["count"]):,}</td>'
        for rate in rates:
            change = values[f"{rate}_change"]
            cells += (
                f'<td class="num">{change * 100:+.1f}<br><small>'
                f'{values[f"{rate}_change_lower"] * 100:+.1f} to '
                f'{values[f"{rate}_change_upper"] * 100:+.1f}</small></td>'
            )
        return (
            f'<tr>{cells}<td class="num">{int(values["gained"]):,}</td>'
            f'<td class="num">{int(values["lost"]):,}</td></tr>'
        )

    rows = [row(_label(key), by_group.loc[key]) for key in by_group.index]
    rows.append(row("overall", comparison.overall))
    level = f"{comparison.confidence_level:.0%}"
    words = (
        f"<p>Per group, the change from {_e(first)} to {_e(second)} on the same test rows, in "
        f"percentage points, with its {level} paired bootstrap interval "
        f"({comparison.n_boot} resamples) below; then how many people's decisions flip each "
        "way: who gains, who loses.</p>"
    )
    return words + (
        f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def calibration_section(calibration: Any, *, note: str | None = None) -> str:
    """Calibration by group as a table: observed rate against mean score, per group.

    Parameters
    ----------
    calibration : fairdash.metrics.GroupCalibration
        From :func:`fairdash.metrics.calibration_by_group` (its ``summary``).
    note : str, optional
        A sentence to add, e.g. :func:`fairdash.metrics.parity_conflict_note`.

    Returns
    -------
    str
        An HTML fragment, every value escaped.
    """
    summary = calibration.summary
    shown = summary[[c for c in _CALIBRATION_COLUMNS if c in summary]]
    shown = shown.rename(columns=_CALIBRATION_COLUMNS)
    shown.index = pd.Index([_label(k) for k in shown.index], name="group")
    words = (
        "<p>Per group: the mean score against the observed share with the favourable outcome. "
        "Calibration in the large is observed minus mean score (positive: the scores understate "
        "the group's favourable outcomes); the expected calibration error is the row-weighted "
        "mean gap over the score bins (0 is perfectly calibrated).</p>"
    )
    if note:
        words += f"<p>{_e(note)}</p>"
    return words + dataframe_html(shown)
