"""Positive-class scores of a fitted classifier: the one way FairDash reads them."""

from __future__ import annotations

import numpy as np

__all__ = ["positive_scores"]


def positive_scores(model, X, *, positive_class=1, **predict_params) -> np.ndarray:
    """Probability of ``positive_class`` under a fitted classifier.

    Parameters
    ----------
    model : classifier
        Fitted, with ``predict_proba`` and ``classes_``.
    X : array-like of shape (n_samples, n_features)
    positive_class : object, default=1
        The class whose probability is returned (FairDash encodes the
        favourable outcome as 1).
    **predict_params
        Passed to ``predict_proba`` (e.g. ``sensitive_features=`` for a
        post-processor).

    Returns
    -------
    numpy.ndarray of float64, shape (n_samples,)
        Zeros when the model never saw ``positive_class`` (a model fitted on
        one class gives it probability 0).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    >>> positive_scores(model, [[0.0], [3.0]]).round(2)
    array([0.19, 0.81])
    """
    proba = np.asarray(model.predict_proba(X, **predict_params))
    classes = list(model.classes_)
    if positive_class in classes:
        return proba[:, classes.index(positive_class)].astype(np.float64)
    return np.zeros(proba.shape[0])
