"""The problem definition: what to predict, for whom to check fairness, from what."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash.groups import bin_edges, sensitive_frame, spelling_notes

__all__ = ["Problem", "define_problem", "guess_positive_label", "infer_task", "label_values"]

Task = Literal["classification", "regression"]

# A sensitive feature with more groups than this is almost surely an identifier
# or a continuous value that needs bins.
MAX_SENSITIVE_CATEGORIES = 50
# Numeric targets with more distinct values than this are treated as regression.
_MAX_CLASS_LEVELS = 10
# Target names saying that 1 (True, yes) is the bad outcome for the person, such as
# "two_year_recid" or "loan_default": the guess is then the other value.
_BAD_OUTCOME_WORDS = re.compile(
    r"recid|reoffend|arrest|default|fraud|churn|death|died|dead|mortal|readmi|delinquen|"
    r"bad|fail|violat|convict",
    re.IGNORECASE,
)
# Values taken as favourable by default, each with its opposite (taken instead when the
# target's name says the value is bad for the person); None: no opposite.
_USUAL_FAVOURABLE: tuple[tuple[object, object], ...] = (
    (1, 0), (True, False), ("1", "0"), ("yes", "no"), ("Yes", "No"), ("good", None),
    ("Good", None),
)


@dataclass(frozen=True)
class Problem:
    """A validated problem definition.

    Attributes
    ----------
    target : str
        The column to predict.
    task : {"classification", "regression"}
        Binary classification or regression.
    positive_label : object or None
        The favourable outcome of a classification target (None for regression).
    positive_label_guessed : bool
        Whether ``positive_label`` was guessed by :func:`guess_positive_label`
        rather than given; a page shows a guess as a guess.
    excluded_features : dict of str to str
        Columns deliberately left out of the model inputs, each with the reason
        (e.g. from :func:`fairdash.screen_features`), for reports and saved
        configurations.
    sensitive_features : tuple of str
        The sensitive columns; their combinations form the intersectional groups.
    feature_columns : tuple of str
        The model's input columns.
    bins : dict
        Bins for numeric sensitive features (see :func:`fairdash.sensitive_frame`).
    notes : tuple of str
        Things the user should know (rows left out, sensitive inputs, ...).
    bin_edges : dict
        The edges of every binned sensitive feature, decided once from the data
        given to :func:`define_problem` and applied to any part of it, so that
        train, calibration and test rows have the same groups.
    """

    target: str
    task: Task
    positive_label: object | None
    sensitive_features: tuple[str, ...]
    feature_columns: tuple[str, ...]
    bins: Mapping[str, int | tuple[float, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    positive_label_guessed: bool = False
    excluded_features: Mapping[str, str] = field(default_factory=dict)
    bin_edges: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    @property
    def favourable_outcome(self) -> str | None:
        """The favourable outcome in words, ``"two_year_recid = 0"`` (None for regression)."""
        if self.task == "regression":
            return None
        label = self.positive_label
        return f"{self.target} = {label.item() if isinstance(label, np.generic) else label}"

    @property
    def selection_phrase(self) -> str:
        """What a selection rate is here: ``"share predicted two_year_recid = 0"``."""
        if self.task == "regression":
            return "mean prediction"
        return f"share predicted {self.favourable_outcome}"

    def usable_rows(self, data: pd.DataFrame) -> pd.Index:
        """Index of the rows with a target value (the only rows a model can learn from)."""
        return data.index[data[self.target].notna()]

    def usable_data(self, data: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``data`` with a target value: ``data`` itself (not a copy) when every
        row has one."""
        usable = data[self.target].notna().to_numpy()
        return data if usable.all() else data.loc[usable]

    def encode_target(self, data: pd.DataFrame) -> np.ndarray:
        """The target as 0/1 (1 = positive label) for classification, float for regression."""
        y = data[self.target]
        if self.task == "regression":
            return y.to_numpy(dtype="float64")
        return (y == self.positive_label).to_numpy(dtype="int64")

    def sensitive(self, data: pd.DataFrame) -> pd.DataFrame:
        """The sensitive columns of ``data`` as categoricals (missing values a group).

        Binned features use :attr:`bin_edges`, so any part of the data gets the
        groups of the whole.
        """
        return sensitive_frame(
            data, self.sensitive_features, bins=self.bins, edges=self.bin_edges
        )

    def to_dict(self) -> dict:
        """A JSON-friendly description (for exports and configuration files)."""
        label = self.positive_label
        if isinstance(label, np.generic):
            label = label.item()
        return {
            "target": self.target,
            "task": self.task,
            "positive_label": label,
            "sensitive_features": list(self.sensitive_features),
            "feature_columns": list(self.feature_columns),
            "excluded_features": dict(self.excluded_features),
            "bins": {k: (v if isinstance(v, int) else list(v)) for k, v in self.bins.items()},
        }


