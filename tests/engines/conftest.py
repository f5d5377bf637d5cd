"""Fixtures for the engine tests: a prediction log written as Parquet parts, a Spark session."""

from __future__ import annotations

import os
import shutil

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


def _java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


@pytest.fixture(scope="session")
def spark():
    """A local Spark session; skipped (failed under CI) when PySpark or Java is missing."""
    reason = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        reason = "PySpark is not installed (pip install fairdash[spark])"
    if reason is None and not _java_available():
        reason = "no Java runtime for Spark (apt-get install openjdk-17-jre-headless)"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"Spark tests must run in CI: {reason}")
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("fairdash-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
