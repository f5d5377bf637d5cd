"""The one-cast reading of integer columns equals the general rules on tricky integers."""

import random
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from fairdash.io._infer import _plain_ints, infer_text_column

PLAIN_INT = re.compile(r"^-?(0|[1-9][0-9]*)\Z")


def test_plain_ints_are_exactly_the_unpadded_decimal_integers_of_int64():
    rng = random.Random(0)
    alphabet = "0123456789+-xXabfAF .eE_\t\n"
    values = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
              for _ in range(20_000)}
    values |= {"9223372036854775807", "-9223372036854775808", "9223372036854775808",
               "0x7f", "-0", "00", "-007", "+5", "\u0663", "\uff11", "0\n1"}
    for value in sorted(values):
        got = _plain_ints(pa.chunked_array([[value]]))
        expected = PLAIN_INT.match(value) is not None and -(2**63) <= int(value) < 2**63
        assert (got is not None) == expected, repr(value)
        if expected:
            assert got.to_pylist() == [int(value)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "-0", "42"], pd.Series([1, 0, 42])),
        (["+5", "6"], pd.Series([5, 6])),  # the general path reads "+" the same
        (["007", "8"], pd.Series(["007", "8"], dtype="str")),  # an id: stays text
        (["0x1F", "2"], pd.Series(["0x1F", "2"], dtype="str")),  # hex is not a plain number
        (["1", "NA", "3"], pd.Series([1.0, np.nan, 3.0])),
        (["9223372036854775808", "1"], pd.Series(["9223372036854775808", "1"], dtype="str")),
    ],
)
def test_integer_columns_read_as_the_rules_say(values, expected):
    column = infer_text_column(pa.array(values))
    pd.testing.assert_series_equal(column.series, expected)
