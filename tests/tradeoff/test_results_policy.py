"""Compare's axes follow the small-group policy: results_table(min_group_size=...)."""

from __future__ import annotations

import numpy as np
import pytest

from fairdash.metrics import group_metrics
from fairdash.tradeoff import ModelResult, results_table
from tests._messy import MESSY


@pytest.fixture(scope="module")
def results(messy_frame):
    y = (messy_frame[MESSY["target"]] == MESSY["favourable"]).to_numpy(dtype=int)
    sensitive = messy_frame[list(MESSY["sensitive"])]
    tiny = ((sensitive["race"] == "Asian") & (sensitive["sex"] == "Female")).to_numpy()
    rng = np.random.default_rng(0)
    out = []
    for i, accuracy in enumerate((0.7, 0.8, 0.9)):
        pred = np.where(rng.random(len(y)) < accuracy, y, 1 - y)
        pred[tiny] = i % 2  # the 1-3 person cell swings the unfiltered disparity
        metrics = group_metrics(y, pred, sensitive)
        out.append(ModelResult(name=f"m{i}", method="test", params={}, y_pred=pred,
                               y_score=None, metrics=metrics, fit_seconds=0.0))
    return out


def test_disparity_axis_leaves_small_groups_out(results):
    everyone = results_table(results)
    policy = results_table(results, min_group_size=30)
    for row, result in zip(policy.itertuples(), results, strict=True):
        expected = result.metrics.disparities(min_group_size=30)["demographic_parity_difference"]
        assert row.demographic_parity_difference == pytest.approx(expected, abs=1e-12)
    assert (everyone["accuracy"] == policy["accuracy"]).all()
    assert not np.allclose(everyone["demographic_parity_difference"],
                           policy["demographic_parity_difference"])
    pd_equal = results_table(results, min_group_size=None)
    assert pd_equal.equals(everyone)
