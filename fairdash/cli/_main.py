"""``python -m fairdash``: audit a model's predictions from the command line (a CI gate).

Exit codes: 0 every gate passed, 1 a gate failed, 2 the input or the command
line is wrong. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import fairdash
from fairdash._errors import InputError
from fairdash._markup import html_text
from fairdash.cli._audit import Audit, audit, jsonable
from fairdash.cli._format import format_audit, printable
from fairdash.cli._gates import (
    GROUP_GATE_METRICS,
    SUMMARY_GATES,
    Gate,
    GateResult,
    evaluate_gates,
    parse_gate,
)
from fairdash.cli._log import ENGINES, audit_log, choose_engine, read_files
from fairdash.cli._options import (
    DEFAULT_MAX_FILE_SIZE_MB,
    MAX_BINS,
    MAX_FILE_SIZE_MB,
    UsageError,
    check_options,
    now,
    parse_bins,
)
from fairdash.cli._slices import add_slices_parser, slices_command

__all__ = ["build_parser", "main"]

PROG = "python -m fairdash"
_DESCRIPTION = """\
Audit a model's predictions for fairness: metrics per group of people (with
confidence intervals), fairlearn's summary disparities, and gates for CI."""

_MAIN_EPILOG = """\
examples:
  python -m fairdash audit predictions.csv --target approved --prediction pred \\
      --sensitive sex race --gate 'demographic_parity_difference<=0.1'
  python -m fairdash datasets
  python -m fairdash audit --help
  python -m fairdash slices --help    # find the subgroups a model fails

exit codes: 0 all gates pass, 1 a gate failed, 2 bad input or command line."""


def _wrap(names: Sequence[str]) -> str:
    return textwrap.fill(
        ", ".join(names),
        width=78,
        initial_indent="    ",
        subsequent_indent="    ",
        break_on_hyphens=False,
    )


