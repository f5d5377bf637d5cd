"""Screening of candidate model inputs before training: what a careful analyst leaves out.

Each column other than the target and the sensitive features gets a verdict
("use", "exclude" or "warn") and a sentence saying why. The checks are cheap
(no model is fitted): counts, a text sample, a one-column target encoding
scored on held-out rows, and a contingency table with each sensitive feature.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash._problem import Problem, define_problem
from fairdash.metrics._roc_auc import grouped_roc_auc

__all__ = [
    "LEAKAGE_AUC",
    "LEAKAGE_R2",
    "PROXY_CRAMERS_V",
    "STRONG_AUC",
    "STRONG_R2",
    "merge_rare_categories",
    "screen_features",
]

#: Held-out ROC AUC of one column alone at or above which it is excluded as likely
#: recorded after the outcome (or the outcome in disguise).
LEAKAGE_AUC = 0.95
#: Held-out ROC AUC from which a single column gets a warning as a strong predictor.
STRONG_AUC = 0.80
#: The same two thresholds for regression targets, as held-out R².
LEAKAGE_R2 = 0.90
STRONG_R2 = 0.50
#: Bias-corrected Cramér's V with a sensitive feature from which a column is a strong proxy.
PROXY_CRAMERS_V = 0.50

# A column with more than this share of missing values is left out.
_MOSTLY_MISSING = 0.5
# Text columns with at least this share of distinct values per row name rows (ids, names).
_TEXT_ID_SHARE = 0.5
# Integer columns need this share of distinct values to be identifiers, and either an
# id-like name or values like a counter: nearly consecutive (range at most this many times
# the count) or increasing with the row order. A measurement with many distinct values
# (an income in a small file) is neither.
_INT_ID_SHARE = 0.95
_COUNTER_SPREAD = 1.5
_ID_NAME = re.compile(r"(^|[_\W])(id|ids|key|uuid|number|num|no|nr|code)($|[_\W])|id$", re.I)
# Free text: most values have several words, and there are many distinct values.
_FREE_TEXT_WORDS = 2.5
_FREE_TEXT_DISTINCT = 20
# Dates written as text: 2013-01-26, 26/01/2013, 2013-01-26 03:45:27, 26 Jan 2013, ...
_DATE_TEXT = re.compile(
    r"^\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|"
    r"\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})"
    r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm])?(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)
_DATE_SHARE = 0.9
_SAMPLE = 500
# Many categories: the model one-hot encodes each.
_MANY_CATEGORIES = 100
# Numeric columns with more distinct values are put in this many quantile bins.
_BINS = 20
# Rows used by the screen at most (a random sample beyond): the checks are statistics.
_MAX_ROWS = 100_000
_TEST_SHARE = 0.3


def _is_text(series: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(series)
        or pd.api.types.is_bool_dtype(series)
        or pd.api.types.is_datetime64_any_dtype(series)
        or pd.api.types.is_timedelta64_dtype(series)
    )


def _looks_like_dates(values: pd.Series) -> bool:
    sample = values.astype(str).head(_SAMPLE)
    if not len(sample) or sample.str.match(_DATE_TEXT).mean() < _DATE_SHARE:
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= _DATE_SHARE)


def _codes(series: pd.Series) -> np.ndarray:
    """Integer codes: categories, or quantile bins of a numeric column; missing its own code."""
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if numeric and series.nunique(dropna=True) > _BINS:
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(values)
        edges = np.unique(np.quantile(values[finite], np.linspace(0, 1, _BINS + 1)[1:-1]))
        codes = np.searchsorted(edges, values, side="right")
        codes[~finite] = len(edges) + 1
        return codes.astype(np.intp)
    codes, _ = pd.factorize(series, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.intp)
    codes[codes < 0] = codes.max() + 1 if len(codes) else 0
    return codes


def _heldout_score(codes: np.ndarray, y: np.ndarray, test: np.ndarray, task: str) -> float:
    """Held-out ROC AUC (classification) or R² (regression) of the column's per-code target mean.

    The means are learnt on the training rows (shrunk towards the overall mean
    by one pseudo-row, so that a code seen once does not predict perfectly); a
    code not seen in training gets the overall mean.
    """
    train = ~test
    n_codes = int(codes.max()) + 1
    prior = float(y[train].mean())
    count = np.bincount(codes[train], minlength=n_codes)
    total = np.bincount(codes[train], weights=y[train], minlength=n_codes)
    means = (total + prior) / (count + 1)
    predicted = means[codes[test]]
    y_test = y[test]
    if task == "classification":
        if y_test.min() == y_test.max():
            return float("nan")
        return float(
            grouped_roc_auc(
                codes=None, n_groups=1, positive=y_test == 1, score=predicted, weights=None
            )[0]
        )
    residual = float(((y_test - predicted) ** 2).sum())
    spread = float(((y_test - y_test.mean()) ** 2).sum())
    return float("nan") if spread == 0 else 1.0 - residual / spread


def _cramers_v(a: np.ndarray, b: np.ndarray) -> float:
    """Bias-corrected Cramér's V of two code arrays (Bergsma 2013)."""
    n = len(a)
    ka, kb = int(a.max()) + 1, int(b.max()) + 1
    table = np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb).astype(np.float64)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    r, k = table.shape
    if n < 2 or r < 2 or k < 2:
        return 0.0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    r_corr = r - (r - 1) ** 2 / (n - 1)
    k_corr = k - (k - 1) ** 2 / (n - 1)
    denominator = min(k_corr - 1, r_corr - 1)
    return 0.0 if denominator <= 0 else float(np.sqrt(phi2 / denominator))


