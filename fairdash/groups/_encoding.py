"""Encoding of sensitive features into one integer group code per row.

The one encoding of intersectional groups, used by the metrics, the
mitigators, the threshold curves, the splits and the reports. Groups are
ordered and labelled the way fairlearn's ``MetricFrame.by_group`` labels them:
each feature's distinct values sorted, several features combined into their
full cartesian product (empty combinations included; the mitigators ask for
the occurring groups only). Unlike fairlearn, missing values are kept as a
group of their own, sorted last.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash._validation import as_1d
from fairdash.groups._labels import GROUP_SEPARATOR, group_label

__all__ = ["MAX_GROUPS", "GroupEncoding", "encode_groups"]

# A sensitive "feature" with more groups than this is almost certainly an
# identifier or a continuous column chosen by mistake.
MAX_GROUPS = 100_000

# Integer columns whose values span fewer than this many integers are encoded
# by offset instead of hashing (about 10x faster than pandas.factorize).
_INT_RANGE_FAST_PATH = 1 << 16

# Several features with at least this many rows are encoded in parallel threads
# (Arrow's hashing releases the GIL; for other kinds the threads just take turns).
_PARALLEL_MIN_ROWS = 100_000


def _max_threads() -> int:
    try:
        import pyarrow

        # Arrow's CPU count honours OMP_NUM_THREADS.
        return max(1, pyarrow.cpu_count())
    except ImportError:  # pragma: no cover - pyarrow is a dependency of pandas 3 here
        return max(1, len(os.sched_getaffinity(0)))


@dataclass(frozen=True)
class GroupEncoding:
    """Sensitive features encoded as one integer code per row.

    Attributes
    ----------
    codes : numpy.ndarray
        ``intp`` array with one group code per row, in ``[0, n_groups)``. The
        caller owns it and may modify it in place.
    index : pandas.Index
        Every group, sorted: an Index named after the feature, or a MultiIndex
        with one level per feature (the full cartesian product, or the
        occurring combinations only with ``keep_empty=False``). A missing value
        is NaN, sorted last.
    names : list of str
        The feature names (``sensitive_feature_0``, ... for unnamed ones).
    order : numpy.ndarray or None
        Codes need not be numbered in sorted order (sorting them would cost a
        pass over the rows); ``order[i]`` is the code of ``index[i]``, ``None``
        when code ``i`` is ``index[i]``. Per-code results are reordered with
        :meth:`in_index_order`.
    named : tuple of bool
        Whether each feature's name was given (a Series name, a column) rather
        than made up.
    """

    codes: np.ndarray
    index: pd.Index
    names: list[str]
    order: np.ndarray | None = None
    named: tuple[bool, ...] = ()

    @property
    def n_groups(self) -> int:
        """The number of groups, empty combinations included."""
        return len(self.index)

    @property
    def columns(self) -> list[str | None]:
        """The feature names, ``None`` where a feature had no name of its own."""
        named = self.named or (True,) * len(self.names)
        return [name if given else None for name, given in zip(self.names, named, strict=True)]

    def in_index_order(self, values: np.ndarray, *, axis: int = 0) -> np.ndarray:
        """Reorder per-code results (e.g. bincounts of ``codes``) to the order of ``index``."""
        return values if self.order is None else np.take(values, self.order, axis=axis)

    @cached_property
    def sizes(self) -> np.ndarray:
        """The number of rows of each group, in the order of ``index``."""
        return self.in_index_order(np.bincount(self.codes, minlength=self.n_groups))

    @property
    def empty(self) -> np.ndarray:
        """Boolean mask of the groups (in the order of ``index``) that no row falls in."""
        return self.sizes == 0

    @cached_property
    def keys(self) -> list[tuple]:
        """One tuple of values per group, in the order of ``index`` (``None`` if missing)."""
        rows = self.index.tolist() if isinstance(self.index, pd.MultiIndex) else [
            (value,) for value in self.index.tolist()
        ]
        return [tuple(None if _is_missing(v) else v for v in key) for key in rows]

    @cached_property
    def labels(self) -> list[str]:
        """The readable label of each group (see :func:`fairdash.groups.group_label`)."""
        return [group_label(key) for key in self.keys]

    def describe(self, group: int) -> str:
        """Group number ``group`` (in the order of ``index``) for messages: ``'a × b' (s × r)``."""
        given = [name for name in self.columns if name is not None]
        features = f" ({GROUP_SEPARATOR.join(given)})" if len(given) == len(self.names) else ""
        return f"'{self.labels[group]}'{features}"

    def _by_code(self, per_group: np.ndarray) -> np.ndarray:
        """A value per group (in the order of ``index``) rearranged to be looked up by code."""
        if self.order is None:
            return per_group
        by_code = np.empty_like(per_group)
        by_code[self.order] = per_group
        return by_code

    def codes_in_index_order(self) -> np.ndarray:
        """The rows' codes renumbered so that code ``i`` is ``index[i]``."""
        if self.order is None:
            return self.codes
        return self._by_code(np.arange(self.n_groups, dtype=np.intp)).take(self.codes)

    def strata(self, y: np.ndarray | None = None) -> np.ndarray:
        """One stratum per row for splitting: the group, and the 0/1 class ``y`` if given."""
        codes = self.codes_in_index_order().astype(np.int64)
        return codes if y is None else codes * 2 + np.asarray(y, dtype=np.int64)

    def occurring(self) -> GroupEncoding:
        """The same rows with only the groups that occur (codes in the order of ``index``)."""
        present = ~self.empty
        if present.all():
            return GroupEncoding(
                codes=self.codes_in_index_order(), index=self.index, names=self.names,
                named=self.named,
            )
        position = np.full(self.n_groups, -1, dtype=np.intp)
        position[np.flatnonzero(present)] = np.arange(int(present.sum()))
        encoding = GroupEncoding(
            codes=self._by_code(position).take(self.codes), index=self.index[present],
            names=self.names,
            named=self.named,
        )
        # Reuse the sizes already counted.
        encoding.__dict__["sizes"] = self.sizes[present]
        return encoding

    def codes_in(self, keys: list[tuple]) -> np.ndarray:
        """The rows' codes in another encoding's groups (``keys``), e.g. the fitted ones.

        Raises
        ------
        fairdash.InputError
            If a row's group is not among ``keys``.
        """
        position = {key: i for i, key in enumerate(keys)}
        present = np.flatnonzero(~self.empty)
        unknown = [int(g) for g in present if self.keys[g] not in position]
        if unknown:
            raise InputError(
                f"Sensitive group {self.describe(unknown[0])} was not seen when the estimator "
                "was fitted; every group needs fitting data."
            )
        mapping = np.array([position.get(key, -1) for key in self.keys], dtype=np.intp)
        if self.order is None and np.array_equal(mapping, np.arange(len(mapping))):
            return self.codes  # the same groups in the same order: nothing to remap
        return self._by_code(mapping).take(self.codes)


