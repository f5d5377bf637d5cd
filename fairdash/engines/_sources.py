"""Where a prediction log lives: files (read by DuckDB) or a Spark session.

:func:`resolve_files` turns a file, folder or glob into the files it names; a
source object per engine reads them (or a Spark table) and runs the queries of
:mod:`fairdash.engines._sql`, turning the engines' own errors into one-line
:class:`fairdash.InputError` messages.
"""

from __future__ import annotations

import glob
import os
import re
from typing import Any

import pandas as pd

from fairdash._errors import InputError
from fairdash.engines._sql import DUCKDB, SPARK, Dialect

__all__ = [
    "describe_log",
    "is_numeric_type",
    "resolve_files",
]


def resolve_files(path: str | os.PathLike) -> tuple[list[str], str]:
    """The data files a path names (a file, a folder of Parquet/CSV files or a glob).

    Returns
    -------
    (list of str, str)
        The files, sorted, and their format, ``"parquet"`` or ``"csv"``.

    Raises
    ------
    fairdash.InputError
        When nothing matches, or the files mix formats.
    """
    text = os.fspath(path)
    # An existing file or folder is taken as named, even with glob characters in its name.
    if os.path.isdir(text):
        files = [
            f
            for f in glob.glob(os.path.join(glob.escape(text), "**", "*"), recursive=True)
            if os.path.isfile(f) and _format_of(f) is not None
        ]
        if not files:
            raise InputError(f"The folder {text!r} holds no Parquet or CSV file.")
    elif os.path.isfile(text):
        files = [text]
    elif any(ch in text for ch in "*?["):
        files = [f for f in glob.glob(text, recursive=True) if os.path.isfile(f)]
        if not files:
            raise InputError(f"The pattern {text!r} matches no file.")
    else:
        raise InputError(f"There is no file or folder {text!r}.")
    formats = {_format_of(f) for f in files}
    if None in formats:
        odd = next(f for f in files if _format_of(f) is None)
        raise InputError(f"{odd!r} is neither a Parquet nor a CSV file (by its extension).")
    if len(formats) > 1:
        raise InputError(f"{text!r} mixes Parquet and CSV files; audit one format at a time.")
    return sorted(files), formats.pop()


def _duckdb_literal(file: str) -> str:
    """A file name for DuckDB's readers, which expand globs: ``[``, ``*`` and ``?`` escaped
    as one-character classes, so the name matches only itself."""
    escaped = "".join(f"[{ch}]" if ch in "[*?" else ch for ch in file)
    return escaped.replace("'", "''")


def _spark_literal(file: str) -> str:
    """A file name for Spark's readers (Hadoop globs): the glob characters backslashed."""
    return re.sub(r"([\\\[\]{}*?])", r"\\\1", file)


