"""``python -m fairdash slices``: find the subgroups a model fails, from a table of predictions.

The table is read, checked and encoded as ``audit`` does it (same formats,
favourable label, rows without a target left out, one-line errors, exit
codes); :func:`fairdash.slices.find_slices` does the search.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

import fairdash
from fairdash._errors import InputError
from fairdash._predictions import (
    _check_columns,
    _check_roles,
    _resolve_positive,
    prediction_arrays,
)
from fairdash._problem import define_problem
from fairdash.cli._audit import jsonable
from fairdash.cli._format import _number, _shorten, _table, printable
from fairdash.slices import (
    HARM_DIRECTION,
    MEAN_METRICS,
    SLICE_METRICS,
    find_slices,
    slice_summary,
)

__all__ = ["SliceSearch", "add_slices_parser", "format_slices", "search_slices", "slices_command"]

_DESCRIPTION = """\
Find the subgroups a model fails: every combination of 1 to --max-order
conditions 'column = value' over the columns to search is tested against the
rest of the data, with the false discovery rate controlled over all of them."""

_EPILOG = f"""\
The table has one row per person: the true outcome (--target), the model's
predicted label (--prediction: the target's labels, or 0/1 with 1 favourable),
optionally its probability (--score, for --metric brier_score) and the columns
to search. Numeric columns with many values are cut into --bins quantile bins;
missing values are a value of their own. Rows without a target value are left
out, with a note.

metrics (--metric; default accuracy):
  {", ".join(SLICE_METRICS)}
  Harm: a lower selection rate, base rate, accuracy, TPR, TNR, precision or NPV;
  a higher error rate, FPR, FNR, mean absolute error or Brier score; either way
  for mean_prediction. mean_absolute_error and mean_prediction take a numeric
  target and prediction (regression).

examples:
  python -m fairdash slices preds.csv --target y --prediction pred \\
      --columns sex race age charge --metric error_rate
  python -m fairdash slices preds.parquet --target income --positive-label '>50K' \\
      --prediction pred --columns sex race age education --min-size 50 \\
      --json slices.json --fail-on-significant

exit codes: 0 done (with --fail-on-significant: no significant harmful slice),
1 --fail-on-significant and a significant harmful slice was found, 2 the input
or the command line is wrong (one line on stderr)."""


def add_slices_parser(commands: Any) -> None:
    """Add the ``slices`` command to the subcommands of ``python -m fairdash``."""
    from fairdash.cli._main import DEFAULT_MAX_FILE_SIZE_MB

    sub = commands.add_parser(
        "slices",
        help="find the subgroups a model fails, over every combination of columns",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub.add_argument("data", metavar="DATA", help="the table: a CSV/TSV, Parquet or .xlsx file")
    what = sub.add_argument_group("what to search")
    what.add_argument("--target", required=True, metavar="COL", help="true outcome")
    what.add_argument(
        "--prediction",
        required=True,
        metavar="COL",
        help="the model's predicted labels: the target's labels, or 0/1 with 1 favourable",
    )
    what.add_argument(
        "--columns",
        required=True,
        nargs="+",
        action="extend",
        metavar="COL",
        help="the columns to search; slices combine their values",
    )
    what.add_argument(
        "--score", metavar="COL", help="probabilities of the favourable outcome (brier_score)"
    )
    what.add_argument(
        "--positive-label",
        metavar="VALUE",
        help="the favourable outcome (default: 1, true, yes or good if present, else the rarer "
        "class)",
    )
    what.add_argument(
        "--metric", default="accuracy", choices=SLICE_METRICS, metavar="M",
        help="the metric to compare (default: accuracy; see below)",
    )
    what.add_argument(
        "--max-order", type=int, default=3, metavar="K",
        help="most conditions in a slice (default: 3)",
    )
    what.add_argument(
        "--min-size", type=int, default=30, metavar="N",
        help="fewest rows in the metric's denominator for a slice to be tested (default: 30)",
    )
    what.add_argument(
        "--bins", type=int, default=4, metavar="N",
        help="quantile bins of numeric columns with many values, 2 to 10 (default: 4)",
    )
    what.add_argument(
        "--fdr", type=float, default=0.05, metavar="Q",
        help="false discovery rate: slices with q-value at most Q are significant "
        "(default: 0.05)",
    )
    what.add_argument(
        "--no-prune", action="store_true",
        help="list every slice, also those no worse than a coarser slice they refine",
    )
    what.add_argument("--sheet", metavar="NAME", help="Excel: the sheet to read (default: first)")
    what.add_argument(
        "--max-file-size",
        type=float,
        default=DEFAULT_MAX_FILE_SIZE_MB,
        metavar="MB",
        help=f"refuse larger files (default: {DEFAULT_MAX_FILE_SIZE_MB:g} MB; 0: no limit)",
    )
    out = sub.add_argument_group("gate and outputs")
    out.add_argument(
        "--fail-on-significant", action="store_true",
        help="exit 1 when a significant harmful slice is found",
    )
    out.add_argument("--json", metavar="PATH", help="write every slice as JSON ('-': stdout)")
    out.add_argument(
        "--top", type=int, default=20, metavar="N",
        help="slices shown in the table on stdout (default: 20)",
    )
    out.add_argument("-q", "--quiet", action="store_true", help="do not print the table on stdout")


@dataclass(frozen=True)
class SliceSearch:
    """The slices found in a table of predictions, with what is needed to report them.

    Returned by :func:`search_slices`; do not construct directly.

    Attributes
    ----------
    slices : pandas.DataFrame
        As :func:`fairdash.slices.find_slices` returns it.
    target, prediction : str
        The columns of true outcomes and predictions.
    score : str or None
        The column of probabilities, if given.
    positive_label : object or None
        The favourable outcome (None for regression metrics).
    columns : tuple of str
        The columns searched.
    n_rows, n_searched : int
        Rows of the table, and rows searched (those with a target value).
    notes : tuple of str
        What the user should know (rows left out, columns missing everywhere).
    """

    slices: pd.DataFrame
    target: str
    prediction: str
    score: str | None
    positive_label: Any
    columns: tuple[str, ...]
    n_rows: int
    n_searched: int
    notes: tuple[str, ...] = ()

    def to_dict(self, *, generated_at: str | None = None, source: str | None = None) -> dict:
        """Everything the JSON output holds, JSON-friendly (NaN as None)."""
        attrs = self.slices.attrs
        rows = []
        for row in self.slices.to_dict(orient="records"):
            row["conditions"] = [{"column": c, "value": v} for c, v in row["conditions"]]
            rows.append(row)
        return jsonable(
            {
                "fairdash_version": fairdash.__version__,
                "generated_at": generated_at,
                "data": {"source": source, "rows": self.n_rows, "rows_searched": self.n_searched},
                "search": {
                    "target": self.target,
                    "positive_label": self.positive_label,
                    "prediction": self.prediction,
                    "score": self.score,
                    "columns": list(self.columns),
                    **{
                        k: attrs[k]
                        for k in ("metric", "harm_direction", "max_order", "min_size", "fdr",
                                  "prune", "n_tested", "n_significant", "n_significant_harmful")
                    },
                },
                "slices": rows,
                "notes": list(self.notes),
            }
        )


def search_slices(
    data: pd.DataFrame,
    *,
    target: str,
    prediction: str,
    columns: Sequence[str],
    score: str | None = None,
    positive_label: Any = None,
    metric: str = "accuracy",
    max_order: int = 3,
    min_size: int = 30,
    bins: int = 4,
    fdr: float = 0.05,
    prune: bool = True,
) -> SliceSearch:
    """Check a table of predictions as ``audit`` does, then search it for slices.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person: true outcome, prediction, the columns to search.
    target, prediction : str
        Columns of true outcomes and predicted labels (numeric values for
        ``mean_absolute_error`` and ``mean_prediction``).
    columns : sequence of str
        The columns to search.
    score : str, optional
        Column of probabilities of the favourable outcome (for ``brier_score``).
    positive_label : object, optional
        The favourable outcome, matched as ``audit`` matches it.
    metric, max_order, min_size, bins, fdr, prune
        As for :func:`fairdash.slices.find_slices`.

    Returns
    -------
    SliceSearch

    Raises
    ------
    fairdash.InputError
        With a message naming the problem and the column.
    """
    columns = list(dict.fromkeys(columns))
    if not columns:
        raise InputError("Choose at least one column to search.")
    _check_columns(
        data,
        {
            "target": [target],
            "prediction": [prediction],
            "score": [score] if score is not None else [],
            "searched": columns,
        },
    )
    _check_roles(target=target, prediction=prediction, score=score, sensitive=[], bins={})
    for name, role in ((target, "target"), (prediction, "prediction"), (score, "score")):
        if name is not None and name in columns:
            raise InputError(
                f"'{name}' is the {role} column; it cannot also be a column to search (its "
                "slices would follow the model or the outcome, not the people).",
                column=name,
            )
    regression = metric in MEAN_METRICS and metric != "brier_score"
    problem = define_problem(
        data,
        target=target,
        sensitive_features=columns,
        positive_label=None if regression else _resolve_positive(data[target], positive_label),
        feature_columns=[c for c in (prediction, score) if c is not None],
        task="regression" if regression else "classification",
    )
    rows, frame, y_true, y_pred, y_score = prediction_arrays(
        data, problem, prediction=prediction, score=score, regression=regression
    )
    slices = find_slices(
        frame[columns],
        y_true,
        y_pred,
        metric=metric,
        y_score=y_score,
        pos_label=1,
        max_order=max_order,
        min_size=min_size,
        bins=bins,
        fdr=fdr,
        prune=prune,
    )
    return SliceSearch(
        slices=slices,
        target=target,
        prediction=prediction,
        score=score,
        positive_label=problem.positive_label,
        columns=tuple(columns),
        n_rows=int(data.shape[0]),
        n_searched=len(rows),
        notes=problem.notes,
    )


def format_slices(result: SliceSearch, *, top: int, source: str | None) -> str:
    """The search as readable text: a summary in words and the top slices."""
    table = result.slices
    attrs = table.attrs
    metric = attrs["metric"]
    where = f"'{_shorten(source, 80)}'" if source else "the data"
    lines = [
        f"FairDash slices of {where}: {result.n_searched:,} rows searched, metric {metric}, "
        f"columns " + ", ".join(f"'{printable(c)}'" for c in result.columns),
        slice_summary(table),
    ]
    if attrs["prune"]:
        lines.append(
            f"{len(table):,} slices listed: refinements not clearly worse than a coarser slice "
            "are left out (--no-prune lists all)."
        )
    if top and len(table):
        lines.append("")
        rows = [["slice", "rows", f"{metric} [95% interval]", "rest", "harm", "q-value", ""]]
        for row in table.head(top).itertuples():
            rows.append(
                [
                    _shorten(row.slice, 60),
                    f"{row.size:,}",
                    f"{_number(row.value)} [{_number(row.ci_low)}, {_number(row.ci_high)}]",
                    _number(row.complement),
                    _number(row.harm),
                    f"{row.q_value:.2g}",
                    "*" if row.significant else "",
                ]
            )
        lines += _table(rows)
        direction = {1: "higher", -1: "lower", 0: "different"}[HARM_DIRECTION[metric]]
        lines.append(
            f"rest: the metric on all other rows; harm > 0: {direction} than the rest; "
            "* significant"
        )
    return "\n".join(lines) + "\n"


def slices_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run ``python -m fairdash slices``; returns the exit code (errors propagate)."""
    from fairdash.cli._main import _read, _write
    from fairdash.cli._options import UsageError as _UsageError
    from fairdash.cli._options import check_bins, check_max_file_size
    from fairdash.cli._options import now as _now

    least = {"--max-order": 1, "--min-size": 0, "--top": 0}
    for option, value in zip(least, (args.max_order, args.min_size, args.top), strict=True):
        if value < least[option]:
            raise _UsageError(f"{option} must be {least[option]} or more, not {value}")
    check_bins(str(args.bins), args.bins)  # the caps of audit's --bins
    if not 0 < args.fdr <= 1:
        raise _UsageError(f"--fdr must be above 0 and at most 1 (e.g. 0.05), not {args.fdr}")
    check_max_file_size(args.max_file_size)
    if args.json not in (None, "-") and args.data != "-" and Path(args.json).resolve() == Path(
        args.data
    ).resolve():
        raise _UsageError("--json would overwrite the input table; give another file")
    if args.metric == "brier_score" and args.score is None:
        raise _UsageError("--metric brier_score needs probabilities: give them with --score")
    data, name, notes = _read(args)
    result = search_slices(
        data,
        target=args.target,
        prediction=args.prediction,
        columns=args.columns,
        score=args.score,
        positive_label=args.positive_label,
        metric=args.metric,
        max_order=args.max_order,
        min_size=args.min_size,
        bins=args.bins,
        fdr=args.fdr,
        prune=not args.no_prune,
    )
    notes = [*notes, *result.notes]
    if args.json:
        document = json.dumps(
            result.to_dict(generated_at=_now(), source=name),
            indent=2,
            ensure_ascii=False,
            allow_nan=False,
        )
        if args.json == "-":
            stdout.write(document + "\n")
        else:
            _write(args.json, document + "\n")
    if not args.quiet and args.json != "-":
        stdout.write(format_slices(result, top=args.top, source=name))
    for note in notes:
        print(f"fairdash: note: {printable(note)}", file=stderr)
    harmful = result.slices.attrs["n_significant_harmful"]
    if args.fail_on_significant and harmful:
        worst = result.slices[result.slices["significant"] & (result.slices["harm"] > 0)]
        shown = f"; the worst listed: {printable(worst['slice'].iloc[0])}" if len(worst) else ""
        print(
            f"fairdash: gate failed: {harmful:,} significant harmful slice(s) at a false "
            f"discovery rate of {args.fdr:g}{shown}",
            file=stderr,
        )
        return 1
    return 0
