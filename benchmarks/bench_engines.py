"""Benchmark: group metrics of a large prediction log on DuckDB, Spark, numpy and fairlearn.

Run on demand (never part of the tests)::

    python benchmarks/bench_engines.py            # writes results/engines.*
    python benchmarks/bench_engines.py --quick    # 10M rows, every engine

A synthetic prediction log (sex x race, label, prediction, score; text columns
dictionary-encoded by the Parquet writer) is written by DuckDB into a folder of
Parquet parts of 50M rows (row groups of 2^20 rows) under ``--workdir``, once
(parts already there are kept). Each engine runs in a child process; the parent
polls the resident memory of the child and its descendants (Spark's JVM) every
50 ms for the peak, and the child reports the wall and CPU seconds (user +
system of every thread and descendant) of the computation alone:

- DuckDB (``fairdash.engines.log_group_metrics``, a new connection with the
  engine's defaults: all cores, DuckDB's default memory limit): every metric
  with Wilson intervals, differences, ratios, summary disparities and ROC AUC
  from 65,536-bin score histograms, at ``--sizes`` (default 200M and 1B) and at
  every size another engine runs, for parity;
- the in-memory numpy engine (``fairdash.metrics.group_metrics``, rows read
  into pandas first, text as categoricals) at ``--numpy-rows`` (default 200M:
  the largest size here that fits in memory, about 13 GB at its peak; 1B rows
  would need about 65 GB);
- fairlearn's ``MetricFrame`` (4 metrics, no intervals) at ``--fairlearn-rows``
  (default 10M: 5.2 GB and about 170 CPU seconds; memory would allow about
  three times more, the time window of a run does not);
- Spark local mode (``local[2]``) at ``--spark-rows`` (default 10M): time and
  parity.

Every engine's counts and rates are compared with DuckDB's on the same rows,
group by group. A size of 0 leaves that engine out.
"""

from __future__ import annotations

import argparse
import json
import os
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
    con.execute("SET enable_progress_bar = false")
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


