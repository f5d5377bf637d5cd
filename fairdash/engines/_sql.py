"""The SQL both out-of-core engines run: one definition of the aggregations.

A prediction log is reduced to counts where it lives, in two passes:

1. a profile: rows, the range of the scores, and for each numeric sensitive
   feature its distinct-value count, range and quantile edges;
2. the cells: one row per (group values, true label, predicted label) with the
   number of rows, the sum of the weights and the sum of squared weights, from
   which every rate, interval and disparity follows; with a score, also the
   score histogram: one row per (group values, true label, score bin), from
   which ROC AUC and the what-if threshold curves follow. Both come from one
   scan of the log (a fine aggregation per group, label, prediction and bin,
   summed two ways), which costs less than a scan for each.

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


def _score_bin_expression(score: str, dialect: Dialect, *, score_range: tuple[float, float],
                          n_bins: int) -> str:
    """The equal-width bin of a score: NULL for a missing or NaN score, ``n_bins`` for the
    maximum (the caller moves it into the last bin, after the scan: a NULL must stay NULL,
    and SQL's LEAST skips NULLs).

    ``fairdash.engines._curves`` repeats this arithmetic in numpy: keep them equal.
    """
    lo, hi = score_range
    width = (hi - lo) or 1.0
    s = f"CAST({dialect.quote(score)} AS DOUBLE)"
    return f"TRY_CAST(FLOOR(({s} - {lo!r}) / {width!r} * {n_bins}) AS BIGINT)"


def cells_query(
    source: str,
    dialect: Dialect,
    *,
    sensitive: Sequence[str],
    bins: Sequence[BinSpec],
    target: str,
    prediction: str,
    sample_weight: str | None,
    score: str | None = None,
    score_range: tuple[float, float] | None = None,
    n_bins: int = 1,
) -> str:
    """Rows, weight sums and squared weight sums per (group values, label, prediction).

    With ``sample_weight``, also the rows with a weight (``n_weight``) and the
    smallest weight (``w_min``), for the checks of the weights.

    With ``score``, the same scan also counts rows (and weight sums) per
    (group values, label, score bin): ``n_bins`` equal-width bins over
    ``score_range``. The result then holds both: rows with ``cells = 1`` are
    the cells (``b`` NULL), rows with ``cells = 0`` the histogram (``p``
    NULL; a NULL ``b`` counts the rows without a score).
    """
    q = dialect.quote
    keys = _key_expressions(sensitive, bins, dialect)
    w = f"CAST({q(sample_weight)} AS DOUBLE)" if sample_weight else None
    names = [f"k{i}" for i in range(len(sensitive))]
    columns = [*keys, f"{q(target)} AS y", f"{q(prediction)} AS p"]
    sums = ["count(*) AS n"]
    if w:
        sums += [f"sum({w}) AS sw", f"sum({w} * {w}) AS sw2",
                 f"count({q(sample_weight)}) AS n_weight", f"min({w}) AS w_min"]
    if score is None:
        group_by = ", ".join([*names, "y", "p"])
        return f"SELECT {', '.join(columns + sums)} FROM {source} GROUP BY {group_by}"
    if score_range is None:
        raise ValueError("score_range is needed to bin the scores")
    bin_expr = _score_bin_expression(score, dialect, score_range=score_range, n_bins=n_bins)
    fine = (
        f"SELECT {', '.join([*columns, f'{bin_expr} AS b', *sums])} FROM {source} "
        f"GROUP BY {', '.join([*names, 'y', 'p', 'b'])}"
    )
    # Summing the fine rows two ways costs little next to the scan (at most
    # groups x 4 x n_bins rows); the casts keep integer types for the counts.
    resummed = ["CAST(sum(n) AS BIGINT) AS n"]
    if w:
        resummed += ["sum(sw) AS sw", "sum(sw2) AS sw2",
                     "CAST(sum(n_weight) AS BIGINT) AS n_weight", "min(w_min) AS w_min"]
    keys_and = ", ".join([*names, "y"])
    last = n_bins - 1
    clipped = (
        f"SELECT {keys_and}, p, CASE WHEN b > {last} THEN {last} ELSE b END AS b, "
        f"{', '.join(['n', 'sw', 'sw2', 'n_weight', 'w_min'] if w else ['n'])} FROM ({fine}) fine"
    )
    return (
        f"SELECT {keys_and}, p, b, GROUPING(b) AS cells, {', '.join(resummed)} "
        f"FROM ({clipped}) clipped GROUP BY GROUPING SETS (({keys_and}, p), ({keys_and}, b))"
    )
