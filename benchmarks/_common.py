"""What every benchmark shares: threads, the command line, timing, machine info, results.

A benchmark script starts with::

    import _common

    THREADS = _common.limit_threads(2)  # before numpy is imported

    import numpy as np

and ends with ``_common.write_results(name, markdown, data, out_dir=...)``. Full
runs write ``benchmarks/results/<name>.md`` and ``.json``; ``--quick`` runs
(small sizes, to check that a benchmark works) write to a temporary folder so
that they never replace the committed figures. The machine may be shared: the
load average before and after each run goes with its results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "DATA_DIR",
    "QUICK_DIR",
    "RESULTS_DIR",
    "ROOT",
    "finish_run",
    "grown_adult",
    "limit_threads",
    "load_average",
    "load_line",
    "machine_info",
    "machine_line",
    "make_parser",
    "output_dir",
    "start_run",
    "timed",
    "write_results",
]

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
QUICK_DIR = Path(tempfile.gettempdir()) / "fairdash-benchmarks"
#: Where data grown for benchmarks is written once and reused.
DATA_DIR = Path(os.environ.get("FAIRDASH_BENCH_DATA", "/tmp/fairdash-bench-data"))
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# Versions recorded with every result, when installed.
_PACKAGES = ("numpy", "pandas", "pyarrow", "scipy", "scikit-learn", "fairlearn", "duckdb")

# A checkout that is not installed still imports its own fairdash.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def limit_threads(default: int) -> str:
    """Fix the thread count of BLAS/OpenMP, from ``--threads=N`` or ``default``.

    Call it before numpy is imported: the libraries read it once. Threads vary a
    lot on a shared 2-core machine, so every benchmark sets them explicitly.

    Parameters
    ----------
    default : int
        The benchmark's thread count when the command line gives none.

    Returns
    -------
    str
        The value set for ``OMP_NUM_THREADS`` (and OpenBLAS, MKL).
    """
    threads = str(default)
    for flag in sys.argv[1:]:
        if flag.startswith("--threads="):
            threads = flag.split("=", 1)[1]
    for variable in _THREAD_VARIABLES:
        os.environ[variable] = threads
    return threads


def make_parser(description: str, *, quick: str) -> argparse.ArgumentParser:
    """The command line every benchmark takes: ``--quick``, ``--threads=N``, ``--out DIR``.

    Parameters
    ----------
    description : str
        The first line of the benchmark's docstring.
    quick : str
        What ``--quick`` runs, for ``--help``.

    Returns
    -------
    argparse.ArgumentParser
        Add the benchmark's own options to it.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=f"{quick} (a check that it works)")
    parser.add_argument(
        "--threads", help="OMP/OpenBLAS/MKL threads, as --threads=N (default: the benchmark's)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"folder for the results (default: {RESULTS_DIR.relative_to(ROOT)} for full runs, "
        f"{QUICK_DIR} for --quick)",
    )
    return parser


def output_dir(args: argparse.Namespace) -> Path:
    """Where a run writes: ``--out``, else the committed results (full runs) or a temp folder."""
    if args.out is not None:
        return args.out
    return QUICK_DIR if args.quick else RESULTS_DIR


def timed(func: Callable[[], Any], repeats: int) -> dict[str, Any]:
    """Median wall-clock and CPU time (every thread of this process) of ``repeats`` calls.

    Parameters
    ----------
    func : callable
        Called with no argument ``repeats`` times.
    repeats : int
        At least 1.

    Returns
    -------
    dict
        ``s`` and ``cpu_s`` (medians, seconds), ``runs_s`` and ``runs_cpu_s`` (every
        run) and ``result`` (the last call's return value).
    """
    wall, cpu, result = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "s": statistics.median(wall),
        "cpu_s": statistics.median(cpu),
        "runs_s": wall,
        "runs_cpu_s": cpu,
        "result": result,
    }


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded to 0.01."""
    return [round(value, 2) for value in os.getloadavg()]


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, OS, Python, thread settings and the versions that matter."""
    cpu, memory_kb = platform.processor(), 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    import fairdash

    versions = {"fairdash": fairdash.__version__}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "versions": versions,
    }


def machine_line(info: dict[str, Any]) -> str:
    """One Markdown line describing :func:`machine_info`'s result."""
    versions = ", ".join(f"{name} {version}" for name, version in info["versions"].items())
    return (
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM; "
        f"{info['os']}; Python {info['python']}; OMP_NUM_THREADS={info['OMP_NUM_THREADS']}; "
        f"{versions}."
    )


def start_run(*, quick: bool) -> dict[str, Any]:
    """What a run records before it starts: date, machine, load average, mode."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "quick": quick,
        "machine": machine_info(),
        "load_start": load_average(),
        "_started": time.perf_counter(),
    }


def finish_run(run: dict[str, Any]) -> dict[str, Any]:
    """Add the load average at the end and the run's wall time to :func:`start_run`'s record."""
    run["load_end"] = load_average()
    run["wall_s"] = time.perf_counter() - run.pop("_started")
    return run


def load_line(run: dict[str, Any]) -> str:
    """One Markdown line with the load averages of a finished run."""
    # The 1-minute averages cover the run; the 15-minute ones remember earlier jobs.
    shared = max(run["load_start"][0], run["load_end"][0]) > (run["machine"]["cores"] or 1)
    note = " (above the core count: other jobs shared the machine, times are inflated)"
    return (
        f"Load average (1, 5, 15 min) at start {run['load_start']}, at end {run['load_end']}"
        f"{note if shared else ''}."
    )


def write_results(
    name: str, markdown: str | Sequence[str], data: dict[str, Any], *, out_dir: Path
) -> list[Path]:
    """Write ``<name>.md`` and ``<name>.json`` into ``out_dir`` and say where.

    Parameters
    ----------
    name : str
        The benchmark's name, e.g. ``"metrics"``.
    markdown : str or sequence of str
        The report (lines are joined with newlines).
    data : dict
        Everything measured, JSON-serialisable (numpy scalars become floats).
    out_dir : pathlib.Path
        Created if missing.

    Returns
    -------
    list of pathlib.Path
        The two files written.
    """
    text = markdown if isinstance(markdown, str) else "\n".join(markdown)
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out_dir / f"{name}.md", out_dir / f"{name}.json"
    md_path.write_text(text.rstrip("\n") + "\n")
    json_path.write_text(json.dumps(data, indent=2, default=float) + "\n")
    print(f"written: {md_path}, {json_path}", flush=True)
    return [md_path, json_path]


def grown_adult(n_rows: int) -> Path:
    """Adult grown to ``n_rows`` rows as Parquet (written once, then reused)."""
    size = f"{n_rows // 1_000_000}m" if n_rows % 1_000_000 == 0 else f"{n_rows}"
    path = DATA_DIR / f"adult-{size}.parquet"
    if path.exists():
        return path
    import numpy as np

    from fairdash import datasets

    adult = datasets.load("adult").drop(columns=["source"])
    reps = -(-n_rows // len(adult))
    grown = adult.iloc[np.tile(np.arange(len(adult)), reps)[:n_rows]].reset_index(drop=True)
    rng = np.random.default_rng(0)
    for column in ("age", "hours-per-week"):
        moved = grown[column].to_numpy() + rng.integers(-2, 3, n_rows)
        grown[column] = np.clip(moved, 1, 99).astype(np.int64)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    grown.to_parquet(path, index=False)
    return path
