"""Grid search defaults that fit the number of groups, and when grid search is the wrong tool.

fairlearn's grid of Lagrange multipliers has one dimension per group but one
for demographic parity and the other single-rate constraints, and two per group
but two for equalized odds. To cover ``d`` dimensions at all it recommends at
least ``2 ** d`` grid points, and warns above 4 dimensions: each point is a
model fit, so a grid cannot follow many groups (sex x race: 10 groups, 9 or
18 dimensions). Exponentiated gradient and the threshold optimizer have no
grid: they are the methods to use there.
"""

from __future__ import annotations

from fairdash._errors import InputError
from fairdash.tradeoff._catalogue import CATALOGUE

__all__ = [
    "MAX_GRID_DIMENSIONS",
    "grid_dimensions",
    "grid_search_note",
    "grid_size_for_groups",
]

#: Above this many dimensions grid search is the wrong tool (fairlearn warns above it too).
MAX_GRID_DIMENSIONS = 4

# Constraints with two rates per group (true and false positive rates).
_TWO_RATE_CONSTRAINTS = frozenset({"equalized_odds"})


def grid_dimensions(n_groups: int, *, constraints: str) -> int:
    """The dimensions of fairlearn's grid of Lagrange multipliers.

    Parameters
    ----------
    n_groups : int
        Groups in the fitting rows (intersections of the sensitive features).
    constraints : str
        A reduction constraint name, e.g. ``"demographic_parity"`` (the grid
        search choices of :data:`CATALOGUE`).

    Returns
    -------
    int
        ``n_groups - 1``, twice that for equalized odds.
    """
    choices = CATALOGUE["grid_search"].parameter("constraints").choices
    if constraints not in choices:
        raise InputError(
            f"Unknown constraints {constraints!r}; choose one of: {', '.join(choices)}."
        )
    if n_groups < 1:
        raise InputError(f"The number of groups must be at least 1, got {n_groups!r}.")
    rates = 2 if constraints in _TWO_RATE_CONSTRAINTS else 1
    return rates * (int(n_groups) - 1)


def grid_size_for_groups(n_groups: int, *, constraints: str) -> int:
    """The default grid size (candidates) for this many groups.

    fairlearn's recommended minimum ``2 ** d`` for ``d`` dimensions, at least
    the catalogue's default (10), and no more than ``2 ** MAX_GRID_DIMENSIONS``
    (16): beyond that no affordable grid covers the space, and
    :func:`grid_search_note` points to the methods to use instead.

    Parameters
    ----------
    n_groups : int
    constraints : str

    Returns
    -------
    int
    """
    dimensions = grid_dimensions(n_groups, constraints=constraints)
    default = int(CATALOGUE["grid_search"].parameter("grid_size").default)
    return max(default, 2 ** min(dimensions, MAX_GRID_DIMENSIONS))


def grid_search_note(n_groups: int, *, constraints: str, grid_size: int) -> str | None:
    """A sentence for the user when the grid is too coarse for the groups, else None.

    Parameters
    ----------
    n_groups : int
    constraints : str
    grid_size : int
        The candidates asked for.

    Returns
    -------
    str or None
        Says that grid search is the wrong tool (above
        :data:`MAX_GRID_DIMENSIONS` dimensions) and which methods to use, or
        that the grid is smaller than fairlearn's recommended minimum.
    """
    dimensions = grid_dimensions(n_groups, constraints=constraints)
    needed = 2**dimensions
    label = CATALOGUE["grid_search"].parameter("constraints").choice_label(constraints)
    shape = f"With {n_groups} groups the {label.lower()} grid has {dimensions} dimensions"
    if dimensions > MAX_GRID_DIMENSIONS:
        return (
            f"Grid search is the wrong tool here. {shape}: covering them takes at least "
            f"{needed:,} candidates (one model each), and {grid_size} leave most of the "
            "trade-off unexplored. Use exponentiated gradient (in-processing) or the "
            "threshold optimizer (post-processing, one threshold per group) instead."
        )
    if grid_size < needed:
        return (
            f"{shape}: fairlearn recommends at least {needed} candidates; {grid_size} "
            "explore it coarsely."
        )
    return None