def _structural(name: str, series: pd.Series, n_distinct: int) -> tuple[str, str] | None:
    """(check, reason) for columns left out whatever their values predict, else None."""
    present = series.dropna()
    n_present = len(present)
    if pd.api.types.is_datetime64_any_dtype(series) or (
        _is_text(series) and _looks_like_dates(present)
    ):
        return "date", (
            "Dates or times used raw are read as text or categories, so the model cannot use "
            "them sensibly and they often encode when the outcome happened; left out. To use "
            "one, derive a number known at decision time (e.g. age at the event, days between "
            "two dates) as a new column."
        )
    if _is_text(series):
        if n_present >= 20 and n_distinct >= _TEXT_ID_SHARE * n_present:
            return "identifier", (
                f"Identifies rows rather than describing them: {n_distinct:,} distinct values "
                f"in {n_present:,} rows (ids, names, case numbers); a model would memorise it."
            )
        text = present.astype(str).head(5 * _SAMPLE)
        words = text.str.split().str.len().mean()
        if n_distinct >= _FREE_TEXT_DISTINCT and words >= _FREE_TEXT_WORDS:
            return "free_text", (
                f"Free text ({n_distinct:,} distinct values, {words:.1f} words on average): "
                "a model would treat each distinct text as its own category; left out. Code "
                "it into a few categories to use it."
            )
        return None
    floats = present.to_numpy(dtype="float64") if pd.api.types.is_float_dtype(series) else None
    numeric = pd.api.types.is_integer_dtype(series) or (
        floats is not None
        and bool(np.isfinite(floats).all())
        and n_present > 0
        and bool(np.all(np.mod(floats, 1) == 0))
    )
    if numeric and n_present >= 20 and n_distinct >= _INT_ID_SHARE * n_present:
        values = present.to_numpy(dtype="float64")
        spread = (values.max() - values.min() + 1) / n_distinct
        steps = np.diff(values)
        in_order = bool((steps > 0).all() or (steps < 0).all())
        if _ID_NAME.search(name) or spread <= _COUNTER_SPREAD or in_order:
            return "identifier", (
                f"Looks like an identifier: whole numbers, {n_distinct:,} distinct values in "
                f"{n_present:,} rows" + (", named like an id" if _ID_NAME.search(name) else
                                          ", spread like a counter")
                + "; a model would memorise it."
            )
    return None


