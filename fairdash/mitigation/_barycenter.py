"""Fair scores by the Wasserstein barycenter of the groups' score distributions.

Chzhen, Denis, Hebiri, Oneto and Pontil (2020): the regression function that
satisfies demographic parity with the least squared error maps each score to
the same quantile level of the barycenter of the groups' score distributions,

    g(x, s) = sum_s' p_s' Q_s'(F_s(f(x, s))),

with F_s the score CDF of group s, Q_s' the quantile function of group s' and
p_s' its share. Here both are empirical, from calibration scores.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from fairdash._errors import InputError
from fairdash._validation import check_scores
from fairdash.groups import encode_groups

__all__ = ["BarycenterMap"]

# Rows per block when ranking sorted queries: a block's calibration window then
# stays in cache, which makes ranking 10M rows several times faster than one
# np.searchsorted call over the whole calibration array.
_RANK_BLOCK = 1 << 14
# Below this many bits left for the score in the packed sort key, sort exactly instead.
_MIN_SCORE_BITS = 16


def _jitter_generator(random_state, stream: int) -> np.random.Generator:
    """The generator of the tie-breaking noise.

    For an int seed, fit (stream 0) and transform (stream 1) get independent,
    reproducible streams, so transforming the same scores twice gives the same result.
    """
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, numbers.Integral) and random_state >= 0:
        return np.random.default_rng([int(random_state), stream])
    raise InputError(
        f"random_state must be None, a non-negative int or a numpy random generator, "
        f"got {random_state!r}."
    )


def _smallest_int_dtype(n_values: int) -> type:
    # numpy's stable argsort is a linear-time radix sort for 8- and 16-bit integers.
    if n_values <= np.iinfo(np.int8).max:
        return np.int8
    if n_values <= np.iinfo(np.int16).max:
        return np.int16
    return np.int64


def _split_by_group(values: np.ndarray, codes: np.ndarray, counts: np.ndarray) -> list:
    """The values of each group, as new arrays (in row order within a group)."""
    if len(counts) <= 4:
        # A few boolean masks are cheaper than a radix argsort plus a gather.
        return [values[codes == group] for group in range(len(counts))]
    order = np.argsort(codes.astype(_smallest_int_dtype(len(counts))), kind="stable")
    return np.split(values[order], np.cumsum(counts)[:-1])


def _grouped_order(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Row positions grouped by code and, within a group, (nearly) sorted by value.

    Sorts one packed uint64 key (group | quantized value | row position), much
    faster than an argsort of floats. The value order is only approximate (to
    2**-bits of the range); ranks are computed exactly later whatever the order.
    """
    n_rows = len(values)
    row_bits = max(int(n_rows - 1).bit_length(), 1)
    group_bits = int(n_groups - 1).bit_length()
    value_bits = 64 - row_bits - group_bits
    if value_bits < _MIN_SCORE_BITS:
        return np.lexsort((values, codes))
    low, high = values.min(), values.max()
    with np.errstate(over="ignore"):
        span = high - low
    if not np.isfinite(span):  # a range beyond float64: quantizing would overflow
        return np.lexsort((values, codes))
    # The margin keeps float rounding from carrying a value into the next group's bits.
    scale = (2.0**value_bits * (1 - 2.0**-20)) / span if span > 0 else 0.0
    packed = np.subtract(values, low)
    packed *= scale
    if group_bits:
        packed += codes * 2.0**value_bits
    key = packed.astype(np.uint64)
    key <<= np.uint64(row_bits)
    key |= np.arange(n_rows, dtype=np.uint64)
    key.sort()
    key &= np.uint64((1 << row_bits) - 1)
    return key.view(np.intp)


