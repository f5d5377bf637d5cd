"""The command line: ``python -m fairdash audit`` audits a table of predictions.

It reads the same formats as the app (:func:`fairdash.io.read_table`),
computes group metrics and fairlearn's summary disparities
(:mod:`fairdash.metrics`), checks gates such as
``demographic_parity_difference<=0.1`` and writes a table, JSON and an HTML
report (:mod:`fairdash.report`). Exit codes: 0 every gate passed, 1 a gate
failed, 2 the input or the command line is wrong. The same audit is available
from Python as :func:`audit`.

``python -m fairdash slices`` searches a table of predictions for the
subgroups a model fails (:func:`search_slices`, on
:func:`fairdash.slices.find_slices`), with the same reading, errors and exit
codes.
"""

from fairdash.cli._audit import Audit, audit
from fairdash.cli._gates import (
    GROUP_GATE_METRICS,
    SUMMARY_GATES,
    Gate,
    GateResult,
    evaluate_gates,
    gate_names,
    parse_gate,
)
from fairdash.cli._main import build_parser, main
from fairdash.cli._slices import SliceSearch, search_slices

__all__ = [
    "GROUP_GATE_METRICS",
    "SUMMARY_GATES",
    "Audit",
    "Gate",
    "GateResult",
    "SliceSearch",
    "audit",
    "build_parser",
    "evaluate_gates",
    "gate_names",
    "main",
    "parse_gate",
    "search_slices",
]
