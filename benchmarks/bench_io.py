"""Benchmark: reading a large CSV with fairdash.io, beside pandas on the same file.

Run on demand (never part of the tests)::

    python benchmarks/bench_io.py            # Adult rows repeated to 1 GB; writes results/io.*
    python benchmarks/bench_io.py --quick    # 50 MB

The bundled Adult data (48,842 rows, 16 columns) is repeated into a CSV of the
requested size under ``--workdir`` (deleted afterwards). Each reader runs in a
child process, in turns, so that its peak memory is its own: the time, the CPU
time of all its threads and the peak RSS growth per byte of file (``ru_maxrss``
minus the RSS before reading, over the file size; the file's own bytes, which
``read_table`` holds while reading, are included).

- ``fairdash.io.read_table``: types inferred by fairdash's conservative rules;
- ``pandas.read_csv`` (C engine) and ``pandas.read_csv(engine="pyarrow")``: the
  usual readers, for scale (their type rules differ: "007" becomes 7).
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import _common

_common.limit_threads(2)

READERS = ("fairdash", "pandas", "pandas-pyarrow")


def write_csv(path: Path, n_bytes: int) -> int:
    """Adult's rows repeated until the file has at least ``n_bytes``; returns the rows."""
    source = _common.ROOT / "fairdash" / "datasets" / "data" / "adult.csv.gz"
    header, body = gzip.decompress(source.read_bytes()).split(b"\n", 1)
    body = body if body.endswith(b"\n") else body + b"\n"
    copies = -(-n_bytes // len(body))
    with path.open("wb") as out:
        out.write(header + b"\n")
        for _ in range(copies):
            out.write(body)
    return copies * body.count(b"\n")


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _child(reader: str, path: str) -> None:
    import time

    import pandas as pd

    from fairdash.io import read_table

    before = _rss()
    start, start_cpu = time.perf_counter(), time.process_time()
    if reader == "fairdash":
        frame = read_table(path)
    elif reader == "pandas":
        frame = pd.read_csv(path)
    else:
        frame = pd.read_csv(path, engine="pyarrow")
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    size = os.path.getsize(path)
    print(json.dumps({
        "s": seconds, "cpu_s": cpu, "rows": len(frame),
        "peak_growth": (peak - before) / size, "kept_growth": (_rss() - before) / size,
        "frame_bytes": int(frame.memory_usage(deep=True).sum()) / size,
    }))


def _run(reader: str, path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", reader, str(path)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="a 50 MB file")
    parser.add_argument("--size-mb", type=float, help="file size in MB (default: 1000, quick 50)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each reader (medians)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    size_mb = args.size_mb or (50 if args.quick else 1000)
    run = _common.start_run(quick=args.quick)
    path = args.workdir / f"fairdash-bench-io-{os.getpid()}.csv"
    try:
        rows = write_csv(path, int(size_mb * 1e6))
        runs = {reader: [] for reader in READERS}
        for _ in range(args.repeats):
            for reader in READERS:  # in turns: the machine's load falls on all alike
                runs[reader].append(_run(reader, path))
                print(reader, runs[reader][-1], flush=True)
        file_bytes = path.stat().st_size
    finally:
        path.unlink(missing_ok=True)
    _common.finish_run(run)
    summary = {
        reader: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for reader, results in runs.items()
    }
    lines = [
        "# Reading a CSV: fairdash.io.read_table beside pandas",
        "",
        f"Adult rows repeated: {file_bytes / 1e9:.2f} GB, {rows:,} rows x 16 columns; "
        f"median of {args.repeats} runs per reader, readers in turns, each in its own process.",
        "",
        "| reader | wall s | CPU s (all threads) | peak RSS growth / file size "
        "| kept after / file size | frame / file size |",
        "|---|---|---|---|---|---|",
    ]
    for reader, m in summary.items():
        lines.append(
            f"| {reader} | {m['s']:.1f} | {m['cpu_s']:.1f} | {m['peak_growth']:.2f}x "
            f"| {m['kept_growth']:.2f}x | {m['frame_bytes']:.2f}x |"
        )
    lines += ["", _common.machine_line(run["machine"]), _common.load_line(run)]
    data = {"run": run, "file_bytes": file_bytes, "rows": rows, "runs": runs, "summary": summary}
    _common.write_results("io", lines, data, out_dir=_common.output_dir(args))
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
