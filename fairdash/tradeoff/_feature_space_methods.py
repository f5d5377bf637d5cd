"""Runners of the methods that work on the preprocessed feature matrix.

The covariance-constrained classifier, fair PCA and optimal steering fit the
run's preprocessing on the training rows, then their method on the
preprocessed features. Their models are Pipelines of the fitted steps, so they
predict the untouched test rows from the features alone.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import has_fit_parameter

from fairdash.groups import group_label
from fairdash.tradeoff._catalogue import MethodConfig

if TYPE_CHECKING:  # _methods imports this module to build its runner table
    from fairdash.tradeoff._methods import MethodRun, Report
    from fairdash.tradeoff._results import ModelResult

__all__ = ["FEATURE_SPACE_RUNNERS"]


def _preprocessed(run: MethodRun):
    """The fitted preprocessing (or None), the training features through it, the estimator."""
    preprocess, final = run.split_model()
    X = run.train.X if preprocess is None else preprocess.fit_transform(run.train.X)
    return preprocess, np.asarray(X, dtype=np.float64), final


def _pipeline(preprocess, *steps) -> Pipeline:
    named = [] if preprocess is None else [("preprocess", preprocess)]
    return Pipeline([*named, *steps])


def _run_covariance_constrained(
    run: MethodRun, config: MethodConfig, report: Report
) -> list[ModelResult]:
    from fairdash.mitigation import CovarianceConstrainedClassifier

    params = config.resolved_params()
    start = time.perf_counter()
    preprocess, X, _ = _preprocessed(run)

    def fit(threshold):
        classifier = CovarianceConstrainedClassifier(covariance_threshold=threshold)
        return classifier.fit(X, run.train.y, sensitive_features=run.train.sensitive)

    # Bounds as shares of the unconstrained classifier's largest covariance, as in the
    # authors' trade-off sweep: 1 changes nothing, 0 is c = 0.
    largest = float(np.abs(fit(None).covariances_).max())
    shared_seconds = time.perf_counter() - start
    results = []
    for factor in params["factors"]:
        start = time.perf_counter()
        model = _pipeline(preprocess, ("classifier", fit(factor * largest)))
        name = f"{config.name} c={factor:g}×"
        results.append(
            run.result(
                name=name,
                method=config.method,
                params={"factor": factor, "covariance_threshold": factor * largest},
                y_pred=model.predict(run.test.X),
                y_score=run.scores(model, run.test.X),
                fit_seconds=shared_seconds + time.perf_counter() - start,
                model=model,
            )
        )
        report(1, name)
    return results


def _run_fair_pca(run: MethodRun, config: MethodConfig, report: Report) -> list[ModelResult]:
    from fairdash.mitigation import FairPCA

    params = config.resolved_params()
    # Each group's mean costs a direction: tiny groups are pooled rather than each
    # taking one away on the strength of a few rows.
    train_sensitive, _ = run.pooled_sensitive(config.name, fit=run.train, on_test=False)
    start = time.perf_counter()
    preprocess, X, final = _preprocessed(run)
    fair_pca = FairPCA(int(params["n_components"]), match=params["match"])
    components = fair_pca.fit(X, sensitive_features=train_sensitive).transform(X)
    final.fit(components, run.train.y)
    model = _pipeline(preprocess, ("fair_pca", fair_pca), ("estimator", final))
    result = run.fitted_result(config, model, time.perf_counter() - start)
    kept = fair_pca.explained_variance_.sum() / fair_pca.pca_explained_variance_.sum()
    run.notes.append(
        f"{config.name}: the {fair_pca.n_components} fair components keep {kept:.0%} of the "
        "variance that as many ordinary principal components keep."
    )
    report(1, config.name)
    return [result]


def _run_steering(run: MethodRun, config: MethodConfig, report: Report) -> list[ModelResult]:
    from fairdash.mitigation import OptimalSteering

    # A Gaussian per group and outcome: tiny groups, or groups without both outcomes,
    # are pooled.
    train_sensitive, _ = run.pooled_sensitive(
        config.name, fit=run.train, required_labels=(0, 1), on_test=False
    )
    start = time.perf_counter()
    preprocess, X, final = _preprocessed(run)
    steering = OptimalSteering()
    X_steered, y, weights = steering.fit_resample(
        X, run.train.y, sensitive_features=train_sensitive
    )
    if has_fit_parameter(final, "sample_weight"):
        final.fit(X_steered, y, sample_weight=weights)
    else:
        final.fit(X_steered, y)
        run.notes.append(
            f"{config.name}: the estimator takes no sample weights, so the base rates were "
            "not equalised; only the features were steered."
        )
    model = _pipeline(preprocess, ("estimator", final))
    result = run.fitted_result(config, model, time.perf_counter() - start)
    moved = ", ".join(
        f"{group_label(key)} {kl:.3g}"
        for key, kl in steering.kl_divergence_.items()
        if key != steering.reference_
    )
    run.notes.append(
        f"{config.name}: training rows steered toward {group_label(steering.reference_)}; "
        f"KL divergence moved (nats): {moved}."
    )
    flagged = steering.non_gaussian_features_
    if flagged:
        names = ", ".join(flagged[:5]) + (", …" if len(flagged) > 5 else "")
        run.notes.append(
            f"{config.name}: {len(flagged)} of {X.shape[1]} preprocessed features are far from "
            f"Gaussian within some group and outcome ({names}); the steering guarantee "
            "assumes Gaussian features, so judge it by the test metrics."
        )
    report(1, config.name)
    return [result]


#: Runners of the three methods, merged into the catalogue's runner table.
FEATURE_SPACE_RUNNERS = {
    "covariance_constrained": _run_covariance_constrained,
    "fair_pca": _run_fair_pca,
    "steering": _run_steering,
}
