"""The rule for groups too small to fit a group-wise mitigator on: pool them.

Some mitigators learn something per group: a threshold (threshold optimizer)
or a score distribution (barycenter) from the calibration rows, the mean of
the positive examples (linear FERM) from the training rows. A group with a
handful of rows, or without an outcome the mitigator needs (both outcomes for
the threshold optimizer, positives for linear FERM), cannot give one. The rule:

1. every group with fewer than ``min_group_size`` fitting rows (or without an
   outcome the mitigator needs) is pooled into one group, "(small groups
   pooled)", for fitting the mitigator; so is every group with no fitting row
   at all (seen only in the test rows);
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

from fairdash.groups import encode_groups, group_label

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
        The groups of the fitting rows.
    rows : str
        Which rows the mitigator is fitted on (for the note), e.g. ``"calibration"``.
    """

    small: list[tuple]
    target: tuple | None
    columns: list[str]
    fitted: frozenset
    rows: str = "calibration"

    def unseen(self, sensitive: pd.DataFrame) -> list[tuple]:
        """The groups of ``sensitive`` that have no fitting rows."""
        keys = encode_groups(sensitive, n_rows=len(sensitive), keep_empty=False).keys
        return [key for key in keys if key not in self.fitted]

    def apply(self, sensitive: pd.DataFrame) -> pd.DataFrame:
        """The sensitive columns with pooled rows relabelled (a new frame; as is if none)."""
        groups = encode_groups(sensitive, n_rows=len(sensitive), keep_empty=False)
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
        names = "; ".join(f"'{group_label(key)}'" for key in keys[:5])
        return names + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")

    def note(self, method: str, *, unseen: list[tuple] = ()) -> str | None:
        """A sentence for the user saying what was pooled, or None if nothing was."""
        if not self.small and not unseen:
            return None
        into = (
            "one pooled group"
            if self.target is None
            else f"part of the largest group ('{group_label(self.target)}')"
        )
        parts = []
        if self.small:
            parts.append(
                f"{len(self.small)} group(s) with too few {self.rows} rows (or outcomes) to "
                f"fit on their own ({self._names(self.small)})"
            )
        if unseen:
            parts.append(
                f"{len(unseen)} group(s) with no {self.rows} rows ({self._names(list(unseen))})"
            )
        return (
            f"{method}: {' and '.join(parts)} were treated as {into}. The metrics still "
            "report every group separately."
        )


def _too_small(sizes: np.ndarray, outcome_counts: list[np.ndarray], min_size: int):
    small = sizes < min_size
    for counts in outcome_counts:
        small |= counts == 0
    return small


def pool_small_groups(
    sensitive: pd.DataFrame,
    *,
    min_group_size: int,
    labels: np.ndarray | None = None,
    required_labels: tuple = (),
    rows: str = "calibration",
) -> GroupPooling:
    """Decide which groups a group-wise mitigator fits as one pooled group.

    Parameters
    ----------
    sensitive : pandas.DataFrame
        Sensitive columns of the rows the mitigator is fitted on.
    min_group_size : int
        Groups with fewer rows are pooled.
    labels : numpy.ndarray, optional
        Outcomes of those rows (needed with ``required_labels``).
    required_labels : tuple
        Outcomes every group needs at least one row of, e.g. ``(0, 1)`` for the
        threshold optimizer, ``(1,)`` for linear FERM.
    rows : str, default="calibration"
        Which rows these are, for the note.

    Returns
    -------
    GroupPooling
    """
    groups = encode_groups(sensitive, n_rows=len(sensitive), keep_empty=False)
    sizes = np.bincount(groups.codes, minlength=groups.n_groups)
    outcome_counts = [
        np.bincount(groups.codes, weights=labels == label, minlength=groups.n_groups)
        for label in required_labels
    ]
    small = np.flatnonzero(_too_small(sizes, outcome_counts, min_group_size))
    kept = np.setdiff1d(np.arange(groups.n_groups), small)
    largest = groups.keys[int(kept[np.argmax(sizes[kept])])] if len(kept) else None
    target = largest
    if len(small):
        pooled_too_small = _too_small(
            np.array([sizes[small].sum()]),
            [np.array([counts[small].sum()]) for counts in outcome_counts],
            min_group_size,
        )[0]
        if not pooled_too_small or largest is None:
            target = None  # a pooled group of their own
    return GroupPooling(
        small=[groups.keys[int(i)] for i in small],
        target=target,
        columns=[str(c) for c in sensitive.columns],
        fitted=frozenset(groups.keys),
        rows=rows,
    )