def _tree(pid: int) -> list[int]:
    """``pid`` and its live descendants (Spark's JVM is a child of the Python driver)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def _tree_usage(pid: int) -> tuple[float, float]:
    """Resident bytes and CPU seconds (user + system) of ``pid`` and its descendants, now."""
    rss, cpu = 0.0, 0.0
    tick, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            rss += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / tick
    return rss, cpu


def _child(args: argparse.Namespace) -> None:
    """Run one engine on the log and print a JSON line of results."""
    folder = args.folder
    out: dict = {"engine": args.child, "rows": args.rows}
    if args.child == "spark":
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master("local[2]")
                 .config("spark.sql.shuffle.partitions", "4")
                 .config("spark.ui.enabled", "false").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        out["settings"] = "local[2], spark.sql.shuffle.partitions=4 (session started before timing)"
    elif args.child == "duckdb":
        import duckdb

        # What a new connection of the engine gets on this machine (the engine's defaults).
        out["settings"] = "threads={}, memory_limit={}".format(*duckdb.sql(
            "SELECT current_setting('threads'), current_setting('memory_limit')").fetchall()[0])
    # Each engine imports what it needs (no more: peak RSS is the process's) before the
    # clock starts.
    if args.child in ("duckdb", "spark"):
        from fairdash.engines import log_group_metrics
    else:
        import pyarrow.parquet as pq
    if args.child == "numpy":
        from fairdash.metrics import group_metrics
    if args.child == "fairlearn":
        from fairlearn.metrics import (
            MetricFrame,
            false_positive_rate,
            selection_rate,
            true_positive_rate,
        )
        from sklearn.metrics import accuracy_score

    _, cpu_start = _tree_usage(os.getpid())
    start = time.perf_counter()
    if args.child in ("duckdb", "spark"):
        source = spark.read.parquet(folder) if args.child == "spark" else folder
        metrics = log_group_metrics(
            source, target="label", prediction="pred", sensitive_features=["sex", "race"],
            score="score", pos_label=1, engine=args.child,
            spark=spark if args.child == "spark" else None,
        )
        metrics.disparities()
        out["auc_error_bound"] = float(metrics.roc_auc_error_bound.max())
    else:
        # Text columns as pandas categoricals (the Parquet dictionaries): the most compact
        # frame, so the largest size fits.
        frame = pq.read_table(folder, read_dictionary=["sex", "race"]).to_pandas()
        out["load_s"] = time.perf_counter() - start
        _, cpu_start = _tree_usage(os.getpid())
        start = time.perf_counter()
        if args.child == "numpy":
            metrics = group_metrics(frame["label"], frame["pred"], frame[["sex", "race"]],
                                    y_score=frame["score"])
            metrics.disparities()
        else:
            mf = MetricFrame(
                metrics={"selection_rate": selection_rate, "accuracy": accuracy_score,
                         "true_positive_rate": true_positive_rate,
                         "false_positive_rate": false_positive_rate},
                y_true=frame["label"], y_pred=frame["pred"],
                sensitive_features=frame[["sex", "race"]],
            )
            mf.difference()
            by_group = mf.by_group
    out["seconds"] = time.perf_counter() - start
    out["cpu_s"] = _tree_usage(os.getpid())[1] - cpu_start
    if args.child != "fairlearn":
        by_group = metrics.by_group
        out["counts"] = metrics.confusion.to_numpy().astype(float).tolist()
        out["dp_difference"] = metrics.disparities()["demographic_parity_difference"]
    out["by_group"] = {
        column: [float(v) for v in by_group[column]]
        for column in ("selection_rate", "accuracy", "true_positive_rate", "false_positive_rate",
                       "roc_auc")
        if column in by_group
    }
    out["groups"] = [" / ".join(map(str, key)) for key in by_group.index]
    print(json.dumps(out))


def run_child(engine: str, folder: Path, rows: int) -> dict:
    """Run ``engine`` in a child process; add its peak memory and the load average."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    load_start = _common.load_average()
    with subprocess.Popen(
        [sys.executable, __file__, "--child", engine, "--folder", str(folder), "--rows", str(rows)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    ) as proc:
        # Resident memory of the child and its descendants (Spark's JVM), polled, while
        # threads drain the pipes.
        import threading

        streams: dict[str, str] = {}

        def drain(name: str, stream) -> None:
            streams[name] = stream.read()

        readers = [threading.Thread(target=drain, args=(n, s))
                   for n, s in (("out", proc.stdout), ("err", proc.stderr))]
        for reader in readers:
            reader.start()
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _tree_usage(proc.pid)[0])
            time.sleep(0.05)
        for reader in readers:
            reader.join()
    lines = [line for line in streams.get("out", "").splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"engine": engine, "rows": rows, "error": streams.get("err", "").strip()[-400:]}
    result = json.loads(lines[-1])
    result["peak_rss_gb"] = peak / 2**30
    result["load_start"], result["load_end"] = load_start, _common.load_average()
    return result


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="10M rows, every engine")
    parser.add_argument("--workdir", default="/tmp/fairdash-bench-engines")
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--numpy-rows", type=int, default=200_000_000)
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
    # 0 rows: leave that engine out.
    others = sorted({args.numpy_rows, args.fairlearn_rows, args.spark_rows, *sizes} - {0})
    for rows in others:
        folder = work / f"log-{rows}"
        written = write_log(folder, rows)
        print(f"{rows:,} rows written in {written:.1f} s", flush=True)
        # DuckDB first at every size: the reference of the others' parity.
        engines = ["duckdb"]
        engines += [name for name, at in (("numpy", args.numpy_rows),
                                          ("fairlearn", args.fairlearn_rows),
                                          ("spark", args.spark_rows)) if at == rows]
        for engine in engines:
            engine_run = run_child(engine, folder, rows)
            print(json.dumps({k: v for k, v in engine_run.items()
                              if k not in ("counts", "by_group", "groups")}), flush=True)
            results.append(engine_run)
    run["data"] = {f"log-{rows}": _folder_info(work / f"log-{rows}") for rows in others}
    _common.finish_run(run)
    write_results(results, run, args)


def _folder_info(folder: Path) -> dict:
    import pyarrow.parquet as pq

    files = sorted(folder.glob("*.parquet"))
    groups = sum(pq.ParquetFile(f).metadata.num_row_groups for f in files)
    return {"files": len(files), "row_groups": groups,
            "bytes": sum(f.stat().st_size for f in files)}


