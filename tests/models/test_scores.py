"""positive_scores: the one way FairDash reads a classifier's positive-class probability."""

import numpy as np
from sklearn.linear_model import LogisticRegression

from fairdash.models import positive_scores


def test_the_column_of_the_positive_class_whatever_the_class_order():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = LogisticRegression().fit(X, [0, 0, 1, 1])
    np.testing.assert_array_equal(positive_scores(model, X), model.predict_proba(X)[:, 1])
    named = LogisticRegression().fit(X, ["no", "no", "yes", "yes"])
    np.testing.assert_array_equal(
        positive_scores(named, X, positive_class="no"), named.predict_proba(X)[:, 0]
    )


def test_a_model_that_never_saw_the_positive_class_gives_zeros():
    class OneClass:
        classes_ = np.array([0])

        def predict_proba(self, X):
            return np.ones((len(X), 1))

    np.testing.assert_array_equal(positive_scores(OneClass(), [[1], [2]]), [0.0, 0.0])


def test_predict_params_are_passed_on():
    class Grouped:
        classes_ = np.array([0, 1])

        def predict_proba(self, X, *, sensitive_features):
            p = np.asarray(sensitive_features, dtype=float)
            return np.column_stack([1 - p, p])

    np.testing.assert_array_equal(
        positive_scores(Grouped(), [[0], [0]], sensitive_features=[0.25, 1.0]), [0.25, 1.0]
    )
