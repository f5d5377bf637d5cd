"""Sums over every combination of up to ``max_order`` columns, from few passes over the rows.

A pass builds one mixed-radix key per row from the codes of a *block* of
columns (and the row's outcome cell) and sums with ``numpy.bincount``. The
sums of a combination of columns inside the block follow by summing the
block's array over the other columns' axes, so one pass serves every
combination the block contains. Blocks are chosen greedily to cover all
combinations of the top order with few passes while keeping the block's
array small.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from fairdash._errors import InputError

__all__ = ["MAX_CELLS", "combination_sums", "covering_blocks"]

# Cells of a block's array: 2**18 float64 (2 MiB) per sum keeps bincount in cache.
_BLOCK_CELLS = 1 << 18
#: Most cells one combination of columns may have (its values' product).
MAX_CELLS = 1 << 24


def covering_blocks(
    radices: Sequence[int], *, order: int, n_outcomes: int = 1, max_cells: int = _BLOCK_CELLS
) -> list[tuple[int, ...]]:
    """Blocks of columns such that every ``order``-combination lies inside one.

    Greedy: a block starts from the first combination not yet covered and
    grows by the column that covers most new combinations, while the block's
    cells (product of radices times ``n_outcomes``) stay within ``max_cells``.

    Parameters
    ----------
    radices : sequence of int
        Number of values of every column.
    order : int
        Size of the combinations to cover (at most ``len(radices)``).
    n_outcomes : int, default=1
        Outcome cells per combination of values.
    max_cells : int
        Largest block array (a single combination may exceed it).

    Returns
    -------
    list of tuple of int
        Sorted column positions of every block.
    """
    n = len(radices)
    uncovered = set(itertools.combinations(range(n), order))
    blocks = []
    while uncovered:
        block = set(min(uncovered))
        cells = n_outcomes * math.prod(radices[j] for j in block)
        while True:
            best, best_new = None, 0
            for c in range(n):
                if c in block or cells * radices[c] > max_cells:
                    continue
                new = sum(
                    tuple(sorted((*rest, c))) in uncovered
                    for rest in itertools.combinations(sorted(block), order - 1)
                )
                if new > best_new:
                    best, best_new = c, new
            if best is None:
                break
            block.add(best)
            cells *= radices[best]
        members = tuple(sorted(block))
        uncovered.difference_update(itertools.combinations(members, order))
        blocks.append(members)
    return blocks


def combination_sums(
    codes: Sequence[np.ndarray],
    radices: Sequence[int],
    *,
    max_order: int,
    outcome: np.ndarray | None,
    n_outcomes: int,
    weights: Sequence[np.ndarray | None],
) -> dict[tuple[int, ...], list[np.ndarray]]:
    """Per combination of 1 to ``max_order`` columns, sums over its cells.

    Parameters
    ----------
    codes : sequence of numpy.ndarray
        Integer codes of every column (dtype intp), ``codes[j] < radices[j]``.
    radices : sequence of int
        Number of values of every column.
    max_order : int
        Largest number of columns in a combination.
    outcome : numpy.ndarray or None
        Outcome cell of every row in ``[0, n_outcomes)`` (None: one cell).
    n_outcomes : int
        Number of outcome cells.
    weights : sequence of (numpy.ndarray or None)
        What to sum: ``None`` counts rows, an array sums its values.

    Returns
    -------
    dict
        Maps the sorted column positions of a combination to one array per
        entry of ``weights``, of shape ``(*radices_of_combination, n_outcomes)``.

    Raises
    ------
    fairdash.InputError
        If a combination has more than :data:`MAX_CELLS` cells.
    """
    n_columns = len(codes)
    order = min(max_order, n_columns)
    for combo in itertools.combinations(range(n_columns), order):
        cells = math.prod(radices[j] for j in combo)
        if cells * n_outcomes > MAX_CELLS:
            raise InputError(
                f"The {order} columns with most values have {cells:,} combinations of values, "
                "too many to search; choose fewer columns with many values, or a lower "
                "max_order.",
            )
    result: dict[tuple[int, ...], list[np.ndarray]] = {}
    for block in covering_blocks(radices, order=order, n_outcomes=n_outcomes):
        shape = (*(radices[j] for j in block), n_outcomes)
        key = codes[block[0]].copy()
        for j in block[1:]:
            key *= radices[j]
            key += codes[j]
        if n_outcomes > 1:
            key *= n_outcomes
            key += outcome
        size = math.prod(shape)
        sums = [
            np.bincount(key, weights=w, minlength=size).reshape(shape) for w in weights
        ]
        _marginals(block, sums, radices, order=order, result=result)
    return result


def _marginals(
    block: tuple[int, ...],
    sums: list[np.ndarray],
    radices: Sequence[int],
    *,
    order: int,
    result: dict[tuple[int, ...], list[np.ndarray]],
) -> None:
    """Add to ``result`` every combination of 1 to ``order`` columns of ``block`` it lacks.

    Each subset of the block is summed from a subset one column larger (the
    one adding the column with fewest values, so the smallest array), level by
    level, rather than from the block's large array every time.
    """
    arrays = {block: sums}
    if len(block) <= order and block not in result:
        result[block] = sums
    for k in range(len(block) - 1, 0, -1):
        for subset in itertools.combinations(block, k):
            if k <= order and subset in result:
                continue  # from an earlier block, with all its own subsets
            extra = min((j for j in block if j not in subset), key=lambda j: radices[j])
            larger = tuple(sorted((*subset, extra)))
            source = arrays[larger] if larger in arrays else result[larger]
            axis = larger.index(extra)
            summed = [s.sum(axis=axis) for s in source]
            if k <= order:
                result[subset] = summed
            else:
                arrays[subset] = summed