def _is_missing(value: Any) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _is_scalar(value: Any) -> bool:
    return value is None or pd.api.types.is_scalar(value)


def _split_features(sensitive_features: Any) -> list[tuple[str, Any, bool]]:
    """Split the many accepted input forms into ``(name, values, named)`` triples."""
    base = "sensitive_feature_"
    sf = sensitive_features
    if sf is None:
        raise InputError(
            "sensitive_features is missing: choose at least one sensitive column (estimators "
            "take it as the sensitive_features= keyword)."
        )
    if isinstance(sf, pd.Series):
        if sf.name is None:
            return [(f"{base}0", sf, False)]
        return [(str(sf.name), sf, True)]
    if isinstance(sf, pd.DataFrame):
        return [(str(col), sf.iloc[:, i], True) for i, col in enumerate(sf.columns)]
    if isinstance(sf, dict):
        return [(str(key), values, True) for key, values in sf.items()]
    if isinstance(sf, (list, tuple)):
        if all(_is_scalar(v) for v in sf):
            # dtype=object keeps None missing instead of turning it into "None".
            return [(f"{base}0", np.asarray(sf, dtype=object), False)]
        if any(_is_scalar(v) for v in sf):
            raise InputError(
                "sensitive_features mixes single values and columns; pass one column of values "
                "or a list of columns."
            )
        return [
            (str(v.name), v, True)
            if isinstance(v, pd.Series) and v.name is not None
            else (f"{base}{i}", v, False)
            for i, v in enumerate(sf)
        ]
    if hasattr(sf, "tocsr") or hasattr(sf, "toarray"):
        raise InputError("sensitive_features must be dense (an array, Series or DataFrame).")
    if isinstance(sf, np.ndarray) and sf.ndim > 2:
        raise InputError(
            f"sensitive_features must be 1-D or 2-D (one one-dimensional column per feature), "
            f"got {sf.ndim}-D."
        )
    if isinstance(sf, np.ndarray) and sf.ndim == 2:
        return [(f"{base}{i}", sf[:, i], False) for i in range(sf.shape[1])]
    return [(f"{base}0", sf, False)]