_AUDIT_EPILOG = f"""\
The table has one row per person: the true outcome (--target), the model's
predicted label (--prediction: the target's labels, or 0/1 with 1 favourable)
and, optionally, its score or probability (--score), plus the sensitive
features. Their combinations form the groups (sex x race, ...). Rows without a
target value are left out, with a note. Reads CSV/TSV/TXT, Parquet and Excel
(.xlsx) files, as the app does; never pickles.

gates (repeatable; quote them, since < and > are shell redirections):
  --gate 'METRIC<=VALUE'   or >=, <, >. A gate whose value is undefined fails.
  summary disparities (fairlearn's definitions, between groups):
{_wrap(SUMMARY_GATES)}
  per metric, for any of (roc_auc needs --score)
{_wrap(GROUP_GATE_METRICS)}:
    METRIC_difference   largest difference between two groups, or with
                        --reference, between any group and the reference
    METRIC_ratio        smallest ratio between two groups (lowest / highest),
                        or with --reference, of any group to the reference
                        (ratios above 1 inverted, as fairlearn does)
    overall_METRIC      the metric on all audited rows

examples:
  # fail the build if selection rates differ by more than 10 points
  python -m fairdash audit preds.csv --target approved --prediction pred \\
      --sensitive sex race --gate 'demographic_parity_difference<=0.1' \\
      --gate 'disparate_impact_ratio>=0.8' --json audit.json --html audit.html

  # true positive rates within 5 points of the largest group; age in bins
  python -m fairdash audit preds.parquet --target income --positive-label '>50K' \\
      --prediction pred --score proba --sensitive sex age --bins age=25,45,65 \\
      --reference largest --gate 'true_positive_rate_difference<=0.05' \\
      --gate 'accuracy_ratio>=0.9' --gate 'overall_accuracy>=0.8'

  # the JSON on stdout, for jq
  python -m fairdash audit preds.csv --target y --prediction pred --sensitive sex --json -

exit codes: 0 all gates pass (or none given), 1 a gate failed (named on
stderr), 2 the input or the command line is wrong (one line on stderr)."""


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints the usage and the message on several lines; one line is enough.
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser of ``python -m fairdash``."""
    parser = _ArgumentParser(
        prog=PROG,
        description=_DESCRIPTION,
        epilog=_MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fairdash {fairdash.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser(
        "datasets",
        help="list the bundled data sets",
        description="List the data sets bundled with FairDash (used by the app's demos).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    sub = commands.add_parser(
        "audit",
        help="audit a table of predictions, with gates for CI",
        description=_DESCRIPTION,
        epilog=_AUDIT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub.add_argument(
        "data",
        metavar="DATA",
        help="the table: a CSV/TSV, Parquet or .xlsx file, '-' for standard input, or a folder "
        "or glob of Parquet/CSV files (a prediction log)",
    )
    what = sub.add_argument_group("what to audit")
    what.add_argument("--target", required=True, metavar="COL", help="true outcome (two classes)")
    what.add_argument(
        "--prediction",
        required=True,
        metavar="COL",
        help="the model's predicted labels: the target's labels, or 0/1 with 1 favourable",
    )
    what.add_argument(
        "--sensitive",
        required=True,
        nargs="+",
        action="extend",
        metavar="COL",
        help="sensitive feature(s); their combinations form the groups",
    )
    what.add_argument(
        "--score", metavar="COL", help="scores or probabilities of the favourable outcome (for AUC)"
    )
    what.add_argument(
        "--raw-scores",
        action="store_true",
        help="the scores are not probabilities: accept any finite number (default: in [0, 1])",
    )
    what.add_argument(
        "--sample-weight",
        metavar="COL",
        help="row weights (numbers, non-negative, not all zero): every rate, interval and "
        "disparity is weighted; counts and --min-group-size stay in rows",
    )
    what.add_argument(
        "--positive-label",
        metavar="VALUE",
        help="the favourable outcome (default: 1, true, yes or good if present, else the rarer "
        "class)",
    )
    what.add_argument(
        "--bins",
        action="append",
        default=[],
        metavar="COL=EDGES_OR_N",
        help=f"bins of a numeric sensitive feature: a number of quantile bins, 2 to {MAX_BINS} "
        f"(age=4), or up to {MAX_BINS + 1} increasing edges (age=25,45,65); numeric features "
        "with many values get 4 quantile bins by default",
    )
    what.add_argument(
        "--reference",
        metavar="GROUP",
        help="compare each group with this one: its values separated by commas (Male,White), "
        "'largest' (most rows) or 'best' (highest selection rate among groups not flagged small)",
    )
    what.add_argument(
        "--min-group-size",
        type=int,
        default=30,
        metavar="N",
        help="flag groups with fewer rows as small and leave them out of the summary numbers "
        "and gates; they stay in the group table (default: 30; 0 keeps every group)",
    )
    what.add_argument(
        "--confidence-level",
        type=float,
        default=0.95,
        metavar="P",
        help="coverage of the Wilson intervals (default: 0.95)",
    )
    what.add_argument("--sheet", metavar="NAME", help="Excel: the sheet to read (default: first)")
    what.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="numpy reads the table into memory; duckdb aggregates Parquet/CSV files where they "
        "lie (logs larger than memory); spark runs the same on a Spark cluster (default: auto, "
        "numpy when the data fits comfortably in memory, else duckdb; said on stderr)",
    )
    what.add_argument(
        "--spark-master",
        metavar="URL",
        help="with --engine spark: the master URL (local[2], spark://host:7077, yarn); "
        "default: Spark's own configuration",
    )
    what.add_argument(
        "--max-file-size",
        type=float,
        default=DEFAULT_MAX_FILE_SIZE_MB,
        metavar="MB",
        help=f"refuse larger files (default: {DEFAULT_MAX_FILE_SIZE_MB:g} MB, as the app; at "
        f"most {MAX_FILE_SIZE_MB:g}; 0: no limit)",
    )
    out = sub.add_argument_group("gates and outputs")
    out.add_argument(
        "--gate",
        action="append",
        default=[],
        metavar="METRIC<=VALUE",
        help="a condition the audit must meet (repeatable; see below)",
    )
    out.add_argument("--json", metavar="PATH", help="write the results as JSON ('-': stdout)")
    out.add_argument("--html", metavar="PATH", help="write a self-contained HTML report")
    out.add_argument(
        "--csv", metavar="PATH", help="write the table of group metrics as CSV (spreadsheet-safe)"
    )
    out.add_argument("-q", "--quiet", action="store_true", help="do not print the table on stdout")
    add_slices_parser(commands)
    return parser


def _error(message: str, stream: TextIO) -> None:
    print(f"fairdash: error: {printable(message)}", file=stream)


def _read(args: argparse.Namespace) -> tuple[Any, str | None, list[str]]:
    """Read the table; returns it, its name and notes (e.g. which sheet was read)."""
    from fairdash.io import read_notes, read_table
    from fairdash.io._source import read_source

    max_bytes = None if args.max_file_size == 0 else int(args.max_file_size * 2**20)
    if args.data == "-":
        # Read once (a retry below reads it again) and only up to the limit.
        source, name = read_source(sys.stdin.buffer, name=None, max_bytes=max_bytes)
    elif Path(args.data).is_dir() or any(ch in args.data for ch in "*?["):
        return read_files(args.data), args.data, []
    else:
        source, name = Path(args.data), Path(args.data).name
    sheet: str | int | None = args.sheet
    try:
        data = read_table(source, name=name, max_bytes=max_bytes, sheet=sheet)
    except InputError as err:
        if not (sheet and sheet.isdigit() and "no sheet called" in str(err)):
            raise
        data = read_table(source, name=name, max_bytes=max_bytes, sheet=int(sheet))
    info = data.attrs.get("fairdash_io", {})
    notes = read_notes(data)
    if info.get("format") == "xlsx":
        names = info.get("sheet_names", [])
        if len(names) > 1 and args.sheet is None:
            shown = ", ".join(repr(n) for n in names[:10])
            notes.append(
                f"The workbook has {len(names)} sheets ({shown}); the first, {info['sheet']!r}, "
                "was read. Choose another with --sheet."
            )
    elif args.sheet is not None:
        raise UsageError("--sheet applies to Excel (.xlsx) workbooks only")
    return data, name, notes


def _write(path: str, content: bytes | str) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise InputError(f"Could not write {path}: {exc.strerror or exc}.") from exc


def _gates_html(results: Sequence[GateResult]) -> str:
    rows = "".join(
        f'<tr class="{"pass" if r.passed else "fail"}"><td>{"pass" if r.passed else "FAIL"}</td>'
        f"<td><code>{html_text(r.gate.text)}</code></td>"
        f"<td>{'n/a' if r.value != r.value else f'{r.value:.4f}'}</td></tr>"
        for r in results
    )
    return (
        "<p>Conditions the command line checked (exit code 1 if any fails).</p>"
        '<table class="data"><thead><tr><th>result</th><th>gate</th><th>value</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )


def _group_table_csv(result: Audit) -> bytes:
    from fairdash.io import to_csv_bytes

    table = result.metrics.to_frame()
    table = table[table["count"] > 0].reset_index()
    return to_csv_bytes(table)


def _audit_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    check_options(args)
    generated_at = now()  # before any work: a bad SOURCE_DATE_EPOCH is a usage error
    gates: list[Gate] = [parse_gate(text) for text in args.gate]
    bins = parse_bins(args.bins)
    if args.score is None and any(g.metric == "roc_auc" for g in gates):
        raise UsageError("gates on roc_auc need scores: give the score column with --score")
    if args.spark_master and args.engine != "spark":
        raise UsageError("--spark-master goes with --engine spark")
    engine, why = choose_engine(args.data, args.engine)
    folder = Path(args.data).is_dir() or any(ch in args.data for ch in "*?[")
    # A single file read into memory is the usual case: only a log's engine is worth a line.
    if args.engine == "auto" and (folder or engine != "numpy"):
        print(f"fairdash: note: {why}.", file=stderr)
    options = dict(
        target=args.target,
        prediction=args.prediction,
        sensitive_features=args.sensitive,
        score=args.score,
        sample_weight=args.sample_weight,
        positive_label=args.positive_label,
        bins=bins,
        reference=args.reference,
        min_group_size=args.min_group_size,
        confidence_level=args.confidence_level,
        probabilities=not args.raw_scores,
    )
    if engine == "numpy":
        data, name, notes = _read(args)
        result = audit(data, source=name, **options)
        result = dataclasses.replace(result, notes=(*notes, *result.notes))
    else:
        name = args.data if folder else Path(args.data).name
        result = audit_log(
            args.data, engine=engine, spark_master=args.spark_master, source=name, **options
        )
    results = evaluate_gates(gates, result)

    if args.json:
        document = json.dumps(
            jsonable(result.to_dict(gates=results, generated_at=generated_at)),
            indent=2,
            ensure_ascii=False,
            allow_nan=False,
        )
        if args.json == "-":
            stdout.write(document + "\n")
        else:
            _write(args.json, document + "\n")
    if args.html:
        from fairdash.report import audit_report_html

        extra = [("CI gates", _gates_html(results))] if results else []
        _write(
            args.html,
            audit_report_html(
                result.metrics,
                problem=result.problem,
                prediction=result.prediction,
                score=result.score,
                source=name,
                n_rows=result.n_rows,
                n_columns=result.n_columns,
                data_stage=result.data_stage,
                reference=result.reference,
                notes=result.notes,
                extra_sections=extra,
                generated_at=generated_at,
            ),
        )
    if args.csv:
        _write(args.csv, _group_table_csv(result))
    if not args.quiet and args.json != "-":
        stdout.write(format_audit(result, results))
    for note in result.notes:
        print(f"fairdash: note: {printable(note)}", file=stderr)
    failed = [r for r in results if not r.passed]
    for r in failed:
        value = "undefined (n/a)" if r.value != r.value else f"{r.value:.4f}"
        print(f"fairdash: gate failed: {r.gate.text} (value {value})", file=stderr)
    return 1 if failed else 0


def _datasets_command(stdout: TextIO) -> int:
    from fairdash import datasets

    rows = [["name", "rows", "target", "favourable", "sensitive features", "title"]]
    for name in datasets.names():
        info = datasets.describe(name)
        rows.append(
            [
                name,
                f"{info['rows']:,}",
                info["target"],
                repr(info["positive_label"]),
                ", ".join(info["sensitive_features"]),
                info["title"],
            ]
        )
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    for row in rows:
        stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        stdout.write("\n")
    stdout.write("\nLoad one in Python with fairdash.datasets.load(name).\n")
    return 0


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).
    stdout, stderr : text streams, optional
        Where to write (default: ``sys.stdout``, ``sys.stderr``).

    Returns
    -------
    int
        0 every gate passed, 1 a gate failed, 2 the input or the command line
        is wrong (a one-line message on stderr, never a traceback).
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    command = "audit"  # whose --help a usage error points to
    try:
        with warnings.catch_warnings():
            # Library warnings are for developers; users get notes and errors.
            warnings.simplefilter("ignore")
            try:
                args = build_parser().parse_args(argv)
            except SystemExit as exc:  # --help and --version
                return exc.code if isinstance(exc.code, int) else 0
            command = args.command
            if args.command == "datasets":
                return _datasets_command(stdout)
            if args.command == "slices":
                return slices_command(args, stdout, stderr)
            return _audit_command(args, stdout, stderr)
    except UsageError as err:
        message = str(err)
        if "--help" not in message:
            message += f" (see '{PROG} {command} --help')"
        _error(message, stderr)
        return 2
    except InputError as err:
        _error(str(err), stderr)
        return 2
    except KeyboardInterrupt:
        _error("interrupted", stderr)
        return 2
    except MemoryError:
        _error("not enough memory for this table; keep only the columns you need", stderr)
        return 2
    except Exception as err:  # any other failure: still one line, never a traceback
        _error(f"unexpected {type(err).__name__}: {err}", stderr)
        return 2
