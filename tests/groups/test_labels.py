"""One label format, unambiguous: different groups never share a label."""

import numpy as np
import pandas as pd
import pytest

from fairdash import group_labels, sensitive_frame
from fairdash.groups import encode_groups, group_label
from fairdash.metrics import group_metrics
from fairdash.plots import group_label_index
from fairdash.thresholds import ThresholdCurves


@pytest.fixture
def separator_in_values():
    # ("a × b", "c") and ("a", "b × c") both read "a × b × c" when simply joined.
    return pd.DataFrame({"s": ["a × b", "a", "a × b", "a"], "t": ["c", "b × c", "c", "b × c"]})


def test_separator_inside_values_is_quoted(separator_in_values):
    assert group_label(("a × b", "c")) == '"a × b" × c'
    assert group_label(("a", "b × c")) == 'a × "b × c"'
    labels = group_labels(sensitive_frame(separator_in_values, ["s", "t"]))
    assert labels.nunique() == 2


@pytest.mark.parametrize(
    ("key", "label"),
    [
        (("Female", "White"), "Female × White"),
        ("Female", "Female"),
        (("Male ", "x"), '"Male " × x'),  # surrounding spaces made visible
        (('"quoted"', "x"), '"""quoted""" × x'),  # inner quotes doubled
        ((None, np.nan), "(missing) × (missing)"),
        ((1, 2.5), "1 × 2.5"),
    ],
)
def test_label_format(key, label):
    assert group_label(key) == label


def test_labels_are_unique_over_many_awkward_values():
    values = ["a", "a ", " a", "a × b", "b", '"a"', '"a', "a × b × c", "b × c", "×"]
    keys = [(x, y) for x in values for y in values]
    assert len({group_label(k) for k in keys}) == len(keys)


def test_every_builder_uses_the_same_labels(separator_in_values):
    frame = sensitive_frame(separator_in_values, ["s", "t"])
    y = np.array([1, 0, 0, 1])
    metrics = group_metrics(y, y, frame)
    present = metrics.by_group.index[metrics.group_sizes.to_numpy() > 0]
    expected = ['"a × b" × c', 'a × "b × c"']
    assert sorted(group_label_index(present)) == sorted(expected)
    assert sorted(set(group_labels(frame))) == sorted(expected)
    encoding = encode_groups(frame, n_rows=4, keep_empty=False)
    assert sorted(encoding.labels) == sorted(expected)


def test_what_if_thresholds_keyed_by_label_keep_both_groups(separator_in_values):
    frame = sensitive_frame(separator_in_values, ["s", "t"])
    curves = ThresholdCurves([1, 0, 0, 1], [0.9, 0.2, 0.4, 0.7], frame)
    labels = curves.labels()
    present = np.flatnonzero(curves.group_sizes > 0)
    # The What-if page stores {label: threshold} for the groups with rows.
    thresholds = {labels[g]: 0.5 + 0.1 * i for i, g in enumerate(present)}
    assert len(thresholds) == 2
