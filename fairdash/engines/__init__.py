"""Group metrics of prediction logs too large for memory: DuckDB and Spark engines.

The in-memory engine (:func:`fairdash.metrics.group_metrics`) needs the rows in
pandas. A production log of hundreds of millions of rows is instead reduced to
counts where it lives (:func:`aggregate_log`: DuckDB reading Parquet/CSV files,
folders and globs out of core, or a Spark session), and the same
:class:`~fairdash.metrics.GroupMetrics` is built from those counts
(:func:`metrics_from_cell_table`). :func:`log_group_metrics` does both.
:func:`threshold_curves_from_table` gives the what-if threshold curves from the
table's score histogram, and :func:`resolve_in_data_dir` guards a server-side
data folder (``FAIRDASH_DATA_DIR``).
"""

from fairdash.engines._aggregate import CellTable, metrics_from_cell_table, roc_auc_error_bound
from fairdash.engines._curves import (
    HistogramThresholdCurves,
    bin_edges,
    threshold_curves_from_table,
)
from fairdash.engines._data_dir import DATA_DIR_VARIABLE, list_data_dir, resolve_in_data_dir
from fairdash.engines._engines import DEFAULT_SCORE_BINS, aggregate_log, log_group_metrics
from fairdash.engines._sources import describe_log, is_numeric_type, resolve_files

__all__ = [
    "DATA_DIR_VARIABLE",
    "DEFAULT_SCORE_BINS",
    "CellTable",
    "HistogramThresholdCurves",
    "aggregate_log",
    "bin_edges",
    "describe_log",
    "is_numeric_type",
    "list_data_dir",
    "log_group_metrics",
    "metrics_from_cell_table",
    "resolve_files",
    "resolve_in_data_dir",
    "roc_auc_error_bound",
    "threshold_curves_from_table",
]
