"""Fixtures for the engine tests: a prediction log written as Parquet parts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_log(n: int = 20_000, *, seed: int = 0) -> pd.DataFrame:
    """A prediction log with text, numeric and missing sensitive values and weights."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Female", "Male"], n)
    race = rng.choice(["White", "Black", "Asian", None], n, p=[0.6, 0.2, 0.15, 0.05])
    age = rng.integers(18, 90, n)
    y = rng.random(n) < np.where(sex == "Male", 0.35, 0.2)
    score = np.clip(rng.normal(np.where(y, 0.6, 0.4), 0.2), 0, 1).round(4)
    return pd.DataFrame(
        {
            "sex": sex,
            "race": race,
            "age": age,
            "income": np.where(y, ">50K", "<=50K"),
            "pred": (score > 0.5).astype(int),
            "score": score,
            "weight": rng.uniform(0.5, 2.0, n),
        }
    )


@pytest.fixture(scope="session")
def log_frame() -> pd.DataFrame:
    return make_log()


@pytest.fixture(scope="session")
def log_folder(tmp_path_factory, log_frame) -> str:
    folder = tmp_path_factory.mktemp("log")
    for i, part in enumerate(np.array_split(np.arange(len(log_frame)), 4)):
        log_frame.iloc[part].to_parquet(folder / f"part-{i}.parquet", index=False)
    return str(folder)
