"""Plain-language readings of the summary disparities: the one source of the headline cards
shown by the app's pages and the HTML report."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fairdash.groups import group_labels

if TYPE_CHECKING:
    from fairdash.metrics import GroupMetrics

__all__ = [
    "SummaryReadings",
    "disparity_readings",
    "small_group_note",
    "summary_readings",
    "weighted_note",
]

_UNDEFINED = "Not defined for these groups (a rate is missing or zero in every group)."
_SHOWN_GROUPS = 6


def _finite(disparities: Mapping[str, Any], name: str) -> float | None:
    value = disparities.get(name)
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _pp(value: float) -> str:
    return f"{abs(value) * 100:.1f} percentage points"


def disparity_readings(
    disparities: Mapping[str, Any], *, favourable: str | None = None
) -> list[dict[str, Any]]:
    """One card per summary disparity: its value and a one-line plain-language reading.

    Parameters
    ----------
    disparities : mapping
        As :meth:`fairdash.metrics.GroupMetrics.disparities` returns it.
    favourable : str, optional
        The favourable outcome in words (:attr:`fairdash.Problem.favourable_outcome`,
        e.g. ``"two_year_recid = 0"``), named in the readings; "the favourable
        prediction" when not given.

    Returns
    -------
    list of dict
        Keys ``title``, ``value`` (float or None), ``detail`` (e.g. the ratio, or
        None), ``reading`` and ``verdict`` (True/False for a pass/fail rule, else None).
    """
    dp = _finite(disparities, "demographic_parity_difference")
    dp_ratio = _finite(disparities, "demographic_parity_ratio")
    eo = _finite(disparities, "equalized_odds_difference")
    eo_ratio = _finite(disparities, "equalized_odds_ratio")
    eop = _finite(disparities, "equal_opportunity_difference")
    eop_ratio = _finite(disparities, "equal_opportunity_ratio")
    di = _finite(disparities, "disparate_impact_ratio")
    passed = bool(disparities.get("four_fifths_rule_passed"))
    selected = "the favourable prediction" if favourable is None else f"{favourable} predicted"
    good = "favourable" if favourable is None else f"{favourable}"

    def ratio(value: float | None) -> str | None:
        return None if value is None else f"ratio {value:.3f}"

    return [
        {
            "title": "Demographic parity difference",
            "value": dp,
            "detail": ratio(dp_ratio),
            "reading": _UNDEFINED if dp is None else (
                f"Selection rates (the share given {selected}) differ by {_pp(dp)} between "
                "the groups with the highest and the lowest rate; 0 means equal."
            ),
            "verdict": None,
        },
        {
            "title": "Equalized odds difference",
            "value": eo,
            "detail": ratio(eo_ratio),
            "reading": _UNDEFINED if eo is None else (
                f"True or false positive rates differ by up to {_pp(eo)} between groups: the "
                "model's errors fall unevenly on the groups unless this is near 0."
            ),
            "verdict": None,
        },
        {
            "title": "Equal opportunity difference",
            "value": eop,
            "detail": ratio(eop_ratio),
            "reading": _UNDEFINED if eop is None else (
                f"Among people whose true outcome is {good}, the share predicted {good} (true "
                f"positive rate) differs by {_pp(eop)} between groups"
                + (
                    "."
                    if eop_ratio is None
                    else f"; the lowest group's rate is {eop_ratio:.0%} of the highest's."
                )
            ),
            "verdict": None,
        },
        {
            "title": "Four-fifths rule (disparate impact ratio)",
            "value": di,
            "detail": "passes" if passed else "fails",
            "reading": (
                "Not defined: no group is selected at all, so the rule fails." if di is None
                else f"The lowest selection rate is {di:.0%} of the highest: "
                + ("at least 80 %, so the rule passes." if passed
                   else "below 80 %, so the rule fails.")
            ),
            "verdict": passed,
        },
    ]


def weighted_note(sample_weight: str) -> str:
    """The note saying that every rate is weighted by the column ``sample_weight``."""
    return f"Every rate is weighted by the column '{sample_weight}'."


def small_group_note(metrics: GroupMetrics, *, min_group_size: int | None) -> str | None:
    """The sentence naming the groups the summaries leave out for size, or None.

    Parameters
    ----------
    metrics : fairdash.metrics.GroupMetrics
    min_group_size : int or None
        As for :meth:`~fairdash.metrics.GroupMetrics.disparities`.

    Returns
    -------
    str or None
    """
    left_out = metrics.left_out_groups(min_group_size)
    if len(left_out) == 0:
        return None
    sizes = metrics.group_sizes.loc[left_out]
    labels = group_labels(left_out.to_frame(index=False))
    shown = [f"{label} ({int(n)} row{'s' if n != 1 else ''})" for label, n in
             zip(labels, sizes, strict=True)]
    text = ", ".join(shown[:_SHOWN_GROUPS]) + (
        f" and {len(shown) - _SHOWN_GROUPS} more" if len(shown) > _SHOWN_GROUPS else ""
    )
    kept = int(((metrics.group_sizes >= min_group_size) & (metrics.group_sizes > 0)).sum())
    few = (
        " Fewer than two groups are left, so the summaries are not defined; lower the minimum "
        "group size or merge rare categories."
        if kept < 2 else ""
    )
    return (
        f"Left out of the summary numbers: {len(shown)} group(s) with fewer than "
        f"{min_group_size} rows: {text}. They still appear, flagged, in the group table; "
        f"their rates are too uncertain to drive a headline.{few}"
    )


@dataclass(frozen=True)
class SummaryReadings:
    """The headline numbers of a model, read in plain language.

    Attributes
    ----------
    disparities : dict
        :meth:`~fairdash.metrics.GroupMetrics.disparities` with the small-group policy.
    cards : list of dict
        :func:`disparity_readings` of those disparities.
    note : str or None
        :func:`small_group_note`: the groups left out for size.
    left_out : list of str
        Their labels.
    min_group_size : int or None
    """

    disparities: dict[str, Any]
    cards: list[dict[str, Any]]
    note: str | None
    left_out: list[str]
    min_group_size: int | None


def summary_readings(
    metrics: GroupMetrics,
    *,
    min_group_size: int | None = None,
    favourable: str | None = None,
) -> SummaryReadings:
    """Headline cards of a model's group metrics under one small-group policy.

    Parameters
    ----------
    metrics : fairdash.metrics.GroupMetrics
    min_group_size : int, optional
        Groups with fewer rows are left out of the summary numbers and named in
        the note; None keeps every group (fairlearn's definitions exactly).
    favourable : str, optional
        The favourable outcome in words (:attr:`fairdash.Problem.favourable_outcome`).

    Returns
    -------
    SummaryReadings
    """
    disparities = metrics.disparities(min_group_size=min_group_size)
    left_out = metrics.left_out_groups(min_group_size)
    labels: Sequence[str] = (
        list(group_labels(left_out.to_frame(index=False))) if len(left_out) else []
    )
    return SummaryReadings(
        disparities=disparities,
        cards=disparity_readings(disparities, favourable=favourable),
        note=small_group_note(metrics, min_group_size=min_group_size),
        left_out=list(labels),
        min_group_size=min_group_size,
    )
