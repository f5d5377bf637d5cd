"""Group metrics of prediction logs too large for memory: DuckDB and Spark engines.

The in-memory engine (:func:`fairdash.metrics.group_metrics`) needs the rows in
pandas. A production log of hundreds of millions of rows is instead reduced to
counts where it lives (:func:`aggregate_log`: DuckDB reading Parquet/CSV files,
folders and globs out of core, or a Spark session), and the same
:class:`~fairdash.metrics.GroupMetrics` is built from those counts
(:func:`metrics_from_cell_table`). :func:`log_group_metrics` does both.
"""

from fairdash.engines._aggregate import CellTable, metrics_from_cell_table, roc_auc_error_bound
from fairdash.engines._engines import (
    DEFAULT_SCORE_BINS,
    aggregate_log,
    log_group_metrics,
    resolve_files,
)

__all__ = [
    "DEFAULT_SCORE_BINS",
    "CellTable",
    "aggregate_log",
    "log_group_metrics",
    "metrics_from_cell_table",
    "resolve_files",
    "roc_auc_error_bound",
]