def _ranks(sorted_calibration: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Number of calibration values <= each query (exact; fast if queries are nearly sorted)."""
    ranks = np.empty(len(queries), dtype=np.intp)
    if len(queries) == 0:
        return ranks
    starts = np.arange(0, len(queries), _RANK_BLOCK)
    first = np.searchsorted(sorted_calibration, np.minimum.reduceat(queries, starts), "right")
    last = np.searchsorted(sorted_calibration, np.maximum.reduceat(queries, starts), "right")
    # A loop over blocks of rows, not rows: within a block every rank lies in
    # [first, last], so only that window of the calibration values is searched.
    for block, start in enumerate(starts):
        rows = slice(start, start + _RANK_BLOCK)
        window = sorted_calibration[first[block] : last[block]]
        np.add(np.searchsorted(window, queries[rows], "right"), first[block], out=ranks[rows])
    return ranks


def _fair_score_tables(
    sorted_scores: list[np.ndarray], proportions: np.ndarray
) -> list[np.ndarray]:
    """For each group s, the fair score at each empirical CDF level k / n_s, k = 0..n_s.

    table_s[k] = sum_s' p_s' Q_s'(k / n_s) with the empirical quantile function
    Q(u) = x_(ceil(u n)) (the smallest value whose empirical CDF reaches u) and
    Q(0) = x_(1).
    """
    # padded[s'][i] = p_s' x_(max(i, 1)): indexing it with ceil(k n_s' / n_s) gives
    # p_s' Q_s'(k / n_s), with the k = 0 case included.
    padded = [
        np.concatenate([scores[:1], scores]) * share
        for scores, share in zip(sorted_scores, proportions, strict=True)
    ]
    tables = []
    for group, scores in enumerate(sorted_scores):
        n_group = len(scores)
        levels = np.arange(n_group + 1, dtype=np.int64)
        table = padded[group].copy()  # ceil(k n_s / n_s) = k
        index = np.empty_like(levels)
        term = np.empty(n_group + 1)
        for other, other_scores in enumerate(sorted_scores):
            if other == group:
                continue
            # ceil(k m / n) = (k m + n - 1) // n in exact integer arithmetic.
            np.multiply(levels, len(other_scores), out=index)
            index += n_group - 1
            np.floor_divide(index, n_group, out=index)
            np.take(padded[other], index, out=term, mode="clip")  # in range: skip the check
            table += term
        tables.append(table)
    return tables


def _sensitive_features_by_keyword(method):
    """Refuse the sensitive features given positionally (the signature before 0.2)."""

    @functools.wraps(method)
    def checked(self, scores, *positional, **keywords):
        if positional:
            raise TypeError(
                f"BarycenterMap.{method.__name__}() takes the sensitive features (and alphas) "
                f"by keyword, like every FairDash mitigator: call "
                f"{method.__name__}(scores, sensitive_features=...)."
            )
        return method(self, scores, **keywords)

    return checked


def _check_alpha(alpha) -> np.ndarray:
    alphas = np.asarray(alpha, dtype=np.float64)
    if not np.all((alphas >= 0.0) & (alphas <= 1.0)):
        raise InputError(f"alpha must be between 0 and 1, got {alpha!r}.")
    return alphas


def _relax(scores: np.ndarray, fair: np.ndarray, alpha: float) -> np.ndarray:
    """sqrt(alpha) f + (1 - sqrt(alpha)) g; alpha = 1 returns the scores exactly."""
    if alpha == 1.0:
        return scores.copy()
    if alpha == 0.0:
        return fair
    root = np.sqrt(alpha)
    return root * scores + (1.0 - root) * fair


class BarycenterMap(BaseEstimator):
    """Map scores to the Wasserstein barycenter of the groups' score distributions.

    Each score ``f`` of a row of group ``s`` becomes

        g = sum_s' p_s' Q_s'(F_s(f + e)),   e ~ U(-jitter, jitter),

    the same quantile level of the barycenter: afterwards every group has (up to
    sampling error) the same score distribution, so any threshold selects the
    same share of every group (demographic parity), at the least squared change
    of the scores (Chzhen et al., 2020). ``F_s`` is the empirical CDF of the
    jittered calibration scores of group ``s``, ``Q_s'`` the empirical quantile
    function of group ``s'`` (of the same jittered scores) and ``p_s'`` its
    share of the calibration rows. The jitter breaks ties, as in the paper's
    reference code; it is drawn afresh (from ``random_state``) for the
    calibration scores in ``fit`` and for the scores in ``transform``, one draw
    per row in row order, so a row's image can depend on the rows transformed
    with it (``jitter=0`` makes each row's image depend on its score alone).

    The relaxed map ``sqrt(alpha) f + (1 - sqrt(alpha)) g`` trades fairness
    for fidelity: ``alpha=0`` is fully fair, ``alpha=1`` returns the scores.
    Within a group the map is non-decreasing in the score (up to swaps of
    scores closer than ``2 * jitter``).

    Parameters
    ----------
    alpha : float, default=0.0
        Relaxation in [0, 1].
    jitter : float, default=1e-5
        Half-width of the uniform tie-breaking noise (0 for none).
    random_state : int, numpy Generator or RandomState, or None, default=None
        Seed of the noise. With an int, ``transform`` is deterministic.

    Attributes
    ----------
    groups_ : list of tuple
        The calibration groups (tuples of sensitive values).
    group_proportions_ : numpy.ndarray of shape (n_groups,)
        Share ``p_s`` of each group among the calibration rows.
    sorted_scores_ : list of numpy.ndarray
        The jittered calibration scores of each group, sorted.
    fair_score_tables_ : list of numpy.ndarray
        Per group ``s``, the fair score at CDF level ``k / n_s`` for ``k = 0..n_s``.

    References
    ----------
    E. Chzhen, C. Denis, M. Hebiri, L. Oneto and M. Pontil, "Fair regression
    with Wasserstein barycenters", NeurIPS 2020.
    """

    def __init__(self, *, alpha: float = 0.0, jitter: float = 1e-5, random_state=None) -> None:
        self.alpha = alpha
        self.jitter = jitter
        self.random_state = random_state

    def _check_jitter(self) -> float:
        jitter = self.jitter
        if not (isinstance(jitter, numbers.Real) and np.isfinite(jitter) and jitter >= 0):
            raise InputError(f"jitter must be a non-negative number, got {jitter!r}.")
        return float(jitter)

    @_sensitive_features_by_keyword
    def fit(self, scores, *, sensitive_features) -> BarycenterMap:
        """Learn each group's score distribution from calibration scores.

        Parameters
        ----------
        scores : array-like of shape (n_samples,)
            Calibration scores (predictions of the model to post-process) on
            data not used to fit that model.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s) of each row.

        Returns
        -------
        self

        Raises
        ------
        fairdash.InputError
            If a group has fewer than 2 calibration scores.
        """
        _check_alpha(self.alpha)
        jitter = self._check_jitter()
        values = check_scores(scores)
        groups = encode_groups(sensitive_features, n_rows=len(values), keep_empty=False)
        counts = np.bincount(groups.codes, minlength=groups.n_groups)
        small = np.flatnonzero(counts < 2)
        if len(small):
            group = int(small[0])
            raise InputError(
                f"Sensitive group {groups.describe(group)} has {counts[group]} calibration "
                "score(s); the barycenter needs at least 2 per group."
            )
        noise = None
        if jitter > 0:
            noise = _jitter_generator(self.random_state, 0).uniform(-jitter, jitter, len(values))
        self.sorted_scores_ = _split_by_group(values, groups.codes, counts)
        start = 0
        for segment in self.sorted_scores_:  # each a fresh array: jitter and sort in place
            if noise is not None:
                segment += noise[start : start + len(segment)]
            start += len(segment)
            segment.sort()
        self.groups_ = groups.keys
        self.group_proportions_ = counts / len(values)
        self.fair_score_tables_ = _fair_score_tables(self.sorted_scores_, self.group_proportions_)
        return self

    def _fair_scores(self, scores, sensitive_features) -> tuple[np.ndarray, np.ndarray]:
        """The scores and their fully fair (alpha = 0) images."""
        check_is_fitted(self)
        jitter = self._check_jitter()
        values = check_scores(scores)
        groups = encode_groups(sensitive_features, n_rows=len(values))
        codes = groups.codes_in(self.groups_)
        jittered = values
        if jitter > 0:
            jittered = values + _jitter_generator(self.random_state, 1).uniform(
                -jitter, jitter, len(values)
            )
        n_groups = len(self.groups_)
        # Ordered by the jittered scores, so that within a group the queries are sorted
        # to ~1e-12 of their range: np.searchsorted is ~3x faster on monotone keys.
        order = _grouped_order(jittered, codes, n_groups)
        bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=n_groups))])
        ordered = jittered[order]
        fair = np.empty(len(values))
        for group in range(n_groups):
            rows = slice(bounds[group], bounds[group + 1])
            ranks = _ranks(self.sorted_scores_[group], ordered[rows])
            fair[order[rows]] = self.fair_score_tables_[group][ranks]
        return values, fair

    @_sensitive_features_by_keyword
    def transform(self, scores, *, sensitive_features) -> np.ndarray:
        """Map scores to the barycenter (relaxed by ``alpha``).

        Parameters
        ----------
        scores : array-like of shape (n_samples,)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s) of each row; every group must have been seen in ``fit``.

        Returns
        -------
        numpy.ndarray of shape (n_samples,)

        Raises
        ------
        fairdash.InputError
            If a row's group was not seen in ``fit``.
        """
        alpha = float(_check_alpha(self.alpha))
        values, fair = self._fair_scores(scores, sensitive_features)
        return _relax(values, fair, alpha)

    @_sensitive_features_by_keyword
    def transform_path(self, scores, *, sensitive_features, alphas) -> np.ndarray:
        """Map scores for many relaxations at once; the barycenter is computed once.

        Parameters
        ----------
        scores : array-like of shape (n_samples,)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
        alphas : array-like of shape (n_alphas,)
            Relaxations in [0, 1].

        Returns
        -------
        numpy.ndarray of shape (n_alphas, n_samples)
            Row ``i`` equals ``transform`` with ``alpha=alphas[i]`` (same noise).
        """
        alphas = np.atleast_1d(_check_alpha(alphas))
        if alphas.ndim != 1:
            raise InputError(f"alphas must be 1-D, got shape {alphas.shape}.")
        values, fair = self._fair_scores(scores, sensitive_features)
        path = np.empty((len(alphas), len(values)))
        for row, alpha in zip(path, alphas, strict=True):
            if alpha == 1.0:
                row[:] = values
                continue
            root = np.sqrt(alpha)
            np.multiply(fair, 1.0 - root, out=row)  # in place: one pass per alpha
            if root:
                row += root * values
        return path

    @_sensitive_features_by_keyword
    def fit_transform(self, scores, *, sensitive_features) -> np.ndarray:
        """``fit`` then ``transform`` on the same scores."""
        self.fit(scores, sensitive_features=sensitive_features)
        return self.transform(scores, sensitive_features=sensitive_features)
