"""Fairness metrics: per-group performance, disparities and intervals, fast.

All group metrics are computed from vectorised ``numpy.bincount`` calls over
one integer code per row, and agree with fairlearn's ``MetricFrame`` (and the
scikit-learn / scipy functions it wraps) to floating-point precision.

- :func:`group_metrics`: classification metrics per group, overall, their
  differences and ratios, fairlearn's summary disparities, Wilson and
  bootstrap confidence intervals.
- :func:`regression_group_metrics`: regression metrics per group and the
  distance between the groups' distributions of predictions;
  :func:`prediction_error_by_group`: mean over- and under-prediction per group.
- :func:`data_stage`: representation and label balance per group before any
  model (SageMaker Clarify's pre-training measures).
- :func:`ks_distance`, :func:`wasserstein_distance`: largest distance between
  the groups' distributions of a value.
"""

from fairdash.metrics._data_stage import DATA_STAGE_COLUMNS, data_stage
from fairdash.metrics._distributions import ks_distance, wasserstein_distance
from fairdash.metrics._group_metrics import (
    BOOTSTRAP_METRICS,
    CLASSIFICATION_METRICS,
    RATE_METRICS,
    GroupMetrics,
    group_metrics,
)
from fairdash.metrics._intervals import wilson_interval
from fairdash.metrics._regression import (
    REGRESSION_METRICS,
    RegressionGroupMetrics,
    prediction_error_by_group,
    regression_group_metrics,
)

__all__ = [
    "BOOTSTRAP_METRICS",
    "CLASSIFICATION_METRICS",
    "DATA_STAGE_COLUMNS",
    "RATE_METRICS",
    "REGRESSION_METRICS",
    "GroupMetrics",
    "RegressionGroupMetrics",
    "data_stage",
    "group_metrics",
    "ks_distance",
    "prediction_error_by_group",
    "regression_group_metrics",
    "wasserstein_distance",
    "wilson_interval",
]
