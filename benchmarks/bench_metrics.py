"""Benchmark of fairdash.metrics against fairlearn's MetricFrame.

Run on demand (never part of the tests)::

    python benchmarks/bench_metrics.py            # full run, writes benchmarks/results/metrics.*
    python benchmarks/bench_metrics.py --quick    # small sizes, written to a temp folder

Scenarios, side by side in one run:

1. 1M rows, two sensitive columns (2 x 5 groups) of Arrow-backed ``str`` dtype,
   exactly as ``pandas.read_csv`` returns text columns, so encoding the groups
   counts in the time: ``group_metrics`` vs ``MetricFrame`` with the same metrics.
2. 10M rows, same setup: ``group_metrics`` time and peak memory, measured in a
   fresh subprocess (RSS sampled every millisecond during the call, the
   process's ``ru_maxrss``, and ``tracemalloc``'s peak of Python/numpy allocations).
3. Bootstrap: 100 resamples of every rate metric at 50k rows x 30 groups:
   ``group_metrics(n_boot=100)`` vs ``MetricFrame(n_boot=100, ci_quantiles=[0.025, 0.975])``.

Times are medians of several repeats (``time.perf_counter``); MetricFrame, which
takes tens of seconds, runs once unless ``--mf-repeats`` says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import _common

# Fix the thread count of numpy's BLAS and Arrow before they are imported.
_THREADS = _common.limit_threads(2)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402

from fairdash.metrics import BOOTSTRAP_METRICS, group_metrics  # noqa: E402

SEX = ["Female", "Male"]
RACE = ["White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"]
TARGETS = {"speedup_1m": 200.0, "time_10m_s": 2.0, "peak_10m_gb": 2.0, "bootstrap_s": 1.0}


# --------------------------------------------------------------------------- data


def text_column(values: list[str], n: int, rng: np.random.Generator) -> pd.Series:
    """A text column of pandas' default ``str`` dtype (Arrow-backed), as read_csv makes it."""
    codes = pa.array(rng.integers(0, len(values), n).astype(np.int32))
    strings = pa.DictionaryArray.from_arrays(codes, pa.array(values)).cast(pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(strings)).astype("str")


def classification_data(n: int, *, groups: dict[str, list[str]], seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    sensitive = pd.DataFrame({name: text_column(values, n, rng) for name, values in groups.items()})
    y_true = (rng.random(n) < 0.3).astype(np.int64)
    # Predictions that depend on the first feature, so groups differ.
    first = sensitive.iloc[:, 0].to_numpy() == groups[next(iter(groups))][0]
    y_pred = (rng.random(n) < np.where(first, 0.2, 0.35)).astype(np.int64)
    return {"y_true": y_true, "y_pred": y_pred, "sensitive_features": sensitive}


def check_csv_dtype() -> str:
    """The dtype read_csv gives a text column, asserted equal to the benchmark's."""
    import io

    frame = pd.read_csv(io.StringIO("sex,race\nMale,White\nFemale,Black\n"))
    ours = text_column(SEX, 3, np.random.default_rng(0)).dtype
    assert frame["sex"].dtype == ours, (frame["sex"].dtype, ours)
    return str(ours)


# ------------------------------------------------------------------ the reference


def metric_frame(data: dict, **kwargs):
    import warnings

    import sklearn.metrics as skm
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )

    def npv(y_true, y_pred):
        return skm.precision_score(y_true, y_pred, pos_label=0)

    def base_rate(y_true, y_pred):
        return selection_rate(y_true, y_true)

    metrics = {
        "count": count,
        "selection_rate": selection_rate,
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
        "false_negative_rate": false_negative_rate,
        "true_negative_rate": true_negative_rate,
        "precision": skm.precision_score,
        "negative_predictive_value": npv,
        "f1": skm.f1_score,
        "base_rate": base_rate,
    }
    if kwargs.pop("rates_only", False):
        metrics = {name: metrics[name] for name in BOOTSTRAP_METRICS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetricFrame(
            metrics=metrics,
            y_true=data["y_true"],
            y_pred=data["y_pred"],
            sensitive_features=data["sensitive_features"],
            **kwargs,
        )


# ------------------------------------------------------------------------ helpers


def _times(prefix: str, timing: dict) -> dict:
    return {f"{prefix}_{key}": value for key, value in timing.items() if key != "result"}


def rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------- scenarios


def scenario_1m(n: int, repeats: int, mf_repeats: int) -> dict:
    data = classification_data(n, groups={"sex": SEX, "race": RACE})
    group_metrics(**data)  # warm-up: imports, caches
    ours = _common.timed(lambda: group_metrics(**data), repeats)
    print(f"  fairdash group_metrics: {ours['s'] * 1000:.1f} ms (median of {repeats})", flush=True)
    theirs = _common.timed(lambda: metric_frame(data), mf_repeats)
    print(f"  fairlearn MetricFrame:  {theirs['s']:.1f} s", flush=True)
    ours_table = ours["result"].by_group.to_numpy()
    diff = np.nanmax(np.abs(ours_table - theirs["result"].by_group.to_numpy()))
    return {
        "rows": n,
        "groups": "sex (2) x race (5)",
        **_times("fairdash", ours),
        **_times("metricframe", theirs),
        "speedup": theirs["s"] / ours["s"],
        "speedup_cpu": theirs["cpu_s"] / ours["cpu_s"],
        "max_abs_difference_by_group": float(diff),
    }


def child_10m(n: int, repeats: int) -> None:
    """Run in a fresh process: time and memory of group_metrics on n rows; prints JSON."""
    import resource
    import tracemalloc

    data = classification_data(n, groups={"sex": SEX, "race": RACE})
    input_bytes = int(
        data["y_true"].nbytes
        + data["y_pred"].nbytes
        + data["sensitive_features"].memory_usage(deep=True).sum()
    )
    baseline_rss = rss_bytes()
    peak = [baseline_rss]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_bytes())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    first_start = time.perf_counter()
    group_metrics(**data)  # first call, RSS sampled
    first_s = time.perf_counter() - first_start
    done.set()
    sampler.join()
    ru_maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    timing = _common.timed(lambda: group_metrics(**data), repeats)

    tracemalloc.start()
    group_metrics(**data)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "rows": n,
                "first_call_s": first_s,
                **_times("fairdash", timing),
                "input_bytes": input_bytes,
                "rss_before_call_bytes": baseline_rss,
                "rss_peak_during_call_bytes": peak[0],
                "call_rss_increase_bytes": peak[0] - baseline_rss,
                "process_ru_maxrss_bytes": ru_maxrss,
                "tracemalloc_peak_bytes": traced_peak,
            }
        )
    )


