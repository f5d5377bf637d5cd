"""Benchmark of fairdash.mitigation.BarycenterMap: fit + transform at 1M and 10M rows.

Run on demand (never part of the tests)::

    python benchmarks/bench_barycenter.py          # writes benchmarks/results/barycenter.*
    python benchmarks/bench_barycenter.py --quick  # 1M rows only, written to a temp folder

Each case calibrates the map on n scores (``fit``) and maps n scores
(``transform``; the same scores, drawn once outside the timing), with the
sensitive groups given as an integer array: 2 groups, and 10 groups of unequal
size. Scores are continuous (a beta distribution shifted by group). Times are
medians of several repeats (``time.perf_counter``), each on a fresh
``BarycenterMap``. Extra, informational rows: the groups given as a pandas
``str`` column (so encoding the text counts), and ``transform_path`` with the 21
alphas of an alpha sweep. Targets: fit + transform <= 0.3 s at 1M rows and
<= 4 s at 10M rows.

The machine may be shared: the load average before and after the run is
recorded with the results.
"""

from __future__ import annotations

import json
import time

import _common

# One thread for numpy's BLAS/OpenMP (the map uses neither, but keep runs comparable).
_common.limit_threads(1)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from fairdash.mitigation import BarycenterMap  # noqa: E402

TARGETS_S = {1_000_000: 0.3, 10_000_000: 4.0}
ALPHAS = np.linspace(0.0, 1.0, 21)


def make_scores(n: int, n_groups: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Scores whose distribution differs by group; groups of unequal size."""
    rng = np.random.default_rng(seed)
    weights = np.arange(1, n_groups + 1, dtype=float)
    groups = rng.choice(n_groups, size=n, p=weights / weights.sum())
    scores = rng.beta(2.0, 5.0, size=n) + 0.05 * groups
    return scores, groups


def time_case(scores, groups, *, repeats: int) -> dict:
    fit_s, transform_s, total_s, cpu_s = [], [], [], []
    for _ in range(repeats):
        barycenter = BarycenterMap(random_state=0)
        cpu_start = time.process_time()
        start = time.perf_counter()
        barycenter.fit(scores, sensitive_features=groups)
        fitted = time.perf_counter()
        barycenter.transform(scores, sensitive_features=groups)
        done = time.perf_counter()
        cpu_s.append(time.process_time() - cpu_start)
        fit_s.append(fitted - start)
        transform_s.append(done - fitted)
        total_s.append(done - start)
    return {
        "fit_s": float(np.median(fit_s)),
        "transform_s": float(np.median(transform_s)),
        "total_s": float(np.median(total_s)),
        "total_cpu_s": float(np.median(cpu_s)),
        "total_runs_s": [round(t, 4) for t in total_s],
    }


def time_path(scores, groups, *, repeats: int) -> dict:
    barycenter = BarycenterMap(random_state=0).fit(scores, sensitive_features=groups)
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        barycenter.transform_path(scores, sensitive_features=groups, alphas=ALPHAS)
        runs.append(time.perf_counter() - start)
    return {"transform_path_21_alphas_s": float(np.median(runs))}


def report(results: dict) -> list[str]:
    lines = [
        "# BarycenterMap benchmark",
        "",
        "`python benchmarks/bench_barycenter.py`: fit on n scores + transform n scores, "
        "groups as an int array unless said otherwise; medians of "
        f"{results['repeats']} repeats (seconds, wall clock; the CPU-time column is "
        "the process's, less sensitive to other jobs on a shared machine). Targets are on "
        "wall time.",
        "",
        "| rows | groups | fit | transform | fit + transform | CPU time | target | met |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for case in results["cases"]:
        target = case.get("target_s")
        met = "" if target is None else ("yes" if case["total_s"] <= target else "**no**")
        lines.append(
            f"| {case['rows']:,} | {case['groups']} | {case['fit_s']:.3f} | "
            f"{case['transform_s']:.3f} | {case['total_s']:.3f} | {case['total_cpu_s']:.3f} | "
            f"{'' if target is None else f'<= {target}'} | {met} |"
        )
    lines += ["", "| rows | groups | transform_path, 21 alphas |", "|---:|---|---:|"]
    for case in results["paths"]:
        lines.append(
            f"| {case['rows']:,} | {case['groups']} | {case['transform_path_21_alphas_s']:.3f} |"
        )
    lines += [
        "",
        _common.machine_line(results["machine"]),
        _common.load_line(results),
        f"Run at {results['date']}.",
        "",
    ]
    return lines


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="1M rows only")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sizes = [1_000_000] if args.quick else [1_000_000, 10_000_000]
    results = _common.start_run(quick=args.quick)
    cases, paths = [], []
    for rows in sizes:
        for n_groups in (2, 10):
            scores, groups = make_scores(rows, n_groups)
            timing = time_case(scores, groups, repeats=args.repeats)
            case = {"rows": rows, "groups": f"{n_groups} (int)", **timing}
            case["target_s"] = TARGETS_S[rows]
            cases.append(case)
            print(json.dumps(case), flush=True)
        # Informational: the groups as text, so that encoding them is timed too.
        scores, groups = make_scores(rows, 2)
        text = pd.Series(np.array(["Female", "Male"])[groups], dtype="str")
        case = {"rows": rows, "groups": "2 (str column)", **time_case(scores, text, repeats=3)}
        cases.append(case)
        print(json.dumps(case), flush=True)
        if rows == 1_000_000:
            for n_groups in (2, 10):
                scores, groups = make_scores(rows, n_groups)
                path = {"rows": rows, "groups": f"{n_groups} (int)"}
                path.update(time_path(scores, groups, repeats=args.repeats))
                paths.append(path)
                print(json.dumps(path), flush=True)
    results.update(repeats=args.repeats, cases=cases, paths=paths)
    _common.finish_run(results)
    _common.write_results(
        "barycenter", report(results), results, out_dir=_common.output_dir(args)
    )


if __name__ == "__main__":
    main()
