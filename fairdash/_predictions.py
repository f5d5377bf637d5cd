"""Evaluate a model's existing predictions stored in a table: no training.

One function, :func:`evaluate_predictions`, checks a predictions table (true
outcome, predicted label, optional score, sensitive features) and builds the
evaluation the dashboard's pages and the command-line audit both use, so their
numbers are the same.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash._problem import Problem, define_problem, label_values
from fairdash._validation import check_sample_weight
from fairdash.groups import group_labels, is_binned
from fairdash.metrics import GroupMetrics, group_metrics

if TYPE_CHECKING:
    from fairdash.tradeoff import ModelResult

__all__ = ["PredictionsEvaluation", "evaluate_predictions", "prediction_arrays"]

_SHOWN_VALUES = 5
# "12,345" or "1,234,567.89": numbers a spreadsheet wrote with thousands separators.
_THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}(,\d{3})+(\.\d+)?\s*$")
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _same(value: Any, label: Any) -> bool:
    """Whether a data value and a label given by a user (often as text) are the same."""
    value, label = _plain(value), _plain(label)
    try:
        if bool(value == label):
            return True
    except (TypeError, ValueError):
        pass
    if str(value) == str(label):
        return True
    if isinstance(label, str) and not isinstance(value, str):
        text = label.strip()
        if isinstance(value, bool):
            return text.lower() == str(value).lower()
        if isinstance(value, int | float):
            try:
                return float(text) == float(value)
            except ValueError:
                return False
    return False


def _shown(values: Sequence[Any]) -> str:
    shown = ", ".join(repr(_plain(v)) for v in values[:_SHOWN_VALUES])
    return shown + (", ..." if len(values) > _SHOWN_VALUES else "")


def _numbers_as_text_hint(series: pd.Series) -> str:
    """A hint if a text column holds numbers written with separators, else ``""``."""
    sample = series.dropna().astype(str).head(1000)
    if len(sample) and sample.map(lambda v: bool(_THOUSANDS.match(v))).mean() > 0.5:
        return (
            " Its values look like numbers written with thousands separators (such as "
            f"{sample.iloc[0]!r}): remove the separators, or export the column as plain numbers."
        )
    if len(sample) and sample.map(lambda v: bool(_DECIMAL_COMMA.match(v))).mean() > 0.5:
        return (
            f" Its values look like numbers with a decimal comma (such as {sample.iloc[0]!r}): "
            "write them with a decimal point, or save the file separated by semicolons."
        )
    return ""


def _check_columns(data: pd.DataFrame, roles: Mapping[str, Sequence[str]]) -> None:
    columns = [str(c) for c in data.columns]
    for role, names in roles.items():
        for name in names:
            if name in data.columns:
                continue
            close = [c for c in columns if c.strip().casefold() == name.strip().casefold()]
            close = close or difflib.get_close_matches(name, columns, n=1, cutoff=0.75)
            if close:
                hint = f" Did you mean {close[0]!r}?"
            else:
                hint = f" The columns are: {_shown(columns)}."
            if len(columns) == 1 and re.search(r"[:\s/]", columns[0]):
                hint += (
                    " The file was read as a single column: it may use a delimiter other "
                    "than comma, semicolon, tab or pipe. Save it as CSV."
                )
            raise InputError(f"The {role} column {name!r} is not in the data.{hint}", column=name)


def _check_roles(
    *,
    target: str,
    prediction: str,
    score: str | None,
    sensitive: Sequence[str],
    bins: Mapping,
    sample_weight: str | None = None,
) -> None:
    if prediction == target:
        raise InputError(
            f"'{target}' is the target; the prediction must be a different column (the "
            "model's predicted labels).",
            column=target,
        )
    if score is not None and score in (target, prediction):
        role = "target" if score == target else "prediction"
        raise InputError(
            f"'{score}' is the {role} column; the score must be a different column (the "
            "model's scores or probabilities for the favourable outcome).",
            column=score,
        )
    for name in sensitive:
        if name == target:
            raise InputError(
                f"'{target}' is the target; it cannot also be a sensitive feature.",
                column=target,
            )
        if name in (prediction, score):
            role = "prediction" if name == prediction else "score"
            raise InputError(
                f"'{name}' is the {role} column; it cannot also be a sensitive feature. "
                "Sensitive features describe the people (sex, age, ...), not the model's output.",
                column=name,
            )
    if sample_weight is not None and sample_weight in (target, prediction, score, *sensitive):
        role = ("the target" if sample_weight == target else "the prediction" if sample_weight
                == prediction else "the score" if sample_weight == score else "a sensitive")
        raise InputError(
            f"'{sample_weight}' is {role} column; the sample weight must be a column of its "
            "own (how much each row counts).",
            column=sample_weight,
        )
    for name in bins:
        if name not in sensitive:
            raise InputError(
                f"Bins are given for '{name}', which is not a sensitive feature; bins only apply "
                "to numeric sensitive features.",
                column=name,
            )


def _check_binned(data: pd.DataFrame, sensitive: Sequence[str], bins: Mapping) -> list[str]:
    """Refuse sensitive columns that cannot be binned; note the ones binned by default."""
    notes = []
    for name in sensitive:
        series = data[name]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if name in bins and not numeric:
            raise InputError(
                f"The sensitive feature '{name}' is not numeric, so it cannot be binned."
                + _numbers_as_text_hint(series),
                column=name,
            )
        if not (name in bins or is_binned(series)):
            continue
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        if np.isinf(values).any():
            raise InputError(
                f"The sensitive feature '{name}' contains infinite values, which cannot be put "
                "in bins. Replace them with real values, or leave them empty (missing).",
                column=name,
            )
        if name not in bins:
            notes.append(
                f"The sensitive feature '{name}' is numeric with many values, so it is split into "
                "4 groups of about equal size (quantile bins); choose other bins with --bins."
            )
    return notes


def _resolve_positive(y: pd.Series, positive_label: Any) -> Any:
    """The target's own value matching a label a user gave (often as text)."""
    if positive_label is None:
        return None
    matches = [v for v in label_values(y) if _same(v, positive_label)]
    return matches[0] if len(matches) == 1 else positive_label


