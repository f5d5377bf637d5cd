"""The SQL both out-of-core engines run: one definition of the aggregations.

A prediction log is reduced to counts where it lives, in three passes:

1. a profile: rows, the range of the scores, and for each numeric sensitive
   feature its distinct-value count, range and quantile edges;
2. the cells: one row per (group values, true label, predicted label) with the
   number of rows, the sum of the weights and the sum of squared weights, from
   which every rate, interval and disparity follows;
3. the score histogram: one row per (group values, true label, score bin), from
   which ROC AUC and the what-if threshold curves follow.

DuckDB and Spark SQL differ here only in how identifiers are quoted and in the
name of the exact linear-interpolation quantile (``quantile_cont`` /
``percentile``); :class:`Dialect` holds those differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "DUCKDB",
    "SPARK",
    "BinSpec",
    "Dialect",
    "cells_query",
    "histogram_query",
    "profile_query",
]


@dataclass(frozen=True)
class Dialect:
    """How one SQL engine spells what the queries need."""

    name: str
    quote_char: str
    quantile_function: str  # (column, list of probabilities) -> list, linear interpolation
    list_open: str
    list_close: str

    def quote(self, identifier: str) -> str:
        """``identifier`` quoted (an embedded quote character doubled)."""
        q = self.quote_char
        return q + identifier.replace(q, q + q) + q

    def number_list(self, values: Sequence[float]) -> str:
        inner = ", ".join(repr(float(v)) for v in values)
        return f"{self.list_open}{inner}{self.list_close}"


DUCKDB = Dialect("duckdb", '"', "quantile_cont", "[", "]")
SPARK = Dialect("spark", "`", "percentile", "array(", ")")


@dataclass(frozen=True)
class BinSpec:
    """A numeric sensitive feature cut at ``edges`` (bins ``[a, b)``, the last closed)."""

    column: str
    edges: tuple[float, ...]


def profile_query(
    source: str,
    dialect: Dialect,
    *,
    score: str | None,
    numeric_sensitive: Sequence[str],
    quantiles: Sequence[float],
) -> str:
    """One pass: row count, score range, and per numeric sensitive feature its
    number of distinct values, range and quantiles at ``quantiles``."""
    q = dialect.quote
    parts = ["count(*) AS n_rows"]
    if score is not None:
        parts += [f"min({q(score)}) AS score_min", f"max({q(score)}) AS score_max"]
    for i, column in enumerate(numeric_sensitive):
        c = f"CAST({q(column)} AS DOUBLE)"
        parts += [
            f"count(DISTINCT {q(column)}) AS distinct_{i}",
            f"min({c}) AS min_{i}",
            f"max({c}) AS max_{i}",
        ]
        if quantiles:
            listed = dialect.number_list(quantiles)
            parts.append(f"{dialect.quantile_function}({c}, {listed}) AS quantiles_{i}")
    return f"SELECT {', '.join(parts)} FROM {source}"


def _bin_expression(spec: BinSpec, dialect: Dialect) -> str:
    """The bin index of a value (NULL for a missing one), as ``searchsorted`` - 1, clipped."""
    c = f"CAST({dialect.quote(spec.column)} AS DOUBLE)"
    edges = spec.edges
    cases = [f"WHEN {c} IS NULL OR isnan({c}) THEN NULL"]
    # Bins [a, b): a value belongs to the first bin whose upper edge exceeds it.
    for i in range(len(edges) - 2):
        cases.append(f"WHEN {c} < {edges[i + 1]!r} THEN {i}")
    return f"(CASE {' '.join(cases)} ELSE {len(edges) - 2} END)"


def _key_expressions(
    sensitive: Sequence[str], bins: Sequence[BinSpec], dialect: Dialect
) -> list[str]:
    by_column = {spec.column: spec for spec in bins}
    q = dialect.quote
    keys = []
    for i, column in enumerate(sensitive):
        expr = _bin_expression(by_column[column], dialect) if column in by_column else q(column)
        keys.append(f"{expr} AS k{i}")
    return keys


def cells_query(
    source: str,
    dialect: Dialect,
    *,
    sensitive: Sequence[str],
    bins: Sequence[BinSpec],
    target: str,
    prediction: str,
    sample_weight: str | None,
) -> str:
    """Rows, weight sums and squared weight sums per (group values, label, prediction)."""
    q = dialect.quote
    keys = _key_expressions(sensitive, bins, dialect)
    w = f"CAST({q(sample_weight)} AS DOUBLE)" if sample_weight else None
    weights = (
        f", sum({w}) AS sw, sum({w} * {w}) AS sw2, count({q(sample_weight)}) AS n_weight"
        if w
        else ""
    )
    names = [f"k{i}" for i in range(len(sensitive))]
    group_by = ", ".join([*names, "y", "p"])
    return (
        f"SELECT {', '.join(keys)}, {q(target)} AS y, {q(prediction)} AS p, "
        f"count(*) AS n{weights} FROM {source} GROUP BY {group_by}"
    )


def histogram_query(
    source: str,
    dialect: Dialect,
    *,
    sensitive: Sequence[str],
    bins: Sequence[BinSpec],
    target: str,
    score: str,
    score_range: tuple[float, float],
    n_bins: int,
    sample_weight: str | None,
) -> str:
    """Rows (and weight sums) per (group values, label, score bin).

    Scores fall in ``n_bins`` equal-width bins over ``score_range``; the
    maximum belongs to the last bin. Missing scores are left out (the caller
    refuses them first).
    """
    q = dialect.quote
    lo, hi = score_range
    width = (hi - lo) or 1.0
    s = f"CAST({q(score)} AS DOUBLE)"
    bin_expr = (
        f"LEAST(CAST(FLOOR(({s} - {lo!r}) / {width!r} * {n_bins}) AS BIGINT), {n_bins - 1})"
    )
    keys = _key_expressions(sensitive, bins, dialect)
    w = f", sum(CAST({q(sample_weight)} AS DOUBLE)) AS sw" if sample_weight else ""
    names = [f"k{i}" for i in range(len(sensitive))]
    group_by = ", ".join([*names, "y", "b"])
    return (
        f"SELECT {', '.join(keys)}, {q(target)} AS y, {bin_expr} AS b, count(*) AS n{w} "
        f"FROM {source} WHERE {q(score)} IS NOT NULL GROUP BY {group_by}"
    )