def screen_features(
    data: pd.DataFrame,
    *,
    target: str,
    sensitive_features: Sequence[str],
    positive_label: object | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    """Screen every candidate model input: use it, exclude it, or use it with a warning.

    Checks, in order (the first that applies decides):

    - ``empty`` / ``constant`` / ``mostly_missing`` (more than half the values
      missing): excluded.
    - ``duplicate``: the same values as an earlier column (e.g. a repeated
      header read as ``name.1``): excluded.
    - ``date``: a date/time column, or text that reads as dates: excluded (no
      derived features are made; the reason says how to add one).
    - ``identifier``: text with a distinct value for at least half the rows
      (ids, names, case numbers), or whole numbers distinct in at least 95 % of
      rows that are named like an id or spread like a counter: excluded.
    - ``free_text``: text with at least 20 distinct values averaging 2.5 words
      or more: excluded.
    - ``leakage``: on its own the column predicts the target almost perfectly on
      held-out rows (ROC AUC >= :data:`LEAKAGE_AUC`, R² >= :data:`LEAKAGE_R2`):
      excluded as likely recorded after the outcome; the reason gives the score.
    - ``predictor`` (AUC >= :data:`STRONG_AUC`, R² >= :data:`STRONG_R2`),
      ``proxy`` (bias-corrected Cramér's V >= :data:`PROXY_CRAMERS_V` with a
      sensitive feature) and ``many_categories`` (more than 100): warned, still
      used by default. A column may carry several warnings.

    The single-column score is a target encoding (mean target per category or
    per quantile bin of 20, missing values a category) learnt on 70 % of the
    rows and scored on the other 30 %, drawn with ``random_state``. With more
    than 100,000 rows, a random sample of that many is screened.

    Parameters
    ----------
    data : pandas.DataFrame
    target : str
        The column to predict.
    sensitive_features : sequence of str
        The sensitive columns (not screened: whether a model uses them is a
        separate choice).
    positive_label : object, optional
        The favourable outcome, as for :func:`fairdash.define_problem`.
    random_state : int, default=0
        Seed of the held-out split and the row sample.

    Returns
    -------
    pandas.DataFrame
        One row per candidate column (index ``column``, in the data's order):
        ``verdict`` ("use", "exclude" or "warn"), ``reason`` (a sentence),
        ``check`` (the check that decided, "ok" if none), ``missing_share``,
        ``n_distinct``, ``heldout_score`` (AUC or R², NaN where not computed),
        ``proxy_strength`` (the largest Cramér's V) and ``proxy_of`` (that
        sensitive feature). ``attrs["score"]`` says which score was used.

    Raises
    ------
    fairdash.InputError
        As :func:`fairdash.define_problem` for the target and sensitive features.

    Examples
    --------
    >>> from fairdash.datasets import load
    >>> screen = screen_features(load("german"), target="risk", sensitive_features=["sex"])
    >>> sorted(screen["verdict"].unique())  # doctest: +SKIP
    ['use', 'warn']
    """
    problem = define_problem(
        data, target=target, sensitive_features=sensitive_features, positive_label=positive_label
    )
    rows = problem.usable_rows(data)
    rng = np.random.default_rng(random_state)
    if len(rows) > _MAX_ROWS:
        rows = rows[np.sort(rng.choice(len(rows), size=_MAX_ROWS, replace=False))]
    frame = data.loc[rows]
    y = problem.encode_target(frame).astype(np.float64)
    test = np.zeros(len(frame), dtype=bool)
    test[rng.choice(len(frame), size=max(1, round(_TEST_SHARE * len(frame))), replace=False)] = True
    sensitive = problem.sensitive(frame)
    sensitive_codes = {
        name: sensitive[name].cat.codes.to_numpy(dtype=np.intp) for name in sensitive.columns
    }
    candidates = [c for c in data.columns if c != target and c not in problem.sensitive_features]
    seen: dict[str, str] = {}  # fingerprint of the values -> first column with them
    records = [
        _screen_column(
            str(name), frame[name], y=y, test=test, problem=problem,
            sensitive_codes=sensitive_codes, seen=seen,
        )
        for name in candidates
    ]
    result = pd.DataFrame.from_records(records, index=pd.Index(candidates, name="column"))
    result.attrs["score"] = "roc_auc" if problem.task == "classification" else "r2"
    return result


def _screen_column(
    name: str,
    series: pd.Series,
    *,
    y: np.ndarray,
    test: np.ndarray,
    problem: Problem,
    sensitive_codes: Mapping[str, np.ndarray],
    seen: dict[str, str],
) -> dict:
    n = len(series)
    missing = series.isna()
    missing_share = float(missing.mean()) if n else 1.0
    n_distinct = int(series.nunique(dropna=True))
    record = {
        "verdict": "use", "reason": "", "check": "ok", "missing_share": missing_share,
        "n_distinct": n_distinct, "heldout_score": np.nan, "proxy_strength": np.nan,
        "proxy_of": None,
    }

    def exclude(check: str, reason: str) -> dict:
        record.update(verdict="exclude", check=check, reason=reason)
        return record

    if n_distinct == 0:
        return exclude("empty", "Every value is missing.")
    if n_distinct == 1 and not missing.any():
        value = series.iloc[0]
        return exclude("constant", f"The same value ({value!r}) in every row: nothing to learn.")
    hashed = pd.util.hash_pandas_object(series, index=False).to_numpy()
    fingerprint = hashlib.sha256(str(series.dtype).encode() + hashed.tobytes()).hexdigest()
    earlier = seen.get(fingerprint)
    if earlier is not None:
        return exclude("duplicate", f"The same values as '{earlier}' (a repeated column).")
    seen[fingerprint] = name
    if missing_share > _MOSTLY_MISSING:
        return exclude(
            "mostly_missing",
            f"{missing_share:.0%} of the values are missing: too few to learn from, and "
            "whether a value was recorded may itself depend on the outcome.",
        )
    structural = _structural(name, series, n_distinct)
    if structural is not None:
        return exclude(*structural)

    codes = _codes(series)
    score = _heldout_score(codes, y, test, problem.task)
    record["heldout_score"] = score
    what = "ROC AUC" if problem.task == "classification" else "R²"
    leak, strong = (
        (LEAKAGE_AUC, STRONG_AUC) if problem.task == "classification" else (LEAKAGE_R2, STRONG_R2)
    )
    if score >= leak:
        return exclude(
            "leakage",
            f"On its own it predicts '{problem.target}' almost perfectly on held-out rows "
            f"({what} {score:.3f}): likely recorded after the outcome, or the outcome in "
            "disguise. Use it only if it is known when the decision is made.",
        )
    warnings, checks = [], []
    if score >= strong:
        checks.append("predictor")
        warnings.append(
            f"A strong predictor on its own ({what} {score:.3f} on held-out rows): check it is "
            "known when the decision is made."
        )
    strengths = {s: _cramers_v(codes, c) for s, c in sensitive_codes.items()}
    if strengths:
        proxy_of = max(strengths, key=strengths.get)
        record["proxy_strength"], record["proxy_of"] = strengths[proxy_of], proxy_of
        if strengths[proxy_of] >= PROXY_CRAMERS_V:
            checks.append("proxy")
            warnings.append(
                f"A strong proxy of the sensitive feature '{proxy_of}' (Cramér's V "
                f"{strengths[proxy_of]:.2f}): the model can rebuild the groups from it."
            )
    if _is_text(series) and n_distinct > _MANY_CATEGORIES:
        checks.append("many_categories")
        warnings.append(
            f"{n_distinct:,} categories: each becomes its own input; merge the rare ones or "
            "leave it out."
        )
    if warnings:
        record.update(verdict="warn", check="+".join(checks), reason=" ".join(warnings))
    else:
        record["reason"] = "No problem found."
    return record


def merge_rare_categories(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    min_count: int = 30,
    other: str = "Other",
) -> tuple[pd.DataFrame, dict[str, list]]:
    """Merge the rare categories of some columns into one, before training.

    Parameters
    ----------
    data : pandas.DataFrame
        Left unchanged.
    columns : sequence of str
        Text or categorical columns (e.g. a sensitive feature with groups of a
        few people).
    min_count : int, default=30
        Categories with fewer rows are merged. Missing values stay missing.
    other : str, default="Other"
        The merged category's name; an existing category of that name absorbs
        the rare ones.

    Returns
    -------
    merged : pandas.DataFrame
        A copy with those columns changed; ``attrs["fairdash_merged"]`` records
        the merged values per column, as the second return value does.
    merged_values : dict of str to list
        The values merged into ``other``, per column (columns without rare
        values are not listed).

    Raises
    ------
    fairdash.InputError
        For a column not in the data, a numeric column (bin it instead), or a
        negative ``min_count``.
    """
    if isinstance(min_count, bool) or not isinstance(min_count, int | np.integer) or min_count < 0:
        raise InputError(f"min_count must be a non-negative integer, not {min_count!r}.")
    out = data.copy()
    merged_values: dict[str, list] = {}
    for name in columns:
        if name not in data.columns:
            raise InputError(f"Column {name!r} is not in the data.", column=str(name))
        series = data[name]
        if not (_is_text(series) or isinstance(series.dtype, pd.CategoricalDtype)):
            raise InputError(
                f"The column '{name}' is not text or categories; bin a numeric column instead "
                "of merging its values.",
                column=str(name),
            )
        counts = series.value_counts(dropna=True)
        rare = [v for v, n in counts.items() if n < min_count and v != other]
        if not rare:
            continue
        values = series.astype(object).where(~series.isin(rare), other)
        categorical = isinstance(series.dtype, pd.CategoricalDtype)
        out[name] = values.astype("category" if categorical else series.dtype)
        merged_values[str(name)] = rare
    out.attrs = {**data.attrs, "fairdash_merged": merged_values}
    return out, merged_values
