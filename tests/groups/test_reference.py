"""One reference-group resolver: "best" means the same in the CLI and on Explore."""

import numpy as np
import pandas as pd
import pytest

from fairdash import InputError
from fairdash.groups import best_group, resolve_reference
from fairdash.metrics import group_metrics, regression_group_metrics


@pytest.fixture
def metrics():
    # Group "tiny" has the highest selection rate but only 3 rows; "a" is largest.
    groups = ["a"] * 60 + ["b"] * 40 + ["tiny"] * 3
    y_pred = np.r_[np.ones(30), np.zeros(30), np.ones(30), np.zeros(10), np.ones(3)]
    y_true = np.ones(len(groups))
    y_true[::2] = 0
    return group_metrics(y_true, y_pred, pd.Series(groups, name="g"), min_group_size=30)


def test_best_is_the_highest_rate_among_groups_that_are_not_small(metrics):
    rates = metrics.by_group["selection_rate"]
    assert rates.idxmax() == "tiny"  # the naive answer
    assert best_group(metrics) == "b"  # 0.75 among groups of at least 30 rows
    assert resolve_reference(metrics, "best") == "b"


def test_best_falls_back_to_every_group_when_all_are_small():
    y = np.array([1, 0, 1, 1, 0, 0])
    small = group_metrics(y, y, pd.Series(list("aabbcc")), min_group_size=30)
    assert best_group(small) == "b"


def test_best_in_regression_is_the_highest_mean_prediction():
    metrics = regression_group_metrics(
        np.arange(6.0), np.array([1.0, 1.0, 5.0, 5.0, 3.0, 3.0]), pd.Series(list("aabbcc"))
    )
    assert best_group(metrics) == "b"


def test_largest_label_values_and_keys(metrics):
    assert resolve_reference(metrics, "largest") == "a"
    assert resolve_reference(metrics, " tiny ") == "tiny"
    assert resolve_reference(metrics, ("b",)) == "b"


def test_intersectional_reference_by_label_or_values():
    sf = pd.DataFrame({"sex": list("ffmm") * 3, "race": list("xyxy") * 3})
    y = np.arange(12) % 2
    metrics = group_metrics(y, y, sf)
    assert resolve_reference(metrics, "m × y") == ("m", "y")
    assert resolve_reference(metrics, "m, y") == ("m", "y")
    assert resolve_reference(metrics, ("f", "x")) == ("f", "x")
    with pytest.raises(InputError, match="one value per feature"):
        resolve_reference(metrics, "q")


def test_the_cli_uses_the_same_resolver(metrics):
    from fairdash.cli import _audit

    assert _audit.resolve_reference is resolve_reference
