"""Messy synthetic data for the slice search: text, categories, numbers to bin, missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

# The slice planted with a raised error rate (in the order of the columns).
PLANTED = (("sex", "Female"), ("region", "south"), ("charge", "misdemeanour"))


def messy_features(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Eight candidate columns of the kinds real tables hold."""
    age = rng.integers(18, 80, n).astype("float64")
    age[rng.random(n) < 0.03] = np.nan  # missing, and binned: 4 quantile bins + "(missing)"
    race = rng.choice(np.array(["White", "Black", "Asian"], dtype=object), n, p=[0.6, 0.3, 0.1])
    race[rng.random(n) < 0.02] = None
    return pd.DataFrame(
        {
            "sex": pd.array(rng.choice(["Female", "Male"], n), dtype="str"),
            "race": race,
            "age": age,
            "region": pd.Categorical(
                rng.choice(["north", "south", "east"], n), categories=["north", "south", "east"]
            ),
            "band": rng.integers(1, 6, n),  # numeric with few values: kept as categories
            "flag": rng.random(n) < 0.3,
            "charge": rng.choice(["felony", "misdemeanour", "none"], n),
            "degree": rng.choice(["F", "M"], n),
        }
    )


def planted_predictions(
    features: pd.DataFrame, rng: np.random.Generator, *, base: float = 0.12, raised: float = 0.45
) -> tuple[np.ndarray, np.ndarray]:
    """Labels and predictions wrong at rate ``base``, ``raised`` inside the planted slice."""
    n = len(features)
    y_true = (rng.random(n) < 0.4).astype(np.int64)
    inside = np.ones(n, dtype=bool)
    for column, value in PLANTED:
        inside &= (features[column].astype(str) == value).to_numpy()
    wrong = rng.random(n) < np.where(inside, raised, base)
    return y_true, np.where(wrong, 1 - y_true, y_true)


@pytest.fixture(scope="module")
def messy() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    features = messy_features(6000, rng)
    y_true, y_pred = planted_predictions(features, rng)
    return features, y_true, y_pred