def _format_of(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    if lower.endswith((".csv", ".csv.gz", ".tsv")):
        return "csv"
    return None


class _DuckDBSource:
    def __init__(self, path: Any, *, connection: Any = None, threads: int | None = None) -> None:
        import duckdb

        self.dialect: Dialect = DUCKDB
        self.con = connection or duckdb.connect()
        if threads is not None:
            self.con.execute(f"SET threads TO {int(threads)}")
        files, fmt = resolve_files(path)
        listed = ", ".join(f"'{_duckdb_literal(f)}'" for f in files)
        reader = "read_parquet" if fmt == "parquet" else "read_csv"
        options = ", union_by_name = true" if fmt == "parquet" else ""
        self.sql = f"{reader}([{listed}]{options})"
        self.name = (
            files[0] if len(files) == 1 else f"{len(files):,} files under {os.fspath(path)!r}"
        )
        self.files = files
        self.listed = listed if fmt == "parquet" else None
        try:
            described = self.con.sql(f"DESCRIBE SELECT * FROM {self.sql}").fetchall()
        except Exception as exc:  # duckdb raises its own types for unreadable files
            raise InputError(f"Could not read {self.name}: {_first_line(exc)}") from None
        self.types = {row[0]: str(row[1]) for row in described}

    def footer_profile(self, score: str | None) -> dict | None:
        """Rows and the score's range from the Parquet footers, without a pass over the rows.

        None when a footer cannot tell (CSV; a row group without statistics of the
        score, or with NaN scores counted): then a pass computes them.
        """
        if self.listed is None:
            return None
        try:
            n_rows, n_groups = self.con.sql(
                f"SELECT sum(num_rows), sum(num_row_groups) "
                f"FROM parquet_file_metadata([{self.listed}])"
            ).fetchall()[0]
            out: dict = {"n_rows": int(n_rows or 0)}
            if score is None:
                return out
            # Statistics are text in the column's own type (a FLOAT as a float32).
            typed = [f"TRY_CAST(TRY_CAST(stats_{end}_value AS {self.types[score]}) AS DOUBLE)"
                     for end in ("min", "max")]
            row = self.con.execute(
                f"SELECT count(*), count({typed[0]}), count({typed[1]}), "
                f"coalesce(sum(stats_nan_count), 0), min({typed[0]}), max({typed[1]}) "
                f"FROM parquet_metadata([{self.listed}]) WHERE path_in_schema = ?",
                [score],
            ).fetchall()[0]
        except Exception:  # an unreadable footer: the pass says what is wrong
            return None
        groups, n_min, n_max, nans, lo, hi = row
        if not groups == n_min == n_max == n_groups or nans:
            return None
        return {**out, "score_min": lo, "score_max": hi}

    def query(self, sql: str) -> pd.DataFrame:
        try:
            return self.con.sql(sql).df()
        except Exception as exc:
            raise InputError(f"Could not aggregate {self.name}: {_first_line(exc)}") from None


class _SparkSource:
    def __init__(self, source: Any, *, spark: Any = None, master: str | None = None) -> None:
        self.dialect = SPARK
        if spark is None:
            from pyspark.sql import SparkSession

            builder = SparkSession.builder.appName("fairdash")
            if master:
                builder = builder.master(master)
            spark = builder.getOrCreate()
        self.spark = spark
        try:
            frame = self._frame(source, spark)
        except InputError:
            raise
        except Exception as exc:  # Spark's own errors (missing path, unreadable file, ...)
            raise InputError(f"Spark could not read {source!r}: {_first_line(exc)}") from None
        self.view = f"fairdash_log_{id(self):x}"
        frame.createOrReplaceTempView(self.view)
        self.sql = self.view
        self.types = {f.name: f.dataType.simpleString() for f in frame.schema.fields}

    def _frame(self, source: Any, spark: Any) -> Any:
        if hasattr(source, "createOrReplaceTempView"):
            frame = source
            self.name = "the Spark DataFrame"
        elif isinstance(source, str | os.PathLike) and (
            os.path.exists(os.fspath(source)) or any(ch in os.fspath(source) for ch in "*?[")
        ):
            files, fmt = resolve_files(source)
            reader = spark.read.option("mergeSchema", "true")
            literal = [_spark_literal(f) for f in files]
            frame = reader.parquet(*literal) if fmt == "parquet" else reader.csv(
                literal, header=True, inferSchema=True
            )
            self.name = files[0] if len(files) == 1 else f"{len(files):,} files"
        elif isinstance(source, str) and "://" in source:
            # A cluster's storage (s3a://, hdfs://, abfss://): Spark lists and reads it.
            reader = spark.read.option("mergeSchema", "true")
            frame = (
                reader.csv(source, header=True, inferSchema=True)
                if source.lower().endswith((".csv", ".csv.gz"))
                else reader.parquet(source)
            )
            self.name = source
        else:
            frame = spark.table(str(source))
            self.name = f"the table {source!r}"
        return frame

    def footer_profile(self, score: str | None) -> None:
        """Spark profiles with a pass (its sources are not always Parquet files)."""
        return None

    def query(self, sql: str) -> pd.DataFrame:
        try:
            rows = self.spark.sql(sql).collect()
        except Exception as exc:
            raise InputError(f"Could not aggregate {self.name}: {_first_line(exc)}") from None
        if not rows:
            return pd.DataFrame()
        # Only a few hundred rows: build the frame by hand (pyspark's toPandas and
        # pandas 3 do not fully agree).
        columns = list(rows[0].asDict())
        return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def describe_log(path: str | os.PathLike) -> dict[str, str]:
    """The columns of a Parquet/CSV file, folder or glob and their types, read by DuckDB
    from the files' metadata (no pass over the rows for Parquet).

    Returns
    -------
    dict of str to str
        Column name to DuckDB type name, in the files' order.
    """
    return dict(_DuckDBSource(path, threads=1).types)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE",
                  "DECIMAL", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "INT", "LONG",
                  "SHORT", "BYTE", "REAL")


def is_numeric_type(type_name: str) -> bool:
    """Whether a column type :func:`describe_log` names is numeric (booleans are not)."""
    upper = type_name.upper()
    return upper.startswith(_NUMERIC_TYPES) and "BOOL" not in upper
