"""After training: is the model suspiciously good, and on which inputs does it lean?"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairdash._training import TrainingRun
from fairdash.metrics import group_metrics

__all__ = [
    "SUSPICIOUS_AUC",
    "SUSPICIOUS_BALANCED_ACCURACY",
    "SUSPICIOUS_R2",
    "LeakageCheck",
    "leakage_check",
]

#: Test ROC AUC at or above which a classifier is suspiciously good.
SUSPICIOUS_AUC = 0.97
#: Test balanced accuracy at or above which a classifier is suspiciously good (balanced,
#: so that always predicting the majority class of a rare outcome never triggers it).
SUSPICIOUS_BALANCED_ACCURACY = 0.95
#: Test R² at or above which a regressor is suspiciously good.
SUSPICIOUS_R2 = 0.95


@dataclass(frozen=True)
class LeakageCheck:
    """Whether a trained model is suspiciously good, and the inputs it leans on most.

    Attributes
    ----------
    suspicious : bool
        Test ROC AUC >= :data:`SUSPICIOUS_AUC` or balanced accuracy >=
        :data:`SUSPICIOUS_BALANCED_ACCURACY` (classification), R² >=
        :data:`SUSPICIOUS_R2` (regression).
    scores : dict of str to float
        The test scores behind the decision (``roc_auc``, ``balanced_accuracy``
        or ``r2``).
    importance : pandas.Series
        Permutation importance on the test rows (the mean drop in ROC AUC, or
        balanced accuracy without scores, or R², when the column's values are
        shuffled), largest first; computed only when ``suspicious`` (empty
        otherwise) unless asked for.
    message : str or None
        The warning to show, naming the inputs it leans on most; None when not
        suspicious.
    """

    suspicious: bool
    scores: dict[str, float]
    importance: pd.Series
    message: str | None


def _scores(run: TrainingRun, overall: Mapping[str, float] | None) -> dict[str, float]:
    if run.problem.task == "regression":
        y, pred = run.y_test.astype(np.float64), run.y_pred.astype(np.float64)
        spread = float(((y - y.mean()) ** 2).sum())
        r2 = float("nan") if spread == 0 else 1 - float(((y - pred) ** 2).sum()) / spread
        return {"r2": r2}
    if overall is None:
        one_group = np.zeros(len(run.y_test), dtype=np.int64)
        overall = group_metrics(run.y_test, run.y_pred, one_group, y_score=run.y_score).overall
    scores = {"balanced_accuracy": float(overall["balanced_accuracy"])}
    if run.y_score is not None:
        scores["roc_auc"] = float(overall["roc_auc"])
    return scores


def leakage_check(
    run: TrainingRun,
    data: pd.DataFrame,
    *,
    top: int = 3,
    n_repeats: int = 3,
    random_state: int = 0,
    always: bool = False,
    overall: Mapping[str, float] | None = None,
) -> LeakageCheck:
    """Warn when a model is suspiciously good, naming the columns it leans on most.

    Real decisions are rarely near-perfectly predictable; a model that is
    usually learnt from a column recorded after the outcome (or the outcome in
    disguise). The importance of each input is its permutation importance on
    the run's test rows (scikit-learn's ``permutation_importance``).

    Parameters
    ----------
    run : fairdash.TrainingRun
        From :func:`fairdash.train_model`.
    data : pandas.DataFrame
        The data the run was trained on (its test rows are read by index).
    top : int, default=3
        How many columns the message names.
    n_repeats : int, default=3
        Shuffles per column.
    random_state : int, default=0
    always : bool, default=False
        Compute the importance even when the model is not suspicious.
    overall : mapping of str to float, optional
        The run's overall test metrics when already computed
        (``group_metrics(run.y_test, run.y_pred, ..., y_score=run.y_score).overall``),
        so that millions of test rows are not measured twice.

    Returns
    -------
    LeakageCheck
    """
    from sklearn.inspection import permutation_importance

    scores = _scores(run, overall)
    if run.problem.task == "regression":
        suspicious = scores["r2"] >= SUSPICIOUS_R2
        scoring, name = "r2", "R²"
    else:
        suspicious = scores.get("roc_auc", -1.0) >= SUSPICIOUS_AUC or (
            scores["balanced_accuracy"] >= SUSPICIOUS_BALANCED_ACCURACY
        )
        scoring = "roc_auc" if "roc_auc" in scores else "balanced_accuracy"
        name = "ROC AUC" if scoring == "roc_auc" else "balanced accuracy"
    importance = pd.Series(dtype=np.float64, name="importance")
    if suspicious or always:
        X_test = data.loc[run.test_index, list(run.problem.feature_columns)]
        result = permutation_importance(
            run.model, X_test, run.y_test, scoring=scoring, n_repeats=n_repeats,
            random_state=random_state, n_jobs=None,
        )
        importance = pd.Series(
            result.importances_mean, index=pd.Index(X_test.columns, name="column"),
            name="importance",
        ).sort_values(ascending=False, kind="stable")
    message = None
    if suspicious:
        value = scores[scoring]
        leaned = ", ".join(
            f"'{c}' ({name} drops by {v:.3f} when it is shuffled)"
            for c, v in importance.head(top).items()
        )
        message = (
            f"The model is suspiciously good (test {name} {value:.3f}): real outcomes are "
            f"rarely this predictable. It leans most on {leaned}. Check that each is known "
            "when the decision is made, and leave out any recorded after the outcome."
        )
    return LeakageCheck(
        suspicious=bool(suspicious), scores=scores, importance=importance, message=message
    )
