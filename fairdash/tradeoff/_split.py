"""The train / calibration / test split of a trade-off run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash._problem import Problem
from fairdash._training import problem_strata, split_indices

__all__ = ["TradeoffSplit", "split_data"]


@dataclass(frozen=True)
class TradeoffSplit:
    """Rows of a train / calibration / test split (labels of the data's index).

    The test rows are those :func:`fairdash.train_model` uses with the same
    ``test_size`` and ``random_state``; the calibration rows (for
    post-processing) are split off the rest, stratified the same way.
    """

    train_index: pd.Index
    calibration_index: pd.Index
    test_index: pd.Index


def _strata(problem: Problem, frame: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    # The strata of fairdash.train_model, so the test rows are the same as a training run's.
    return problem_strata(problem, problem.sensitive(frame), y)


def split_data(
    data: pd.DataFrame,
    problem: Problem,
    *,
    test_size: float = 0.3,
    calibration_size: float = 0.2,
    random_state: int = 0,
) -> TradeoffSplit:
    """Split the usable rows into train, calibration and test parts.

    Parameters
    ----------
    data : pandas.DataFrame
    problem : Problem
    test_size : float, default=0.3
        Share of the rows in the test part.
    calibration_size : float, default=0.2
        Share of the rows in the calibration part (0: none; post-processing then
        calibrates on the training rows).
    random_state : int, default=0

    Returns
    -------
    TradeoffSplit

    Examples
    --------
    >>> import fairdash
    >>> from fairdash import datasets
    >>> adult = datasets.load("adult").head(1000)
    >>> problem = fairdash.define_problem(
    ...     adult, target="income", sensitive_features=["sex"], positive_label=">50K"
    ... )
    >>> split = split_data(adult, problem, test_size=0.3, calibration_size=0.2)
    >>> len(split.train_index), len(split.calibration_index), len(split.test_index)
    (500, 200, 300)
    """
    if not 0.0 <= calibration_size < 1.0 or test_size + calibration_size >= 1.0:
        raise InputError(
            f"The calibration share must be at least 0 and leave rows to train on; got "
            f"calibration {calibration_size} with test {test_size}."
        )
    rows = problem.usable_rows(data)
    frame = data.loc[rows]
    y = problem.encode_target(frame)
    strata = _strata(problem, frame, y)
    rest, test = split_indices(strata, test_size=test_size, random_state=random_state)
    calibration = np.array([], dtype=np.int64)
    if calibration_size > 0:
        share = calibration_size / (1.0 - test_size)
        fit, cal = split_indices(strata[rest], test_size=share, random_state=random_state)
        rest, calibration = rest[fit], rest[cal]
    return TradeoffSplit(
        train_index=frame.index[rest],
        calibration_index=frame.index[calibration],
        test_index=frame.index[test],
    )