def label_values(y: pd.Series) -> list:
    """The distinct non-missing values of a target column, most frequent first."""
    counts = y.value_counts(dropna=True)
    return [v.item() if isinstance(v, np.generic) else v for v in counts.index]


def infer_task(y: pd.Series) -> Task:
    """Regression for numeric targets with many distinct values, classification otherwise."""
    if (
        pd.api.types.is_numeric_dtype(y)
        and not pd.api.types.is_bool_dtype(y)
        and y.nunique(dropna=True) > _MAX_CLASS_LEVELS
    ):
        return "regression"
    return "classification"


def guess_positive_label(y: pd.Series, *, target: str | None = None) -> tuple[object, str]:
    """A guess at the favourable outcome of a binary target, and why.

    The guess is 1 (or True, "yes", "good") when present, unless the target's
    name says that outcome is bad for the person (``two_year_recid``,
    ``loan_default``, ``fraud``, ...): then the other value. Without such a
    value, the less frequent class. It is a guess: ask the user.

    Parameters
    ----------
    y : pandas.Series
        The target column.
    target : str, optional
        Its name (``y.name`` by default).

    Returns
    -------
    label : object
        One of the target's values.
    reason : str
        A sentence saying how the guess was made.
    """
    values = label_values(y)
    if not values:
        raise InputError("The target has no values to choose a favourable outcome from.")
    name = str(y.name if target is None else target)
    check = "if that is wrong, say which outcome is favourable."
    for candidate, complement in _USUAL_FAVOURABLE:
        found = [v for v in values if type(v) is type(candidate) and v == candidate]
        if not found:
            continue
        others = [v for v in values if v is not found[0]]
        flip = (
            len(others) == 1
            and type(others[0]) is type(complement)
            and others[0] == complement
            and _BAD_OUTCOME_WORDS.search(name)
        )
        if flip:
            return others[0], (
                f"Guessed: the name '{name}' suggests {found[0]!r} is the bad outcome for the "
                f"person, so {others[0]!r} is taken as the favourable one; {check}"
            )
        return found[0], f"Guessed: {found[0]!r} is taken as the favourable outcome; {check}"
    return values[-1], (
        f"Guessed: the less frequent value {values[-1]!r} is taken as the favourable outcome; "
        + check
    )


