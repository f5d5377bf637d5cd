"""Slices: find the subgroups a model fails, across every combination of columns.

:func:`find_slices` evaluates every conjunction of 1 to ``max_order``
conditions ``column = value`` (an exhaustive search), tests each slice against
the rest of the data and controls the false discovery rate over all of them.
The counting is one ``numpy.bincount`` per block of columns, so a million rows
and ten columns take about a second.
"""

from fairdash.slices._encode import searchable_columns
from fairdash.slices._metrics import HARM_DIRECTION, MEAN_METRICS, PROPORTION_METRICS
from fairdash.slices._search import SLICE_COLUMNS, SLICE_METRICS, find_slices, slice_summary

__all__ = [
    "HARM_DIRECTION",
    "MEAN_METRICS",
    "PROPORTION_METRICS",
    "SLICE_COLUMNS",
    "SLICE_METRICS",
    "find_slices",
    "searchable_columns",
    "slice_summary",
]
