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
- :func:`compare_models`: two models on the same rows, per group: change in
  rates with paired bootstrap intervals, decisions that flip each way.
- :func:`calibration_by_group`: reliability bins with Wilson intervals,
  calibration-in-the-large and expected calibration error per group;
  :func:`error_balance`, :func:`parity_conflict_note`: predictive parity beside
  equalized odds, and why both rarely hold.
- :func:`differences_to_reference`: differences (and ratios of rates) to a
  reference group or all rows; counts are never differenced.
- :func:`data_stage`: representation and label balance per group before any
  model (SageMaker Clarify's pre-training measures).
- :func:`ks_distance`, :func:`wasserstein_distance`: largest distance between
  the groups' distributions of a value.
"""

from fairdash.metrics._calibration import (
    GroupCalibration,
    calibration_by_group,
    error_balance,
    parity_conflict_note,
)
from fairdash.metrics._comparison import (
    COMPARED_RATES,
    ModelComparison,
    compare_models,
    differences_to_reference,
)
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
    "COMPARED_RATES",
    "DATA_STAGE_COLUMNS",
    "RATE_METRICS",
    "REGRESSION_METRICS",
    "GroupCalibration",
    "GroupMetrics",
    "ModelComparison",
    "RegressionGroupMetrics",
    "calibration_by_group",
    "compare_models",
    "data_stage",
    "differences_to_reference",
    "error_balance",
    "group_metrics",
    "ks_distance",
    "parity_conflict_note",
    "prediction_error_by_group",
    "regression_group_metrics",
    "wasserstein_distance",
    "wilson_interval",
]
