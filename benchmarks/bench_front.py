"""Benchmark of the accuracy-versus-disparity front on Adult (logistic regression, sex x race).

Run on demand (never part of the tests)::

    python benchmarks/bench_front.py            # full run, writes benchmarks/results/front.*
    python benchmarks/bench_front.py --quick    # 6,000 rows, sex only, grid size 10; temp folder

Side by side in one run, on the same train / calibration / test split
(``fairdash.tradeoff.split_data``: 50% / 20% / 30%):

1. fairdash's cheap fronts: the unmitigated model, the barycenter alpha sweep
   (21 values) and the threshold optimizer tolerance sweep (demographic parity,
   6 tolerances), from ``fairdash.tradeoff.run_methods``; wall time includes
   fitting the unmitigated model and measuring every model on the test rows.
2. ``fairdash.mitigation.ParallelGridSearch(grid_size=100, n_jobs=2)``: fit wall
   time, cold (starting the two worker processes counts), then its candidates
   on the test rows.
3. ``fairlearn.reductions.GridSearch(grid_size=100)``, sequential, same
   estimator (Pipeline of preprocessing and logistic regression) and data.

Hypervolume: of each front in the (error = 1 - accuracy, demographic parity
difference) plane on the test rows, reference point (0.5, 0.5). The two grid
searches are checked to have identical candidates (same Lagrange multipliers,
same test predictions of every candidate, same best one).

Every process uses single-threaded BLAS (OMP_NUM_THREADS=1 and friends, set
before numpy is imported, and inherited by joblib's workers): the same
threading on both sides makes their fits bit-identical, and on this 2-core
machine multi-threaded BLAS is slower for these fits anyway.
"""

from __future__ import annotations

import json
import logging
import time

import _common

_common.limit_threads(1)

import numpy as np  # noqa: E402
from fairlearn.reductions import DemographicParity, GridSearch  # noqa: E402

import fairdash  # noqa: E402
from fairdash import datasets  # noqa: E402
from fairdash.metrics import group_metrics  # noqa: E402
from fairdash.mitigation import ParallelGridSearch  # noqa: E402
from fairdash.models import make_model  # noqa: E402
from fairdash.tradeoff import (  # noqa: E402
    MethodConfig,
    hypervolume,
    results_table,
    run_methods,
    split_data,
)

REFERENCE = (0.5, 0.5)
TARGETS = {"cheap_time_share": 0.1, "grid_search_speedup": 1.7}
SEED = 0

logging.getLogger("fairlearn").setLevel(logging.ERROR)  # "grid has 9 dimensions" warnings


def load(quick: bool):
    data = datasets.load("adult")
    sensitive = ["sex", "race"]
    if quick:
        # Too few rows for every sex x race group to have both labels in calibration.
        data = data.sample(6000, random_state=SEED).reset_index(drop=True)
        sensitive = ["sex"]
    problem = fairdash.define_problem(
        data, target="income", sensitive_features=sensitive, positive_label=">50K"
    )
    return data, problem


def front_points(y_test, predictions, sensitive) -> tuple[np.ndarray, np.ndarray]:
    """Error and demographic parity difference of each row of predictions."""
    errors, disparities = [], []
    for y_pred in predictions:
        metrics = group_metrics(y_test, np.asarray(y_pred).astype(np.int64), sensitive)
        errors.append(1.0 - metrics.overall["accuracy"])
        disparities.append(metrics.disparities()["demographic_parity_difference"])
    return np.array(errors), np.array(disparities)


