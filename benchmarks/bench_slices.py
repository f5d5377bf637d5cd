"""Benchmark of the slice search: every 1-, 2- and 3-way slice vs a pandas groupby per combination.

Run on demand (never part of the tests)::

    python benchmarks/bench_slices.py           # writes benchmarks/results/slices.*
    python benchmarks/bench_slices.py --quick   # 100k rows, to a temporary folder

Ten columns with 3 to 8 values (text and integers), 1M rows, a binary label
and prediction; metric ``error_rate``. ``find_slices`` (pruned, and with
``prune=False``, which returns every slice) against the obvious pandas code:
one ``groupby(...).sum()`` of the error and row indicators per combination of
columns. Both run in one process on the same data, and every slice's value is
checked equal before anything is timed. Target: under 2 s at 1M rows.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fairdash.slices import find_slices  # noqa: E402
from fairdash.slices._counting import covering_blocks  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
RADICES = (3, 4, 5, 6, 7, 8, 3, 4, 5, 8)


def median_time(func, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def data(n: int, *, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    columns = {}
    for j, radix in enumerate(RADICES):
        codes = rng.integers(0, radix, n)
        # Half the columns as text, as real tables hold them.
        columns[f"c{j}"] = (
            pd.array(np.array([f"v{k}" for k in range(radix)])[codes], dtype="str")
            if j % 2
            else codes
        )
    features = pd.DataFrame(columns)
    y_true = rng.integers(0, 2, n)
    wrong = rng.random(n) < 0.15 + 0.1 * (codes == 0)
    return features, y_true, np.where(wrong, 1 - y_true, y_true)


def pandas_slices(features: pd.DataFrame, y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Error rate of every slice of 1-3 columns, one groupby per combination."""
    frame = features.assign(_error=(y_true != y_pred).astype(np.int64), _rows=1)
    out = {}
    for order in (1, 2, 3):
        for combo in itertools.combinations(features.columns, order):
            sums = frame.groupby(list(combo), sort=False, observed=True)[["_error", "_rows"]].sum()
            for key, errors, rows in zip(
                sums.index, sums["_error"].to_numpy(), sums["_rows"].to_numpy(), strict=True
            ):
                key = key if isinstance(key, tuple) else (key,)
                out[tuple(zip(combo, map(str, key), strict=True))] = (errors / rows, rows)
    return out


def case(n: int, *, repeats: int) -> dict:
    features, y_true, y_pred = data(n)
    every = find_slices(features, y_true, y_pred, metric="error_rate", prune=False, min_size=0)
    baseline_s, reference = median_time(lambda: pandas_slices(features, y_true, y_pred), 3)
    found = dict(zip(every["conditions"], every["value"], strict=True))
    # Slices covering every row have no complement and are not tested; none here.
    assert found.keys() == reference.keys(), "find_slices and pandas found different slices"
    worst = max(abs(found[k] - v[0]) for k, v in reference.items())
    assert worst < 1e-12, f"values differ by {worst}"
    unpruned_s, _ = median_time(
        lambda: find_slices(features, y_true, y_pred, metric="error_rate", prune=False), repeats
    )
    pruned_s, pruned = median_time(
        lambda: find_slices(features, y_true, y_pred, metric="error_rate"), repeats
    )
    return {
        "rows": n,
        "columns": len(RADICES),
        "slices": len(reference),
        "tested": int(pruned.attrs["n_tested"]),
        "listed_pruned": len(pruned),
        "passes": len(covering_blocks(list(RADICES), order=3, n_outcomes=4)),
        "max_abs_difference": worst,
        "pruned_s": pruned_s,
        "unpruned_s": unpruned_s,
        "pandas_s": baseline_s,
        "speedup": baseline_s / unpruned_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k rows, to a temporary folder")
    args = parser.parse_args()
    out = Path(tempfile.gettempdir()) / "fairdash-benchmarks" if args.quick else RESULTS
    load_before = os.getloadavg()
    rows = [case(100_000 if args.quick else 1_000_000, repeats=3 if args.quick else 7)]
    info = {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "OMP_NUM_THREADS": os.environ["OMP_NUM_THREADS"],
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "slices.json").write_text(json.dumps({"info": info, "cases": rows}, indent=2))
    lines = [
        "# Slice search",
        "",
        "`python benchmarks/bench_slices.py`: every 1-, 2- and 3-way slice of 10 columns "
        f"({', '.join(map(str, RADICES))} values), metric error_rate, medians; pandas: one "
        "`groupby().sum()` per combination of columns (175), the same values to 1e-12. "
        "Target: under 2 s at 1M rows.",
        "",
        "| rows | slices | bincount passes | find_slices (pruned) | find_slices (all slices) "
        "| pandas groupby | pandas / find_slices | target met |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        met = "yes" if max(r["pruned_s"], r["unpruned_s"]) < 2.0 else "**no**"
        lines.append(
            f"| {r['rows']:,} | {r['slices']:,} ({r['listed_pruned']:,} listed when pruned) | "
            f"{r['passes']} | {r['pruned_s']:.2f} s | {r['unpruned_s']:.2f} s | "
            f"{r['pandas_s']:.2f} s | {r['speedup']:.0f}x | {met} |"
        )
    lines += ["", f"Machine: {info['machine']}, Python {info['python']}, numpy {info['numpy']}, "
              f"pandas {info['pandas']}, OMP_NUM_THREADS={info['OMP_NUM_THREADS']}; load average "
              f"before {info['load_before']}, after {info['load_after']}."]
    (out / "slices.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
