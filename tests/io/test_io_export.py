"""CSV exports neutralise formulas (OWASP CSV injection) without mangling numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairdash.io import to_csv_bytes
from fairdash.io._export import neutralise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\n=1+1", "'\n=1+1"),
        ("\r\n=HYPERLINK(\"http://x\")", "'\r\n=HYPERLINK(\"http://x\")"),
        ("\x00=1+1", "'\x00=1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("- item", "'- item"),
        ("-5", "-5"),  # a plain number is not a formula
        ("+1.5e3", "+1.5e3"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_to_csv_bytes():
    df = pd.DataFrame(
        {
            "=name": ['=HYPERLINK("x")', "ok", "-5", None],
            "n": [-1, 2, -3, 4],
            "x": [-1.5, np.nan, 0.25, -0.0],
            "cat": pd.Categorical(["@a", "b", "@a", "b"]),
            "obj": pd.Series(["+x", 3, None, "y"], dtype=object),
        }
    )
    text = to_csv_bytes(df).decode()
    assert text.splitlines() == [
        "'=name,n,x,cat,obj",
        '"\'=HYPERLINK(""x"")",-1,-1.5,\'@a,\'+x',
        "ok,2,,b,3",
        "-5,-3,0.25,'@a,",
        ",4,-0.0,b,y",
    ]
    assert df["=name"].iloc[0] == '=HYPERLINK("x")'  # the input is not modified
    assert df.columns[0] == "=name"


def test_bom_and_index():
    df = pd.DataFrame({"a": [1]}, index=pd.Index(["=x"], name="@id"))
    data = to_csv_bytes(df, index=True, bom=True)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "'@id,a\n'=x,1\n"
