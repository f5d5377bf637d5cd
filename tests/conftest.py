"""Shared fixtures: project paths and the bundled data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def messy_frame():
    """The messy criminal-justice-like table of :mod:`tests._messy` (2,000 rows; do not modify)."""
    from tests._messy import make_messy_frame

    return make_messy_frame(n_rows=2000, random_state=0)