def scenario_10m(n: int, repeats: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, f"--threads={_THREADS}", "--child", str(n), str(repeats)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"  fairdash group_metrics: {result['fairdash_s']:.2f} s, peak RSS "
        f"{result['rss_peak_during_call_bytes'] / 1e9:.2f} GB",
        flush=True,
    )
    return result


def scenario_bootstrap(n: int, n_groups: int, n_boot: int, repeats: int, mf_repeats: int) -> dict:
    labels = [f"group_{i:02d}" for i in range(n_groups)]
    data = classification_data(n, groups={"group": labels}, seed=1)
    group_metrics(**data, n_boot=n_boot, random_state=0)
    ours = _common.timed(lambda: group_metrics(**data, n_boot=n_boot, random_state=0), repeats)
    print(f"  fairdash group_metrics(n_boot={n_boot}): {ours['s']:.3f} s", flush=True)
    theirs = _common.timed(
        lambda: metric_frame(
            data, rates_only=True, n_boot=n_boot, ci_quantiles=[0.025, 0.975], random_state=0
        ),
        mf_repeats,
    )
    print(f"  fairlearn MetricFrame(n_boot={n_boot}): {theirs['s']:.1f} s", flush=True)
    # Different random resamples, so the intervals agree only statistically.
    ours_lower = ours["result"].bootstrap_intervals["selection_rate_lower"].to_numpy()
    theirs_lower = theirs["result"].by_group_ci[0]["selection_rate"].to_numpy()
    return {
        "rows": n,
        "groups": n_groups,
        "n_boot": n_boot,
        "metrics": list(BOOTSTRAP_METRICS),
        **_times("fairdash", ours),
        **_times("metricframe", theirs),
        "speedup": theirs["s"] / ours["s"],
        "speedup_cpu": theirs["cpu_s"] / ours["cpu_s"],
        "mean_abs_difference_selection_rate_lower": float(
            np.mean(np.abs(ours_lower - theirs_lower))
        ),
    }


# ----------------------------------------------------------------------- report


