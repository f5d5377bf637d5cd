"""Benchmark of three published methods beside fairlearn's (or fairdash's) nearest one, on Adult.

Run on demand (never part of the tests)::

    python benchmarks/bench_methods.py           # all rows, writes benchmarks/results/methods.*
    python benchmarks/bench_methods.py --quick   # 8,000 rows, 1 repeat, written to a temp folder

On the same 70% / 30% train / test split (``fairdash.tradeoff.split_data``,
stratified by group and label), with sex and with sex x race as the sensitive
features, each pair side by side:

1. ``CovarianceConstrainedClassifier`` (Zafar et al. 2017; c = 0 and mode
   "fairness" with gamma = 0.5) beside fairlearn's ``ExponentiatedGradient``
   with ``DemographicParity`` (logistic regression);
2. ``FairPCA(n_components=10)`` (mean matching) then logistic regression,
   beside fairlearn's ``CorrelationRemover(alpha=1)`` then logistic regression
   (and ordinary PCA(10) then logistic regression, to separate the effect of
   reducing the dimension);
3. ``OptimalSteering`` then logistic regression with its weights, beside
   ``fairdash.mitigation.Reweighing`` (Kamiran & Calders) of logistic regression.

The unmitigated logistic regression is the common baseline. Features are the
project's preprocessing (``fairdash.models.make_preprocessor``: median-imputed
scaled numerics, one-hot categoricals), fitted on the training rows; the
sensitive columns are not model inputs; the column ``source`` (which original
file a row came from) is dropped. Metrics on the test rows: accuracy,
demographic parity difference and equalized odds difference (fairlearn's
functions). Fit times are medians of the repeats (``_common.timed``),
preprocessing excluded. Single-threaded BLAS (``--threads=N`` to change).
"""

from __future__ import annotations

import warnings

import _common

_common.limit_threads(1)

import numpy as np  # noqa: E402
from fairlearn.metrics import (  # noqa: E402
    demographic_parity_difference,
    equalized_odds_difference,
)
from fairlearn.preprocessing import CorrelationRemover  # noqa: E402
from fairlearn.reductions import DemographicParity, ExponentiatedGradient  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

import fairdash  # noqa: E402
from fairdash import InputError, datasets  # noqa: E402
from fairdash.mitigation import (  # noqa: E402
    CovarianceConstrainedClassifier,
    FairPCA,
    OptimalSteering,
    Reweighing,
)
from fairdash.models import make_preprocessor  # noqa: E402
from fairdash.tradeoff import split_data  # noqa: E402

SEED = 0
N_COMPONENTS = 10


def logistic():
    return LogisticRegression(max_iter=2000)


class Steered:
    """OptimalSteering, then logistic regression fitted on the steered rows with the weights."""

    def fit(self, X, y, *, sensitive_features):
        self.steering_ = OptimalSteering()
        X_steered, y_out, weights = self.steering_.fit_resample(
            X, y, sensitive_features=sensitive_features
        )
        self.model_ = logistic().fit(X_steered, y_out, sample_weight=weights)
        return self

    def predict(self, X, *, sensitive_features=None):
        return self.model_.predict(X)


class Projected:
    """A projection fitted on the training rows (with or without groups), then logistic."""

    def __init__(self, make_projection, *, with_groups: bool, sensitive_as_column=False):
        self.make_projection = make_projection
        self.with_groups = with_groups
        self.sensitive_as_column = sensitive_as_column

    def _columns(self, X, sensitive):
        # CorrelationRemover takes the sensitive columns as (one-hot) columns of X.
        return np.hstack([X, sensitive]) if self.sensitive_as_column else X

    def fit(self, X, y, *, sensitive_features, one_hot=None):
        self.projection_ = self.make_projection()
        if self.sensitive_as_column:
            self.projection_.fit(self._columns(X, one_hot))
        elif self.with_groups:
            self.projection_.fit(X, sensitive_features=sensitive_features)
        else:
            self.projection_.fit(X)
        self.model_ = logistic().fit(self._transform(X, one_hot), y)
        return self

    def _transform(self, X, one_hot):
        return self.projection_.transform(self._columns(X, one_hot))

    def predict(self, X, *, one_hot=None):
        return self.model_.predict(self._transform(X, one_hot))


def load(quick: bool):
    data = datasets.load("adult").drop(columns=["source"])
    if quick:
        data = data.sample(8000, random_state=SEED).reset_index(drop=True)
    return data


def prepare(data, sensitive_columns):
    problem = fairdash.define_problem(
        data, target="income", sensitive_features=sensitive_columns, positive_label=">50K"
    )
    split = split_data(data, problem, calibration_size=0.0, random_state=SEED)
    parts = {}
    for name, index in (("train", split.train_index), ("test", split.test_index)):
        frame = data.loc[index]
        parts[name] = {
            "X": frame.loc[:, list(problem.feature_columns)],
            "y": problem.encode_target(frame),
            "s": problem.sensitive(frame),
        }
    preprocessor = make_preprocessor(parts["train"]["X"]).fit(parts["train"]["X"])
    for part in parts.values():
        part["X"] = np.asarray(preprocessor.transform(part["X"]), dtype=np.float64)
        groups = part["s"].astype(str).agg(" x ".join, axis=1)
        part["groups"] = groups
    categories = sorted(parts["train"]["groups"].unique())
    for part in parts.values():
        part["one_hot"] = (part["groups"].to_numpy()[:, None] == np.array(categories)).astype(
            float
        )
    return parts


