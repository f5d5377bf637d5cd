"""Writing a table and reading it back gives the same table; exports are safe."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairdash.io import read_table, to_csv_bytes
from fairdash.io._export import neutralise


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "int": [1, -2, 3, 2**62],
            "float": [0.1, -2.5e-10, np.nan, 1e300],
            "text": ["a", "Smith, John", 'say "hi"', "line\nbreak"],
            "accents": ["é", "ß", "中文", None],
            "bool": [True, False, True, False],
            "spaces": [" padded ", "x", "y", "z"],
            "code": ["007", "012", "100", "000"],
        }
    )


_WHEN = pd.to_datetime(["2020-01-01", None, "2021-06-30 12:00", "1999-12-31"], format="ISO8601")


def test_csv_round_trip():
    df = _frame()
    out = read_table(to_csv_bytes(df), name="r.csv")
    pd.testing.assert_frame_equal(out, df)


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_csv_round_trip_other_delimiters(sep):
    df = _frame().drop(columns=["float"])  # ";" files read "1,5" as a decimal comma
    data = df.to_csv(index=False, sep=sep, lineterminator="\n").encode()
    pd.testing.assert_frame_equal(read_table(data, name="r.txt"), df)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_round_trip_encodings(encoding):
    df = _frame().drop(columns=["accents"])
    df["name"] = ["José", "Zoë", "Ángel", "François"]
    data = df.to_csv(index=False, lineterminator="\r\n").encode(encoding)
    pd.testing.assert_frame_equal(read_table(data, name="r.csv"), df)


def test_csv_round_trip_with_bom():
    df = _frame()
    pd.testing.assert_frame_equal(read_table(to_csv_bytes(df, bom=True), name="r.csv"), df)


def test_parquet_round_trip():
    df = _frame()
    df["category"] = pd.Categorical(["x", "y", "x", None])
    df["when"] = _WHEN
    buffer = io.BytesIO()
    df.to_parquet(buffer)
    pd.testing.assert_frame_equal(read_table(buffer.getvalue(), name="r.parquet"), df)


def test_excel_round_trip():
    df = _frame()
    df["int"] = [1, -2, 3, 10**15]  # Excel stores numbers as doubles, with 15 digits
    df["when"] = _WHEN
    buffer = io.BytesIO()
    df.to_excel(buffer, index=False)
    pd.testing.assert_frame_equal(read_table(buffer.getvalue(), name="r.xlsx"), df)


# --- property-based ----------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity)")
_MARKERS = {"na", "n/a", "nan", "-nan", "null", "none", "<na>", "?", "true", "false"}


def _plain_text(value: str) -> bool:
    """Text that reads back as text: not empty, not a number, not a marker."""
    stripped = value.strip()
    return (
        bool(stripped)
        and not _NUMBER.fullmatch(stripped.lower())
        and stripped.lower() not in _MARKERS
        and not stripped.startswith("#")
    )


_texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])
    | st.sampled_from(",;|\"'\n\t"),
    min_size=1,
    max_size=12,
).filter(_plain_text)


@st.composite
def _frames(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 8))
    columns = {
        "i": st.integers(-(2**63), 2**63 - 1),
        "f": st.floats(allow_nan=False, width=64),
        "s": _texts,
        "b": st.booleans(),
    }
    data = {}
    for name in draw(st.lists(st.sampled_from(list(columns)), min_size=2, max_size=6)):
        data[f"{name}{len(data)}"] = draw(st.lists(columns[name], min_size=n, max_size=n))
    return pd.DataFrame(data)


@settings(max_examples=75, deadline=None)
@given(_frames())
def test_csv_round_trip_property(df):
    out = read_table(to_csv_bytes(df), name="p.csv")
    expected = df.copy()
    for column in expected.columns:
        if column.startswith("s"):  # text that looks like a formula gets a quote on export
            expected[column] = expected[column].map(neutralise).astype("str")
        if column.startswith("f") and expected[column].dtype != "float64":
            expected[column] = expected[column].astype("float64")
    pd.testing.assert_frame_equal(out, expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=8), min_size=1, max_size=10))
def test_exported_cells_never_start_a_formula(values):
    data = to_csv_bytes(pd.DataFrame({"=name": values, "n": range(len(values))}))
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert rows[0] == ["'=name", "n"]
    for row in rows[1:]:
        cell = row[0]
        starts = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
        assert not cell.startswith(starts) or _NUMBER.fullmatch(cell)
