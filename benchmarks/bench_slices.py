"""Benchmark of the slice search: every 1-, 2- and 3-way slice vs a pandas groupby per combination.

Run on demand (never part of the tests)::

    python benchmarks/bench_slices.py           # writes benchmarks/results/slices.*
    python benchmarks/bench_slices.py --quick   # 100k rows, written to a temp folder

Ten columns with 3 to 8 values (text and integers), 1M rows, a binary label
and prediction; metric ``error_rate``. ``find_slices`` (pruned, and with
``prune=False``, which returns every slice) against the obvious pandas code:
one ``groupby(...).sum()`` of the error and row indicators per combination of
columns. Both run in one process on the same data, and every slice's value is
checked equal before anything is timed. Target: under 2 s at 1M rows.
"""

from __future__ import annotations

import itertools

import _common

_common.limit_threads(2)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from fairdash.slices import find_slices  # noqa: E402
from fairdash.slices._counting import covering_blocks  # noqa: E402

TARGET_ROWS, TARGET_S = 1_000_000, 2.0
RADICES = (3, 4, 5, 6, 7, 8, 3, 4, 5, 8)


def median_time(func, repeats: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds (CPU time is what a loaded, shared machine inflates least)."""
    timing = _common.timed(func, repeats)
    return timing["s"], timing["cpu_s"], timing["result"]


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
    baseline_s, baseline_cpu_s, reference = median_time(
        lambda: pandas_slices(features, y_true, y_pred), 3
    )
    found = dict(zip(every["conditions"], every["value"], strict=True))
    # Slices covering every row have no complement and are not tested; none here.
    assert found.keys() == reference.keys(), "find_slices and pandas found different slices"
    worst = max(abs(found[k] - v[0]) for k, v in reference.items())
    assert worst < 1e-12, f"values differ by {worst}"
    unpruned_s, unpruned_cpu_s, _ = median_time(
        lambda: find_slices(features, y_true, y_pred, metric="error_rate", prune=False), repeats
    )
    pruned_s, pruned_cpu_s, pruned = median_time(
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
        "pruned_cpu_s": pruned_cpu_s,
        "unpruned_s": unpruned_s,
        "unpruned_cpu_s": unpruned_cpu_s,
        "pandas_s": baseline_s,
        "pandas_cpu_s": baseline_cpu_s,
        "speedup": baseline_s / unpruned_s,
    }


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="100k rows")
    args = parser.parse_args()
    run = _common.start_run(quick=args.quick)
    n = 100_000 if args.quick else TARGET_ROWS
    run["cases"] = [case(n, repeats=3 if args.quick else 7)]
    print(run["cases"][-1], flush=True)
    _common.finish_run(run)
    lines = [
        "# Slice search",
        "",
        f"`python benchmarks/bench_slices.py{' --quick' if args.quick else ''}`: every 1-, 2- "
        f"and 3-way slice of 10 columns ({', '.join(map(str, RADICES))} values), metric "
        "error_rate, medians; pandas: one `groupby().sum()` per combination of columns (175), "
        f"checked equal to 1e-12 first. Target: under {TARGET_S:g} s at {TARGET_ROWS:,} rows.",
        "",
        "Times: median wall seconds (CPU seconds of this process in brackets).",
        "",
        "| rows | slices | bincount passes | find_slices (pruned) | find_slices (all slices) "
        "| pandas groupby | pandas / find_slices | target met |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in run["cases"]:
        slowest = max(r["pruned_s"], r["unpruned_s"])
        met = "" if r["rows"] != TARGET_ROWS else "yes" if slowest < TARGET_S else "**no**"
        lines.append(
            f"| {r['rows']:,} | {r['slices']:,} ({r['listed_pruned']:,} listed when pruned) | "
            f"{r['passes']} | {r['pruned_s']:.2f} s ({r['pruned_cpu_s']:.2f}) | "
            f"{r['unpruned_s']:.2f} s ({r['unpruned_cpu_s']:.2f}) | {r['pandas_s']:.2f} s "
            f"({r['pandas_cpu_s']:.2f}) | {r['speedup']:.0f}x | {met} |"
        )
    lines += ["", _common.machine_line(run["machine"]), _common.load_line(run), ""]
    print("\n".join(lines))
    _common.write_results("slices", lines, run, out_dir=_common.output_dir(args))


if __name__ == "__main__":
    main()
