"""Post-processing of an audited model's own scores: no model to train.

An audited predictions file has the true outcome, the model's predicted label,
its score and the sensitive features, but no model. The post-processors need
only scores: a :class:`FixedScores` classifier stands in for the model (a
"prefit" scorer whose scores are the file's column), the file's rows are split
into calibration rows (the post-processor is fitted there) and test rows
(every model is measured there), and the same runners as
:func:`fairdash.tradeoff.run_methods` make the models. Methods that train a
model cannot run on such a file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from fairdash._errors import InputError
from fairdash._problem import Problem
from fairdash._validation import binary_indicators, n_rows_of, numeric_array
from fairdash.metrics import group_metrics
from fairdash.tradeoff._catalogue import CATALOGUE, MethodConfig
from fairdash.tradeoff._results import ModelResult, TradeoffResults
from fairdash.tradeoff._runner import MIN_POSTPROCESSING_GROUP_SIZE, _as_config, run_methods
from fairdash.tradeoff._split import split_data

__all__ = [
    "SCORE_METHODS",
    "FixedScores",
    "ScoresRun",
    "run_postprocessing_on_scores",
    "unavailable_on_scores",
]

#: The methods that run on an audited model's scores alone (post-processing).
SCORE_METHODS: tuple[str, ...] = ("threshold_optimizer", "barycenter")
_SCORE, _TARGET = "__fairdash_score__", "__fairdash_target__"


def unavailable_on_scores(method: str) -> str | None:
    """Why a method cannot run on an audited predictions file, or None if it can.

    Parameters
    ----------
    method : str
        A method of :data:`fairdash.tradeoff.CATALOGUE`.

    Returns
    -------
    str or None
    """
    if method in SCORE_METHODS:
        return None
    return (
        f"{CATALOGUE[method].label if method in CATALOGUE else method} trains a model, and an "
        "audited predictions file has no model or inputs to train on; only post-processing "
        "of the file's scores (threshold optimizer, barycenter) can run on it."
    )


class FixedScores(ClassifierMixin, BaseEstimator):
    """A prefit classifier whose scores are the first column of ``X``.

    Stands in for a model known only by its scores (an audited predictions
    file), so that post-processors such as fairlearn's ``ThresholdOptimizer``
    with ``prefit=True`` can use it: ``predict_proba`` returns ``1 - s`` and
    ``s`` for the classes 0 and 1.

    Attributes
    ----------
    classes_ : numpy.ndarray
        ``[0, 1]``.
    n_features_in_ : int
        1.
    """

    def fit(self, X, y=None) -> FixedScores:
        """Check ``X`` (one column of scores); nothing is learnt.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
        y : ignored

        Returns
        -------
        self
        """
        validate_data(self, X, ensure_min_features=1)
        if self.n_features_in_ != 1:
            raise InputError(f"FixedScores takes one column of scores, not {self.n_features_in_}.")
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X) -> np.ndarray:
        """``[1 - s, s]`` for the scores ``s`` of ``X``."""
        check_is_fitted(self)
        scores = validate_data(self, X, reset=False)[:, 0].astype(np.float64)
        return np.column_stack([1.0 - scores, scores])

    def predict(self, X) -> np.ndarray:
        """1 where the score is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


@dataclass(frozen=True)
class ScoresRun:
    """Models post-processed from an audited model's scores; returned by
    :func:`run_postprocessing_on_scores`.

    Attributes
    ----------
    results : TradeoffResults
        The audited model itself on the test rows (``is_unmitigated``), then the
        post-processed models; every one measured on the test rows.
    calibration_rows, test_rows : numpy.ndarray of int
        Positions (into the arrays given) of the rows the post-processors were
        fitted on and of the rows every model is measured on.
    """

    results: TradeoffResults
    calibration_rows: np.ndarray
    test_rows: np.ndarray


