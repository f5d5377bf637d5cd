"""The rule for groups too small to fit a post-processor on: pool them.

A post-processor learns something per group from the calibration rows: a
threshold (threshold optimizer) or a score distribution (barycenter). A group
with a handful of calibration rows, or (for the threshold optimizer) with only
one of the two outcomes, cannot give one. The rule:

1. every group with fewer than ``min_group_size`` calibration rows (or with a
   single outcome, where both are needed) is pooled into one group, "(small
   groups pooled)", for fitting the post-processor; so is every group with no
   calibration row at all (seen only in the test rows);
2. if that pooled group is itself too small (or has a single outcome), its rows
   join the largest group instead; so do the rows of groups seen only in the
   test rows when no group was pooled.

The same mapping is applied to the test rows, so each test row is treated as
its group was in fitting. The metrics still report every group on its own:
pooling changes only which rows the post-processor fits together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairdash.mitigation._validation import encode_groups, format_group

__all__ = ["POOLED_GROUP", "GroupPooling", "pool_small_groups"]

#: The value every sensitive column takes for the pooled rows.
POOLED_GROUP = "(small groups pooled)"


@dataclass(frozen=True)
class GroupPooling:
    """Which groups a post-processor is fitted with, and how to map rows to them.

    Attributes
    ----------
    small : list of tuple
        The calibration groups that were pooled (tuples of sensitive values).
    target : tuple or None
        The group the pooled rows, and the rows of groups without calibration
        rows, join; None: a pooled group of their own.
    columns : list of str
        The sensitive column names.
    fitted : frozenset of tuple
        The groups of the calibration rows.
    """

    small: list[tuple]
    target: tuple | None
    columns: list[str]
    fitted: frozenset

    def unseen(self, sensitive: pd.DataFrame) -> list[tuple]:
        """The groups of ``sensitive`` that have no calibration rows."""
        keys = encode_groups(sensitive, n_rows=len(sensitive)).keys
        return [key for key in keys if key not in self.fitted]

    def apply(self, sensitive: pd.DataFrame) -> pd.DataFrame:
        """The sensitive columns with pooled rows relabelled (a new frame; as is if none)."""
        groups = encode_groups(sensitive, n_rows=len(sensitive))
        small = set(self.small)
        pooled_codes = [
            code
            for code, key in enumerate(groups.keys)
            if key not in self.fitted or key in small
        ]
        if not pooled_codes:
            return sensitive
        rows = np.isin(groups.codes, pooled_codes)
        out = sensitive.copy()
        for position, name in enumerate(out.columns):
            value = POOLED_GROUP if self.target is None else self.target[position]
            column = out[name]
            if isinstance(column.dtype, pd.CategoricalDtype):
                if value not in column.cat.categories:
                    column = column.cat.add_categories([value])
            else:
                column = column.astype(object)
            column = column.copy()
            column[rows] = value
            out[name] = column
        return out

    def _names(self, keys: list[tuple]) -> str:
        names = "; ".join(format_group(key, self.columns) for key in keys[:5])
        return names + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")

    def note(self, method: str, *, unseen: list[tuple] = ()) -> str | None:
        """A sentence for the user saying what was pooled, or None if nothing was."""
        if not self.small and not unseen:
            return None
        into = (
            "one pooled group"
            if self.target is None
            else f"part of the largest group ({format_group(self.target, self.columns)})"
        )
        parts = []
        if self.small:
            parts.append(
                f"{len(self.small)} group(s) with too few calibration rows to fit on their own "
                f"({self._names(self.small)})"
            )
        if unseen:
            parts.append(
                f"{len(unseen)} group(s) with no calibration rows ({self._names(list(unseen))})"
            )
        return (
            f"{method}: {' and '.join(parts)} were treated as {into} when fitting and "
            "applying it. The metrics still report every group separately."
        )


def _too_small(sizes: np.ndarray, positives: np.ndarray | None, min_size: int) -> np.ndarray:
    small = sizes < min_size
    if positives is not None:
        small |= (positives == 0) | (positives == sizes)
    return small


def pool_small_groups(
    sensitive: pd.DataFrame,
    *,
    min_group_size: int,
    labels: np.ndarray | None = None,
) -> GroupPooling:
    """Decide which calibration groups a post-processor fits as one pooled group.

    Parameters
    ----------
    sensitive : pandas.DataFrame
        Sensitive columns of the calibration rows.
    min_group_size : int
        Groups with fewer calibration rows are pooled.
    labels : numpy.ndarray of 0/1, optional
        Calibration outcomes, when every group needs both (threshold optimizer).

    Returns
    -------
    GroupPooling
    """
    groups = encode_groups(sensitive, n_rows=len(sensitive))
    sizes = np.bincount(groups.codes, minlength=groups.n_groups)
    positives = None
    if labels is not None:
        positives = np.bincount(groups.codes, weights=labels == 1, minlength=groups.n_groups)
    small = np.flatnonzero(_too_small(sizes, positives, min_group_size))
    kept = np.setdiff1d(np.arange(groups.n_groups), small)
    largest = groups.keys[int(kept[np.argmax(sizes[kept])])] if len(kept) else None
    target = largest
    if len(small):
        pooled_positives = None if positives is None else np.array([positives[small].sum()])
        pooled_too_small = _too_small(
            np.array([sizes[small].sum()]), pooled_positives, min_group_size
        )[0]
        if not pooled_too_small or largest is None:
            target = None  # a pooled group of their own
    return GroupPooling(
        small=[groups.keys[int(i)] for i in small],
        target=target,
        columns=[str(c) for c in sensitive.columns],
        fitted=frozenset(groups.keys),
    )
