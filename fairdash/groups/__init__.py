"""Intersectional groups: the one home of how rows are grouped, labelled and compared.

- :func:`sensitive_frame`, :func:`bin_edges`: the sensitive columns of a data set
  as categoricals (bins decided once, missing values a group, text in NFC).
- :func:`encode_groups`, :class:`GroupEncoding`: one integer code per row, the
  ordered index of groups, their labels, sizes, empty groups and split strata;
  used by the metrics, the mitigators, the threshold curves and the splits.
- :func:`group_label`: the one label format (``Female × White``; values holding
  ``×`` are quoted, so different groups never share a label).
- :func:`resolve_reference`, :func:`best_group`: the reference group, the same
  in the CLI and on the Explore page.
- :func:`spelling_notes`: notes on values that only look alike.
"""

from fairdash.groups._encoding import MAX_GROUPS, GroupEncoding, encode_groups
from fairdash.groups._frame import (
    MAX_BINS,
    bin_edges,
    bin_labels,
    check_bins_spec,
    group_labels,
    is_binned,
    parse_bins_text,
    sensitive_frame,
)
from fairdash.groups._labels import (
    GROUP_SEPARATOR,
    MISSING_LABEL,
    group_label,
    group_label_index,
    value_text,
)
from fairdash.groups._reference import REFERENCE_CHOICES, best_group, resolve_reference
from fairdash.groups._spelling import spelling_notes

__all__ = [
    "GROUP_SEPARATOR",
    "MAX_BINS",
    "MAX_GROUPS",
    "MISSING_LABEL",
    "REFERENCE_CHOICES",
    "GroupEncoding",
    "best_group",
    "bin_edges",
    "bin_labels",
    "check_bins_spec",
    "encode_groups",
    "group_label",
    "group_label_index",
    "group_labels",
    "is_binned",
    "parse_bins_text",
    "resolve_reference",
    "sensitive_frame",
    "spelling_notes",
    "value_text",
]
