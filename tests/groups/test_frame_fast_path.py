"""Sensitive columns read from categorical codes give the groups of the row-by-row reading.

``sensitive_frame`` reads a categorical column from its codes and any other column
through ``pandas.factorize``; :func:`_row_by_row` is the earlier definition (every
value turned into text and looked up), kept here as the reference.
"""

import unicodedata

import numpy as np
import pandas as pd
import pytest

from fairdash import MISSING_LABEL, InputError, group_labels, sensitive_frame
from tests._messy import MESSY


def _row_by_row(series: pd.Series) -> pd.Categorical:
    """Categories and codes computed value by value (the reference)."""
    missing = series.isna().to_numpy()
    present = series[~missing]
    if isinstance(series.dtype, pd.CategoricalDtype):
        uniques = [c for c in series.cat.categories if (present == c).any()]
    else:
        uniques = pd.unique(present)
        try:
            uniques = sorted(uniques)
        except TypeError:
            uniques = sorted(uniques, key=str)
    texts = [str(u) for u in uniques]
    normal = [unicodedata.normalize("NFC", t) for t in texts]
    categories = list(dict.fromkeys(normal))
    if normal != texts and all(isinstance(u, str) for u in uniques):
        categories = sorted(categories)
    lookup = {c: i for i, c in enumerate(categories)}
    lookup = {t: lookup[n] for t, n in zip(texts, normal, strict=True)}
    codes = np.full(len(series), len(categories), dtype=np.int64)
    codes[~missing] = [lookup[str(v)] for v in present]
    if missing.any():
        categories = [*categories, MISSING_LABEL]
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


def _assert_same_groups(frame: pd.DataFrame, reference: dict) -> None:
    for name, expected in reference.items():
        got = frame[name].array
        assert list(got.categories) == list(expected.categories), name
        np.testing.assert_array_equal(got.codes, expected.codes, err_msg=name)
        assert got.ordered


NFD_E = "e\u0301"  # "é" decomposed: sorts before "f", its NFC form after


def _messy_columns(n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    pick = lambda values: rng.choice(np.asarray(values, dtype=object), n)  # noqa: E731
    frame = pd.DataFrame(
        {
            "text_nan": pick(["b", "a", None, "c", np.nan]),
            "nfd": pick([NFD_E, "f", "\u00e9", "d"]),
            "nfd_alone": pick([NFD_E, "f", None]),
            "small_ints": rng.integers(0, 4, n),
            "floats_nan": pick([1.5, 2.0, np.nan, -3.25]),
            "bools": rng.integers(0, 2, n).astype(bool),
            "look_alike": pick(["Male", "\u041cale", "male ", "Female"]),
            "one_person": ["rare" if i == 7 else "common" for i in range(n)],
        }
    )
    frame["text_nan"] = frame["text_nan"].astype("str")
    return frame


def test_text_numbers_and_booleans_match_the_row_by_row_reading():
    data = _messy_columns()
    reference = {name: _row_by_row(data[name]) for name in data.columns}
    _assert_same_groups(sensitive_frame(data, list(data.columns)), reference)


def test_categorical_codes_match_the_row_by_row_reading_and_the_text_column():
    data = _messy_columns()
    as_text = ["text_nan", "nfd", "nfd_alone", "look_alike", "one_person"]
    categorical = data[as_text].astype("category")
    # unused categories, categories in an unsorted order, numbers as categories
    categorical["text_nan"] = categorical["text_nan"].cat.add_categories(["zz", "0"])
    categorical["look_alike"] = categorical["look_alike"].cat.reorder_categories(
        sorted(categorical["look_alike"].cat.categories, reverse=True)
    )
    categorical["numbers"] = pd.Categorical(data["small_ints"], categories=[3, 0, 2, 1, 9])
    categorical["float_numbers"] = data["floats_nan"].astype("category")
    fast = sensitive_frame(categorical, list(categorical.columns))
    reference = {name: _row_by_row(categorical[name]) for name in categorical.columns}
    _assert_same_groups(fast, reference)
    # a categorical in sorted order gives the groups of the same text column
    sorted_text = categorical[["nfd", "one_person", "float_numbers"]]
    general = sensitive_frame(data, ["nfd", "one_person", "floats_nan"])
    for name, text_name in zip(sorted_text, general, strict=True):
        assert list(fast[name].cat.categories) == list(general[text_name].cat.categories)
        np.testing.assert_array_equal(fast[name].cat.codes, general[text_name].cat.codes)
    assert list(fast["numbers"].cat.categories) == ["3", "0", "2", "1"]  # the categories' order
    assert "zz" not in fast["text_nan"].cat.categories  # unused categories make no group


def test_messy_table_groups_and_labels_match_the_row_by_row_reading(messy_frame):
    names = [*MESSY["sensitive"], "c_charge_degree", "neighbourhood"]
    for data in (messy_frame, messy_frame[names].astype("category")):
        frame = sensitive_frame(data, names)
        _assert_same_groups(frame, {name: _row_by_row(data[name]) for name in names})
    expected = group_labels(sensitive_frame(messy_frame, names))
    pd.testing.assert_series_equal(group_labels(frame), expected)


def test_missing_everywhere_empty_and_unused_only_categoricals():
    all_missing = pd.DataFrame({"s": pd.Categorical([None, None], categories=["a", "b"])})
    frame = sensitive_frame(all_missing, ["s"])
    assert list(frame["s"].cat.categories) == [MISSING_LABEL]
    assert list(frame["s"].astype(str)) == [MISSING_LABEL] * 2
    empty = sensitive_frame(pd.DataFrame({"s": pd.Categorical([], categories=["a"])}), ["s"])
    assert len(empty) == 0 and list(empty["s"].cat.categories) == []


@pytest.mark.parametrize("as_category", [False, True])
def test_value_clashing_with_missing_label_is_refused_on_both_paths(as_category):
    column = pd.Series(["a", MISSING_LABEL, None], name="s")
    data = column.astype("category" if as_category else "str").to_frame()
    with pytest.raises(InputError, match="rename") as err:
        sensitive_frame(data, ["s"])
    assert err.value.column == "s"


def test_number_and_its_text_in_one_column_are_refused():
    data = pd.DataFrame({"s": pd.Series([1, "1", "2"], dtype=object)})
    with pytest.raises(InputError, match="one type") as err:
        sensitive_frame(data, ["s"])
    assert err.value.column == "s"
