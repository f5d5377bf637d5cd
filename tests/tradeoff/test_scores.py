"""Post-processing an audited model's own scores (no model to train)."""

import numpy as np
import pandas as pd
import pytest
from fairlearn.postprocessing import ThresholdOptimizer
from sklearn.base import BaseEstimator, ClassifierMixin

import fairdash
from fairdash import InputError
from fairdash.metrics import group_metrics
from fairdash.mitigation import BarycenterMap
from fairdash.tradeoff import (
    METHODS,
    SCORE_METHODS,
    FixedScores,
    MethodConfig,
    run_postprocessing_on_scores,
    unavailable_on_scores,
)
from tests.tradeoff._tiny_groups import make_tiny_groups_frame


class ColumnScores(ClassifierMixin, BaseEstimator):
    """An independent stand-in: a fitted classifier whose probability is X's first column."""

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        self.fitted_ = True
        return self

    def predict_proba(self, X):
        s = np.asarray(X, dtype=float)[:, 0]
        return np.column_stack([1 - s, s])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


@pytest.fixture(scope="module")
def audited():
    rng = np.random.default_rng(4)
    n = 3000
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    # Continuous scores without ties (clipped scores pile up at 0 and 1).
    score = 1 / (1 + np.exp(-rng.normal(-0.6 + 1.2 * (group == "a"), 1.0)))
    y = (rng.random(n) < score).astype(int)
    data = pd.DataFrame({"outcome": np.where(y == 1, "good", "bad"),
                         "predicted": np.where(score >= 0.5, "good", "bad"),
                         "p_good": score, "group": group})
    return fairdash.evaluate_predictions(
        data, target="outcome", prediction="predicted", score="p_good",
        sensitive_features=["group"], positive_label="good",
    )


def _run(evaluated, methods, **kwargs):
    return run_postprocessing_on_scores(
        y_true=evaluated.y_test, y_pred=evaluated.y_pred, y_score=evaluated.y_score,
        sensitive_features=evaluated.sensitive_test, methods=methods, **kwargs,
    )


@pytest.mark.parametrize("constraints", ["demographic_parity", "equalized_odds"])
def test_threshold_optimizer_equals_fairlearn_prefit_on_the_same_split(audited, constraints):
    made = _run(audited, [MethodConfig("threshold_optimizer", {
        "constraints": constraints, "tolerances": [None]})], random_state=3)
    cal, test = made.calibration_rows, made.test_rows
    assert len(np.intersect1d(cal, test)) == 0 and len(cal) + len(test) == len(audited.y_test)
    X = audited.y_score.reshape(-1, 1)
    groups = audited.sensitive_test["group"].to_numpy()
    reference = ThresholdOptimizer(
        estimator=ColumnScores().fit(X), constraints=constraints, objective="accuracy_score",
        grid_size=1000, flip=False, prefit=True, predict_method="predict_proba",
    ).fit(X[cal], audited.y_test[cal], sensitive_features=groups[cal])
    expected = reference.predict(X[test], sensitive_features=groups[test], random_state=3)
    (model,) = [r for r in made.results if r.method == "threshold_optimizer"]
    np.testing.assert_array_equal(model.y_pred, expected)
    pd.testing.assert_frame_equal(
        model.metrics.by_group,
        group_metrics(audited.y_test[test], expected, groups[test], y_score=model.y_score)
        .by_group.rename_axis(["group"]),
        check_names=False,
    )


def test_the_audited_model_and_the_barycenter_on_the_test_rows(audited):
    made = _run(audited, [MethodConfig("barycenter", {"alphas": [0.0, 1.0]})])
    test = made.test_rows
    own, full, original = made.results
    assert own.is_unmitigated and own.method == "existing predictions"
    np.testing.assert_array_equal(own.y_pred, audited.y_pred[test])
    reference = group_metrics(audited.y_test[test], audited.y_pred[test],
                              audited.sensitive_test.iloc[test], y_score=audited.y_score[test])
    np.testing.assert_allclose(own.metrics.by_group.to_numpy(dtype=float),
                               reference.by_group.to_numpy(dtype=float))
    # alpha=1 keeps the scores: thresholded at 0.5, the file's predictions.
    np.testing.assert_array_equal(original.y_pred, (audited.y_score[test] >= 0.5).astype(int))
    # alpha=0: the calibration rows' barycenter applied to the test rows' scores.
    cal = made.calibration_rows
    barycenter = BarycenterMap(random_state=0).fit(
        audited.y_score[cal], sensitive_features=audited.sensitive_test.iloc[cal])
    (fair,) = barycenter.transform_path(
        audited.y_score[test], sensitive_features=audited.sensitive_test.iloc[test], alphas=[0.0])
    np.testing.assert_array_equal(full.y_pred, (fair >= 0.5).astype(int))
    # Every group mapped onto one distribution: selection rates (nearly) equal.
    before = own.metrics.disparities()["demographic_parity_difference"]
    after = full.metrics.disparities()["demographic_parity_difference"]
    assert before > 0.2 and after < 0.06


def test_methods_that_train_are_refused_with_the_reason(audited):
    for method in METHODS:
        reason = unavailable_on_scores(method)
        assert (reason is None) == (method in SCORE_METHODS)
    with pytest.raises(InputError, match=r"Reweighing.*trains a model.*no model or inputs"):
        _run(audited, ["barycenter", "reweighing"])
    with pytest.raises(InputError, match="calibration share"):
        _run(audited, ["barycenter"], calibration_size=1.0)


def test_groups_of_one_to_three_people_are_pooled_not_fatal():
    data = make_tiny_groups_frame()
    rng = np.random.default_rng(0)
    score = np.clip(0.5 + np.where(data["two_year_recid"] == 0, 0.15, -0.15)
                    + rng.normal(0, 0.2, len(data)), 0, 1)
    data = data.assign(p_no_recid=score, predicted=np.where(score >= 0.5, 0, 1))
    evaluated = fairdash.evaluate_predictions(
        data, target="two_year_recid", prediction="predicted", score="p_no_recid",
        sensitive_features=["race", "sex"], positive_label=0,
    )
    made = _run(evaluated, list(SCORE_METHODS))
    assert made.results.failures == []
    assert {r.method for r in made.results} == {"existing predictions", *SCORE_METHODS}
    notes = made.results.notes
    assert any("too few calibration rows" in note for note in notes), notes


def test_fixed_scores_is_a_prefit_classifier():
    X = np.array([[0.2], [0.7], [0.5]])
    model = FixedScores().fit(X)
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], [0.2, 0.7, 0.5])
    np.testing.assert_array_equal(model.predict(X), [0, 1, 1])
    with pytest.raises(InputError, match="one column"):
        FixedScores().fit(np.ones((3, 2)))
