"""The reference group that differences and ratios are measured against."""

from __future__ import annotations

from typing import Any

import numpy as np

from fairdash._errors import InputError
from fairdash.groups._labels import group_label, value_text

__all__ = ["REFERENCE_CHOICES", "best_group", "resolve_reference"]

#: The named references: the group with most rows, and the best-treated group.
REFERENCE_CHOICES = ("largest", "best")


def _parts(key: Any) -> tuple[str, ...]:
    return tuple(value_text(p) for p in (key if isinstance(key, tuple) else (key,)))


def best_group(metrics: Any) -> Any:
    """The best-treated group: the highest selection rate (mean prediction in regression).

    Only groups with at least ``metrics.min_group_size`` rows compete, since a
    tiny group's rate is mostly chance; when no group is that large, every
    group with rows does.

    Parameters
    ----------
    metrics : GroupMetrics or RegressionGroupMetrics

    Returns
    -------
    object
        The group's key in ``metrics.by_group`` (a tuple for several features).
    """
    by_group = metrics.by_group
    column = "selection_rate" if "selection_rate" in by_group else "mean_prediction"
    sizes = metrics.group_sizes.to_numpy()
    rates = by_group[column].where(sizes > 0)
    large = rates.where(~metrics.small_group.to_numpy())
    rates = large if large.notna().any() else rates
    return rates.idxmax()


def resolve_reference(metrics: Any, reference: Any) -> Any:
    """The group key a reference names: ``"largest"``, ``"best"`` or a group.

    Parameters
    ----------
    metrics : GroupMetrics or RegressionGroupMetrics
    reference : str or tuple or object
        ``"largest"`` (most rows), ``"best"`` (see :func:`best_group`), a
        group's label (``Female × White``), its values separated by commas, or
        its key (a value, or a tuple of values).

    Returns
    -------
    object
        The group's key in ``metrics.by_group``.

    Raises
    ------
    fairdash.InputError
        If no group with rows, or several, match.
    """
    by_group = metrics.by_group
    sizes = metrics.group_sizes.to_numpy()
    present = [key for key, size in zip(by_group.index, sizes, strict=True) if size > 0]
    if not isinstance(reference, str):
        wanted = _parts(reference)
        matches = [key for key in present if _parts(key) == wanted]
        text = ",".join(wanted)
    else:
        text = reference.strip()
        if text.casefold() == "largest":
            return by_group.index[int(np.argmax(sizes))]
        if text.casefold() == "best":
            return best_group(metrics)
        parts = [p.strip() for p in text.split(",")]
        matches = [
            key
            for key in present
            if text in (",".join(_parts(key)), group_label(key))
            or [p.strip() for p in _parts(key)] == parts
        ]
    if len(matches) == 1:
        return matches[0]
    shown = ", ".join(repr(",".join(_parts(key))) for key in present[:8])
    shown += ", ..." if len(present) > 8 else ""
    if len(matches) > 1:
        raise InputError(f"The reference group {text!r} matches several groups: {shown}.")
    names = metrics.sensitive_feature_names
    example = "its value" if len(names) == 1 else f"one value per feature ({', '.join(names)})"
    raise InputError(
        f"The reference group {text!r} is not one of the groups with rows; give {example}, "
        f"separated by commas, or 'largest' or 'best'. Groups: {shown}."
    )