def report(results: dict) -> str:
    m, s1, s2, s3 = results["machine"], results["1m"], results["10m"], results["bootstrap"]
    verdict = results["targets"]
    ok = {key: "met" if value["met"] else "MISSED" for key, value in verdict.items()}
    gb = 1e9
    lines = [
        "# Metrics engine benchmark",
        "",
        f"Run {results['date']} with `python benchmarks/bench_metrics.py"
        f"{' --quick' if results['quick'] else ''}` "
        f"({results['wall_s']:.0f} s in all).",
        "",
        _common.machine_line(m),
        _common.load_line(results),
        "",
        f"Sensitive columns are pandas `{results['text_dtype']}` dtype (Arrow-backed), "
        "the dtype `read_csv` gives text, so encoding the groups is part of every time. "
        "Times are medians (fairdash: several repeats; MetricFrame: as noted).",
        "",
        "| scenario | fairdash wall (CPU) | fairlearn MetricFrame wall (CPU) | ratio wall "
        "(CPU) | target (on wall time) |",
        "| --- | --- | --- | --- | --- |",
        f"| 1. {s1['rows']:,} rows, {s1['groups']}, 12 metrics | "
        f"**{s1['fairdash_s'] * 1000:.0f} ms** ({s1['fairdash_cpu_s'] * 1000:.0f} ms) | "
        f"{s1['metricframe_s']:.1f} s ({s1['metricframe_cpu_s']:.1f} s), "
        f"{len(s1['metricframe_runs_s'])} run | **{s1['speedup']:.0f}x** "
        f"({s1['speedup_cpu']:.0f}x) | >= {TARGETS['speedup_1m']:.0f}x: {ok['speedup_1m']} |",
        f"| 2. {s2['rows']:,} rows, same | **{s2['fairdash_s']:.2f} s** "
        f"({s2['fairdash_cpu_s']:.2f} s) | not run | | "
        f"<= {TARGETS['time_10m_s']:.0f} s: {ok['time_10m_s']} |",
        f"| 2. peak memory (RSS of the process during the call) | "
        f"**{s2['rss_peak_during_call_bytes'] / gb:.2f} GB** | | | "
        f"<= {TARGETS['peak_10m_gb']:.0f} GB: {ok['peak_10m_gb']} |",
        f"| 3. bootstrap, {s3['n_boot']} resamples, {s3['rows']:,} rows x {s3['groups']} groups, "
        f"{len(s3['metrics'])} rates | **{s3['fairdash_s']:.2f} s** ({s3['fairdash_cpu_s']:.2f} s)"
        f" | {s3['metricframe_s']:.1f} s ({s3['metricframe_cpu_s']:.1f} s), "
        f"{len(s3['metricframe_runs_s'])} run | {s3['speedup']:.0f}x ({s3['speedup_cpu']:.0f}x) | "
        f"<= {TARGETS['bootstrap_s']:.0f} s: {ok['bootstrap_s']} |",
        "",
        "CPU time is `time.process_time()` (all threads of the process; fairdash encodes two "
        "sensitive columns in two threads). On a shared machine wall time includes waiting for "
        "a core, so CPU time is the steadier comparison.",
        "",
        f"Memory at {s2['rows']:,} rows, measured in a fresh subprocess: the inputs take "
        f"{s2['input_bytes'] / gb:.2f} GB; the process's resident memory was "
        f"{s2['rss_before_call_bytes'] / gb:.2f} GB before the call and peaked at "
        f"{s2['rss_peak_during_call_bytes'] / gb:.2f} GB during it (sampled every ms), "
        f"so the call itself needed {s2['call_rss_increase_bytes'] / gb:.2f} GB; "
        f"`ru_maxrss` of the whole process (data generation included) was "
        f"{s2['process_ru_maxrss_bytes'] / gb:.2f} GB. tracemalloc's peak for the call "
        f"(numpy and Python allocations; Arrow's own pool is not traced) was "
        f"{s2['tracemalloc_peak_bytes'] / gb:.2f} GB. First call {s2['first_call_s']:.2f} s.",
        "",
        f"Agreement: in scenario 1 the largest difference from MetricFrame's `by_group` was "
        f"{s1['max_abs_difference_by_group']:.1e}. Bootstrap resamples differ between the "
        "two libraries, so their intervals agree only statistically (mean difference of the "
        f"selection-rate lower bounds {s3['mean_abs_difference_selection_rate_lower']:.4f}).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = _common.make_parser(
        __doc__.splitlines()[0], quick="20k / 200k / 5k rows instead of 1M / 10M / 50k"
    )
    parser.add_argument("--repeats", type=int, default=7, help="fairdash repeats")
    parser.add_argument("--mf-repeats", type=int, default=1, help="MetricFrame repeats")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_10m(*args.child)
        return

    sizes = (20_000, 200_000, 5_000) if args.quick else (1_000_000, 10_000_000, 50_000)
    results = _common.start_run(quick=args.quick)
    results["text_dtype"] = check_csv_dtype()
    print(f"1. {sizes[0]:,} rows", flush=True)
    results["1m"] = scenario_1m(sizes[0], args.repeats, args.mf_repeats)
    print(f"2. {sizes[1]:,} rows (subprocess)", flush=True)
    results["10m"] = scenario_10m(sizes[1], max(3, args.repeats // 2))
    print(f"3. bootstrap at {sizes[2]:,} rows", flush=True)
    results["bootstrap"] = scenario_bootstrap(sizes[2], 30, 100, 5, args.mf_repeats)
    _common.finish_run(results)
    results["targets"] = {
        "speedup_1m": {"value": results["1m"]["speedup"], "target": ">= 200"},
        "time_10m_s": {"value": results["10m"]["fairdash_s"], "target": "<= 2"},
        "peak_10m_gb": {
            "value": results["10m"]["rss_peak_during_call_bytes"] / 1e9,
            "target": "<= 2",
        },
        "bootstrap_s": {"value": results["bootstrap"]["fairdash_s"], "target": "<= 1"},
    }
    for key, entry in results["targets"].items():
        limit = TARGETS[key]
        entry["met"] = entry["value"] >= limit if key == "speedup_1m" else entry["value"] <= limit

    text = report(results)
    print()
    print(text)
    _common.write_results("metrics", text, results, out_dir=_common.output_dir(args))


if __name__ == "__main__":
    main()