def _data_row(mask: np.ndarray, rows: np.ndarray) -> int:
    """The 1-based data row (header excluded) of the first True in ``mask``."""
    return int(rows[np.flatnonzero(mask)[0]]) + 1


def _encode_prediction(
    prediction: pd.Series, *, labels: list, positive: Any, column: str, rows: np.ndarray
) -> np.ndarray:
    """``prediction == positive`` as 0/1, after checking the column is binary."""
    missing = prediction.isna().to_numpy()
    if missing.any():
        raise InputError(
            f"The prediction column '{column}' has {int(missing.sum()):,} missing value(s) "
            f"(first in data row {_data_row(missing, rows):,}); every audited row "
            "needs a prediction.",
            column=column,
        )
    values = label_values(prediction)
    if all(any(_same(v, t) for t in labels) for v in values):
        # Predictions in the target's own labels.
        favourable = [v for v in values if _same(v, positive)]
        return prediction.isin(favourable).to_numpy(dtype=np.int64)
    zero_one = all(
        isinstance(v, bool | int | float) and not isinstance(v, str) and v in (0, 1) for v in values
    )
    if zero_one and not any(_same(t, 0) or _same(t, 1) for t in labels):
        # 0/1 predictions for a target with other labels (e.g. ">50K"): 1 is favourable.
        return (prediction.to_numpy(dtype="float64") == 1).astype(np.int64)
    hint = ""
    numeric = pd.api.types.is_numeric_dtype(prediction) and not pd.api.types.is_bool_dtype(
        prediction
    )
    if numeric:
        numbers = prediction.to_numpy(dtype="float64")
        if np.isfinite(numbers).all() and ((numbers % 1) != 0).any():
            hint = (
                " These look like scores or probabilities: give them as the score column "
                "(--score) and a column of predicted labels as the prediction."
            )
    raise InputError(
        f"The prediction column '{column}' must be binary: 0/1 (1 = favourable) or the "
        f"target's labels ({_shown(labels)}), but it holds {len(values):,} distinct values "
        f"({_shown(values)}).{hint}",
        column=column,
    )


def _check_score(
    score: pd.Series, *, column: str, probabilities: bool, rows: np.ndarray
) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(score) and not pd.api.types.is_bool_dtype(score):
        shown = _shown(label_values(score))
        raise InputError(
            f"The score column '{column}' is not numeric: it holds values such as {shown}."
            + _numbers_as_text_hint(score),
            column=column,
        )
    values = score.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        what = "missing" if np.isnan(values[bad]).all() else "missing or infinite"
        raise InputError(
            f"The score column '{column}' has {int(bad.sum()):,} {what} value(s) (first in data "
            f"row {_data_row(bad, rows):,}); every audited row needs a score.",
            column=column,
        )
    outside = (values < 0) | (values > 1)
    if probabilities and outside.any():
        raise InputError(
            f"The score column '{column}' must hold probabilities between 0 and 1, but "
            f"{int(outside.sum()):,} value(s) are outside (from {values.min():g} to "
            f"{values.max():g}; first in data row {_data_row(outside, rows):,}). "
            "Give probabilities, or say that the scores are not probabilities (--raw-scores).",
            column=column,
        )
    return values


