"""Plain-text output of the command line: the audit as a table, safe for terminals."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

from fairdash.cli._audit import Audit
from fairdash.cli._gates import GateResult
from fairdash.groups import group_label

__all__ = ["format_audit", "printable"]

_MAX_LABEL = 40
# (column, header) of the by-group table; the selection rate also shows its interval.
_COLUMNS = (
    ("accuracy", "accuracy"),
    ("true_positive_rate", "TPR"),
    ("false_positive_rate", "FPR"),
    ("precision", "precision"),
    ("roc_auc", "ROC AUC"),
)


def printable(text: object) -> str:
    """``text`` with control and other invisible characters escaped (``\\x1b``, ``\\n``).

    Column names and values come from users' files; printed raw, an escape
    sequence could rewrite the terminal or a CI log, and a newline could fake
    a line of output.
    """
    out = []
    for char in str(text):
        if unicodedata.category(char)[0] == "C" or (char.isspace() and char != " "):
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


def _shorten(text: str, width: int = _MAX_LABEL) -> str:
    text = printable(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _number(value: float, digits: int = 3) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _table(rows: Sequence[Sequence[str]], *, align_left: int = 1) -> list[str]:
    widths = [max(len(row[j]) for row in rows) for j in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if j < align_left else cell.rjust(width)
            for j, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def format_audit(audit: Audit, gates: Sequence[GateResult] = ()) -> str:
    """The audit as readable text: groups, summary disparities and gates.

    Parameters
    ----------
    audit : Audit
    gates : sequence of GateResult

    Returns
    -------
    str
        Ends with a newline. Every user-supplied string is passed through
        :func:`printable`.
    """
    problem = audit.problem
    metrics = audit.metrics
    source = f"'{_shorten(audit.source, 80)}'" if audit.source else "the data"
    lines = [
        f"FairDash audit of {source}: {audit.n_rows:,} rows, {audit.n_columns:,} columns, "
        f"{audit.n_audited:,} audited",
        f"target '{printable(problem.target)}' (favourable: "
        f"{printable(repr(problem.positive_label))}), prediction '{printable(audit.prediction)}'"
        + (f", score '{printable(audit.score)}'" if audit.score else "")
        + ", sensitive: "
        + ", ".join(f"'{printable(s)}'" for s in problem.sensitive_features),
        "",
    ]
    level = f"{metrics.confidence_level:.0%}"
    columns = [c for c in _COLUMNS if c[0] in metrics.by_group.columns]
    rows = [["group", "rows", f"selection rate [{level} interval]", *(h for _, h in columns)]]
    by_group = metrics.by_group
    intervals = metrics.intervals
    small = metrics.small_group.to_numpy()
    for position, key in enumerate(by_group.index):
        row = by_group.iloc[position]
        if not row["count"] > 0:
            continue
        lower = intervals.iloc[position]["selection_rate_lower"]
        upper = intervals.iloc[position]["selection_rate_upper"]
        rows.append(
            [
                _shorten(group_label(key)) + (" *" if small[position] else ""),
                f"{int(row['count']):,}",
                f"{_number(row['selection_rate'])} [{_number(lower)}, {_number(upper)}]",
                *(_number(row[c]) for c, _ in columns),
            ]
        )
    overall = metrics.overall
    overall_intervals = metrics.overall_intervals
    rows.append(
        [
            "overall",
            f"{int(overall['count']):,}",
            f"{_number(overall['selection_rate'])} "
            f"[{_number(overall_intervals['selection_rate_lower'])}, "
            f"{_number(overall_intervals['selection_rate_upper'])}]",
            *(_number(overall[c]) for c, _ in columns),
        ]
    )
    lines += _table(rows)
    legend = "TPR, FPR: true and false positive rates"
    if small.any():
        legend = f"* small group (fewer than {metrics.min_group_size} rows). " + legend
    lines += [legend, ""]

    lines.append("Summary disparities (between groups; 0 difference / 1 ratio means parity)")
    if audit.left_out_groups():
        lines.append(f"  (groups marked * are left out: fewer than {metrics.min_group_size} rows)")
    summary = audit.disparities()
    passed = summary.pop("four_fifths_rule_passed")
    lines += _table(
        [[f"  {name}", _number(value)] for name, value in summary.items()]
        + [["  four_fifths_rule_passed", "yes" if passed else "no"]]
    )
    if audit.reference is not None:
        lines.append(f"Reference group: '{_shorten(audit.reference_label)}'")
    if gates:
        lines += ["", "Gates"]
        lines += _table(
            [
                [f"  {'pass' if r.passed else 'FAIL'}", r.gate.text, f"value {_number(r.value, 4)}"]
                for r in gates
            ],
            align_left=2,
        )
    return "\n".join(lines) + "\n"
