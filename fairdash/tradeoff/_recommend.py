"""A documented rule for choosing one model on the trade-off."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash.tradeoff._front import pareto_front

__all__ = ["RECOMMENDATION_RULE", "Recommendation", "recommend_model"]

#: The rule :func:`recommend_model` applies, in words (``{loss}`` is the budget).
RECOMMENDATION_RULE = (
    "Among the models on the Pareto front whose {performance} is at most {loss} "
    "below the unmitigated model's, the one with the lowest {disparity}; ties go to the "
    "higher {performance}. When no such model has a lower {disparity} than the unmitigated "
    "model, the unmitigated model is recommended."
)


@dataclass(frozen=True)
class Recommendation:
    """The model :func:`recommend_model` chose and what it costs.

    Attributes
    ----------
    name : str
        The recommended model.
    baseline : str
        The unmitigated model it is measured against.
    performance, disparity : str
        The metrics compared.
    performance_value, disparity_value : float
        The recommended model's values.
    baseline_performance, baseline_disparity : float
        The unmitigated model's values.
    max_performance_loss : float
        The largest drop in performance the rule accepted.
    rule : str
        The rule in words.
    """

    name: str
    baseline: str
    performance: str
    disparity: str
    performance_value: float
    disparity_value: float
    baseline_performance: float
    baseline_disparity: float
    max_performance_loss: float
    rule: str

    @property
    def is_baseline(self) -> bool:
        """Whether the unmitigated model itself is recommended."""
        return self.name == self.baseline

    @property
    def performance_cost(self) -> float:
        """How much performance the recommended model gives up (negative: it gains)."""
        return self.baseline_performance - self.performance_value

    @property
    def disparity_change(self) -> float:
        """The recommended model's disparity minus the unmitigated model's."""
        return self.disparity_value - self.baseline_disparity


def _words(name: str) -> str:
    return name.replace("_", " ")


def recommend_model(
    table: pd.DataFrame,
    *,
    performance: str = "accuracy",
    disparity: str = "demographic_parity_difference",
    max_performance_loss: float = 0.01,
) -> Recommendation:
    """The model with the largest disparity reduction for a bounded loss of performance.

    The rule (:data:`RECOMMENDATION_RULE`): among the models on the Pareto
    front of (``performance``, ``disparity``) whose performance is at most
    ``max_performance_loss`` below the unmitigated model's, the one with the
    lowest disparity; ties go to the higher performance. When no such model
    has a lower disparity than the unmitigated model, the unmitigated model is
    recommended. Higher performance is better; lower disparity is better,
    except for ``*_ratio`` disparities, where closer to 1 (higher) is better.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per model with columns ``name``, ``is_unmitigated`` and the two
        metrics, as :func:`fairdash.tradeoff.results_table` returns it.
    performance : str, default="accuracy"
        Column of the performance (higher is better).
    disparity : str, default="demographic_parity_difference"
        Column of the disparity.
    max_performance_loss : float, default=0.01
        The largest drop in performance accepted, in the metric's units
        (0.01 = one percentage point of accuracy).

    Returns
    -------
    Recommendation

    Raises
    ------
    fairdash.InputError
        When a column is missing, there is not exactly one unmitigated model,
        its metrics are not finite, or the budget is negative.

    Examples
    --------
    >>> table = pd.DataFrame({"name": ["base", "a", "b"], "is_unmitigated": [True, False, False],
    ...                       "accuracy": [0.85, 0.845, 0.80],
    ...                       "demographic_parity_difference": [0.20, 0.08, 0.01]})
    >>> recommend_model(table, max_performance_loss=0.01).name
    'a'
    """
    missing = [c for c in ("name", "is_unmitigated", performance, disparity) if c not in table]
    if missing:
        raise InputError(f"The models table has no column {missing[0]!r}.")
    if not (isinstance(max_performance_loss, int | float) and max_performance_loss >= 0):
        raise InputError(
            f"max_performance_loss must be a number of at least 0, not {max_performance_loss!r}."
        )
    baseline_rows = table.index[table["is_unmitigated"].astype(bool)]
    if len(baseline_rows) != 1:
        raise InputError(
            f"The models table needs exactly one unmitigated model to compare with; it has "
            f"{len(baseline_rows)}."
        )
    perf = table[performance].to_numpy(dtype=np.float64)
    disp = table[disparity].to_numpy(dtype=np.float64)
    base = table.index.get_loc(baseline_rows[0])
    if not (math.isfinite(perf[base]) and math.isfinite(disp[base])):
        raise InputError(
            f"The unmitigated model's {_words(performance)} or {_words(disparity)} is not "
            "defined, so no model can be recommended against it."
        )
    minimize = not disparity.endswith("_ratio")
    # Compare as "lower is better" throughout.
    badness = disp if minimize else -disp
    front = pareto_front(perf, disp, minimize_disparity=minimize)
    # A small tolerance so a loss of exactly the budget counts despite float rounding.
    eligible = front & (perf >= perf[base] - max_performance_loss - 1e-12)
    choice = base
    if eligible.any():
        candidates = np.flatnonzero(eligible)
        best = candidates[np.lexsort((-perf[candidates], badness[candidates]))[0]]
        if badness[best] < badness[base]:
            choice = best
    names = table["name"].astype(str).to_numpy()
    rule = RECOMMENDATION_RULE.format(
        performance=_words(performance),
        disparity=_words(disparity),
        loss=f"{max_performance_loss:g}",
    )
    return Recommendation(
        name=str(names[choice]),
        baseline=str(names[base]),
        performance=performance,
        disparity=disparity,
        performance_value=float(perf[choice]),
        disparity_value=float(disp[choice]),
        baseline_performance=float(perf[base]),
        baseline_disparity=float(disp[base]),
        max_performance_loss=float(max_performance_loss),
        rule=rule,
    )