def _only_one_group(sensitive: pd.DataFrame) -> InputError:
    single = [c for c in sensitive.columns if sensitive[c].nunique(dropna=False) < 2]
    column = single[0] if single else str(sensitive.columns[0])
    label = group_labels(sensitive.iloc[:1]).iloc[0]
    return InputError(
        f"All {len(sensitive):,} audited rows fall in a single group ({label!r}) "
        f"of the sensitive feature(s) {', '.join(map(repr, sensitive.columns))}, so there is "
        "nothing to compare. Choose a sensitive feature with at least two values.",
        column=column,
    )


@dataclass(frozen=True)
class PredictionsEvaluation:
    """A model's predictions on some rows, checked and measured: what every result page reads.

    Returned by :func:`evaluate_predictions`; do not construct directly. Its
    ``test_index``, ``y_test`` and ``sensitive_test`` are named as on
    :class:`fairdash.TrainingRun`: the rows the model is measured on.

    Attributes
    ----------
    problem : fairdash.Problem
        Target, favourable outcome (guessed or given), sensitive features, bins.
    prediction : str
        The column of predicted labels.
    score : str or None
        The column of scores, if given.
    test_index : pandas.Index
        The rows evaluated: those with a target value.
    y_test, y_pred : numpy.ndarray
        True outcome and prediction as 0/1 (1 = favourable).
    y_score : numpy.ndarray or None
        Scores for the favourable outcome.
    sensitive_test : pandas.DataFrame
        The sensitive columns of those rows (categoricals, missing as a group).
    metrics : fairdash.metrics.GroupMetrics
    notes : tuple of str
        What the user should know (rows left out, default bins, a guessed label).
    sample_weight : numpy.ndarray or None
        The rows' weights, if a sample weight column was given.
    """

    problem: Problem
    prediction: str
    score: str | None
    test_index: pd.Index
    y_test: np.ndarray
    y_pred: np.ndarray
    y_score: np.ndarray | None
    sensitive_test: pd.DataFrame
    metrics: GroupMetrics
    notes: tuple[str, ...] = field(default=())
    sample_weight: np.ndarray | None = None

    def model_result(self, *, name: str = "Your model") -> ModelResult:
        """The predictions as a :class:`fairdash.tradeoff.ModelResult` (the unmitigated model).

        Parameters
        ----------
        name : str, default="Your model"

        Returns
        -------
        fairdash.tradeoff.ModelResult
            ``method`` is ``"existing predictions"``, no fitted model, no fit time.
        """
        from fairdash.tradeoff import ModelResult

        return ModelResult(
            name=name,
            method="existing predictions",
            params={"prediction": self.prediction, "score": self.score},
            y_pred=self.y_pred,
            y_score=self.y_score,
            metrics=self.metrics,
            fit_seconds=0.0,
            is_unmitigated=True,
        )


def _numeric_prediction(series: pd.Series, *, column: str, rows: np.ndarray) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise InputError(
            f"The prediction column '{column}' is not numeric; mean_absolute_error and "
            "mean_prediction need numeric predictions.",
            column=column,
        )
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        raise InputError(
            f"The prediction column '{column}' has {int(bad.sum()):,} missing or infinite "
            f"value(s) (first in data row {_data_row(bad, rows):,}); every row needs one.",
            column=column,
        )
    return values


def prediction_arrays(
    data: pd.DataFrame,
    problem,
    *,
    prediction: str,
    score: str | None = None,
    probabilities: bool = True,
    regression: bool = False,
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, np.ndarray, np.ndarray | None]:
    """The rows with a target, and their outcomes, predictions and scores, checked.

    Parameters
    ----------
    data : pandas.DataFrame
    problem : Problem
        The target and its favourable label.
    prediction : str
        Column of predicted labels (numeric predictions when ``regression``).
    score : str, optional
        Column of scores for the favourable outcome.
    probabilities : bool, default=True
        Scores must be in [0, 1].
    regression : bool, default=False
        Predictions are numbers (a mean is searched), not labels.

    Returns
    -------
    rows : numpy.ndarray
        Positions of the rows with a target value.
    frame : pandas.DataFrame
        Those rows.
    y_true, y_pred : numpy.ndarray
        The target encoded by ``problem``; the predictions as 0/1 (or numbers).
    y_score : numpy.ndarray or None
    """
    rows = np.flatnonzero(data[problem.target].notna().to_numpy())
    frame = data.iloc[rows]
    y_true = problem.encode_target(frame)
    if regression:
        y_pred = _numeric_prediction(frame[prediction], column=prediction, rows=rows)
    else:
        y_pred = _encode_prediction(
            frame[prediction],
            labels=label_values(frame[problem.target]),
            positive=problem.positive_label,
            column=prediction,
            rows=rows,
        )
    y_score = None
    if score is not None:
        y_score = _check_score(frame[score], column=score, probabilities=probabilities, rows=rows)
    return rows, frame, y_true, y_pred, y_score


