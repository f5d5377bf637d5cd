"""The messy-data generator keeps the traits other tests rely on."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests._messy import MESSY, make_messy_csv, make_messy_frame


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_traits(seed):
    raw = make_messy_csv(n_rows=500, random_state=seed)
    header = raw.decode().splitlines()[0].split(",")
    assert header.count("decile_score") == 2 and header.count("priors_count") == 2
    frame = pd.read_csv(io.BytesIO(raw))
    for copy, original in MESSY["repeated"].items():
        assert (frame[copy] == frame[original]).all()
    cell = frame.groupby(list(MESSY["sensitive"])).size()
    assert 1 <= cell[MESSY["tiny_cell"]] <= 3
    assert frame[MESSY["target"]].isin([0, 1]).all()
    for name in MESSY["identifiers"]:
        assert frame[name].nunique() >= 0.95 * len(frame)
    assert frame[MESSY["constant"][0]].nunique() == 1
    assert frame[MESSY["mostly_missing"][0]].isna().mean() > 0.8
    assert (frame["is_recid"] == frame[MESSY["target"]]).mean() > 0.95
    assert pd.to_datetime(frame["dob"], format="%Y-%m-%d").notna().all()


def test_same_seed_same_table():
    first, again = make_messy_frame(random_state=3), make_messy_frame(random_state=3)
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(ValueError, match="at least 200"):
        make_messy_frame(n_rows=10)
