"""Shared fixtures: project paths and the bundled data."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def messy_frame():
    """The messy criminal-justice-like table of :mod:`tests._messy` (2,000 rows; do not modify)."""
    from tests._messy import make_messy_frame

    return make_messy_frame(n_rows=2000, random_state=0)


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


def shown_text(markdown: str) -> str:
    """The text a user sees for ``markdown`` the pages escaped with ``fairdash.markdown_text``
    (its backslash escapes and invisible word joiners removed), for tests that look for
    words in messages."""
    return re.sub(r"\\(.)", r"\1", str(markdown)).replace("\u2060", "")
