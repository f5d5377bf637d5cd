"""Benchmark: group metrics of a large prediction log on DuckDB, Spark, numpy and fairlearn.

Run on demand (never part of the tests)::

    python benchmarks/bench_engines.py            # 200M and 1B rows; writes results/engines.*
    python benchmarks/bench_engines.py --quick    # 10M rows

A synthetic prediction log (sex x race, label, prediction, score; text columns
dictionary-encoded by the Parquet writer) is written by DuckDB into a folder of
Parquet parts under ``--workdir``. Each engine runs in a child process, so its
peak memory (``ru_maxrss`` of the child) is its own:

- DuckDB (``fairdash.engines.log_group_metrics``): every metric with Wilson
  intervals, differences, ratios, summary disparities and ROC AUC from
  65,536-bin score histograms, at every size;
- the in-memory numpy engine (``fairdash.metrics.group_metrics``, rows read
  into pandas first) at the largest size it is asked to load (``--numpy-rows``);
- fairlearn's ``MetricFrame`` on the same rows (``--fairlearn-rows``);
- Spark local mode (``local[2]``) at ``--spark-rows``: time and parity.

Every engine's counts are compared with DuckDB's on the same rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import _common

_common.limit_threads(2)

PART_ROWS = 50_000_000
# About 1M rows (a few MB compressed) per row group: DuckDB's recommended range
# (100k-1M rows), and the unit of parallel reading.
ROW_GROUP_ROWS = 1 << 20


def write_log(folder: Path, n_rows: int) -> float:
    """Write ``n_rows`` synthetic rows as Parquet parts; return the seconds taken."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    con = duckdb.connect()
    for part, first in enumerate(range(0, n_rows, PART_ROWS)):
        path = folder / f"part-{part:05d}.parquet"
        if path.exists():
            continue
        last = min(n_rows, first + PART_ROWS)
        # Deterministic columns from a hash of the row number.
        con.execute(
            f"""
            COPY (
              WITH r AS (SELECT i, hash(i) AS h FROM range({first}, {last}) t(i)),
              s AS (
                SELECT h,
                  CAST(((h // 20) % 1000) / 1000.0 * 0.6 + ((h // 20000) % 1000) / 1000.0 * 0.4
                       AS FLOAT) AS score
                FROM r
              )
              SELECT
                CASE WHEN h % 2 = 0 THEN 'Female' ELSE 'Male' END AS sex,
                CASE (h // 2) % 10 WHEN 0 THEN 'Black' WHEN 1 THEN 'Asian'
                     WHEN 2 THEN 'Other' WHEN 3 THEN 'Amer-Indian' ELSE 'White' END AS race,
                CAST(((h // 20) % 1000) < 250 + 50 * (h % 2) AS TINYINT) AS label,
                CAST(score > 0.5 AS TINYINT) AS pred,
                score
              FROM s
            ) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})
            """
        )
    return time.perf_counter() - start


def _child(args: argparse.Namespace) -> None:
    """Run one engine on the log and print a JSON line of results."""

    folder = args.folder
    out: dict = {"engine": args.child, "rows": args.rows}
    start = time.perf_counter()
    if args.child == "duckdb":
        from fairdash.engines import log_group_metrics

        metrics = log_group_metrics(
            folder, target="label", prediction="pred", sensitive_features=["sex", "race"],
            score="score", pos_label=1,
        )
    elif args.child == "spark":
        from pyspark.sql import SparkSession

        from fairdash.engines import log_group_metrics

        spark = (SparkSession.builder.master("local[2]")
                 .config("spark.sql.shuffle.partitions", "4")
                 .config("spark.ui.enabled", "false").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        start = time.perf_counter()
        frame = spark.read.parquet(folder)
        metrics = log_group_metrics(
            frame, target="label", prediction="pred", sensitive_features=["sex", "race"],
            score="score", pos_label=1, engine="spark", spark=spark,
        )
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(folder)
        frame = table.to_pandas()
        out["load_s"] = time.perf_counter() - start
        start = time.perf_counter()
        if args.child == "numpy":
            from fairdash.metrics import group_metrics

            metrics = group_metrics(frame["label"], frame["pred"], frame[["sex", "race"]],
                                    y_score=frame["score"])
            metrics.disparities()
        else:
            from fairlearn.metrics import (
                MetricFrame,
                false_positive_rate,
                selection_rate,
                true_positive_rate,
            )
            from sklearn.metrics import accuracy_score

            mf = MetricFrame(
                metrics={"selection_rate": selection_rate, "accuracy": accuracy_score,
                         "true_positive_rate": true_positive_rate,
                         "false_positive_rate": false_positive_rate},
                y_true=frame["label"], y_pred=frame["pred"],
                sensitive_features=frame[["sex", "race"]],
            )
            mf.difference()
            out["seconds"] = time.perf_counter() - start
            out["counts"] = None
            out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
            print(json.dumps(out))
            return
    out["seconds"] = time.perf_counter() - start
    if args.child == "duckdb":
        out["auc_error_bound"] = float(metrics.roc_auc_error_bound.max())
    out["counts"] = metrics.confusion.to_numpy().astype(float).tolist()
    out["dp_difference"] = metrics.disparities()["demographic_parity_difference"]
    out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps(out))


