"""Group metrics of a prediction log where it lives: DuckDB (out of core) or Spark.

Both engines run the same two aggregation queries (:mod:`fairdash.engines._sql`)
and hand a :class:`~fairdash.engines.CellTable` of a few hundred rows to
:func:`~fairdash.engines.metrics_from_cell_table`, which builds the same
:class:`~fairdash.metrics.GroupMetrics` as the in-memory engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash._validation import check_weight_summary
from fairdash.engines._aggregate import CellTable, metrics_from_cell_table
from fairdash.engines._sources import _DuckDBSource, _SparkSource, is_numeric_type
from fairdash.engines._sql import BinSpec, cells_query, profile_query
from fairdash.metrics import GroupMetrics

__all__ = [
    "DEFAULT_SCORE_BINS",
    "aggregate_log",
    "log_group_metrics",
]

#: Equal-width score bins of the histograms behind ROC AUC and what-if curves.
DEFAULT_SCORE_BINS = 1 << 16
# As for in-memory data: numeric sensitive columns with more values are binned.
_MAX_NUMERIC_LEVELS = 10
_DEFAULT_BINS = 4
_MAX_BINS = 1000

Engine = Literal["duckdb", "spark"]


def aggregate_log(
    source: Any,
    *,
    target: str,
    prediction: str,
    sensitive_features: Sequence[str],
    score: str | None = None,
    sample_weight: str | None = None,
    bins: Mapping[str, int | Sequence[float]] | None = None,
    engine: Engine = "duckdb",
    spark: Any = None,
    spark_master: str | None = None,
    n_score_bins: int = DEFAULT_SCORE_BINS,
    threads: int | None = None,
) -> CellTable:
    """Reduce a prediction log to counts per (group, true label, predicted label).

    Parameters
    ----------
    source : str, path, Spark DataFrame or table name
        DuckDB: a Parquet or CSV file, a folder of them, or a glob
        (``logs/2026-*/*.parquet``). Spark: the same, a Spark DataFrame, or
        the name of a table in the session's catalog.
    target, prediction : str
        Columns of the true outcome and the model's predicted label.
    sensitive_features : sequence of str
        Columns whose combinations form the groups.
    score : str, optional
        Column of scores (for ROC AUC and what-if thresholds).
    sample_weight : str, optional
        Column of non-negative row weights.
    bins : mapping, optional
        Per numeric sensitive column, a number of quantile bins or the bin
        edges, as :func:`fairdash.sensitive_frame` takes them. Numeric
        columns with more than 10 distinct values are cut into 4 quantile
        bins by default, as in memory.
    engine : {"duckdb", "spark"}, default="duckdb"
    spark : pyspark.sql.SparkSession, optional
        The session to use with ``engine="spark"``.
    spark_master : str, optional
        A master URL (``local[2]``, ``spark://host:7077``) to start a session with.
    n_score_bins : int, default=65536
        Equal-width score bins of the histogram.
    threads : int, optional
        DuckDB's thread count (default: all cores).

    Returns
    -------
    CellTable
    """
    sensitive = list(sensitive_features)
    if not sensitive:
        raise InputError("Choose at least one sensitive feature.")
    if engine == "duckdb":
        src: Any = _DuckDBSource(source, threads=threads)
    elif engine == "spark":
        src = _SparkSource(source, spark=spark, master=spark_master)
    else:
        raise InputError(f"Unknown engine {engine!r}: choose 'numpy', 'duckdb' or 'spark'.")
    roles = {"target": [target], "prediction": [prediction], "sensitive feature": sensitive}
    if score:
        roles["score"] = [score]
    if sample_weight:
        roles["sample weight"] = [sample_weight]
    for role, names in roles.items():
        for name in names:
            if name not in src.types:
                raise InputError(
                    f"The {role} column {name!r} is not in {src.name}; its columns are: "
                    f"{', '.join(map(repr, list(src.types)[:12]))}.",
                    column=name,
                )
    for role, name in (("score", score), ("sample weight", sample_weight)):
        if name and not is_numeric_type(src.types[name]):
            raise InputError(
                f"The {role} column {name!r} is not numeric in {src.name} (its type is "
                f"{src.types[name]}).",
                column=name,
            )
    bins = dict(bins or {})
    for name, spec in bins.items():
        if name not in sensitive:
            raise InputError(f"Bins are given for {name!r}, which is not a sensitive feature.",
                             column=name)
        if not is_numeric_type(src.types[name]):
            raise InputError(f"The sensitive feature {name!r} is not numeric, so it cannot be "
                             "binned.", column=name)
        if isinstance(spec, int | np.integer) and not 2 <= int(spec) <= _MAX_BINS:
            raise InputError(f"The number of bins for {name!r} must be between 2 and "
                             f"{_MAX_BINS}, got {spec}.", column=name)
    numeric = [c for c in sensitive if is_numeric_type(src.types[c])]
    quantile_counts = sorted({int(b) for b in bins.values() if isinstance(b, int | np.integer)}
                             | {_DEFAULT_BINS})
    probabilities = sorted({float(p) for k in quantile_counts for p in np.linspace(0, 1, k + 1)})
    # Without numeric sensitive features to profile, Parquet footers give the rest.
    profile = None if numeric else src.footer_profile(score)
    if profile is None:
        profile = src.query(
            profile_query(src.sql, src.dialect, score=score, numeric_sensitive=numeric,
                          quantiles=probabilities)
        ).iloc[0]
    n_rows = int(profile["n_rows"])
    if n_rows == 0:
        raise InputError(f"{src.name} has no rows.")

    specs: list[BinSpec] = []
    binned: dict[str, tuple[float, ...]] = {}
    notes: list[str] = []
    for i, column in enumerate(numeric):
        if column not in bins and int(profile[f"distinct_{i}"]) <= _MAX_NUMERIC_LEVELS:
            continue
        spec = bins.get(column, _DEFAULT_BINS)
        lo, hi = float(profile[f"min_{i}"]), float(profile[f"max_{i}"])
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise InputError(f"The sensitive feature {column!r} contains infinite values, which "
                             "cannot be put in bins.", column=column)
        if isinstance(spec, int | np.integer):
            values = dict(zip(probabilities, np.asarray(profile[f"quantiles_{i}"], float),
                              strict=True))
            edges = np.unique([values[float(p)] for p in np.linspace(0, 1, int(spec) + 1)])
            if len(edges) < 2:
                raise InputError(f"The sensitive feature {column!r} has a single value; it "
                                 "cannot be binned.", column=column)
            if column not in bins:
                notes.append(
                    f"The sensitive feature '{column}' is numeric with many values, so it is "
                    "split into 4 groups of about equal size (quantile bins)."
                )
        else:
            edges = np.asarray(sorted(float(e) for e in spec))
            if len(edges) < 2 or len(np.unique(edges)) != len(edges) or not np.isfinite(
                edges
            ).all():
                raise InputError(f"Bin edges for {column!r} must be at least two distinct finite "
                                 f"numbers, got {list(spec)}.", column=column)
            if lo < edges[0]:
                edges = np.concatenate([[-np.inf], edges])
            if hi >= edges[-1]:
                edges = np.concatenate([edges, [np.inf]])
        specs.append(BinSpec(column, tuple(float(e) for e in edges)))
        binned[column] = tuple(float(e) for e in edges)

    score_range = None
    if score:
        lo, hi = profile["score_min"], profile["score_max"]
        if pd.isna(lo) or not (np.isfinite(float(lo)) and np.isfinite(float(hi))):
            raise InputError(f"The score column {score!r} has no finite values in {src.name}.",
                             column=score)
        score_range = (float(lo), float(hi))
    result = src.query(
        cells_query(src.sql, src.dialect, sensitive=sensitive, bins=specs, target=target,
                    prediction=prediction, sample_weight=sample_weight, score=score,
                    score_range=score_range, n_bins=n_score_bins)
    ).rename(columns={f"k{i}": c for i, c in enumerate(sensitive)})
    histogram = None
    if score:
        # One scan gave both: the cells, and the histogram (a NULL bin: rows without a score).
        is_cell = result["cells"].to_numpy(np.int64) == 1
        cells = result[is_cell].drop(columns=["b", "cells"]).reset_index(drop=True)
        predicted = cells["p"]  # NULL in the histogram's rows: back to the column's own type
        if pd.api.types.is_integer_dtype(predicted.dtype) and not predicted.isna().any():
            cells["p"] = predicted.to_numpy(getattr(predicted.dtype, "numpy_dtype", None))
        histogram = result[~is_cell & result["b"].notna().to_numpy()].drop(
            columns=["p", "cells", "sw2", "n_weight", "w_min"], errors="ignore"
        ).reset_index(drop=True)
        histogram["b"] = histogram["b"].to_numpy(np.int64)
    else:
        cells = result
    if sample_weight:
        # NULLs are not counted in n_weight; NaN and infinities make the sum non-finite.
        total = float(cells["sw"].to_numpy(np.float64).sum())  # NaN kept (pandas would skip it)
        check_weight_summary(
            name=f"The sample weight column {sample_weight!r} of {src.name}",
            column=sample_weight,
            finite=int(cells["n_weight"].sum()) == int(cells["n"].sum()) and np.isfinite(total),
            minimum=float(cells["w_min"].min()),
            total=total,
        )
    if histogram is not None:
        n_scored = int(histogram["n"].sum())
        if n_scored != n_rows:
            raise InputError(
                f"The score column {score!r} has {n_rows - n_scored:,} missing value(s) in "
                f"{src.name}; every audited row needs a score.",
                column=score,
            )
    return CellTable(
        cells=cells,
        histogram=histogram,
        sensitive_features=sensitive,
        binned=binned,
        score_range=score_range,
        n_bins=n_score_bins,
        n_rows=n_rows,
        source=src.name,
        notes=tuple(notes),
        n_columns=len(src.types),
    )


def log_group_metrics(
    source: Any,
    *,
    target: str,
    prediction: str,
    sensitive_features: Sequence[str],
    pos_label: Any = 1,
    score: str | None = None,
    sample_weight: str | None = None,
    bins: Mapping[str, int | Sequence[float]] | None = None,
    engine: Engine = "duckdb",
    spark: Any = None,
    spark_master: str | None = None,
    min_group_size: int = 30,
    confidence_level: float = 0.95,
    n_score_bins: int = DEFAULT_SCORE_BINS,
    threads: int | None = None,
) -> GroupMetrics:
    """Group metrics of a prediction log, computed by DuckDB or Spark where it lives.

    Equal to :func:`fairdash.metrics.group_metrics` on the same rows with the
    sensitive columns of :func:`fairdash.sensitive_frame` (same bins): counts
    exactly, every rate, interval, difference, ratio and summary disparity to
    rounding (1e-12). ROC AUC comes from per-group score histograms of
    ``n_score_bins`` equal-width bins; the attribute ``roc_auc_error_bound``
    of the result bounds, per group, its distance to the exact AUC (pairs of a
    positive and a negative in one bin count one half).

    Parameters
    ----------
    source, target, prediction, sensitive_features, score, sample_weight, bins, engine, spark,
    spark_master, n_score_bins, threads
        As for :func:`aggregate_log`.
    pos_label : scalar, default=1
        The favourable outcome (a text spelling such as ``"1"`` is accepted);
        predictions are in the target's labels or 0/1 with 1 favourable.
    min_group_size, confidence_level
        As for :func:`fairdash.metrics.group_metrics`.

    Returns
    -------
    fairdash.metrics.GroupMetrics

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from fairdash.engines import log_group_metrics
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"sex": ["f", "m", "f", "m"], "y": [1, 0, 1, 1],
    ...               "pred": [1, 0, 0, 1]}).to_parquet(os.path.join(folder, "part-0.parquet"))
    >>> m = log_group_metrics(folder, target="y", prediction="pred", sensitive_features=["sex"])
    >>> m.by_group["selection_rate"].tolist()
    [0.5, 0.5]
    """
    table = aggregate_log(
        source,
        target=target,
        prediction=prediction,
        sensitive_features=sensitive_features,
        score=score,
        sample_weight=sample_weight,
        bins=bins,
        engine=engine,
        spark=spark,
        spark_master=spark_master,
        n_score_bins=n_score_bins,
        threads=threads,
    )
    return metrics_from_cell_table(
        table,
        target=target,
        prediction=prediction,
        pos_label=pos_label,
        weighted=sample_weight is not None,
        min_group_size=min_group_size,
        confidence_level=confidence_level,
    )
