"""Audits of prediction logs by an out-of-core engine, and the choice of engine.

``fairdash audit`` reads a table into memory (the numpy engine) when it fits
comfortably, and otherwise lets DuckDB aggregate it where it lies; Spark does
the same on a cluster. Either way the result is the same :class:`Audit`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash._predictions import _check_roles
from fairdash._problem import Problem, guess_positive_label
from fairdash.cli._audit import Audit, summary_notes
from fairdash.engines import aggregate_log, metrics_from_cell_table, resolve_files
from fairdash.engines._sources import _format_of
from fairdash.groups import resolve_reference

__all__ = ["ENGINES", "audit_log", "choose_engine"]

ENGINES = ("auto", "numpy", "duckdb", "spark")
# In memory, a table takes several times its size on disk (Parquet compresses).
_EXPANSION = {"parquet": 10.0, "csv": 3.0}
# "Comfortably": the table in memory uses at most this share of the available memory.
_COMFORTABLE_SHARE = 0.25


def _available_memory() -> int:
    """Bytes of memory available now (``MemAvailable``), or 4 GiB if unknown."""
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 << 30


def _gigabytes(size: float) -> str:
    return f"{size / 2**30:.2f} GB" if size >= 2**28 else f"{size / 2**20:.1f} MB"


def choose_engine(data: str, engine: str, *, available: int | None = None) -> tuple[str, str]:
    """The engine to audit ``data`` with, and a sentence saying why.

    Parameters
    ----------
    data : str
        A file, a folder of Parquet/CSV files, a glob, or ``-`` (standard input).
    engine : {"auto", "numpy", "duckdb", "spark"}
        What the user asked for; ``"auto"`` picks numpy when the data fits
        comfortably in memory (estimated at 10x its Parquet size or 3x its CSV
        size, within a quarter of the available memory) and DuckDB otherwise.
    available : int, optional
        Available memory in bytes (read from the system by default).

    Returns
    -------
    (str, str)
        The engine and the reason.
    """
    if engine not in ENGINES:
        raise InputError(f"Unknown engine {engine!r}: choose one of {', '.join(ENGINES)}.")
    if data == "-" or data.lower().endswith((".xlsx", ".xlsm")):
        if engine in ("duckdb", "spark"):
            raise InputError(
                f"The {engine} engine reads Parquet and CSV files, folders and globs; "
                f"{'standard input' if data == '-' else repr(data)} needs the numpy engine."
            )
        return "numpy", "the numpy engine reads this input"
    if engine != "auto":
        return engine, f"the {engine} engine, as asked"
    if "://" in data:
        raise InputError(
            f"{data!r} is on remote storage: audit it with --engine spark (or copy it here)."
        )
    folder = os.path.isdir(data) or any(ch in data for ch in "*?[")
    if not folder and not (os.path.isfile(data) and _format_of(data) is not None):
        # Not a Parquet/CSV file (missing, Excel, a wrong type): the in-memory reader's
        # checks say what is wrong with it.
        return "numpy", "the numpy engine reads this input"
    files, fmt = resolve_files(data)
    size = sum(os.path.getsize(f) for f in files)
    needed = size * _EXPANSION[fmt]
    available = _available_memory() if available is None else available
    where = f"{_gigabytes(size)} of {fmt.upper()} in {len(files):,} file(s)"
    if needed <= _COMFORTABLE_SHARE * available:
        return "numpy", f"engine numpy: the data ({where}) fits comfortably in memory"
    return "duckdb", (
        f"engine duckdb: the data ({where}, about {_gigabytes(needed)} in memory) does not fit "
        f"comfortably in the {_gigabytes(available)} available, so DuckDB reads it where it is"
    )


def read_files(data: str) -> pd.DataFrame:
    """Every file of a folder or glob read into one table (for the numpy engine)."""
    from fairdash.io import read_table

    files, _ = resolve_files(data)
    frames = [read_table(f) for f in files]
    columns = list(frames[0].columns)
    for path, frame in zip(files, frames, strict=True):
        if list(frame.columns) != columns:
            raise InputError(
                f"{path!r} has other columns than {files[0]!r}; every file of a log needs the "
                "same columns."
            )
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _positive_label(cells: pd.DataFrame, target: str, given: Any) -> tuple[Any, bool, list[str]]:
    """The favourable label (given, or guessed from the values and their counts)."""
    from fairdash._predictions import _same

    counts = cells.groupby("y", sort=False, dropna=True)["n"].sum().sort_values(ascending=False)
    values = [v.item() if isinstance(v, np.generic) else v for v in counts.index]
    if given is not None:
        matches = [v for v in values if _same(v, given)]
        return (matches[0] if len(matches) == 1 else given), False, []
    # The most frequent value twice, so the guess's "less frequent class" is right.
    sample = pd.Series([values[0], *values], name=target)
    label, reason = guess_positive_label(sample, target=target)
    return label, True, [reason]


def audit_log(
    data: Any,
    *,
    target: str,
    prediction: str,
    sensitive_features: Sequence[str],
    score: str | None = None,
    sample_weight: str | None = None,
    positive_label: Any = None,
    bins: Mapping[str, int | Sequence[float]] | None = None,
    reference: Any = None,
    min_group_size: int = 30,
    confidence_level: float = 0.95,
    probabilities: bool = True,
    engine: str = "duckdb",
    spark_master: str | None = None,
    source: str | None = None,
) -> Audit:
    """Audit a prediction log with DuckDB or Spark, where it lies.

    Parameters
    ----------
    data : str
        A Parquet or CSV file, a folder of them or a glob (Spark: also a
        table name).
    target, prediction, sensitive_features, score, sample_weight, positive_label, bins,
    reference, min_group_size, confidence_level, probabilities, source
        As for :func:`fairdash.cli.audit`.
    engine : {"duckdb", "spark"}, default="duckdb"
    spark_master : str, optional
        The Spark master URL (``local[2]``, ``spark://host:7077``).

    Returns
    -------
    Audit
        The same numbers as :func:`fairdash.cli.audit` on the rows in memory
        (ROC AUC from score histograms, within ``metrics.roc_auc_error_bound``).
        ``data_stage`` is None: it is computed for tables read into memory only.
    """
    sensitive = list(dict.fromkeys(sensitive_features))
    if not sensitive:
        raise InputError("Choose at least one sensitive feature.")
    _check_roles(target=target, prediction=prediction, score=score, sensitive=sensitive,
                 bins=bins or {}, sample_weight=sample_weight)
    table = aggregate_log(
        data,
        target=target,
        prediction=prediction,
        sensitive_features=sensitive,
        score=score,
        sample_weight=sample_weight,
        bins=bins,
        engine=engine,  # type: ignore[arg-type]
        spark_master=spark_master,
    )
    if score is not None and probabilities and table.score_range is not None:
        lo, hi = table.score_range
        if lo < 0 or hi > 1:
            raise InputError(
                f"The score column '{score}' must hold probabilities between 0 and 1, but its "
                f"values go from {lo:g} to {hi:g}. Give probabilities, or say that the scores "
                "are not probabilities (--raw-scores).",
                column=score,
            )
    notes: list[str] = []
    missing = table.cells["y"].isna()
    n_missing = int(table.cells.loc[missing, "n"].sum())
    if n_missing:
        # As in memory: rows without a true outcome are left out, and said so.
        hist = table.histogram
        table = dataclasses.replace(
            table,
            cells=table.cells[~missing],
            histogram=None if hist is None else hist[hist["y"].notna()],
        )
        notes.append(
            f"{n_missing:,} of {table.n_rows:,} rows have no value in the target '{target}' "
            "and are left out of the audit."
        )
    label, guessed, label_notes = _positive_label(table.cells, target, positive_label)
    metrics = metrics_from_cell_table(
        table,
        target=target,
        prediction=prediction,
        pos_label=label,
        weighted=sample_weight is not None,
        min_group_size=min_group_size,
        confidence_level=confidence_level,
    )
    if int((metrics.group_sizes > 0).sum()) < 2:
        raise InputError(
            f"All audited rows of {table.source} fall in a single group of the sensitive "
            f"feature(s) {', '.join(map(repr, sensitive))}, so there is nothing to compare. "
            "Choose a sensitive feature with at least two values.",
            column=sensitive[0],
        )
    # The engine's note on default bins, worded as the in-memory audit words it.
    binned = [
        f"{note[:-1]}; choose other bins with --bins." if note.endswith("(quantile bins).")
        else note
        for note in table.notes
    ]
    notes = [*binned, *notes, *label_notes, *summary_notes(metrics, sample_weight=sample_weight)]
    problem = Problem(
        target=target,
        task="classification",
        positive_label=label,
        sensitive_features=tuple(sensitive),
        feature_columns=tuple(c for c in (prediction, score) if c is not None),
        bins={k: (v if isinstance(v, int) else tuple(v)) for k, v in (bins or {}).items()},
        notes=tuple(notes),
        positive_label_guessed=guessed,
    )
    return Audit(
        problem=problem,
        prediction=prediction,
        score=score,
        metrics=metrics,
        data_stage=None,
        reference=None if reference is None else resolve_reference(metrics, reference),
        source=source or table.source,
        n_rows=table.n_rows,
        n_columns=table.n_columns,
        n_audited=table.n_rows - n_missing,
        notes=tuple(notes),
        sample_weight=sample_weight,
    )