def cheap_fronts(data, problem) -> dict:
    methods = [
        "unmitigated",
        MethodConfig("barycenter"),  # 21 alphas
        MethodConfig("threshold_optimizer"),  # 6 tolerances
    ]
    start = time.perf_counter()
    results = run_methods(data, problem, methods=methods, random_state=SEED)
    seconds = time.perf_counter() - start
    table = results_table(results)
    error = 1.0 - table["accuracy"]
    disparity = table["demographic_parity_difference"]
    per_method = {
        method: hypervolume(error[rows], disparity[rows], reference=REFERENCE)
        for method, rows in table.groupby("method").groups.items()
    }
    return {
        "seconds": seconds,
        "n_models": len(results),
        "hypervolume": hypervolume(error, disparity, reference=REFERENCE),
        "hypervolume_by_method": per_method,
        "front": table.loc[table["on_front"], ["name", "accuracy", disparity.name]]
        .sort_values("accuracy")
        .to_dict("records"),
    }


def grid_searches(data, problem, grid_size: int) -> dict:
    split = split_data(data, problem, random_state=SEED)
    train, test = data.loc[split.train_index], data.loc[split.test_index]
    X_train = train.loc[:, list(problem.feature_columns)]
    y_train = problem.encode_target(train)
    s_train = problem.sensitive(train)
    X_test = test.loc[:, list(problem.feature_columns)]
    y_test = problem.encode_target(test)
    s_test = problem.sensitive(test)
    estimator = make_model("logistic_regression", X_train, random_state=SEED)

    # Cold: no worker process is running yet, so the fit includes starting them.
    start = time.perf_counter()
    ours = ParallelGridSearch(estimator, grid_size=grid_size, n_jobs=2).fit(
        X_train, y_train, sensitive_features=s_train
    )
    ours_seconds = time.perf_counter() - start
    ours_test = ours.candidate_predictions(X_test)

    start = time.perf_counter()
    reference = GridSearch(
        estimator,
        DemographicParity(),
        grid_size=grid_size,
        sample_weight_name="estimator__sample_weight",
    ).fit(X_train, y_train, sensitive_features=s_train)
    fairlearn_seconds = time.perf_counter() - start
    reference_test = np.vstack([p.predict(X_test) for p in reference.predictors_])

    identical = {
        "lambda_vecs": bool(ours.lambda_vecs_.equals(reference.lambda_vecs_)),
        "gammas": bool(ours.gammas_.equals(reference.gammas_)),
        "best_idx": ours.best_idx_ == reference.best_idx_,
        "test_predictions": bool(np.array_equal(ours_test, reference_test)),
    }
    ours_error, ours_disparity = front_points(y_test, ours_test, s_test)
    ref_error, ref_disparity = front_points(y_test, reference_test, s_test)
    return {
        "n_train": len(y_train),
        "n_test": len(y_test),
        "grid_size": grid_size,
        "workers": 2,
        "fairdash_seconds": ours_seconds,
        "fairlearn_seconds": fairlearn_seconds,
        "speedup": fairlearn_seconds / ours_seconds,
        "identical": identical,
        "best_idx": int(ours.best_idx_),
        "fairdash_hypervolume": hypervolume(ours_error, ours_disparity, reference=REFERENCE),
        "fairlearn_hypervolume": hypervolume(ref_error, ref_disparity, reference=REFERENCE),
        "candidate_fit_seconds_sum": float(np.sum(ours.oracle_execution_times_)),
    }


