"""The train / calibration / test split of a trade-off run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairdash._errors import InputError
from fairdash._problem import Problem
from fairdash._training import MAX_FIT_ROWS, fit_sample, problem_strata, split_indices

__all__ = ["TradeoffSplit", "split_data"]


@dataclass(frozen=True)
class TradeoffSplit:
    """Rows of a train / calibration / test split (labels of the data's index).

    The test rows are those :func:`fairdash.train_model` uses with the same
    ``test_size`` and ``random_state``; the calibration rows (for
    post-processing) are split off the rest, stratified the same way.

    ``train_sample`` and ``calibration_sample`` are the rows models are fitted
    and post-processors calibrated on when those parts are larger than the
    largest fit (a stratified sample, as :func:`fairdash.train_model` draws
    it); None when every row of the part is used. Every test row is evaluated.
    """

    train_index: pd.Index
    calibration_index: pd.Index
    test_index: pd.Index
    train_sample: pd.Index | None = None
    calibration_sample: pd.Index | None = None

    @property
    def fit_index(self) -> pd.Index:
        """The rows models are fitted on (the training rows, or their sample)."""
        return self.train_index if self.train_sample is None else self.train_sample

    @property
    def calibration_fit_index(self) -> pd.Index:
        """The rows post-processors calibrate on (the calibration rows, or their sample)."""
        if self.calibration_sample is None:
            return self.calibration_index
        return self.calibration_sample


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
    max_fit_rows: int | None = MAX_FIT_ROWS,
) -> TradeoffSplit:
    """Split the usable rows into train, calibration and test parts.

    A training or calibration part larger than ``max_fit_rows`` also gets a
    stratified sample of that many rows (by target and group, the sample
    :func:`fairdash.train_model` fits on), which models fit on and
    post-processors calibrate on; every test row is still evaluated. With no
    calibration rows, the training rows and their sample are exactly those of
    ``train_model`` with the same ``test_size``, ``random_state`` and
    ``max_fit_rows``.

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
    max_fit_rows : int or None, default=MAX_FIT_ROWS
        Sample larger training and calibration parts to this many rows (None: never).

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

    def sample(positions: np.ndarray) -> pd.Index | None:
        kept = fit_sample(strata[positions], max_rows=max_fit_rows, random_state=random_state)
        return None if kept is None else frame.index[positions[kept]]

    return TradeoffSplit(
        train_index=frame.index[rest],
        calibration_index=frame.index[calibration],
        test_index=frame.index[test],
        train_sample=sample(rest),
        calibration_sample=sample(calibration) if len(calibration) else None,
    )
