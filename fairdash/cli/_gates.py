"""CI gates: conditions such as ``demographic_parity_difference<=0.1`` on an audit."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fairdash._errors import InputError
from fairdash.metrics import CLASSIFICATION_METRICS

if TYPE_CHECKING:
    from fairdash.cli._audit import Audit

__all__ = [
    "GATE_OPERATORS",
    "GROUP_GATE_METRICS",
    "SUMMARY_GATES",
    "Gate",
    "GateResult",
    "evaluate_gates",
    "gate_names",
    "parse_gate",
]

#: fairlearn's summary disparities (``GroupMetrics.disparities()``) a gate can test.
SUMMARY_GATES: tuple[str, ...] = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "disparate_impact_ratio",
)
#: Group metrics usable as ``<metric>_difference``, ``<metric>_ratio`` and ``overall_<metric>``.
GROUP_GATE_METRICS: tuple[str, ...] = (*CLASSIFICATION_METRICS[1:], "roc_auc")
GATE_OPERATORS: tuple[str, ...] = ("<=", ">=", "<", ">")

# Longest operators first, so that "<=" is not read as "<" followed by "=0.1".
_GATE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*(\S+)\s*$")


def gate_names() -> list[str]:
    """Every metric name a gate accepts, in the order ``--help`` lists them."""
    names = list(SUMMARY_GATES)
    for metric in GROUP_GATE_METRICS:
        names += [f"{metric}_difference", f"{metric}_ratio", f"overall_{metric}"]
    return names


@dataclass(frozen=True)
class Gate:
    """A condition an audit must meet, such as ``disparate_impact_ratio>=0.8``.

    Attributes
    ----------
    text : str
        The gate as written (whitespace removed).
    name : str
        What is tested: a summary disparity (``demographic_parity_difference``),
        a between-group (or to-reference) ``<metric>_difference`` /
        ``<metric>_ratio``, or an ``overall_<metric>``.
    kind : {"summary", "difference", "ratio", "overall"}
    metric : str
        The group metric behind ``difference``, ``ratio`` and ``overall``
        gates; the summary disparity's name otherwise.
    operator : {"<=", ">=", "<", ">"}
    threshold : float
    """

    text: str
    name: str
    kind: str
    metric: str
    operator: str
    threshold: float

    def passes(self, value: float) -> bool:
        """Whether ``value`` meets the gate; an undefined (NaN) value never does."""
        if math.isnan(value):
            return False
        if self.operator == "<=":
            return value <= self.threshold
        if self.operator == ">=":
            return value >= self.threshold
        if self.operator == "<":
            return value < self.threshold
        return value > self.threshold


@dataclass(frozen=True)
class GateResult:
    """The outcome of one gate: the measured value and whether it passed."""

    gate: Gate
    value: float
    passed: bool

    def to_dict(self) -> dict:
        """JSON-friendly form (NaN as None)."""
        value = self.value if math.isfinite(self.value) else None
        return {
            "gate": self.gate.text,
            "metric": self.gate.name,
            "operator": self.gate.operator,
            "threshold": self.gate.threshold,
            "value": value,
            "passed": self.passed,
        }


def _kind_of(name: str) -> tuple[str, str] | None:
    if name in SUMMARY_GATES:
        return "summary", name
    for metric in GROUP_GATE_METRICS:
        if name == f"{metric}_difference":
            return "difference", metric
        if name == f"{metric}_ratio":
            return "ratio", metric
        if name == f"overall_{metric}":
            return "overall", metric
    return None


def parse_gate(text: str) -> Gate:
    """Parse ``METRIC<=VALUE`` (or ``>=``, ``<``, ``>``) into a :class:`Gate`.

    Parameters
    ----------
    text : str
        For example ``"demographic_parity_difference<=0.1"``,
        ``"true_positive_rate_difference<=0.05"``, ``"accuracy_ratio>=0.9"`` or
        ``"overall_accuracy>=0.8"``.

    Returns
    -------
    Gate

    Raises
    ------
    fairdash.InputError
        If the syntax, the metric name or the number is wrong.
    """
    match = _GATE.match(text)
    if not match:
        raise InputError(
            f"Gate {text!r} is not of the form METRIC<=VALUE or METRIC>=VALUE, e.g. "
            "'demographic_parity_difference<=0.1' (quote it in the shell)."
        )
    name, operator, number = match.groups()
    kind = _kind_of(name)
    if kind is None:
        close = difflib.get_close_matches(name, gate_names(), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise InputError(
            f"Gate {text!r}: unknown metric {name!r}.{hint} See 'python -m fairdash audit "
            "--help' for the metrics gates accept."
        )
    try:
        threshold = float(number)
    except ValueError:
        threshold = math.nan
    if not math.isfinite(threshold):
        raise InputError(f"Gate {text!r}: {number!r} is not a number.")
    return Gate(
        text=f"{name}{operator}{number}",
        name=name,
        kind=kind[0],
        metric=kind[1],
        operator=operator,
        threshold=threshold,
    )


def evaluate_gates(gates: list[Gate], audit: Audit) -> list[GateResult]:
    """Measure every gate on an audit.

    Summary disparities are fairlearn's between-group definitions. Every
    gate but ``overall_<metric>`` leaves out the groups flagged small (fewer
    rows than the audit's ``min_group_size``), as the audit's summaries do.
    ``<metric>_difference`` / ``<metric>_ratio`` compare the groups with each
    other, or each group with the audit's reference group if it has one (the
    largest absolute difference, the smallest ratio with ratios above 1
    inverted, as fairlearn's ``MetricFrame``).

    Parameters
    ----------
    gates : list of Gate
    audit : Audit

    Returns
    -------
    list of GateResult
        In the order of ``gates``. A gate whose value is undefined (NaN, e.g.
        a ratio of two zero rates) fails.
    """
    results = []
    disparities = audit.disparities()
    differences, ratios = audit.differences(), audit.ratios()
    overall = audit.metrics.overall
    for gate in gates:
        if gate.metric == "roc_auc" and audit.score is None:
            raise InputError(
                f"Gate {gate.text!r} needs scores: give the score column with --score."
            )
        if gate.kind == "summary":
            value = disparities[gate.name]
        elif gate.kind == "difference":
            value = differences[gate.metric]
        elif gate.kind == "ratio":
            value = ratios[gate.metric]
        else:
            value = overall[gate.metric]
        value = float(value)
        results.append(GateResult(gate=gate, value=value, passed=gate.passes(value)))
    return results
