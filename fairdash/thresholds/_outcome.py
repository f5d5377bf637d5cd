"""What a threshold strategy achieved against its target, and why it fell short.

:func:`fairdash.thresholds.choose_thresholds` returns thresholds; a page that
says "Applied" after it may hide that the groups' rates are still far apart.
:func:`apply_strategy` measures the thresholds it chose against the strategy's
own target and, where the target is missed, names the groups that could not
reach it and why: too few rows (the rate moves in steps of 1/n), tied scores
(many rows cross the threshold at once), or a group without the outcome the
rate needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from fairdash._errors import InputError
from fairdash.metrics._group_metrics import rates_from_cell_sums
from fairdash.thresholds._curves import ThresholdCurves
from fairdash.thresholds._strategies import STRATEGIES, choose_thresholds, small_groups

__all__ = [
    "FEW_SCORE_LEVELS",
    "StrategyOutcome",
    "apply_strategy",
    "score_levels_note",
    "threshold_step",
]

# The rate each equalising strategy equalises, what it needs, and its name in words.
_EQUALISED = {
    "demographic_parity": ("selection_rate", "rows", "selection rates"),
    "equal_opportunity": ("true_positive_rate", "favourable outcomes", "true positive rates"),
    "equal_accuracy": ("accuracy", "rows", "accuracies"),
}
_TN, _FP, _FN, _TP = 0, 1, 2, 3


@dataclass(frozen=True)
class StrategyOutcome:
    """What a threshold strategy chose and achieved; returned by :func:`apply_strategy`.

    Attributes
    ----------
    strategy : str
        One of :data:`fairdash.thresholds.STRATEGIES`.
    thresholds : numpy.ndarray
        One per group, in ``curves.index`` order (``inf``: nobody selected).
    target : str
        The strategy's target in words.
    gap : float or None
        For the equalising strategies, the largest difference of the equalised
        rate between the groups with rows at the chosen thresholds; None otherwise.
    tolerance : float or None
        The largest gap counted as meeting the target (None: no equality target).
    met : bool
        Whether the target is met.
    accuracy : float
        Accuracy of all rows at the chosen thresholds.
    cost : float or None
        False positives times the cost ratio plus false negatives, per row,
        when a cost ratio was given.
    reasons : list of str
        Why the target is missed, one sentence per group that could not reach
        it; when it is met only by selecting (almost) nobody, that, and why.
        Empty otherwise.
    left_out : list of str
        The groups the small-group policy left out of the target and the gap
        (``min_group_size``), by label; they get the common threshold.
    min_group_size : int or None
        The policy applied.
    """

    strategy: str
    thresholds: np.ndarray
    target: str
    gap: float | None
    tolerance: float | None
    met: bool
    accuracy: float
    cost: float | None
    reasons: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    min_group_size: int | None = None

    def left_out_note(self) -> str | None:
        """The sentence naming the groups left out of the target, or None."""
        if not self.left_out or self.strategy == "single_best":
            return None
        shown = ", ".join(self.left_out[:6]) + (
            f" and {len(self.left_out) - 6} more" if len(self.left_out) > 6 else ""
        )
        return (
            f"{len(self.left_out)} group(s) with fewer than {self.min_group_size} rows "
            f"({shown}) are left out of the target and the gap: their rates are too uncertain "
            "to set everyone's thresholds, so they get the best single threshold for everyone."
        )

    def summary(self) -> str:
        """One or two sentences for the page: the target, what was achieved, why not."""
        achieved = f"accuracy {self.accuracy:.3f}" + (
            "" if self.cost is None else f", cost {self.cost:.3f} per person"
        )
        note = self.left_out_note()
        if self.gap is None:
            return " ".join([f"{self.target}: {achieved}.", *([note] if note else [])])
        verdict = "met" if self.met else "not met"
        gap = (
            f"the largest gap between groups is {self.gap:.3f}" if math.isfinite(self.gap)
            else "there is no gap to measure"
        )
        text = f"{self.target} (within {self.tolerance:g}): {verdict}; {gap}, {achieved}."
        return " ".join([text, *self.reasons, *([note] if note else [])])


def _reasons(
    curves: ThresholdCurves, rate: str, needs: str, level: float, tolerance: float,
    compared: np.ndarray,
) -> list[str]:
    """Why the ``compared`` groups cannot come within ``tolerance / 2`` of the common ``level``."""
    labels = curves.labels()
    out = []
    for g in np.flatnonzero(compared):
        thresholds, cells = curves.candidate_cells(g)
        values = rates_from_cell_sums(cells)[rate]
        nearest = values[np.argmin(np.abs(values - level))]
        if abs(nearest - level) <= tolerance / 2 + 1e-12:
            continue
        size = int(curves.group_sizes[g])
        base = cells[0, _TP] + cells[0, _FN] if rate == "true_positive_rate" else size
        if base == 0:
            out.append(
                f"{labels[g]} has no {needs}, so its {rate.replace('_', ' ')} is 0 at any "
                "threshold."
            )
            continue
        name = rate.replace("_", " ")
        if not values.min() <= level <= values.max():
            out.append(
                f"{labels[g]}: its {name} ranges only from {values.min():.3f} to "
                f"{values.max():.3f} at any threshold."
            )
            continue
        # The step that crosses the level: the rows sharing one score move together.
        crosses = (values[:-1] - level) * (values[1:] - level) <= 0
        i = int(np.argmax(np.where(crosses, np.abs(np.diff(values)), -1.0)))
        selected = cells[:, _FP] + cells[:, _TP]
        counted = cells[:, _TP] if rate == "true_positive_rate" else selected
        tied = round(float(counted[i] - counted[i + 1]))
        if tied > 1:
            out.append(
                f"{labels[g]}: {tied} of its {int(base)} {needs} share the score "
                f"{thresholds[i]:.4g}, so its {name} jumps from {values[i + 1]:.3f} to "
                f"{values[i]:.3f} (ties in scores)."
            )
        else:
            out.append(
                f"{labels[g]} has only {int(base)} {needs}, so its {name} moves in steps of "
                f"about {1 / base:.3f} and comes no closer than {abs(nearest - level):.3f} to "
                "the common level (group too small)."
            )
    if not out:
        out.append(
            "Every group can come closer, but not at the common level that gives the best "
            "accuracy (or cost) among those the strategy scans; try the per-group sliders."
        )
    return out


def apply_strategy(
    curves: ThresholdCurves,
    strategy: str,
    *,
    cost_ratio: float | None = None,
    tolerance: float = 0.01,
    resolution: int = 1000,
    min_group_size: int | None = None,
) -> StrategyOutcome:
    """Choose thresholds with a strategy and report what they achieve against its target.

    Parameters
    ----------
    curves : ThresholdCurves
    strategy : str
        One of :data:`fairdash.thresholds.STRATEGIES`.
    cost_ratio : float, optional
        Cost of a false positive relative to a false negative, as for
        :func:`choose_thresholds`.
    tolerance : float, default=0.01
        The largest gap between groups that counts as equal (the equalising
        strategies; ``equal_accuracy`` also chooses within it).
    resolution : int, default=1000
        As for :func:`choose_thresholds`.
    min_group_size : int, optional
        The small-group policy, as for :func:`choose_thresholds`: groups with
        fewer rows are left out of the target and of the gap (named in
        :attr:`StrategyOutcome.left_out`) and get the common threshold. None
        compares every group.

    Returns
    -------
    StrategyOutcome

    Raises
    ------
    fairdash.InputError
        As :func:`choose_thresholds` (e.g. no thresholds give equal accuracies).
    """
    if not (isinstance(tolerance, int | float) and 0 <= tolerance < 1):
        raise InputError(f"The tolerance must be in [0, 1), got {tolerance!r}.")
    thresholds = choose_thresholds(
        curves, strategy, cost_ratio=cost_ratio, tolerance=tolerance, resolution=resolution,
        min_group_size=min_group_size,
    )
    skip = small_groups(curves, min_group_size)
    labels = curves.labels()
    policy = {
        "left_out": [labels[g] for g in np.flatnonzero(skip)],
        "min_group_size": min_group_size,
    }
    cells = curves.cell_sums(thresholds)
    total = cells.sum(axis=0)
    n = total.sum()
    accuracy = float((total[_TN] + total[_TP]) / n)
    cost = None if cost_ratio is None else float((cost_ratio * total[_FP] + total[_FN]) / n)
    if strategy not in _EQUALISED:
        return StrategyOutcome(
            strategy=strategy, thresholds=thresholds, target=STRATEGIES[strategy].rstrip("."),
            gap=None, tolerance=None, met=True, accuracy=accuracy, cost=cost, **policy,
        )
    rate, needs, words = _EQUALISED[strategy]
    compared = (curves.group_sizes > 0) & ~skip
    values = rates_from_cell_sums(cells[compared])[rate]
    if min_group_size is not None and len(values) < 2:
        # As GroupMetrics.difference with min_group_size: no gap with fewer than two groups.
        return StrategyOutcome(
            strategy=strategy, thresholds=thresholds, target=f"Equal {words} across groups",
            gap=math.nan, tolerance=float(tolerance), met=False, accuracy=accuracy, cost=cost,
            reasons=[
                f"Fewer than two groups have at least {min_group_size} rows, so there is "
                "nothing to equalise; lower the minimum group size or merge rare categories "
                "on Data & model."
            ],
            **policy,
        )
    gap = float(values.max() - values.min()) if len(values) else math.nan
    met = bool(gap <= tolerance + 1e-12)
    reasons = [] if met else _reasons(
        curves, rate, needs, float((values.max() + values.min()) / 2), tolerance, compared
    )
    if met and rate != "accuracy" and values.max() <= tolerance:
        # Equal only because (almost) nobody is selected: say so, and which group forced it.
        reasons = [
            f"Met only with (almost) nobody selected: every group's {words[:-1]} is at most "
            f"{values.max():.3f}.",
            *(
                r for r in _reasons(curves, rate, needs, 0.5, 0.0, compared)
                if "at any threshold" in r
            ),
        ]
    return StrategyOutcome(
        strategy=strategy, thresholds=thresholds, target=f"Equal {words} across groups",
        gap=gap, tolerance=float(tolerance), met=met, accuracy=accuracy, cost=cost,
        reasons=reasons, **policy,
    )


_NICE = (1.0, 2.0, 2.5, 5.0)


def threshold_step(scores, *, steps: int = 100) -> float:
    """A slider step that suits the scores: about ``steps`` key presses across their range.

    The step is a round number (1, 2, 2.5 or 5 times a power of ten) at least
    ``range / steps``; where the scores sit on a coarser grid (e.g. risk
    scores 1 to 10), the grid's spacing.

    Parameters
    ----------
    scores : array-like
        The scores the thresholds apply to (NaN ignored).
    steps : int, default=100
        About how many steps span the scores' range.

    Returns
    -------
    float

    Examples
    --------
    >>> threshold_step([0.0, 0.31, 0.97])
    0.01
    >>> threshold_step([1, 2, 5, 10])
    1.0
    """
    values = np.asarray(scores, dtype=np.float64)
    values = np.unique(values[np.isfinite(values)])
    if len(values) < 2:
        return 0.01
    span = float(values[-1] - values[0])
    raw = span / max(int(steps), 1)
    power = 10.0 ** math.floor(math.log10(raw))
    nice = next((m * power for m in _NICE if m * power >= raw * (1 - 1e-9)), 10 * power)
    grid = float(np.min(np.diff(values)))
    offsets = (values - values[0]) / grid
    if grid > nice and np.allclose(offsets, np.round(offsets)):
        return grid
    return float(f"{nice:.12g}")


#: Up to this many distinct scores, What-if says where thresholds can change a decision.
FEW_SCORE_LEVELS = 20

_RANDOMIZED_METHODS = {
    "threshold_optimizer": "the threshold optimizer",
    "exponentiated_gradient": "exponentiated gradient",
}


def score_levels_note(scores, *, method: str | None = None) -> str | None:
    """A sentence when the scores take so few values that most thresholds change nothing.

    A threshold changes a decision only where it crosses a score, so moving it
    between two of a handful of score values leaves every metric as it was.
    Randomized post- and in-processing models (the threshold optimizer,
    exponentiated gradient) score each row with the probability of their
    randomized decision, which takes few values per group.

    Parameters
    ----------
    scores : array-like
        The scores the thresholds apply to (NaN ignored).
    method : str, optional
        The model's method (a catalogue name), to say why the scores are coarse.

    Returns
    -------
    str or None
        None when the scores take more than :data:`FEW_SCORE_LEVELS` values.

    Examples
    --------
    >>> score_levels_note([0.0, 0.0, 0.4, 1.0])[:42]
    'The scores take only 3 values (0, 0.4, 1):'
    >>> score_levels_note(list(range(100))) is None
    True
    """
    values = np.asarray(scores, dtype=np.float64)
    levels = np.unique(values[np.isfinite(values)])
    if len(levels) > FEW_SCORE_LEVELS:
        return None
    shown = ", ".join(f"{v:.3g}" for v in levels[:8]) + (", …" if len(levels) > 8 else "")
    why = ""
    if method in _RANDOMIZED_METHODS:
        why = (
            f"This model comes from {_RANDOMIZED_METHODS[method]}: its scores are the "
            "probabilities of its randomized decisions, not the unmitigated model's scores. "
            "Thresholding them is a different, deterministic rule, so the numbers here are "
            "not the model's own (Compare shows those). "
        )
    return (
        f"{why}The scores take only {len(levels)} value{'s' if len(levels) != 1 else ''} "
        f"({shown}): a threshold changes decisions only when it crosses one of them."
    )