def markdown(report: dict) -> list[str]:
    cheap, grid = report["cheap"], report["grid_search"]
    checks = report["checks"]
    share = cheap["seconds"] / grid["fairlearn_seconds"]
    lines = [
        "# Trade-off front on Adult (logistic regression, sex x race)",
        "",
        _common.machine_line(report["machine"]) + " Single-threaded BLAS in every process.",
        _common.load_line(report),
        "",
        f"Split: {grid['n_train']:,} training rows, {grid['n_test']:,} test rows (and 20% "
        "calibration rows for post-processing). Hypervolume in the (1 - accuracy, demographic "
        "parity difference) plane on the test rows, reference point (0.5, 0.5); higher is better.",
        "",
        "| front | models | wall time (s) | hypervolume |",
        "| --- | ---: | ---: | ---: |",
        f"| fairdash cheap fronts (unmitigated + barycenter 21 alphas + threshold optimizer "
        f"6 tolerances) | {cheap['n_models']} | {cheap['seconds']:.1f} | "
        f"{cheap['hypervolume']:.4f} |",
        f"| fairdash ParallelGridSearch(grid_size={grid['grid_size']}, n_jobs=2), fit | "
        f"{grid['grid_size']} | {grid['fairdash_seconds']:.1f} (cold: includes starting the "
        f"workers) | {grid['fairdash_hypervolume']:.4f} |",
        f"| fairlearn GridSearch(grid_size={grid['grid_size']}), sequential fit | "
        f"{grid['grid_size']} | {grid['fairlearn_seconds']:.1f} | "
        f"{grid['fairlearn_hypervolume']:.4f} |",
        "",
        "Hypervolume of each cheap front alone: "
        + ", ".join(f"{k} {v:.4f}" for k, v in cheap["hypervolume_by_method"].items())
        + ".",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
        f"| cheap front hypervolume >= GridSearch(100)'s | {cheap['hypervolume']:.4f} vs "
        f"{grid['fairlearn_hypervolume']:.4f} | {_yes(checks['cheap_hypervolume'])} |",
        f"| cheap front time <= 1/10 of GridSearch(100)'s | {share:.3f} of it | "
        f"{_yes(checks['cheap_time'])} |",
        f"| ParallelGridSearch >= 1.7x faster than GridSearch | {grid['speedup']:.2f}x | "
        f"{_yes(checks['speedup'])} |",
        "| identical candidates (Lagrange multipliers, gammas, best index, every candidate's "
        f"test predictions) | {_equal(grid['identical'])} | {_yes(checks['identical'])} |",
        "",
        "The parallel search fits the y-independent preprocessing (imputers, one-hot "
        "encoder, scaler) once and shares it, and fits only the logistic regression per "
        "candidate in two worker processes; fairlearn refits the whole pipeline per candidate. "
        f"Sum of the candidates' own fit times in the workers: "
        f"{grid['candidate_fit_seconds_sum']:.1f} s.",
        "",
        "## Cheap front (non-dominated models)",
        "",
        "| model | accuracy | demographic parity difference |",
        "| --- | ---: | ---: |",
        *(
            f"| {row['name']} | {row['accuracy']:.4f} | "
            f"{row['demographic_parity_difference']:.4f} |"
            for row in cheap["front"]
        ),
        "",
    ]
    return lines


def _equal(flags: dict) -> str:
    return ", ".join(f"{name} {'equal' if same else 'DIFFERENT'}" for name, same in flags.items())


def _yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def main() -> None:
    parser = _common.make_parser(
        __doc__.splitlines()[0], quick="6,000 rows, sex only, grid size 10"
    )
    parser.add_argument("--grid-size", type=int, default=None)
    args = parser.parse_args()
    grid_size = args.grid_size or (10 if args.quick else 100)
    report = _common.start_run(quick=args.quick)
    data, problem = load(args.quick)
    cheap = cheap_fronts(data, problem)
    print(f"cheap fronts: {cheap['seconds']:.1f} s, hypervolume {cheap['hypervolume']:.4f}")
    grid = grid_searches(data, problem, grid_size)
    print(json.dumps(grid, indent=2))
    checks = {
        "cheap_hypervolume": cheap["hypervolume"] >= grid["fairlearn_hypervolume"],
        "cheap_time": cheap["seconds"] <= TARGETS["cheap_time_share"] * grid["fairlearn_seconds"],
        "speedup": grid["speedup"] >= TARGETS["grid_search_speedup"],
        "identical": all(grid["identical"].values()),
    }
    report.update(
        reference_point=list(REFERENCE), targets=TARGETS, cheap=cheap, grid_search=grid,
        checks=checks,
    )
    _common.finish_run(report)
    print(json.dumps(checks, indent=2))
    _common.write_results("front", markdown(report), report, out_dir=_common.output_dir(args))


if __name__ == "__main__":
    main()
