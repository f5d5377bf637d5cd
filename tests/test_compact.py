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
