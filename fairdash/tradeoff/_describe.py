"""Models of a trade-off in words: method names, parameters, and what the hypervolume measures."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from fairdash.tradeoff._catalogue import CATALOGUE
from fairdash.tradeoff._front import hypervolume, hypervolume_reference

__all__ = [
    "METHOD_NAMES",
    "describe_front",
    "describe_hypervolume",
    "describe_models",
    "describe_paired_difference",
    "describe_params",
    "method_name",
]

#: Short display names of the methods (legends, tables): the catalogue's labels
#: without their stage, and the what-if page's thresholded models.
METHOD_NAMES: dict[str, str] = {
    **{name: spec.label.split(" (")[0] for name, spec in CATALOGUE.items()},
    "what-if thresholds": "What-if thresholds",
}

_CONSTRAINTS = {
    "demographic_parity": "demographic parity",
    "equalized_odds": "equalized odds",
    "true_positive_rate_parity": "equal true positive rates",
    "false_positive_rate_parity": "equal false positive rates",
    "true_negative_rate_parity": "equal true negative rates",
    "false_negative_rate_parity": "equal false negative rates",
    "error_rate_parity": "equal error rates",
}
_OBJECTIVES = {
    "accuracy_score": "accuracy",
    "balanced_accuracy_score": "balanced accuracy",
    "selection_rate": "selection rate",
    "true_positive_rate": "true positive rate",
    "true_negative_rate": "true negative rate",
}
# Largest multipliers of a grid search candidate named in its description.
_SHOWN_MULTIPLIERS = 2


def method_name(method: str) -> str:
    """The display name of a method (its key with spaces for an unknown one)."""
    return METHOD_NAMES.get(method, str(method).replace("_", " ").capitalize())


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return f"{value:.3g}"
    return str(value)


def _words(key: str) -> str:
    return str(key).replace("_", " ")


def _generic(params: Mapping[str, Any]) -> str:
    parts = []
    for key, value in params.items():
        if isinstance(value, Mapping):
            inner = ", ".join(f"{_words(k)} {_number(v)}" for k, v in value.items())
            parts.append(f"{_words(key)}: {inner}")
        elif isinstance(value, list | tuple):
            parts.append(f"{_words(key)}: {', '.join(_number(v) for v in value)}")
        else:
            parts.append(f"{_words(key)} {_number(value)}")
    return "; ".join(parts)


def _grid_search(params: Mapping[str, Any]) -> str:
    constraint = _CONSTRAINTS.get(params.get("constraints"), _words(params.get("constraints", "")))
    parts = [f"{constraint} constraint"]
    if "candidate" in params:
        total = params.get("grid_size")
        of = f" of {total}" if total is not None else ""
        parts.append(f"candidate {int(params['candidate']) + 1}{of}")
    if params.get("best"):
        parts.append("fairlearn's pick")
    multipliers = {
        k: float(v) for k, v in (params.get("lambda") or {}).items() if abs(float(v)) > 1e-12
    }
    if multipliers:
        largest = sorted(multipliers.items(), key=lambda kv: -abs(kv[1]))[:_SHOWN_MULTIPLIERS]
        shown = ", ".join(f"{k.strip()} {v:+.2f}" for k, v in largest)
        more = len(multipliers) - len(largest)
        parts.append(f"multipliers {shown}" + (f" and {more} more" if more > 0 else ""))
    else:
        parts.append("no constraint weight (the unconstrained model)")
    return ", ".join(parts)


def describe_params(method: str, params: Mapping[str, Any]) -> str:
    """A model's distinguishing parameters in words, for hovers and tables.

    Parameters
    ----------
    method : str
        The method that made the model (``ModelResult.method``).
    params : mapping
        ``ModelResult.params``.

    Returns
    -------
    str
        E.g. ``"demographic parity constraint, candidate 4 of 10, multipliers
        + all Female +0.67"`` or ``"scores moved 75% of the way to the groups'
        common distribution, threshold 0.5"``; for a method not known here,
        ``key value`` pairs joined by semicolons.

    Examples
    --------
    >>> describe_params("correlation_remover", {"alpha": 1.0})
    "removes 100% of the features' linear correlation with the groups"
    """
    params = dict(params or {})
    if method == "unmitigated":
        return "no mitigation"
    if method == "reweighing":
        return "training rows weighted so the outcome is independent of the group"
    if method == "linear_ferm":
        return "features projected for equal true positive rates of a linear model"
    if method == "correlation_remover":
        alpha = float(params.get("alpha", 1.0))
        return f"removes {alpha:.0%} of the features' linear correlation with the groups"
    if method == "fair_pca":
        match = CATALOGUE["fair_pca"].parameter("match").choice_label(params.get("match", "mean"))
        return (
            f"{_number(params.get('n_components'))} principal components along which the "
            f"{match} are equal"
        )
    if method == "steering":
        return "training rows steered to a fair distribution and weighted to equal base rates"
    if method == "covariance_constrained":
        factor = float(params.get("factor", 1.0))
        return (
            f"covariance of the decision with the groups at most {factor:.0%} of the "
            "unconstrained model's"
        )
    if method == "grid_search":
        return _grid_search(params)
    if method == "exponentiated_gradient":
        constraint = _CONSTRAINTS.get(params.get("constraints"), _words(params.get("constraints")))
        return (
            f"{constraint} constraint, allowed violation {_number(params.get('eps'))}, "
            f"at most {_number(params.get('max_iter'))} iterations"
        )
    if method == "threshold_optimizer":
        constraint = _CONSTRAINTS.get(params.get("constraints"), _words(params.get("constraints")))
        tol = params.get("tol")
        how = "exactly" if tol is None else f"within {_number(tol)}"
        objective = _OBJECTIVES.get(params.get("objective"), _words(params.get("objective")))
        return f"per-group thresholds meeting {constraint} {how}, best {objective}"
    if method == "barycenter":
        alpha = float(params.get("alpha", 0.0))
        moved = "scores unchanged" if alpha >= 1 else (
            f"scores moved {1 - alpha:.0%} of the way to the groups' common distribution"
        )
        return f"{moved}, threshold {_number(params.get('threshold', 0.5))}"
    if method == "what-if thresholds":
        by_group = {
            k: v for k, v in params.items() if k not in ("base", "cost_ratio") and v is not None
        }
        shown = ", ".join(f"{k} {_number(v)}" for k, v in by_group.items())
        cost = params.get("cost_ratio")
        base = params.get("base")
        return (
            f"thresholds {shown}" + (f" on {base}'s scores" if base else "")
            + (f", a false positive costing {_number(cost)} false negatives" if cost else "")
        )
    return _generic(params)


def describe_models(results: Sequence[Any]) -> pd.DataFrame:
    """The method's display name and the parameters in words of every model.

    Parameters
    ----------
    results : sequence of ModelResult

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``method_label`` and ``description``, one row per model,
        to join to :func:`fairdash.tradeoff.results_table` on ``name``.
    """
    return pd.DataFrame(
        {
            "name": [r.name for r in results],
            "method_label": [method_name(r.method) for r in results],
            "description": [describe_params(r.method, r.params) for r in results],
        }
    )


def describe_hypervolume(
    volume: float, reference: tuple[float, float], *, performance: str, disparity: str
) -> str:
    """A sentence saying what a hypervolume of the (error, disparity) plane measures.

    Parameters
    ----------
    volume : float
        From :func:`fairdash.tradeoff.hypervolume`.
    reference : (float, float)
        The reference point (error, disparity) it was measured from.
    performance, disparity : str
        Metric names (``1 - performance`` is the error).

    Returns
    -------
    str
    """
    perf = _words(performance)
    return (
        f"Hypervolume {volume:.4f}: the area of the (1 - {perf}, {_words(disparity)}) plane "
        f"that the models shown dominate, up to a reference point just worse than the worst "
        f"of them (1 - {perf} {reference[0]:.3f}, {_words(disparity)} {reference[1]:.3f}). "
        "Larger means better trade-offs on offer; it compares sets of models measured from the "
        "same reference point only, so it changes when models are added or removed."
    )


def describe_front(table: pd.DataFrame, *, performance: str, disparity: str) -> str:
    """How many models are on the front, and its hypervolume in words.

    The hypervolume is measured from :func:`hypervolume_reference` of the
    models in ``table``; when no model has a defined disparity (e.g. the
    small-group policy left fewer than two groups to compare) there is no
    front, and the sentence says so.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`fairdash.tradeoff.results_table` or ``tradeoff_table``
        (columns ``on_front``, ``performance`` and ``disparity``).
    performance, disparity : str
        The columns measured (higher performance and lower disparity are better).

    Returns
    -------
    str
    """
    error, spread = 1 - table[performance], table[disparity]
    if not (error.notna() & spread.notna()).any():
        return (
            f"{len(table)} models; no model has a defined {_words(disparity)} (fewer than two "
            "groups are compared), so there is no front. Lower the minimum group size or merge "
            "rare categories on Data & model."
        )
    front = table[table["on_front"]]
    reference = hypervolume_reference(error, spread)
    volume = hypervolume(1 - front[performance], front[disparity], reference=reference)
    return f"{len(table)} models, {len(front)} on the Pareto front. " + describe_hypervolume(
        volume, reference, performance=performance, disparity=disparity
    )


def describe_paired_difference(
    paired: pd.DataFrame, *, confidence_level: float = 0.95
) -> list[str]:
    """One sentence per metric on whether two models really differ on these test rows.

    Parameters
    ----------
    paired : pandas.DataFrame
        From :meth:`fairdash.tradeoff.TradeoffIntervals.paired_difference`.
    confidence_level : float, default=0.95
        The intervals' coverage, as stated in the sentence.

    Returns
    -------
    list of str
        E.g. ``"accuracy: -0.0094 (95% paired interval -0.0128 to -0.0060): a real
        difference on these test rows."``; a difference whose interval holds 0 is
        "not a clear difference".
    """
    lines = []
    for metric, row in paired.iterrows():
        clear = row["lower"] > 0 or row["upper"] < 0
        lines.append(
            f"{_words(metric)}: {row['difference']:+.4f} ({confidence_level:.0%} paired "
            f"interval {row['lower']:+.4f} to {row['upper']:+.4f}): "
            + ("a real difference on these test rows." if clear else
               "within what resampling the same rows gives; not a clear difference.")
        )
    return lines
