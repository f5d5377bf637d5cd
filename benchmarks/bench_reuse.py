"""Benchmark of mitigation runs that reuse what they fit, on Adult grown to 1M rows.

Run on demand (never part of the tests)::

    python benchmarks/bench_reuse.py          # 1M rows, writes benchmarks/results/reuse.*
    python benchmarks/bench_reuse.py --quick  # 100,000 rows, 1 repeat, to a temp folder
    python benchmarks/bench_reuse.py --before=DIR  # DIR holds the fairdash package to
                                                   # compare with (default: none)

UCI Adult is grown to n rows (``_common.grown_adult``); the problem is income with
sex x race, logistic regression, the Mitigate page's split (30 % test, 20 %
calibration, seed 0). Each measurement runs ``run_methods`` with the unmitigated
model, reweighing and the Wasserstein barycenter (21 alphas) in a fresh process
(data read and compacted first, not timed), repeats interleaved:

- *before*: the fairdash package in ``--before`` (the code before this change: every
  method fits the preprocessing again, every training row is fitted on);
- *shared, every row*: this code with ``max_fit_rows=None`` (the preprocessing
  fitted once per run, the unmitigated model shared; every training row);
- *shared, sampled*: this code as the app runs it (fit on a stratified sample of
  at most ``MAX_FIT_ROWS`` training rows, post-processors calibrated on at most as
  many calibration rows; every test row evaluated), with a ``RunCache``;
- *again, same settings*: the same call again with that cache (nothing fitted);
- *add the threshold optimizer*: the same methods plus fairlearn's threshold
  optimizer (via ``GroupThresholdOptimizer``) with that cache (only it is fitted).

fairlearn has no reweighing and no barycenter, so there is no peer for the whole
run; the post-processing step is put beside fairlearn's ``ThresholdOptimizer``
(demographic parity, prefit on the same unmitigated model, calibration rows,
predicting every test row). Single-threaded BLAS (``--threads=N`` to change).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import _common

THREADS = _common.limit_threads(1)

SIZE, QUICK_SIZE = 1_000_000, 100_000
METHODS = ["unmitigated", "reweighing", "barycenter"]
SENSITIVE = ["sex", "race"]
MODES = ("before", "shared_all_rows", "shared_sampled")


def _problem(fairdash, data):
    return fairdash.define_problem(
        data, target="income", sensitive_features=SENSITIVE, positive_label=">50K"
    )


def worker(mode: str, n_rows: int, before: str | None) -> dict:
    """One measurement in this process; returns seconds (and what was fitted on)."""
    if mode == "before":
        sys.path.insert(0, before)
    import pandas as pd

    import fairdash
    from fairdash.tradeoff import run_methods

    data = fairdash.compact_frame(pd.read_parquet(_common.grown_adult(n_rows)))
    problem = _problem(fairdash, data)
    out = {"mode": mode, "fairdash": fairdash.__file__}
    start, start_cpu = time.perf_counter(), time.process_time()
    if mode in ("before", "shared_all_rows"):
        options = {} if mode == "before" else {"max_fit_rows": None}
        results = run_methods(data, problem, methods=METHODS, **options)
        out["s"], out["cpu_s"] = time.perf_counter() - start, time.process_time() - start_cpu
        out["accuracy"] = float(results[0].metrics.overall["accuracy"])
        return out
    from fairdash.tradeoff import RunCache, split_data

    # As the Mitigate page runs it: the split made once (timed here), then kept.
    split = split_data(data, problem)
    cache = RunCache()
    results = run_methods(data, problem, methods=METHODS, cache=cache, split=split)
    out["s"], out["cpu_s"] = time.perf_counter() - start, time.process_time() - start_cpu
    out["accuracy"] = float(results[0].metrics.overall["accuracy"])
    out["notes"] = [n for n in results.notes if n.startswith("Large data")]
    start = time.perf_counter()
    run_methods(data, problem, methods=METHODS, cache=cache, split=split)
    out["again_s"] = time.perf_counter() - start
    start = time.perf_counter()
    run_methods(data, problem, methods=[*METHODS, "threshold_optimizer"], cache=cache,
                split=split)
    out["add_threshold_optimizer_s"] = time.perf_counter() - start
    out.update(_post_processing(data, problem, results, split_data))
    return out


def _post_processing(data, problem, results, split_data) -> dict:
    """The barycenter's step beside fairlearn's ThresholdOptimizer, on the same base model."""
    import numpy as np
    from fairlearn.postprocessing import ThresholdOptimizer

    from fairdash.mitigation import BarycenterMap
    from fairdash.models import positive_scores

    split = split_data(data, problem)
    base = results[0].model
    X = data[list(problem.feature_columns)]
    cal, test = split.calibration_fit_index, split.test_index
    sensitive = problem.sensitive(data)
    y_cal = problem.encode_target(data.loc[cal])
    start = time.perf_counter()
    scores = positive_scores(base, X.loc[cal])
    test_scores = positive_scores(base, X.loc[test])
    scoring = time.perf_counter() - start
    start = time.perf_counter()
    mapped = BarycenterMap(random_state=0).fit(
        scores, sensitive_features=sensitive.loc[cal]
    ).transform_path(test_scores, sensitive_features=sensitive.loc[test],
                     alphas=[i / 20 for i in range(21)])
    barycenter = time.perf_counter() - start
    # fairlearn scores the rows itself (prefit model): its time includes that scoring.
    groups = sensitive.astype(str).agg(" × ".join, axis=1)
    start = time.perf_counter()
    optimizer = ThresholdOptimizer(estimator=base, constraints="demographic_parity",
                                   prefit=True, predict_method="predict_proba")
    optimizer.fit(X.loc[cal], y_cal, sensitive_features=groups.loc[cal])
    optimizer.predict(X.loc[test], sensitive_features=groups.loc[test], random_state=0)
    fairlearn_s = time.perf_counter() - start
    return {"scoring_s": scoring, "barycenter_s": barycenter, "barycenter_models": len(mapped),
            "fairlearn_threshold_optimizer_s": fairlearn_s,
            "calibration_rows": len(cal), "test_rows": len(test),
            "mean_fair_score": float(np.mean(mapped[0]))}


def _spawn(mode: str, n_rows: int, before: str | None) -> dict:
    command = [sys.executable, __file__, f"--worker={mode}", f"--rows={n_rows}",
               f"--threads={THREADS}"]
    if before:
        command.append(f"--before={before}")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="100,000 rows, 1 repeat")
    parser.add_argument("--before", help="folder holding the fairdash package to compare with")
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.rows, args.before)), flush=True)
        return
    n_rows = QUICK_SIZE if args.quick else SIZE
    repeats = 1 if args.quick else 3
    modes = [m for m in MODES if m != "before" or args.before]
    _common.grown_adult(n_rows)  # written once, outside the timings
    run = _common.start_run(quick=args.quick)
    measured = {mode: [] for mode in modes}
    for repeat in range(repeats):
        for mode in modes:
            measured[mode].append(_spawn(mode, n_rows, args.before))
            print(f"repeat {repeat + 1}: {mode} {measured[mode][-1]['s']:.1f} s", flush=True)
    run = _common.finish_run(run)

    def median(mode, key="s"):
        return statistics.median(m[key] for m in measured[mode])

    sampled = measured["shared_sampled"][-1]
    lines = [
        "# Mitigation that reuses what it fits",
        "",
        f"Run {run['date']}. {_common.machine_line(run['machine'])}",
        _common.load_line(run),
        "",
        f"Adult grown to {n_rows:,} rows; income, sex × race, logistic regression; "
        f"unmitigated + reweighing + barycenter (21 alphas); 30 % test, 20 % calibration. "
        f"Seconds, medians of {repeats} interleaved runs in fresh processes.",
        "",
        "| run | seconds | CPU seconds | vs before (wall / CPU) |",
        "|---|---:|---:|---:|",
    ]
    reference = median("before") if "before" in measured else None
    rows = [("before (preprocessing refitted per method, every row)", "before"),
            ("shared preprocessing and base, every training row", "shared_all_rows"),
            ("shared, stratified sample (as the app runs it)", "shared_sampled")]
    for label, mode in rows:
        if mode not in measured:
            continue
        ratio = ""
        if reference:
            cpu_ratio = median("before", "cpu_s") / median(mode, "cpu_s")
            ratio = f"{reference / median(mode):.1f}x / {cpu_ratio:.1f}x"
        lines.append(f"| {label} | {median(mode):.1f} | {median(mode, 'cpu_s'):.1f} | {ratio} |")
    lines += [
        f"| again with the same settings (RunCache, the split kept as the app keeps it) | "
        f"{median('shared_sampled', 'again_s'):.2f} | | |",
        "| the same methods + the threshold optimizer (6 tolerances; RunCache: only it is "
        f"fitted) | {median('shared_sampled', 'add_threshold_optimizer_s'):.1f} | | |",
        "",
        "Post-processing on the same unmitigated model "
        f"({sampled['calibration_rows']:,} calibration rows, {sampled['test_rows']:,} test "
        f"rows): scoring both parts {median('shared_sampled', 'scoring_s'):.1f} s; the "
        f"barycenter's 21 alphas {median('shared_sampled', 'barycenter_s'):.2f} s; fairlearn's "
        "ThresholdOptimizer (demographic parity, prefit, scoring included) "
        f"{median('shared_sampled', 'fairlearn_threshold_optimizer_s'):.1f} s.",
        "",
        *(f"Note shown: {note}" for note in sampled["notes"]),
    ]
    accuracies = {mode: [m["accuracy"] for m in measured[mode]] for mode in measured}
    lines.append("")
    lines.append("Unmitigated test accuracy: " + ", ".join(
        f"{mode} {values[-1]:.4f}" for mode, values in accuracies.items()) + ".")
    _common.write_results("reuse", lines, {"run": run, "rows": n_rows, "measured": measured},
                          out_dir=_common.output_dir(args))


if __name__ == "__main__":
    main()
