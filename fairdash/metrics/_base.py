"""Behaviour shared by the per-group result objects: min/max, differences, ratios."""

from __future__ import annotations

import copy
import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.errors import InvalidIndexError

from fairdash._errors import InputError
from fairdash._validation import check_min_group_size

__all__ = ["DisaggregatedMetrics"]

Method = Literal["between_groups", "to_overall"]
_METHODS = ("between_groups", "to_overall")


def _nanreduce(func: Any, values: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        # An all-NaN column (e.g. roc_auc when no group has both classes) gives NaN.
        warnings.simplefilter("ignore", RuntimeWarning)
        return func(values, axis=0)


def _ratio_below_one(ratios: np.ndarray) -> np.ndarray:
    # fairlearn's ratio_sub_one: a ratio above 1 is inverted (inf becomes 0).
    with np.errstate(divide="ignore"):
        return np.where(ratios > 1, 1 / ratios, ratios)


class DisaggregatedMetrics:
    """Metrics per group and overall, with fairlearn-style aggregates.

    Subclasses provide ``by_group`` (one row per group, one column per metric)
    and ``overall`` (a Series with the same metrics on all rows). The
    aggregates below follow fairlearn's ``MetricFrame`` exactly: NaN groups
    (e.g. empty combinations of several features) are skipped.

    Parameters
    ----------
    by_group : pandas.DataFrame
        Metrics per group.
    overall : pandas.Series
        Metrics on all rows.
    group_sizes : numpy.ndarray
        Unweighted number of rows in every group (0 for an empty combination).
    min_group_size : int
        Groups with fewer rows are flagged in :attr:`small_group`.
    """

    def __init__(
        self,
        *,
        by_group: pd.DataFrame,
        overall: pd.Series,
        group_sizes: np.ndarray,
        min_group_size: int,
    ) -> None:
        self._by_group = by_group
        self._overall = overall
        self._group_sizes = np.asarray(group_sizes)
        self.min_group_size = min_group_size

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_groups={len(self._by_group)})\n{self._by_group!r}"

    @property
    def by_group(self) -> pd.DataFrame:
        """Metrics per group, indexed like fairlearn's ``MetricFrame.by_group``.

        A new object each time (copy-on-write), so changing it leaves the result intact.
        """
        return self._by_group.copy(deep=False)

    @property
    def overall(self) -> pd.Series:
        """The same metrics computed on all rows (a new object, as :attr:`by_group`)."""
        return self._overall.copy(deep=False)

    @property
    def sensitive_feature_names(self) -> list[str]:
        """Names of the sensitive features: the index level names of :attr:`by_group`."""
        return [str(name) for name in self._by_group.index.names]

    @property
    def group_sizes(self) -> pd.Series:
        """Unweighted row count of every group, 0 for an empty combination of features."""
        return pd.Series(self._group_sizes, index=self._by_group.index, name="group_size")

    @property
    def small_group(self) -> pd.Series:
        """Whether each group has fewer than ``min_group_size`` rows (empty groups: True)."""
        return pd.Series(
            self._group_sizes < self.min_group_size, index=self._by_group.index, name="small_group"
        )

    def with_min_group_size(self, min_group_size: int) -> DisaggregatedMetrics:
        """The same metrics with another small-group threshold.

        The app's small-group policy can change after a model's metrics were
        computed; the flags (:attr:`small_group`), the table and every summary
        that defaults to the metrics' own threshold follow the new one. Nothing
        is recomputed.

        Parameters
        ----------
        min_group_size : int
            Groups with fewer rows are flagged small.

        Returns
        -------
        DisaggregatedMetrics
            A shallow copy of the same class.
        """
        out = copy.copy(self)
        out.min_group_size = check_min_group_size(min_group_size)
        return out

    def left_out_groups(self, min_group_size: int | None) -> pd.Index:
        """The groups that summaries with ``min_group_size`` leave out.

        Parameters
        ----------
        min_group_size : int or None
            As for :meth:`difference`; None leaves out nothing.

        Returns
        -------
        pandas.Index
            Labels of the groups with rows but fewer than ``min_group_size``
            (empty combinations of several features are not listed: they have
            no values to leave out).
        """
        kept = self._kept_groups(min_group_size)
        if kept is None:
            return self._by_group.index[:0]
        return self._by_group.index[~kept & (self._group_sizes > 0)]

    def _kept_groups(self, min_group_size: int | None) -> np.ndarray | None:
        if min_group_size is None:
            return None
        return self._group_sizes >= check_min_group_size(min_group_size)

    def _values(self, min_group_size: int | None) -> np.ndarray:
        """``by_group`` as floats, the rows of groups left out for size set to NaN."""
        values = self._by_group.to_numpy(dtype=np.float64, copy=True)
        kept = self._kept_groups(min_group_size)
        if kept is not None:
            values[~kept] = np.nan
        return values

    def _undefined_below_two(self, result: np.ndarray, min_group_size: int | None) -> np.ndarray:
        # A gap between groups needs two groups; with one left, fairlearn's 0 (or 1) would read
        # as "equal" when nothing was compared. Only when groups were left out for size, so
        # that ``min_group_size=None`` stays exactly fairlearn.
        kept = self._kept_groups(min_group_size)
        if kept is not None and int((kept & (self._group_sizes > 0)).sum()) < 2:
            return np.full_like(result, np.nan)
        return result

    def group_min(self) -> pd.Series:
        """Smallest value of each metric over the groups (NaN groups skipped)."""
        values = _nanreduce(np.nanmin, self._by_group.to_numpy(dtype=np.float64))
        return pd.Series(values, index=self._by_group.columns, name="group_min")

    def group_max(self) -> pd.Series:
        """Largest value of each metric over the groups (NaN groups skipped)."""
        values = _nanreduce(np.nanmax, self._by_group.to_numpy(dtype=np.float64))
        return pd.Series(values, index=self._by_group.columns, name="group_max")

    def _reference_row(self, reference: Any) -> np.ndarray:
        index = self._by_group.index
        key = reference
        if isinstance(index, pd.MultiIndex):
            if not isinstance(key, tuple) or len(key) != index.nlevels:
                raise InputError(
                    f"reference must be a tuple with one value per sensitive feature "
                    f"{self.sensitive_feature_names}, e.g. {index[0]!r}; got {reference!r}."
                )
        elif isinstance(key, tuple) and len(key) == 1:
            key = key[0]
        try:
            position = index.get_loc(key)
        except (KeyError, TypeError, ValueError, InvalidIndexError):
            position = None
        if not isinstance(position, (int, np.integer)):
            shown = ", ".join(repr(label) for label in list(index)[:10])
            raise InputError(
                f"reference group {reference!r} is not one of the groups ({shown}"
                f"{', ...' if len(index) > 10 else ''})."
            ) from None
        return self._by_group.iloc[int(position)].to_numpy(dtype=np.float64)

    def _comparison_base(self, method: str, reference: Any) -> np.ndarray | None:
        """The row that ``to_overall``/``reference`` compare against; ``None`` between groups."""
        if method not in _METHODS:
            raise InputError(f"method must be one of {list(_METHODS)}, not {method!r}.")
        if reference is not None:
            if method != "between_groups":
                raise InputError("give either method='to_overall' or a reference group, not both.")
            return self._reference_row(reference)
        if method == "to_overall":
            return self._overall.reindex(self._by_group.columns).to_numpy(dtype=np.float64)
        return None

    def difference(
        self,
        method: Method = "between_groups",
        *,
        reference: Any = None,
        min_group_size: int | None = None,
    ) -> pd.Series:
        """Largest absolute difference of each metric, as fairlearn's ``MetricFrame.difference``.

        Parameters
        ----------
        method : {"between_groups", "to_overall"}, default="between_groups"
            ``between_groups``: ``group_max() - group_min()``. ``to_overall``: the
            largest ``|group - overall|``.
        reference : scalar or tuple, optional
            A group label (a tuple with several sensitive features). When given,
            the result is the largest ``|group - reference group|``; see
            :meth:`difference_to` for the signed difference of every group.
        min_group_size : int, optional
            Leave out groups with fewer rows (see :meth:`left_out_groups`); the
            overall values and a chosen reference group stay as they are. None
            keeps every group, exactly as fairlearn.

        Returns
        -------
        pandas.Series
            One value per metric; NaN when fewer than two groups are left
            (one group when comparing to the overall value or a reference).
        """
        values = self._values(min_group_size)
        base = self._comparison_base(method, reference)
        if base is None:
            result = _nanreduce(np.nanmax, values) - _nanreduce(np.nanmin, values)
            result = self._undefined_below_two(result, min_group_size)
        else:
            result = _nanreduce(np.nanmax, np.abs(values - base))
        return pd.Series(result, index=self._by_group.columns, name="difference")

    def ratio(
        self,
        method: Method = "between_groups",
        *,
        reference: Any = None,
        min_group_size: int | None = None,
    ) -> pd.Series:
        """Smallest ratio of each metric, as fairlearn's ``MetricFrame.ratio``.

        Parameters
        ----------
        method : {"between_groups", "to_overall"}, default="between_groups"
            ``between_groups``: ``group_min() / group_max()``. ``to_overall``: the
            smallest ``group / overall``, each ratio above 1 inverted first (so
            the result is at most 1), as fairlearn does.
        reference : scalar or tuple, optional
            A group label. When given, the smallest ``group / reference group``,
            ratios above 1 inverted as for ``to_overall``; see :meth:`ratio_to`
            for the plain ratio of every group.
        min_group_size : int, optional
            Leave out groups with fewer rows, as for :meth:`difference`.

        Returns
        -------
        pandas.Series
            One value per metric; 0/0 gives NaN and x/0 gives 0 (inverted inf).
        """
        values = self._values(min_group_size)
        base = self._comparison_base(method, reference)
        with np.errstate(divide="ignore", invalid="ignore"):
            if base is None:
                result = _nanreduce(np.nanmin, values) / _nanreduce(np.nanmax, values)
                result = self._undefined_below_two(result, min_group_size)
            else:
                result = _nanreduce(np.nanmin, _ratio_below_one(values / base))
        return pd.Series(result, index=self._by_group.columns, name="ratio")

    def difference_to(self, reference: Any) -> pd.DataFrame:
        """Signed difference ``group - reference group`` of every metric, per group.

        Parameters
        ----------
        reference : scalar or tuple
            The label of the reference (e.g. privileged) group; a tuple with one
            value per feature when there are several sensitive features.

        Returns
        -------
        pandas.DataFrame
            Shaped like :attr:`by_group`; the reference row is 0.
        """
        base = self._reference_row(reference)
        return self._by_group - base

    def ratio_to(self, reference: Any) -> pd.DataFrame:
        """Ratio ``group / reference group`` of every metric, per group (not inverted).

        Parameters
        ----------
        reference : scalar or tuple
            The label of the reference group.

        Returns
        -------
        pandas.DataFrame
            Shaped like :attr:`by_group`; the reference row is 1 (NaN where it is 0).
        """
        base = self._reference_row(reference)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._by_group / base
