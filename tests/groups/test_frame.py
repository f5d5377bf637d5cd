import numpy as np
import pandas as pd
import pytest

from fairdash import MISSING_LABEL, InputError, group_labels, sensitive_frame


def test_text_columns_become_sorted_categories_with_missing_group_last():
    df = pd.DataFrame({"sex": ["m", None, "f", "m"], "race": ["b", "a", "a", np.nan]})
    frame = sensitive_frame(df, ["sex", "race"])
    assert list(frame["sex"].cat.categories) == ["f", "m", MISSING_LABEL]
    assert list(frame["race"].cat.categories) == ["a", "b", MISSING_LABEL]
    assert list(frame["sex"].astype(str)) == ["m", MISSING_LABEL, "f", "m"]
    # no row is lost
    assert frame.index.equals(df.index)
    assert list(group_labels(frame)) == ["m × b", f"{MISSING_LABEL} × a", "f × a",
                                         f"m × {MISSING_LABEL}"]


def test_numeric_with_many_values_is_binned_by_quantiles_and_keeps_every_row():
    age = pd.Series(np.arange(17, 91, dtype=float), name="age")
    age.iloc[3] = np.nan
    frame = sensitive_frame(age.to_frame(), ["age"])
    cats = list(frame["age"].cat.categories)
    assert len(cats) == 5 and cats[-1] == MISSING_LABEL
    assert frame["age"].isna().sum() == 0
    assert (frame["age"] == MISSING_LABEL).sum() == 1
    # quantile bins hold roughly equal counts
    counts = frame["age"].value_counts()[cats[:-1]]
    assert counts.max() - counts.min() <= 2
    # the maximum falls in the last (closed) bin
    assert frame["age"].iloc[-1] == cats[-2] and cats[-2].endswith("]")


def test_user_edges_open_outer_bins_so_no_row_is_lost():
    df = pd.DataFrame({"age": [10, 25, 30, 45, 70, 99] * 3})
    frame = sensitive_frame(df, ["age"], bins={"age": [25, 45]})
    assert list(frame["age"].cat.categories) == ["< 25", "[25, 45)", "≥ 45"]
    assert list(frame["age"].iloc[:6].astype(str)) == ["< 25", "[25, 45)", "[25, 45)", "≥ 45",
                                                       "≥ 45", "≥ 45"]


def test_small_integer_codes_stay_categories():
    df = pd.DataFrame({"flag": [0, 1, 1, 0, 2]})
    frame = sensitive_frame(df, ["flag"])
    assert list(frame["flag"].cat.categories) == ["0", "1", "2"]


@pytest.mark.parametrize(
    ("bins", "match"),
    [({"age": 1}, "at least 2"), ({"age": [3, 3]}, "distinct"), ({"sex": 3}, "not numeric")],
)
def test_bad_bins_name_the_column(bins, match):
    df = pd.DataFrame({"age": np.arange(20.0), "sex": ["a", "b"] * 10})
    with pytest.raises(InputError, match=match) as err:
        sensitive_frame(df, ["age", "sex"], bins=bins)
    assert err.value.column in {"age", "sex"}


def test_unknown_column():
    with pytest.raises(InputError, match="'nope'"):
        sensitive_frame(pd.DataFrame({"a": [1]}), ["nope"])


def test_value_clashing_with_missing_label_is_refused():
    df = pd.DataFrame({"s": ["a", MISSING_LABEL, None]})
    with pytest.raises(InputError, match="rename"):
        sensitive_frame(df, ["s"])


def test_infinite_values_in_a_binned_column_name_the_column():
    df = pd.DataFrame({"age": [20.0, 30.0, np.inf, 40.0] * 5})
    with pytest.raises(InputError, match="has 5 infinite value") as err:
        sensitive_frame(df, ["age"], bins={"age": 3})
    assert err.value.column == "age"


def test_edges_for_a_text_column_are_refused():
    with pytest.raises(InputError, match="not numeric") as err:
        sensitive_frame(pd.DataFrame({"s": ["a", "b"]}), ["s"], edges={"s": (0.0, 1.0)})
    assert err.value.column == "s"


def test_decomposed_text_alone_is_normalised_and_sorted_as_normalised():
    nfd = "e\u0301"  # "é" as "e" + combining acute: sorts before "f", its NFC form after
    frame = sensitive_frame(pd.DataFrame({"s": [nfd, "f", nfd]}), ["s"])
    assert list(frame["s"].cat.categories) == ["f", "\u00e9"]
    assert list(frame["s"].astype(str)) == ["\u00e9", "f", "\u00e9"]