def methods(n_features: int, n_groups: int):
    """(pair, name, factory, how): how the model takes the groups ("plain": not at all)."""
    group_columns = list(range(n_features, n_features + n_groups))
    return [
        ("baseline", "logistic regression", logistic, "plain"),
        (
            "covariance",
            "CovarianceConstrained c=0",
            lambda: CovarianceConstrainedClassifier(covariance_threshold=0.0),
            "groups",
        ),
        (
            "covariance",
            "CovarianceConstrained fairness gamma=0.5",
            lambda: CovarianceConstrainedClassifier(mode="fairness", gamma=0.5),
            "groups",
        ),
        (
            "covariance",
            "fairlearn ExponentiatedGradient DP",
            lambda: ExponentiatedGradient(logistic(), DemographicParity(), eps=0.01),
            "groups",
        ),
        (
            "fair_pca",
            f"FairPCA({N_COMPONENTS}) + logistic",
            lambda: Projected(lambda: FairPCA(N_COMPONENTS), with_groups=True),
            "groups",
        ),
        (
            "fair_pca",
            "fairlearn CorrelationRemover + logistic",
            # Its sensitive columns are the one-hot groups appended to X.
            lambda: Projected(
                lambda: CorrelationRemover(sensitive_feature_ids=group_columns, alpha=1.0),
                with_groups=False,
                sensitive_as_column=True,
            ),
            "one_hot",
        ),
        (
            "fair_pca",
            f"PCA({N_COMPONENTS}) + logistic",
            lambda: Projected(lambda: PCA(N_COMPONENTS), with_groups=False),
            "groups",
        ),
        ("steering", "OptimalSteering + logistic", Steered, "groups"),
        ("steering", "fairdash Reweighing(logistic)", lambda: Reweighing(logistic()), "groups"),
    ]


def fit(factory, how, train):
    model = factory()
    if how == "plain":
        return model.fit(train["X"], train["y"])
    if how == "one_hot":
        return model.fit(train["X"], train["y"], sensitive_features=None, one_hot=train["one_hot"])
    return model.fit(train["X"], train["y"], sensitive_features=train["s"])


def predict(model, how, test) -> np.ndarray:
    if how == "one_hot":
        return np.asarray(model.predict(test["X"], one_hot=test["one_hot"])).astype(int)
    return np.asarray(model.predict(test["X"])).astype(int)


def run(parts, repeats: int) -> list[dict]:
    train, test = parts["train"], parts["test"]
    rows = []
    catalogue = methods(train["X"].shape[1], train["one_hot"].shape[1])
    for pair, name, factory, how in catalogue:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                timing = _common.timed(lambda f=factory, h=how: fit(f, h, train), repeats)
        except InputError as error:  # e.g. a (group, class) cell too small to steer
            rows.append({"pair": pair, "method": name, "error": str(error)})
            continue
        model = timing["result"]
        y_pred = predict(model, how, test)
        row = {
            "pair": pair,
            "method": name,
            "fit_seconds": timing["s"],
            "fit_runs_s": timing["runs_s"],
            "accuracy": float(np.mean(y_pred == test["y"])),
            "demographic_parity_difference": float(
                demographic_parity_difference(test["y"], y_pred, sensitive_features=test["s"])
            ),
            "equalized_odds_difference": float(
                equalized_odds_difference(test["y"], y_pred, sensitive_features=test["s"])
            ),
        }
        if isinstance(model, Steered):
            kl = model.steering_.kl_divergence_
            row["kl_moved_max"] = float(max(kl.values()))
            row["non_gaussian_features"] = len(model.steering_.non_gaussian_features_)
        rows.append(row)
    return rows


def markdown(report: dict) -> list[str]:
    lines = [
        "# Published methods beside their nearest fairlearn / fairdash method (Adult)",
        "",
        f"Rows: {report['n_rows']:,} (70% train, 30% test); fit time: median of "
        f"{report['repeats']} run(s), preprocessing excluded; metrics on the test rows "
        "(DP: demographic parity difference, EO: equalized odds difference).",
        "",
        _common.machine_line(report["machine"]),
        "",
        _common.load_line(report),
        "",
    ]
    for sensitive, rows in report["results"].items():
        lines += [
            f"## Sensitive: {sensitive}",
            "",
            "| pair | method | fit s | accuracy | DP difference | EO difference |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for r in rows:
            if "error" in r:
                lines.append(f"| {r['pair']} | {r['method']} | not run: {r['error']} | | | |")
                continue
            lines.append(
                f"| {r['pair']} | {r['method']} | {r['fit_seconds']:.2f} | {r['accuracy']:.4f} "
                f"| {r['demographic_parity_difference']:.4f} "
                f"| {r['equalized_odds_difference']:.4f} |"
            )
        lines.append("")
    return lines


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="8,000 rows, 1 repeat")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    report = _common.start_run(quick=args.quick)
    data = load(args.quick)
    results = {}
    for sensitive in (["sex"], ["sex", "race"]):
        parts = prepare(data, sensitive)
        results[" x ".join(sensitive)] = run(parts, repeats)
    report.update(n_rows=len(data), repeats=repeats, results=results)
    _common.finish_run(report)
    lines = markdown(report)
    print("\n".join(lines), flush=True)
    _common.write_results("methods", lines, report, out_dir=_common.output_dir(args))


if __name__ == "__main__":
    main()