def _arrow_strings(arr: Any) -> Any:
    """The pyarrow ChunkedArray behind a pandas string array, else None."""
    if not hasattr(arr, "__arrow_array__") or arr.dtype.kind not in "OUT":
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover
        return None
    chunked = arr.__arrow_array__()
    if isinstance(chunked, pa.Array):
        chunked = pa.chunked_array([chunked])
    kind = chunked.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    return chunked


def _factorize_arrow(chunked: Any, dtype: Any) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Factorization of Arrow strings: hash once, sort only the few distinct values.

    The codes are Arrow's dictionary indices, in order of first appearance;
    the returned ``rank`` maps each to its sorted position. Renumbering the
    rows is left out on purpose: results are reordered per group instead,
    which saves a gather over all rows. The hashing releases the GIL, so
    several columns can be encoded in parallel.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(chunked)
    chunks = [chunk for chunk in encoded.chunks if len(chunk)]
    if chunks and any(not c.dictionary.equals(chunks[-1].dictionary) for c in chunks):
        encoded = encoded.unify_dictionaries()
        chunks = [chunk for chunk in encoded.chunks if len(chunk)]
    dictionary = chunks[-1].dictionary if chunks else pa.array([], pa.string())
    n_values = len(dictionary)
    has_missing = encoded.null_count > 0
    # Missing values get code n_values, sorted last.
    indices = [
        (chunk.indices.fill_null(n_values) if chunk.null_count else chunk.indices).to_numpy()
        for chunk in chunks
    ]
    codes = np.concatenate(indices) if len(indices) != 1 else indices[0]
    order = np.asarray(pc.array_sort_indices(dictionary), dtype=np.intp)
    rank = np.empty(n_values + has_missing, dtype=np.intp)
    rank[order] = np.arange(n_values)
    if has_missing:
        rank[n_values] = n_values
    uniques = pd.Index(dictionary.take(pa.array(order)).to_pylist(), dtype=dtype)
    if has_missing:
        uniques = uniques.append(pd.Index([np.nan]))
    return codes, uniques, rank


def _factorize(
    values: Any, *, name: str, n_rows: int, what: str
) -> tuple[np.ndarray, pd.Index, np.ndarray | None]:
    """Return integer codes, sorted uniques (missing last) and the codes' sorted ranks.

    The rank is ``None`` when code ``i`` is ``uniques[i]``. The codes may be a
    read-only int32 array (Arrow's) or a new ``intp`` array.
    """
    arr = as_1d(values, name=what, n_rows=n_rows)

    if isinstance(arr.dtype, pd.CategoricalDtype):
        # Use the codes as they are (category order, as pandas groupby), dropping
        # categories that never occur, as groupby(observed=True) and fairlearn do.
        codes = np.asarray(arr.codes)
        cats = arr.categories
        occurs = np.bincount(codes.astype(np.intp) + 1, minlength=len(cats) + 1)
        observed = occurs[1:] > 0
        n_obs = int(observed.sum())
        lut = np.empty(len(cats) + 1, dtype=np.intp)
        lut[0] = n_obs
        lut[1:][observed] = np.arange(n_obs)
        lut[1:][~observed] = -1
        uniques = pd.Index(cats[observed])
        has_missing = occurs[0] > 0
        out = lut.take(codes.astype(np.intp) + 1)
    elif isinstance(arr, np.ndarray) and arr.dtype.kind in "biu" and len(arr):
        lo, hi = arr.min(), arr.max()
        span = int(hi) - int(lo) + 1
        if span <= _INT_RANGE_FAST_PATH:
            offset = arr.astype(np.intp)
            if lo:
                offset -= int(lo)
            occurs = np.bincount(offset, minlength=span)
            present = occurs > 0
            all_values = np.arange(int(lo), int(hi) + 1).astype(arr.dtype)
            uniques = pd.Index(all_values[present])
            if present.all():
                out = offset
            else:
                out = (np.cumsum(present) - 1).take(offset)
            return out, uniques, None
        out, uniques = pd.factorize(arr, sort=True)
        has_missing = False
    elif (chunked := _arrow_strings(arr)) is not None:
        return _factorize_arrow(chunked, arr.dtype)
    else:
        try:
            out, uniques = pd.factorize(arr, sort=True)
        except TypeError:
            raise InputError(
                f"sensitive feature {name!r} mixes kinds of values that cannot be sorted (for "
                "example numbers and text); convert it to text first.",
                column=name,
            ) from None
        has_missing = len(out) > 0 and out.min() < 0
        if has_missing:
            out[out < 0] = len(uniques)

    uniques = pd.Index(uniques)
    if has_missing:
        uniques = uniques.append(pd.Index([np.nan]))
    return out.astype(np.intp, copy=False), uniques, None


