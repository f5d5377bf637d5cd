"""Benchmark: what-if thresholds on a large prediction log, from its score histogram.

Run on demand (never part of the tests)::

    python benchmarks/bench_log_whatif.py            # 50M rows; writes results/log_whatif.*
    python benchmarks/bench_log_whatif.py --quick    # 2M rows

The synthetic log of ``bench_engines.py`` (sex x race, label, prediction, a
continuous score) is aggregated once by DuckDB (65,536-bin score histograms),
then :func:`fairdash.engines.threshold_curves_from_table` builds the curves. A
slider move is one query (``curves.cell_sums``: one binary search per group),
then every metric with Wilson intervals built from those cells
(``curves.metrics``); neither depends on the rows.
"""

from __future__ import annotations

from pathlib import Path

import _common

THREADS = _common.limit_threads(2)

import numpy as np  # noqa: E402
from bench_engines import write_log  # noqa: E402

from fairdash.engines import aggregate_log, threshold_curves_from_table  # noqa: E402
from fairdash.thresholds import STRATEGIES, apply_strategy  # noqa: E402


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="2M rows")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--workdir", default="/tmp/fairdash-bench-log-whatif")
    args = parser.parse_args()
    rows = args.rows or (2_000_000 if args.quick else 50_000_000)
    run = _common.start_run(quick=args.quick)
    folder = Path(args.workdir) / f"rows-{rows}"
    write_log(folder, rows)

    aggregate = _common.timed(lambda: aggregate_log(
        str(folder), target="label", prediction="pred", sensitive_features=["sex", "race"],
        score="score", threads=int(THREADS)), 1)
    table = aggregate.pop("result")
    build = _common.timed(lambda: threshold_curves_from_table(
        table, target="label", prediction="pred", pos_label=1), 3)
    curves = build.pop("result")
    entries = sum(len(curves.group_scores(g)) for g in range(curves.n_groups))
    rng = np.random.default_rng(0)
    lo, hi = curves.score_range
    moves = iter(rng.uniform(lo, hi, size=(100_000, curves.n_groups)))
    query = _common.timed(lambda: curves.cell_sums(next(moves)), 1000)
    query.pop("result")
    slider = _common.timed(lambda: curves.metrics(next(moves)), 300)
    slider.pop("result")
    for timing in (query, slider):  # medians only: a thousand runs would swamp the JSON
        timing.pop("runs_s")
        timing.pop("runs_cpu_s")
    strategies = {name: _common.timed(lambda name=name: apply_strategy(curves, name), 3)
                  for name in STRATEGIES}
    for timing in strategies.values():
        timing.pop("result")
    run = _common.finish_run(run)

    ms = 1e3
    lines = [
        "# What-if thresholds on a prediction log (score histograms)",
        "",
        _common.machine_line(run["machine"]),
        _common.load_line(run),
        "",
        f"{rows:,} rows, {curves.n_groups} groups, {entries:,} occupied (group, bin) entries "
        f"of {table.n_bins:,} bins per group.",
        "",
        "| step | median |",
        "|---|---|",
        f"| DuckDB aggregation (once per file and columns) | {aggregate['s']:.2f} s |",
        f"| curves from the CellTable (once) | {build['s'] * ms:.1f} ms |",
        f"| slider query: `curves.cell_sums(thresholds)` | {query['s'] * ms:.3f} ms |",
        f"| slider move with every metric and interval: `curves.metrics(thresholds)` | "
        f"{slider['s'] * ms:.3f} ms |",
        *(f"| strategy `{name}` | {t['s'] * ms:.1f} ms |" for name, t in strategies.items()),
    ]
    data = {"run": run, "rows": rows, "entries": entries, "aggregate": aggregate,
            "build": build, "query": query, "slider": slider, "strategies": strategies}
    _common.write_results("log_whatif", lines, data, out_dir=_common.output_dir(args))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
