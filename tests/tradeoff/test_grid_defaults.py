"""Grid search defaults per number of groups, checked against fairlearn's own grid."""

import logging

import numpy as np
import pandas as pd
import pytest
from fairlearn.reductions import GridSearch
from sklearn.linear_model import LogisticRegression

from fairdash import InputError
from fairdash.mitigation import CONSTRAINTS
from fairdash.tradeoff import (
    MAX_GRID_DIMENSIONS,
    grid_dimensions,
    grid_search_note,
    grid_size_for_groups,
)


def _groups_data(n_groups: int):
    rng = np.random.default_rng(n_groups)
    n = 60 * n_groups
    group = np.repeat(np.arange(n_groups), 60)
    X = rng.normal(size=(n, 2)) + group[:, None] * 0.1
    y = np.tile([0, 1], n // 2)  # both outcomes in every group
    return X, y, pd.Series(group.astype(str))


@pytest.mark.parametrize("constraints", list(CONSTRAINTS))
@pytest.mark.parametrize("n_groups", [2, 3, 5, 10])
def test_grid_dimensions_are_those_fairlearn_builds_and_warns_about(
    constraints, n_groups, caplog
):
    X, y, group = _groups_data(n_groups)
    logger = logging.getLogger("fairlearn")
    level = logger.level
    logger.setLevel(logging.WARNING)  # other test modules silence fairlearn
    try:
        with caplog.at_level(logging.WARNING, logger="fairlearn"):
            GridSearch(
                LogisticRegression(), constraints=CONSTRAINTS[constraints](), grid_size=2
            ).fit(X, y, sensitive_features=group)
    finally:
        logger.setLevel(level)
    dimensions = grid_dimensions(n_groups, constraints=constraints)
    # fairlearn's grid has one dimension per basis vector of its constraints.
    moment = CONSTRAINTS[constraints]()
    moment.load_data(X, pd.Series(y), sensitive_features=group)
    assert dimensions == len(moment.pos_basis.columns)
    # fairlearn's "too few grid points" warning names 2 ** dimensions.
    assert (f"at least {2 ** dimensions} grid points" in caplog.text) == (2 < 2**dimensions)
    assert (f"The grid has {dimensions} dimensions" in caplog.text) == (
        dimensions > MAX_GRID_DIMENSIONS
    )


@pytest.mark.parametrize(
    ("n_groups", "constraints", "expected"),
    [
        (2, "demographic_parity", 10),  # 1 dimension: the catalogue's 10
        (4, "demographic_parity", 10),  # 3 dimensions: 2**3 = 8 < 10
        (5, "demographic_parity", 16),  # 4 dimensions: fairlearn's minimum 16
        (10, "demographic_parity", 16),  # 9: no grid covers it; capped, and a note
        (2, "equalized_odds", 10),  # 2 dimensions
        (3, "equalized_odds", 16),  # 4 dimensions
        (10, "equalized_odds", 16),  # 18 dimensions
        (1, "demographic_parity", 10),
    ],
)
def test_grid_size_per_number_of_groups(n_groups, constraints, expected):
    assert grid_size_for_groups(n_groups, constraints=constraints) == expected


def test_the_note_says_when_grid_search_is_the_wrong_tool():
    # sex x race in Adult: 10 groups.
    note = grid_search_note(10, constraints="demographic_parity", grid_size=16)
    assert note.startswith("Grid search is the wrong tool")
    assert "9 dimensions" in note and "512 candidates" in note
    assert "exponentiated gradient" in note and "threshold optimizer" in note
    assert "18 dimensions" in grid_search_note(10, constraints="equalized_odds", grid_size=60)
    # Few dimensions: silent when the grid meets fairlearn's minimum, a remark when not.
    assert grid_search_note(2, constraints="demographic_parity", grid_size=10) is None
    assert grid_search_note(5, constraints="demographic_parity", grid_size=16) is None
    coarse = grid_search_note(5, constraints="demographic_parity", grid_size=10)
    assert "at least 16 candidates" in coarse and "wrong tool" not in coarse


def test_bad_arguments_raise_input_error():
    with pytest.raises(InputError, match="Unknown constraints"):
        grid_dimensions(3, constraints="fair")
    with pytest.raises(InputError, match="at least 1"):
        grid_size_for_groups(0, constraints="demographic_parity")