def encode_groups(
    sensitive_features: Any, *, n_rows: int | None, keep_empty: bool = True
) -> GroupEncoding:
    """Encode sensitive features as one integer group code per row.

    Parameters
    ----------
    sensitive_features : Series, DataFrame, array-like, list of array-likes or dict
        As accepted by fairlearn's ``MetricFrame``, plus a list of columns.
        Names: a Series' name or DataFrame/dict keys; unnamed features are
        called ``sensitive_feature_0``, ``sensitive_feature_1``, ...
    n_rows : int or None
        The number of rows every feature must have (``None``: that of the first).
    keep_empty : bool, default=True
        Keep every combination of the features' values, as ``MetricFrame``
        does (the metrics); with ``False`` only the combinations that occur
        are groups, numbered in sorted order (the mitigators).

    Returns
    -------
    GroupEncoding

    Examples
    --------
    >>> import pandas as pd
    >>> sf = pd.DataFrame({"sex": ["f", "m", "m"], "race": ["a", "a", "b"]})
    >>> encoding = encode_groups(sf, n_rows=3)
    >>> encoding.labels, encoding.sizes.tolist()
    (['f × a', 'f × b', 'm × a', 'm × b'], [1, 0, 1, 1])
    >>> encode_groups(sf, n_rows=3, keep_empty=False).labels
    ['f × a', 'm × a', 'm × b']
    """
    features = _split_features(sensitive_features)
    if not features:
        raise InputError("sensitive_features has no columns: choose at least one sensitive column.")
    names = [name for name, _, _ in features]
    if n_rows is None:
        n_rows = len(as_1d(features[0][1], name="sensitive_features"))
    if n_rows == 0:
        raise InputError("sensitive_features is empty: there are no rows.")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(
            f"sensitive features must have distinct names, but {duplicates} occurs twice.",
            column=duplicates[0],
        )

    def factorize(feature: tuple[str, Any, bool]) -> tuple[np.ndarray, pd.Index, np.ndarray | None]:
        name, values, named = feature
        # What the messages call it: the argument itself when it is one unnamed column.
        what = f"sensitive_features column {name!r}" if named or len(features) > 1 else (
            "sensitive_features"
        )
        return _factorize(values, name=name, n_rows=n_rows, what=what)

    threads = min(len(features), _max_threads()) if n_rows >= _PARALLEL_MIN_ROWS else 1
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            encoded = list(pool.map(factorize, features))
    else:
        encoded = [factorize(feature) for feature in features]

    codes: np.ndarray | None = None
    rank: np.ndarray | None = None  # sorted position of every combined code
    levels = []
    n_groups = 1
    for (name, _, _), (feature_codes, uniques, feature_rank) in zip(
        features, encoded, strict=True
    ):
        n_values = len(uniques)
        n_groups *= n_values
        if n_groups > MAX_GROUPS:
            raise InputError(
                f"the sensitive features form more than {MAX_GROUPS:,} groups (feature {name!r} "
                f"alone has {n_values:,} distinct values); choose categorical columns with "
                "few values, or bin a continuous one first.",
                column=name,
            )
        levels.append(uniques.rename(name))
        if feature_rank is None:
            feature_rank = np.arange(n_values)
        if codes is None:
            # A new array the caller may own (the codes can be Arrow's read-only int32).
            codes = feature_codes.astype(np.intp, copy=not feature_codes.flags.writeable)
            rank = feature_rank
        else:
            # Mixed-radix combination, in place: code = code * n_values + feature_code.
            codes *= n_values
            codes += feature_codes
            rank = (rank[:, None] * n_values + feature_rank[None, :]).ravel()

    if len(levels) == 1:
        index = levels[0]
    else:
        index = pd.MultiIndex.from_product(levels, names=names)
    assert codes is not None and rank is not None
    order = None
    if not np.array_equal(rank, np.arange(len(rank))):
        order = np.empty_like(rank)
        order[rank] = np.arange(len(rank))
    encoding = GroupEncoding(
        codes=codes,
        index=index,
        names=names,
        order=order,
        named=tuple(given for _, _, given in features),
    )
    return encoding if keep_empty else encoding.occurring()