def run_child(engine: str, folder: Path, rows: int) -> dict:
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    result = subprocess.run(
        [sys.executable, __file__, "--child", engine, "--folder", str(folder), "--rows", str(rows)],
        capture_output=True, text=True, env=env, check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        return {"engine": engine, "rows": rows, "error": result.stderr.strip()[-400:]}
    return json.loads(lines[-1])


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="10M rows, every engine")
    parser.add_argument("--workdir", default="/tmp/fairdash-bench-engines")
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--numpy-rows", type=int, default=50_000_000)
    parser.add_argument("--fairlearn-rows", type=int, default=10_000_000)
    parser.add_argument("--spark-rows", type=int, default=10_000_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    sizes = args.sizes or ([10_000_000] if args.quick else [200_000_000, 1_000_000_000])
    if args.quick:
        args.numpy_rows = args.fairlearn_rows = args.spark_rows = 10_000_000
    work = Path(args.workdir)
    run = _common.start_run(quick=args.quick)
    results = []
    others = sorted({args.numpy_rows, args.fairlearn_rows, args.spark_rows, *sizes})
    for rows in others:
        folder = work / f"log-{rows}"
        written = write_log(folder, rows)
        print(f"{rows:,} rows written in {written:.1f} s", flush=True)
        runs = []
        if rows in sizes:
            runs.append(run_child("duckdb", folder, rows))
        if rows == args.numpy_rows:
            runs.append(run_child("numpy", folder, rows))
        if rows == args.fairlearn_rows:
            runs.append(run_child("fairlearn", folder, rows))
        if rows == args.spark_rows:
            runs.append(run_child("spark", folder, rows))
            if rows not in sizes:
                runs.append(run_child("duckdb", folder, rows))
        for engine_run in runs:
            print(json.dumps({k: v for k, v in engine_run.items() if k != "counts"}), flush=True)
        results.extend(runs)
    _common.finish_run(run)
    write_results(results, run, args)


def write_results(results: list[dict], run: dict, args: argparse.Namespace) -> None:
    by_rows: dict[int, dict[str, dict]] = {}
    for r in results:
        by_rows.setdefault(r["rows"], {})[r["engine"]] = r
    for engines in by_rows.values():
        base = engines.get("duckdb", {}).get("counts")
        for engine_run in engines.values():
            if base is not None and engine_run.get("counts") is not None:
                engine_run["counts_equal_duckdb"] = engine_run["counts"] == base
    run["runs"] = [{k: v for k, v in r.items() if k != "counts"} for r in results]
    lines = [
        "# Group metrics of a prediction log: DuckDB, Spark, numpy, fairlearn",
        "",
        f"`python benchmarks/bench_engines.py{' --quick' if args.quick else ''}`: sex (2) x "
        "race (5), label, prediction, score; every metric with Wilson intervals, differences, "
        "ratios, summary disparities and ROC AUC (DuckDB, Spark: from 65,536-bin score "
        "histograms). Each engine in its own process; peak RSS is that process's (Spark: the "
        "Python driver only, the JVM is apart). fairlearn: MetricFrame with 4 metrics.",
        "",
        "| rows | engine | seconds | load s | peak RSS GB | counts = DuckDB | note |",
        "|---:|---|---:|---:|---:|---|---|",
    ]
    for r in run["runs"]:
        note = r.get("error", "")
        if "auc_error_bound" in r:
            note = f"AUC error bound {r['auc_error_bound']:.1e}"
        lines.append(
            f"| {r['rows']:,} | {r['engine']} | {r.get('seconds', float('nan')):.2f} | "
            f"{r.get('load_s', float('nan')):.1f} | {r.get('peak_rss_gb', float('nan')):.2f} | "
            f"{r.get('counts_equal_duckdb', '')} | {note} |"
        )
    lines += ["", _common.machine_line(run["machine"]), _common.load_line(run), ""]
    print("\n".join(lines))
    _common.write_results("engines", lines, run, out_dir=_common.output_dir(args))


if __name__ == "__main__":
    main()
