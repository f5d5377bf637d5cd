"""Checks of the command line's options and environment, before any work is done."""

from __future__ import annotations

import argparse
import datetime
import os
from collections.abc import Sequence

from fairdash._errors import InputError
from fairdash.cli._format import printable
from fairdash.groups import MAX_BINS, check_bins_spec, parse_bins_text

__all__ = [
    "DEFAULT_MAX_FILE_SIZE_MB",
    "MAX_BINS",
    "MAX_FILE_SIZE_MB",
    "UsageError",
    "check_bins",
    "check_max_file_size",
    "check_options",
    "now",
    "parse_bins",
]

# As the app's upload limit (server.maxUploadSize, in MB of 2**20 bytes).
DEFAULT_MAX_FILE_SIZE_MB = 500.0
# A limit beyond this is a typing mistake, not a file (64 GiB).
MAX_FILE_SIZE_MB = 65_536.0


class UsageError(Exception):
    """A command-line mistake (argparse's own errors included)."""


def parse_bins(specs: Sequence[str]) -> dict[str, int | list[float]]:
    """``--bins`` options as ``{column: number of quantile bins or edges}``, within the caps
    (parsed and checked by :func:`fairdash.groups.parse_bins_text`, as the app does)."""
    bins: dict[str, int | list[float]] = {}
    for spec in specs:
        name, sep, value = spec.rpartition("=")
        if not sep or not name or not value.strip():
            raise UsageError(
                f"--bins {spec!r}: write COL=N (a number of quantile bins, e.g. age=4) or "
                "COL=EDGES (e.g. age=25,45,65)"
            )
        try:
            bins[name] = parse_bins_text(value, column=name)
        except InputError as err:
            raise UsageError(f"--bins {spec!r}: {err}") from None
    return bins


def check_bins(spec: str, bins: int | list[float]) -> None:
    """Refuse a number of bins outside 2 to :data:`MAX_BINS`, or edges that are not
    finite, too many or not increasing (``spec``: the option's text, for the message)."""
    try:
        check_bins_spec(bins)
    except InputError as err:
        raise UsageError(f"--bins {spec!r}: {err}") from None


def check_options(args: argparse.Namespace) -> None:
    """Refuse option values the audit cannot use (ranges, outputs that clash or overwrite)."""
    if args.min_group_size < 0:
        raise UsageError(f"--min-group-size must be 0 or more, not {args.min_group_size}")
    if not 0 < args.confidence_level < 1:
        raise UsageError(
            f"--confidence-level must be between 0 and 1 (e.g. 0.95), not {args.confidence_level}"
        )
    check_max_file_size(args.max_file_size)
    outputs = [p for p in (args.json, args.html, args.csv) if p and p != "-"]
    if len({os.path.realpath(p) for p in outputs}) != len(outputs):
        raise UsageError("--json, --html and --csv must be different files")
    if args.data != "-":
        for option, path in (("--json", args.json), ("--html", args.html), ("--csv", args.csv)):
            if path and path != "-" and _same_file(path, args.data):
                raise UsageError(
                    f"{option} {path!r} is the input file: writing it would destroy the data. "
                    "Choose another output file"
                )
    if args.html == "-" or args.csv == "-":
        raise UsageError("only --json can write to stdout ('-'); give --html and --csv a file")


def check_max_file_size(megabytes: float) -> None:
    """Refuse a ``--max-file-size`` that is negative, not a number, infinite or absurd."""
    if not 0 <= megabytes <= MAX_FILE_SIZE_MB:
        raise UsageError(
            f"--max-file-size must be 0 (no limit) to {MAX_FILE_SIZE_MB:g} megabytes, "
            f"not {megabytes}"
        )


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)  # also through links and different spellings
    except OSError:  # one of them does not exist (yet)
        return os.path.realpath(a) == os.path.realpath(b)


def now() -> str:
    """The report's timestamp: SOURCE_DATE_EPOCH if set, else the current time (UTC)."""
    # SOURCE_DATE_EPOCH makes reports reproducible (reproducible-builds.org): an integer
    # number of seconds since 1970-01-01 UTC, as `date +%s` prints it.
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds")
    shown = printable(epoch[:40]) + ("..." if len(epoch) > 40 else "")
    if not (epoch.isascii() and epoch.isdigit()):
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, such as "
            f"1700000000 (what `date +%s` prints), not {shown!r}; unset it to use the current time"
        )
    if len(epoch) > 12 or int(epoch) > _LAST_EPOCH:
        raise UsageError(
            f"SOURCE_DATE_EPOCH {shown} is after the year 9999; give seconds since 1970-01-01 "
            "UTC, such as 1700000000"
        )
    moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    return moment.isoformat(timespec="seconds")


# 9999-12-31T23:59:59Z, the last moment a timestamp can show.
_LAST_EPOCH = 253_402_300_799
