"""Benchmark of what-if threshold queries: pre-sorted curves vs a naive recompute.

Run on demand (never part of the tests)::

    python benchmarks/bench_thresholds.py          # writes benchmarks/results/thresholds.*
    python benchmarks/bench_thresholds.py --quick  # 100k and 1M rows, written to a temp folder

At n rows (1M and 10M), 2 x 5 groups: one query = per-group thresholds in, the
confusion cells of every group out. ``ThresholdCurves.cell_sums`` answers it
with one binary search per group on scores sorted once; the naive recompute
thresholds every row and bincounts (``naive_cell_sums``). Both are run side by
side in one process on the same random thresholds and must agree exactly.
Also timed: building the curves (once per model) and a full metrics object
(``ThresholdCurves.metrics``: rates, Wilson intervals, disparities), which is
what the What-if page computes on every slider move. Medians of many queries.
"""

from __future__ import annotations

import time

import _common

_common.limit_threads(2)

import numpy as np  # noqa: E402

from fairdash.thresholds import ThresholdCurves, naive_cell_sums  # noqa: E402

TARGET_ROWS, TARGET_MS = 10_000_000, 1.0


def median_time(func, repeats: int) -> float:
    return _common.timed(func, repeats)["s"]


def case(n: int, *, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    sex = rng.integers(0, 2, n)
    race = rng.choice(5, size=n, p=[0.6, 0.2, 0.1, 0.06, 0.04])
    codes = sex * 5 + race
    y = (rng.random(n) < 0.25 + 0.05 * sex).astype(np.int8)
    score = np.clip(0.5 * y + rng.normal(0.3, 0.2, n), 0, 1)
    start = time.perf_counter()
    curves = ThresholdCurves(y, score, codes)
    build = time.perf_counter() - start
    queries = rng.random((200, curves.n_groups))
    for t in queries[:5]:  # exact agreement on the same thresholds
        fast = curves.cell_sums(t)
        slow = naive_cell_sums(y, score, codes, t, n_groups=curves.n_groups)
        assert np.array_equal(fast, slow), "curves and naive recompute disagree"
    it = iter(np.tile(queries, (5, 1)))
    fast = median_time(lambda: curves.cell_sums(next(it)), 500)
    it = iter(np.tile(queries, (5, 1)))
    full = median_time(lambda: curves.metrics(next(it)), 200)
    it = iter(queries)
    naive = median_time(
        lambda: naive_cell_sums(y, score, codes, next(it), n_groups=curves.n_groups),
        7 if n > 2_000_000 else 20,
    )
    return {
        "rows": n,
        "groups": int(curves.n_groups),
        "build_s": build,
        "query_ms": fast * 1e3,
        "metrics_ms": full * 1e3,
        "naive_ms": naive * 1e3,
        "speedup": naive / fast,
    }


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="100k and 1M rows")
    args = parser.parse_args()
    run = _common.start_run(quick=args.quick)
    sizes = (100_000, 1_000_000) if args.quick else (1_000_000, TARGET_ROWS)
    run["cases"] = []
    for n in sizes:
        run["cases"].append(case(n))
        print(run["cases"][-1], flush=True)
    _common.finish_run(run)
    lines = [
        "# What-if threshold queries",
        "",
        f"`python benchmarks/bench_thresholds.py{' --quick' if args.quick else ''}`: per-group "
        "thresholds in, every group's confusion cells out; 2 x 5 groups; medians. Target: at "
        f"most {TARGET_MS:g} ms per query at {TARGET_ROWS:,} rows.",
        "",
        "| rows | build curves (once) | query (cells) | query + all metrics | naive recompute "
        "| naive / query | target met |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in run["cases"]:
        met = "" if r["rows"] != TARGET_ROWS else "yes" if r["query_ms"] <= TARGET_MS else "**no**"
        lines.append(
            f"| {r['rows']:,} | {r['build_s']:.2f} s | {r['query_ms']:.3f} ms | "
            f"{r['metrics_ms']:.2f} ms | {r['naive_ms']:.1f} ms | {r['speedup']:,.0f}x | {met} |"
        )
    lines += ["", _common.machine_line(run["machine"]), _common.load_line(run), ""]
    print("\n".join(lines))
    _common.write_results("thresholds", lines, run, out_dir=_common.output_dir(args))


if __name__ == "__main__":
    main()
