"""The one group encoding: codes, index, labels, sizes, empty groups, strata, fitted groups."""

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame

from fairdash import InputError
from fairdash.groups import MISSING_LABEL, encode_groups, sensitive_frame


@pytest.fixture
def messy():
    # Text in pandas' Arrow-backed dtype (codes in order of first appearance),
    # a missing value, an empty combination (f × c) and a group of one (m × c).
    rng = np.random.default_rng(3)
    sex = rng.choice(["m", "f"], 300)
    race = rng.choice(["b", "a"], 300)
    sex[:2] = ["m", None]
    race[:2] = ["c", "a"]
    return pd.DataFrame({"sex": pd.Series(sex, dtype="str"), "race": pd.Series(race, dtype="str")})


def _groupby_sizes(frame: pd.DataFrame) -> pd.Series:
    # Independent count: pandas' groupby over the text, missing values as a group.
    return frame.fillna(MISSING_LABEL).groupby(list(frame.columns), sort=False).size()


def test_full_product_index_labels_and_sizes_match_pandas(messy):
    encoding = encode_groups(messy, n_rows=len(messy))
    assert encoding.index.names == ["sex", "race"]
    assert encoding.n_groups == 3 * 3  # f, m, missing x a, b, c
    expected = _groupby_sizes(messy)
    for label, key, size in zip(encoding.labels, encoding.keys, encoding.sizes, strict=True):
        text = tuple(MISSING_LABEL if v is None else v for v in key)
        assert label == " × ".join(text)
        assert size == expected.get(text, 0)
    assert encoding.empty.tolist() == [s == 0 for s in encoding.sizes]
    assert encoding.sizes.sum() == len(messy)


def test_index_and_sizes_are_metricframes(messy):
    # fairlearn drops missing values' rows, so compare on the complete ones.
    complete = messy.dropna().reset_index(drop=True)
    encoding = encode_groups(complete, n_rows=len(complete))
    ones = np.ones(len(complete))
    frame = MetricFrame(
        metrics={"n": lambda t, p: len(t)}, y_true=ones, y_pred=ones,
        sensitive_features=complete,
    )
    assert encoding.index.equals(frame.by_group.index)
    np.testing.assert_array_equal(encoding.sizes, frame.by_group["n"].fillna(0).to_numpy())


def test_occurring_groups_only_for_the_mitigators(messy):
    full = encode_groups(messy, n_rows=len(messy))
    occurring = encode_groups(messy, n_rows=len(messy), keep_empty=False)
    expected = [lab for lab, e in zip(full.labels, full.empty, strict=True) if not e]
    assert occurring.labels == expected
    assert occurring.order is None and not occurring.empty.any()
    # Codes are positions in the index: the label of each row's group is the same.
    full_labels = np.array(full.labels)[full.codes_in_index_order()]
    np.testing.assert_array_equal(np.array(occurring.labels)[occurring.codes], full_labels)
    np.testing.assert_array_equal(
        np.bincount(occurring.codes, minlength=occurring.n_groups), occurring.sizes
    )


def test_strata_are_the_sorted_groups_and_classes(messy):
    y = (np.arange(len(messy)) % 3 == 0).astype(int)
    strata = encode_groups(messy, n_rows=len(messy)).strata(y)
    keyed = messy.fillna("~missing").assign(y=y)  # "~" sorts after the letters
    expected = keyed.groupby(["sex", "race", "y"], sort=True).ngroup().to_numpy()
    np.testing.assert_array_equal(np.unique(strata, return_inverse=True)[1], expected)


def test_strata_order_is_the_previous_mixed_radix_one():
    # The split must not move: compare with the formula training used before
    # (categorical codes of every category, empty ones included, then the class).
    data = pd.DataFrame({"sex": ["m", "f", "m", "x"] * 25, "age": np.arange(100.0)})
    frame = sensitive_frame(data, ["sex", "age"], bins={"age": 4}).iloc[:60]
    y = np.arange(60) % 2
    old = np.zeros(60, dtype=np.int64)
    for name in frame.columns:
        cat = frame[name].cat
        old = old * len(cat.categories) + cat.codes.to_numpy(dtype=np.int64)
    old = old * 2 + y
    new = encode_groups(frame, n_rows=60).strata(y)
    np.testing.assert_array_equal(
        np.unique(new, return_inverse=True)[1], np.unique(old, return_inverse=True)[1]
    )


def test_codes_in_fitted_groups_and_unseen_groups_named():
    fitted = encode_groups(pd.Series(["b", "a", None, "a"], name="s"), n_rows=4, keep_empty=False)
    assert fitted.keys == [("a",), ("b",), (None,)]
    later = encode_groups(pd.Series([None, "b", "b"], name="s"), n_rows=3)
    np.testing.assert_array_equal(later.codes_in(fitted.keys), [2, 1, 1])
    unseen = encode_groups(pd.Series(["a", "z"], name="s"), n_rows=2)
    with pytest.raises(InputError, match=r"group 'z' \(s\) was not seen"):
        unseen.codes_in(fitted.keys)


def test_unnamed_features_are_described_without_names():
    encoding = encode_groups(np.array([[1, "x"], [2, "y"]], dtype=object), n_rows=2)
    assert encoding.columns == [None, None]
    assert encoding.describe(0) == "'1 × x'"


@pytest.mark.parametrize(
    ("features", "message"),
    [
        (None, "sensitive_features is missing"),
        (np.zeros((3, 1, 1)), "1-D or 2-D"),
        ([[0, 1], 2], "mixes single values and columns"),
        (pd.DataFrame({"a": [1, 2], "b": [1, 2]}).rename(columns={"b": "a"}), "distinct names"),
    ],
)
def test_bad_features_raise_input_errors(features, message):
    with pytest.raises(InputError, match=message):
        encode_groups(features, n_rows=None if features is None else 3)
