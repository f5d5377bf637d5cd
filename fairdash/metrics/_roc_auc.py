"""ROC AUC of every group in one sort: the weighted Mann-Whitney statistic."""

from __future__ import annotations

import numpy as np

__all__ = ["grouped_roc_auc"]


def grouped_roc_auc(
    *,
    codes: np.ndarray | None,
    n_groups: int,
    positive: np.ndarray,
    score: np.ndarray,
    weights: np.ndarray | None,
) -> np.ndarray:
    """ROC AUC of every group at once, as the (weighted) Mann-Whitney statistic.

    For a group, AUC is the weighted share of (positive, negative) pairs whose
    positive scores higher, ties counting one half; this equals the trapezoidal
    area under the ROC curve that ``sklearn.metrics.roc_auc_score`` computes
    (with ``sample_weight``, too). One sort by (group, score) serves all groups.

    Parameters
    ----------
    codes : numpy.ndarray or None
        Group code per row; ``None`` for one group of all rows.
    n_groups : int
        Number of groups.
    positive : numpy.ndarray
        Boolean ``y_true == pos_label``.
    score : numpy.ndarray
        Scores, higher meaning more likely positive.
    weights : numpy.ndarray or None
        Sample weights.

    Returns
    -------
    numpy.ndarray
        AUC per group; NaN for a group without both classes.
    """
    if codes is None:
        order = np.argsort(score, kind="stable")
        group = np.zeros(len(score), dtype=np.intp)
    else:
        order = np.lexsort((score, codes))
        group = codes.take(order)
    s = score.take(order)
    pos = positive.take(order)

    # A block is a run of tied scores within one group.
    new_block = np.empty(len(s), dtype=bool)
    new_block[:1] = True
    np.not_equal(s[1:], s[:-1], out=new_block[1:])
    new_block[1:] |= group[1:] != group[:-1]
    block = np.cumsum(new_block) - 1
    n_blocks = int(block[-1]) + 1 if len(block) else 0
    if weights is None:
        # Integer sums keep the unweighted statistic exact.
        block_pos = np.bincount(block[pos], minlength=n_blocks)
        block_neg = np.bincount(block, minlength=n_blocks) - block_pos
    else:
        w = weights.take(order)
        block_pos = np.bincount(block, weights=np.where(pos, w, 0.0), minlength=n_blocks)
        block_neg = np.bincount(block, weights=np.where(pos, 0.0, w), minlength=n_blocks)
    block_group = group[new_block]

    # Negatives scoring strictly lower, within the block's own group.
    neg_before = np.cumsum(block_neg) - block_neg
    first_of_group = np.empty(n_blocks, dtype=bool)
    first_of_group[:1] = True
    np.not_equal(block_group[1:], block_group[:-1], out=first_of_group[1:])
    neg_before -= neg_before[first_of_group][np.cumsum(first_of_group) - 1]

    # Twice the statistic, so that the unweighted case stays in integers.
    pairs2 = block_pos * (2 * neg_before + block_neg)
    numerator = np.bincount(block_group, weights=pairs2, minlength=n_groups)
    n_pos = np.bincount(block_group, weights=block_pos, minlength=n_groups)
    n_neg = np.bincount(block_group, weights=block_neg, minlength=n_groups)
    both = (n_pos > 0) & (n_neg > 0)
    auc = np.full(n_groups, np.nan)
    np.divide(numerator, 2 * n_pos * n_neg, out=auc, where=both)
    return auc
