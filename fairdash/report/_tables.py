"""HTML tables of the report: formatting and escaping of every value."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fairdash._markup import html_text as _e
from fairdash.groups import group_label, value_text
from fairdash.metrics import GroupMetrics

__all__ = ["dataframe_html"]

_RATE_LABELS = {
    "selection_rate": "selection rate",
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "true_positive_rate": "true positive rate",
    "false_positive_rate": "false positive rate",
    "false_negative_rate": "false negative rate",
    "true_negative_rate": "true negative rate",
    "precision": "precision",
    "negative_predictive_value": "negative predictive value",
    "f1": "F1",
    "base_rate": "base rate",
    "roc_auc": "ROC AUC",
}

# Longest run of characters a table cell keeps on one line.
_UNBROKEN = 20


def _breakable(value: object) -> str:
    """Escaped text that may wrap after ``_``, ``/`` and every 20 characters of a long word.

    Identifiers and codes have no spaces to wrap at, and a table too wide for
    the page would be cut when printed.
    """
    out = []
    for token in re.split(r"(\s+)", str(value)):
        pieces = [
            part[i : i + _UNBROKEN]
            for part in re.split(r"(?<=[_/])", token)
            for i in range(0, len(part), _UNBROKEN)
        ]
        out.append("<wbr>".join(_e(piece) for piece in pieces))
    return "".join(out)


def basis_html(whose: str, *, rows: int | None = None) -> str:
    """The line that says which model (and thresholds) a section's numbers belong to."""
    on = f", on {rows:,} rows" if rows is not None else ""
    return f'<p class="basis">Numbers in this section: {_e(whose)}{on}.</p>'


def _number(value: object, digits: int = 3) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if value is None:
        return "n/a"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _e(value)
    if math.isnan(number):
        return "n/a"
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    if number.is_integer() and abs(number) >= 1000:
        return f"{int(number):,}"
    return f"{number:.{digits}f}"


def dataframe_html(
    frame: pd.DataFrame, *, digits: int = 3, index: bool = True, max_columns: int | None = None
) -> str:
    """A DataFrame as an HTML table, every label and value escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
    digits : int, default=3
        Decimals of floats; NaN shows as ``n/a``.
    index : bool, default=True
        Show the index (one column per level), unless it is an unnamed RangeIndex.
    max_columns : int, optional
        At most this many columns per table: a wider frame is shown as several
        tables, each repeating the index (so it fits a printed page).

    Returns
    -------
    str
    """
    # A default RangeIndex (0, 1, 2, ...) says nothing: leave it out.
    default_index = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    if max_columns is not None and frame.shape[1] > max_columns:
        return "".join(
            dataframe_html(frame.iloc[:, start : start + max_columns], digits=digits, index=index)
            for start in range(0, frame.shape[1], max_columns)
        )
    shown = frame.reset_index() if index and not default_index else frame
    head = "".join(f"<th>{_breakable(c)}</th>" for c in shown.columns)
    numeric = [
        pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
        for c in shown.columns
    ]
    # Counts stored as floats (NaN for empty groups) read better without decimals.
    whole = [
        is_number and _whole_numbers(shown[c])
        for c, is_number in zip(shown.columns, numeric, strict=True)
    ]
    rows = []
    for values in shown.itertuples(index=False, name=None):
        cells = []
        for value, is_number, is_whole in zip(values, numeric, whole, strict=True):
            if is_whole and pd.notna(value) and np.isfinite(value):
                cells.append(f'<td class="num">{int(value):,}</td>')
            elif is_number:
                cells.append(f'<td class="num">{_number(value, digits)}</td>')
            elif isinstance(value, bool | np.bool_):
                cells.append(f"<td>{'yes' if value else 'no'}</td>")
            else:
                cells.append(f"<td>{'n/a' if pd.isna(value) else _breakable(value)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _key_value_table(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(f'<tr><th scope="row">{_e(k)}</th><td>{v}</td></tr>' for k, v in rows)
    return f"<table>{body}</table>"


def _parts(key: Any) -> tuple[Any, ...]:
    return key if isinstance(key, tuple) else (key,)


def _label(key: Any) -> str:
    return group_label(key)


# Metric columns per group table: more would not fit an A4 page's width.
_GROUP_TABLE_COLUMNS = 5


def _group_rows(metrics: GroupMetrics, columns: Sequence[str]) -> list[str]:
    by_group = metrics.by_group
    intervals = metrics.intervals
    small = metrics.small_group.to_numpy()
    body = []
    for position, key in enumerate(by_group.index):
        row = by_group.iloc[position]
        if not row["count"] > 0:
            continue
        cells = "".join(f"<td>{_breakable(value_text(p))}</td>" for p in _parts(key))
        cells += f'<td class="num">{int(row["count"]):,}</td>'
        cells += f"<td>{'small' if small[position] else ''}</td>"
        for column in columns:
            value = _number(row[column])
            if f"{column}_lower" in intervals.columns:
                lower = intervals.iloc[position][f"{column}_lower"]
                upper = intervals.iloc[position][f"{column}_upper"]
                value += f"<br><small>{_number(lower)}–{_number(upper)}</small>"
            cells += f'<td class="num">{value}</td>'
        css = ' class="small-group"' if small[position] else ""
        body.append(f"<tr{css}>{cells}</tr>")
    overall = metrics.overall
    overall_intervals = metrics.overall_intervals
    cells = f'<td colspan="{len(metrics.sensitive_feature_names)}"><b>overall</b></td>'
    cells += f'<td class="num">{int(overall["count"]):,}</td><td></td>'
    for column in columns:
        value = _number(overall.get(column))
        if f"{column}_lower" in overall_intervals.index:
            value += (
                f"<br><small>{_number(overall_intervals[f'{column}_lower'])}–"
                f"{_number(overall_intervals[f'{column}_upper'])}</small>"
            )
        cells += f'<td class="num">{value}</td>'
    body.append(f"<tr>{cells}</tr>")
    return body


def _group_table(metrics: GroupMetrics) -> str:
    names = metrics.sensitive_feature_names
    columns = [c for c in metrics.by_group.columns if c != "count"]
    level = f"{metrics.confidence_level:.0%}"
    tables = []
    # Several narrow tables rather than one too wide to read or print.
    for start in range(0, len(columns), _GROUP_TABLE_COLUMNS):
        chunk = columns[start : start + _GROUP_TABLE_COLUMNS]
        head = "".join(f"<th>{_breakable(n)}</th>" for n in names)
        head += "<th>rows</th><th>small group</th>"
        head += "".join(f"<th>{_e(_RATE_LABELS.get(c, c))}</th>" for c in chunk)
        tables.append(
            f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(_group_rows(metrics, chunk))}</tbody></table></div>"
        )
    n_empty = int((metrics.group_sizes == 0).sum())
    empty = (
        f" {n_empty} combination(s) of the sensitive features have no rows and are left out."
        if n_empty
        else ""
    )
    return (
        f"<p>Below each rate: its {level} Wilson confidence interval. Groups with fewer than "
        f"{metrics.min_group_size} rows are flagged small: their rates are uncertain.{empty}</p>"
        + "".join(tables)
    )


def _whole_numbers(column: pd.Series) -> bool:
    """Whether every finite value of a numeric column is a whole number (infinities ignored)."""
    values = column.dropna().to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    return bool(np.all(np.mod(values, 1) == 0))