def define_problem(
    data: pd.DataFrame,
    *,
    target: str,
    sensitive_features: Sequence[str],
    positive_label: object | None = None,
    feature_columns: Sequence[str] | None = None,
    excluded_features: Mapping[str, str] | None = None,
    include_sensitive: bool = False,
    task: Task | None = None,
    bins: Mapping[str, int | Sequence[float]] | None = None,
    max_categories: int = MAX_SENSITIVE_CATEGORIES,
) -> Problem:
    """Check a problem definition against the data and return it.

    Parameters
    ----------
    data : pandas.DataFrame
        The data set.
    target : str
        The column to predict.
    sensitive_features : sequence of str
        One or more sensitive columns.
    positive_label : object, optional
        The favourable outcome; guessed by :func:`guess_positive_label` when not
        given (``Problem.positive_label_guessed`` says so, and a note gives the
        reason).
    feature_columns : sequence of str, optional
        Model inputs; by default every column but the target, the sensitive
        features and ``excluded_features``.
    excluded_features : mapping of str to str, optional
        Columns left out of the model inputs, each with the reason, e.g. the
        excluded rows of :func:`fairdash.screen_features`:
        ``screen.loc[screen["verdict"] == "exclude", "reason"].to_dict()``.
    include_sensitive : bool, default=False
        With the default feature columns, also use the sensitive features as inputs.
    task : {"classification", "regression"}, optional
        Inferred from the target when not given.
    bins : mapping, optional
        Bins for numeric sensitive features.
    max_categories : int, default=50
        Most groups a single sensitive feature may have.

    Returns
    -------
    Problem

    Raises
    ------
    InputError
        With a message naming the problem and the column.
    """
    if data.shape[0] == 0 or data.shape[1] == 0:
        raise InputError("The data set is empty: it has no rows or no columns.")
    sensitive_features = list(dict.fromkeys(sensitive_features))
    if not sensitive_features:
        raise InputError("Choose at least one sensitive feature.")
    excluded_features = {str(k): str(v) for k, v in (excluded_features or {}).items()}
    named = [target, *sensitive_features, *(feature_columns or []), *excluded_features]
    missing = [c for c in named if c not in data.columns]
    if missing:
        raise InputError(
            f"Column(s) not in the data: {', '.join(map(repr, missing))}.", column=missing[0]
        )
    if target in sensitive_features:
        raise InputError(
            f"'{target}' is the target; it cannot also be a sensitive feature.", column=target
        )
    notes: list[str] = []
    guessed = False

    y = data[target]
    n_missing = int(y.isna().sum())
    if n_missing == len(y):
        raise InputError(f"The target '{target}' has no values.", column=target)
    if n_missing:
        notes.append(
            f"{n_missing:,} row(s) have no value in the target '{target}'; models cannot learn "
            "from them, so they are left out of training and evaluation."
        )
    task = task or infer_task(y)
    if task not in ("classification", "regression"):
        raise InputError(f"Unknown task {task!r}: use 'classification' or 'regression'.")
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
            raise InputError(
                f"The target '{target}' is not numeric, so it cannot be a regression target.",
                column=target,
            )
        if not np.isfinite(y.dropna().to_numpy(dtype="float64")).all():
            raise InputError(
                f"The target '{target}' contains infinite values.", column=target
            )
        positive_label = None
    else:
        values = label_values(y)
        if len(values) < 2:
            raise InputError(
                f"The target '{target}' has a single class ({values[0]!r}); a classifier "
                "needs two.",
                column=target,
            )
        if len(values) > 2:
            shown = ", ".join(map(repr, values[:5])) + (" ..." if len(values) > 5 else "")
            raise InputError(
                f"The target '{target}' has {len(values)} classes ({shown}); only binary "
                "classification is supported yet (multiclass is not). Choose a binary "
                "target or map the classes to two.",
                column=target,
            )
        guessed = positive_label is None
        if guessed:
            positive_label, reason = guess_positive_label(y, target=target)
            notes.append(reason)
        matches = [v for v in values if v == positive_label or str(v) == str(positive_label)]
        if not matches:
            raise InputError(
                f"The positive label {positive_label!r} is not a value of '{target}' "
                f"(values: {', '.join(map(repr, values))}).",
                column=target,
            )
        positive_label = matches[0]

    edges = bin_edges(data, sensitive_features, bins=bins)
    frame = sensitive_frame(data, sensitive_features, edges=edges)
    for name in sensitive_features:
        categories = frame[name].cat.categories
        if len(categories) > max_categories:
            raise InputError(
                f"The sensitive feature '{name}' has {len(categories):,} categories (at most "
                f"{max_categories} make readable groups). Bin it into fewer groups, or choose "
                "another column.",
                column=name,
            )
        if data[name].isna().all():
            notes.append(
                f"The sensitive feature '{name}' is missing in every row: all rows fall in "
                "the '(missing)' group."
            )
    notes.extend(spelling_notes(data, sensitive_features))

    if feature_columns is None:
        excluded = {target} if include_sensitive else {target, *sensitive_features}
        excluded |= set(excluded_features)
        feature_columns = [c for c in data.columns if c not in excluded]
        if include_sensitive:
            notes.append(
                "The model uses the sensitive feature(s) "
                f"{', '.join(map(repr, sensitive_features))} as input."
            )
    else:
        feature_columns = list(dict.fromkeys(feature_columns))
        if target in feature_columns:
            raise InputError(
                f"The target '{target}' cannot also be a model input.", column=target
            )
        both = [c for c in feature_columns if c in excluded_features]
        if both:
            raise InputError(
                f"The column '{both[0]}' is both a model input and excluded; choose one.",
                column=both[0],
            )
        used = [c for c in sensitive_features if c in feature_columns]
        if used:
            notes.append(
                "The model uses the sensitive feature(s) "
                f"{', '.join(map(repr, used))} as input."
            )
    if not feature_columns:
        raise InputError("No feature columns are left for the model to learn from.")

    return Problem(
        target=target,
        task=task,
        positive_label=positive_label,
        sensitive_features=tuple(sensitive_features),
        feature_columns=tuple(feature_columns),
        bins={
            k: (int(v) if isinstance(v, int | np.integer) else tuple(float(e) for e in v))
            for k, v in (bins or {}).items()
        },
        notes=tuple(notes),
        bin_edges=edges,
        positive_label_guessed=guessed,
        excluded_features=excluded_features,
    )