def run_postprocessing_on_scores(
    *,
    y_true: Any,
    y_pred: Any,
    y_score: Any,
    sensitive_features: pd.DataFrame,
    methods: Sequence[MethodConfig | Mapping | str] = SCORE_METHODS,
    calibration_size: float = 0.5,
    random_state: int = 0,
    min_group_size: int = MIN_POSTPROCESSING_GROUP_SIZE,
    progress: Callable[[int, int, str], None] | None = None,
    name: str = "Your model",
    params: Mapping[str, Any] | None = None,
) -> ScoresRun:
    """Post-process an audited model's scores: threshold optimizer, barycenter.

    The rows are split (stratified by group and outcome, as
    :func:`fairdash.tradeoff.split_data`) into calibration rows, where each
    post-processor is fitted on the scores, and test rows, where the audited
    model's own predictions and every post-processed model are measured. The
    model is a :class:`FixedScores` ("prefit": its scores are the file's), so
    the threshold optimizer is fairlearn's ``ThresholdOptimizer(prefit=True)``
    on those scores. Small groups are pooled for fitting as in
    :func:`~fairdash.tradeoff.run_methods` (``min_group_size``).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_rows,)
        True outcome and the model's prediction, 0/1 with 1 the favourable
        outcome (as :func:`fairdash.evaluate_predictions` encodes them).
    y_score : array-like of shape (n_rows,)
        The model's scores for the favourable outcome (probabilities).
    sensitive_features : pandas.DataFrame
        The rows' sensitive columns as categoricals
        (``PredictionsEvaluation.sensitive_test``).
    methods : sequence of MethodConfig, dict or str, default=SCORE_METHODS
        Among :data:`SCORE_METHODS`, with their parameters.
    calibration_size : float, default=0.5
        Share of the rows the post-processors are fitted on; the rest are the test rows.
    random_state : int, default=0
        Seed of the split and of the randomized predictions.
    min_group_size : int, default=10
        Groups with fewer calibration rows are pooled to fit a post-processor.
    progress : callable, optional
        As for :func:`~fairdash.tradeoff.run_methods`.
    name : str, default="Your model"
        The audited model's name among the results.
    params : mapping, optional
        What describes the audited model (JSON-friendly, e.g. its prediction and
        score columns), as its result's ``params``.

    Returns
    -------
    ScoresRun

    Raises
    ------
    fairdash.InputError
        For a method that trains a model (:func:`unavailable_on_scores` says
        why), mismatched lengths, labels that are not 0/1, missing scores, a
        calibration share outside (0, 1), or when no method could run.
    """
    configs = [_as_config(method) for method in methods]
    for config in configs:
        reason = unavailable_on_scores(config.method)
        if reason:
            raise InputError(reason)
    n_rows = n_rows_of(y_true, name="y_true")
    true_pos, pred_pos = binary_indicators(y_true, y_pred, pos_label=1, n_rows=n_rows)
    scores = numeric_array(y_score, name="y_score", n_rows=n_rows)
    if not 0.0 < calibration_size < 1.0:
        raise InputError(f"The calibration share must be between 0 and 1, got {calibration_size}.")
    sensitive = pd.DataFrame(sensitive_features).reset_index(drop=True)
    if len(sensitive) != n_rows:
        raise InputError(
            f"There are {len(sensitive):,} rows of sensitive features for {n_rows:,} outcomes."
        )
    frame = sensitive.assign(**{_SCORE: scores, _TARGET: true_pos.astype(np.int64)})
    problem = Problem(
        target=_TARGET, task="classification", positive_label=1,
        sensitive_features=tuple(sensitive.columns), feature_columns=(_SCORE,),
    )
    # No model to train: the "training" rows are the calibration rows (calibration_size=0).
    split = split_data(
        frame, problem, test_size=1.0 - calibration_size, calibration_size=0.0,
        random_state=random_state,
    )
    made = run_methods(
        frame, problem, methods=configs, estimator=FixedScores(), random_state=random_state,
        min_group_size=min_group_size, progress=progress, split=split,
    )
    test = split.test_index.to_numpy()
    y_test, own = true_pos[test].astype(np.int64), pred_pos[test].astype(np.int64)
    audited = ModelResult(
        name=name, method="existing predictions", params=dict(params or {}),
        y_pred=own, y_score=scores[test],
        # The groups exactly as the post-processed models are measured on them.
        metrics=group_metrics(y_test, own, problem.sensitive(frame.loc[split.test_index]),
                              y_score=scores[test]),
        fit_seconds=0.0, is_unmitigated=True,
    )
    results = TradeoffResults([audited, *made], failures=made.failures, notes=made.notes)
    return ScoresRun(
        results=results, calibration_rows=split.train_index.to_numpy(), test_rows=test
    )
