"""compact_frame: smaller column types, the same values, and the reading notes kept."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

import fairdash
from fairdash import io as fio


def test_values_and_read_notes_survive():
    text = "id,sex,sex,score\n1,F,a,0.5\n2,M,b,0.25\n3,F,a,0.125\n"
    data = fio.read_table(io.BytesIO(text.encode()), name="repeated.csv")
    compact = fairdash.compact_frame(data)
    assert fio.read_notes(compact) == fio.read_notes(data) != []
    assert compact.attrs["fairdash_io"]["renamed"] == {"sex.1": "sex"}
    pd.testing.assert_frame_equal(
        compact.astype(object), data.astype(object), check_dtype=False
    )
    assert compact["score"].dtype == np.float32  # 0.5, 0.25, 0.125 are exact float32


def test_integers_take_the_type_pandas_downcast_chooses():
    from fairdash._compact import _smallest_integers

    cases = [
        np.array([0, 1, 127], dtype=np.int64), np.array([-129, 5], dtype=np.int64),
        np.array([40_000, -3], dtype=np.int64), np.array([2**40, 0], dtype=np.int64),
        np.array([np.iinfo(np.int64).min, 1], dtype=np.int64),
        np.array([3, 200], dtype=np.uint8), np.array([2**63 + 5, 1], dtype=np.uint64),
        np.array([7, 9], dtype=np.uint64), np.array([-5, 100], dtype=np.int16),
        np.array([], dtype=np.int64),
    ]
    for values in cases:
        column = pd.Series(values, name="n")
        got = _smallest_integers(column)
        expected = pd.to_numeric(column, downcast="integer")
        pd.testing.assert_series_equal(got, expected)
