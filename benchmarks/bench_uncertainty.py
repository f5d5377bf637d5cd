"""Benchmark of the trade-off's bootstrap intervals: shared resamples vs one bootstrap per model.

Run on demand (never part of the tests)::

    python benchmarks/bench_uncertainty.py          # writes benchmarks/results/uncertainty.*
    python benchmarks/bench_uncertainty.py --quick  # 10 models on 3,000 rows, to a temp folder

Target (issue 10): 200 resamples for 40 models on 15,000 test rows in under 2 s.
``tradeoff_intervals`` draws the resampled rows once (``bootstrap_cell_sums``
over one cell per row gives each row's multiplicity) and measures every model
with one sparse product. The comparison, run side by side in one process on
the same data: one ``bootstrap_cell_sums`` call per model on that model's
confusion cells, re-seeded so every model sees the same rows. Both give the
same resampled cell sums, checked before timing. 2 x 6 groups (sex x race).
"""

from __future__ import annotations

from types import SimpleNamespace

import _common

_common.limit_threads(1)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from fairdash.groups import encode_groups  # noqa: E402
from fairdash.metrics._group_metrics import rates_from_cell_sums  # noqa: E402
from fairdash.metrics._intervals import bootstrap_cell_sums  # noqa: E402
from fairdash.tradeoff._uncertainty import disparity_from_rates, tradeoff_intervals  # noqa: E402

TARGET_S = 2.0


def make_case(n_rows: int, n_models: int, *, seed: int = 0):
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Female", "Male"], n_rows)
    race = rng.choice(["A", "B", "C", "D", "E", "F"], n_rows, p=[0.4, 0.3, 0.15, 0.08, 0.05, 0.02])
    y = (rng.random(n_rows) < 0.3).astype(np.int64)
    score = np.clip(0.4 * y + rng.normal(0.3, 0.2, n_rows), 0, 1)
    models = [
        SimpleNamespace(name=f"model {j}", y_pred=(score > 0.2 + 0.5 * j / n_models).astype(int))
        for j in range(n_models)
    ]
    return y, pd.DataFrame({"sex": sex, "race": race}), models


def per_model(y, sensitive, models, n_boot, seed):
    """The obvious use of the engine: one bootstrap per model, each on the same rows."""
    groups = encode_groups(sensitive, n_rows=len(y))
    n_cells = 4 * groups.n_groups
    out = []
    for model in models:
        cells = groups.codes * 4 + 2 * y + model.y_pred
        sums = bootstrap_cell_sums(
            cells, n_cells=n_cells, weights=None, n_boot=n_boot, rng=np.random.default_rng(seed)
        ).reshape(n_boot, groups.n_groups, 4)
        rates = rates_from_cell_sums(sums)
        out.append(disparity_from_rates(rates, "demographic_parity_difference"))
    return np.stack(out, axis=1)


def case(n_rows: int, n_models: int, n_boot: int, repeats: int) -> dict:
    y, sensitive, models = make_case(n_rows, n_models)

    def shared():
        return tradeoff_intervals(
            models, y_true=y, sensitive_features=sensitive, n_boot=n_boot, random_state=1
        )

    # bootstrap_cell_sums draws every resample of this size in one block, so both
    # approaches see the same rows with the same seed: their resamples must agree.
    np.testing.assert_allclose(
        shared().disparity_samples, per_model(y, sensitive, models, n_boot, 1), atol=1e-12
    )
    fast = _common.timed(shared, repeats)
    slow = _common.timed(lambda: per_model(y, sensitive, models, n_boot, 1), repeats)
    return {
        "rows": n_rows,
        "models": n_models,
        "resamples": n_boot,
        "shared_s": fast["s"],
        "shared_runs_s": fast["runs_s"],
        "per_model_s": slow["s"],
        "per_model_runs_s": slow["runs_s"],
        "speedup": slow["s"] / fast["s"],
    }


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="10 models on 3,000 rows")
    args = parser.parse_args()
    run = _common.start_run(quick=args.quick)
    sizes = [(3_000, 10, 200)] if args.quick else [(15_000, 40, 200), (100_000, 40, 200)]
    run["cases"] = []
    for n_rows, n_models, n_boot in sizes:
        run["cases"].append(case(n_rows, n_models, n_boot, repeats=3 if args.quick else 7))
        print(run["cases"][-1], flush=True)
    _common.finish_run(run)
    lines = [
        "# Bootstrap intervals of the trade-off",
        "",
        f"`python benchmarks/bench_uncertainty.py{' --quick' if args.quick else ''}`: percentile "
        "intervals of accuracy and demographic parity difference for every model, all models "
        f"on the same resampled test rows; 2 x 6 groups; medians. Target: under {TARGET_S:g} s "
        "for 200 resamples of 40 models on 15,000 rows.",
        "",
        "| rows | models | resamples | shared resamples (tradeoff_intervals) "
        "| one bootstrap per model | ratio | target met |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in run["cases"]:
        target = (r["rows"], r["models"], r["resamples"]) == (15_000, 40, 200)
        met = "" if not target else "yes" if r["shared_s"] < TARGET_S else "**no**"
        lines.append(
            f"| {r['rows']:,} | {r['models']} | {r['resamples']} | {r['shared_s']:.2f} s | "
            f"{r['per_model_s']:.2f} s | {r['speedup']:.1f}x | {met} |"
        )
    lines += ["", _common.machine_line(run["machine"]), _common.load_line(run), ""]
    print("\n".join(lines))
    _common.write_results("uncertainty", lines, run, out_dir=_common.output_dir(args))


if __name__ == "__main__":
    main()