def evaluate_predictions(
    data: pd.DataFrame,
    *,
    target: str,
    prediction: str,
    sensitive_features: Sequence[str],
    score: str | None = None,
    sample_weight: str | None = None,
    positive_label: Any = None,
    bins: Mapping[str, int | Sequence[float]] | None = None,
    min_group_size: int = 30,
    confidence_level: float = 0.95,
    probabilities: bool = True,
) -> PredictionsEvaluation:
    """Check a table of a model's predictions and measure them per group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person: the true outcome, the model's prediction (and
        score) and the sensitive features.
    target : str
        Column of true outcomes; two classes. Rows without a value are left out
        (and a note says so).
    prediction : str
        Column of predicted labels: the target's labels, or 0/1 with 1 the
        favourable outcome when the target uses other labels.
    sensitive_features : sequence of str
        Sensitive columns; their combinations form the groups.
    score : str, optional
        Column of scores for the favourable outcome (for ROC AUC, and for
        post-processing).
    sample_weight : str, optional
        Column of row weights (numbers, finite, non-negative, not all zero;
        checked on every row): every metric is weighted, as
        :func:`fairdash.metrics.group_metrics` weights them (``count`` stays
        the number of rows).
    positive_label : object, optional
        The favourable outcome (text is matched to the target's values, so
        ``"1"`` finds 1); guessed as :func:`fairdash.define_problem` does.
    bins : mapping, optional
        Bins of numeric sensitive features: a number of quantile bins or edges.
    min_group_size : int, default=30
        Groups with fewer rows are flagged small (and left out of summaries
        that use this policy).
    confidence_level : float, default=0.95
        Coverage of the Wilson intervals.
    probabilities : bool, default=True
        Scores must be probabilities, in [0, 1]; False accepts any finite score.

    Returns
    -------
    PredictionsEvaluation

    Raises
    ------
    fairdash.InputError
        With a message naming the problem and the column: a column not in the
        data or given two roles, a target without exactly two classes, a
        prediction that is not binary or has missing values, scores that are
        not numbers (or probabilities), unusable sample weights, unusable
        sensitive features (too many categories, infinite values to bin, a
        single group).
    """
    sensitive = list(dict.fromkeys(sensitive_features))
    if not sensitive:
        raise InputError("Choose at least one sensitive feature.")
    bins = dict(bins or {})
    _check_columns(
        data,
        {
            "target": [target],
            "prediction": [prediction],
            "score": [score] if score is not None else [],
            "sample weight": [sample_weight] if sample_weight is not None else [],
            "sensitive feature": sensitive,
        },
    )
    _check_roles(target=target, prediction=prediction, score=score, sensitive=sensitive, bins=bins,
                 sample_weight=sample_weight)
    notes = _check_binned(data, sensitive, bins)
    problem = define_problem(
        data,
        target=target,
        sensitive_features=sensitive,
        positive_label=_resolve_positive(data[target], positive_label),
        feature_columns=[c for c in (prediction, score) if c is not None],
        task="classification",
        bins=bins,
    )
    notes = [*problem.notes, *notes]
    weights = None
    if sample_weight is not None:
        # Every row, as the engines check a log's weights.
        weights = check_sample_weight(
            data[sample_weight], n_rows=len(data),
            name=f"The sample weight column '{sample_weight}'", column=sample_weight,
        )
    rows, frame, y_true, y_pred, y_score = prediction_arrays(
        data, problem, prediction=prediction, score=score, probabilities=probabilities
    )
    weights = None if weights is None else weights[rows]
    groups = problem.sensitive(frame)
    metrics = group_metrics(
        y_true,
        y_pred,
        groups,
        y_score=y_score,
        sample_weight=weights,
        pos_label=1,
        min_group_size=min_group_size,
        confidence_level=confidence_level,
    )
    if int((metrics.group_sizes > 0).sum()) < 2:
        raise _only_one_group(groups)
    return PredictionsEvaluation(
        problem=problem,
        prediction=prediction,
        score=score,
        test_index=frame.index,
        y_test=y_true,
        y_pred=y_pred,
        y_score=y_score,
        sensitive_test=groups,
        metrics=metrics,
        notes=tuple(notes),
        sample_weight=weights,
    )