def _parity(engine_run: dict, base: dict) -> dict:
    """Counts equal to DuckDB's, and the largest rate and AUC differences, group by group
    (the in-memory engine keeps a categorical's own group order; DuckDB sorts)."""
    at = {group: i for i, group in enumerate(base["groups"])}
    if sorted(engine_run["groups"]) != sorted(base["groups"]):
        return {"groups_differ": True}
    order = [at[group] for group in engine_run["groups"]]
    out = {}
    if engine_run.get("counts") is not None:
        out["counts_equal_duckdb"] = engine_run["counts"] == [base["counts"][i] for i in order]

    def largest(columns: list[str]) -> float | None:
        return max((abs(value - base["by_group"][c][i])
                    for c in columns
                    for value, i in zip(engine_run["by_group"][c], order, strict=True)),
                   default=None)

    rates = [c for c in engine_run["by_group"] if c != "roc_auc"]
    out["max_rate_difference"] = largest(rates)
    if "roc_auc" in engine_run["by_group"]:
        out["max_auc_difference"] = largest(["roc_auc"])
    return out


def write_results(results: list[dict], run: dict, args: argparse.Namespace) -> None:
    base = {r["rows"]: r for r in results if r["engine"] == "duckdb" and "counts" in r}
    for r in results:
        if r["engine"] != "duckdb" and r["rows"] in base and "error" not in r:
            r.update(_parity(r, base[r["rows"]]))
    run["runs"] = [{k: v for k, v in r.items() if k != "counts"} for r in results]
    data = ", ".join(
        f"{name}: {info['files']} files, {info['row_groups']:,} row groups, "
        f"{info['bytes'] / 2**30:.2f} GiB" for name, info in run["data"].items()
    )
    lines = [
        "# Group metrics of a prediction log: DuckDB, Spark, numpy, fairlearn",
        "",
        f"`python benchmarks/bench_engines.py{' --quick' if args.quick else ''}` ({run['date']}): "
        "a synthetic log of sex (2) x race (5) as dictionary-encoded text, label, prediction and "
        "a float score ((3a + 2b) / 5000 for a, b in 0..999: 4,994 distinct values, so at most "
        "that many of the 65,536 score bins are occupied), written by DuckDB as Parquet parts "
        f"of 50M rows (zstd, row groups of 2^20 rows). Data: {data}.",
        "",
        "DuckDB, Spark, numpy: every metric with Wilson intervals, differences, ratios, summary "
        "disparities and ROC AUC (DuckDB, Spark: from 65,536-bin score histograms; numpy: exact "
        "from the sorted scores); `fairdash.engines.log_group_metrics` for DuckDB and Spark, "
        "`fairdash.metrics.group_metrics` on a pandas frame for numpy. fairlearn: `MetricFrame` "
        "with 4 metrics (selection rate, accuracy, TPR, FPR) and `difference()`, no intervals. "
        "Each engine in its own process: seconds and CPU seconds (user + system, every thread, "
        "Spark's JVM included) of the computation alone (numpy, fairlearn: after reading the rows "
        "into pandas, `load s`); peak RSS is the process and its children (Spark: driver + "
        "JVM), polled every 50 ms over the whole process, imports and reading included. "
        "Parity is against DuckDB on the same rows.",
        "",
        "| rows | engine | seconds | CPU s | load s | peak RSS GB | counts = DuckDB "
        "| max rate diff | AUC | load avg start / end | settings |",
        "|---:|---|---:|---:|---:|---:|---|---:|---|---|---|",
    ]
    for r in run["runs"]:
        if "error" in r:
            lines.append(f"| {r['rows']:,} | {r['engine']} | error: {r['error'][-200:]} |")
            continue
        auc = (f"error bound {r['auc_error_bound']:.1e}" if "auc_error_bound" in r else "exact")
        if "max_auc_difference" in r:
            auc += f", diff {r['max_auc_difference']:.1e}"
        if "roc_auc" not in r.get("by_group", {}):
            auc = "not computed"
        rate = r.get("max_rate_difference")
        lines.append(
            f"| {r['rows']:,} | {r['engine']} | {r['seconds']:.2f} | {r['cpu_s']:.1f} | "
            f"{'' if 'load_s' not in r else format(r['load_s'], '.1f')} | {r['peak_rss_gb']:.2f} | "
            f"{r.get('counts_equal_duckdb', '')} | {'' if rate is None else f'{rate:.1e}'} | "
            f"{auc} | {r['load_start'][0]} / {r['load_end'][0]} | {r.get('settings', '')} |"
        )
    lines += ["", _common.machine_line(run["machine"]), _common.load_line(run), ""]
    print("\n".join(lines))
    _common.write_results("engines", lines, run, out_dir=_common.output_dir(args))


if __name__ == "__main__":
    main()
