import numpy as np
import pandas as pd
import pytest

from fairdash import InputError, define_problem


def frame(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "y": rng.choice(["no", "yes"], n),
            "sex": rng.choice(["f", "m"], n),
            "x": rng.normal(size=n),
            "income": rng.normal(size=n) * 1000,
        }
    )


def test_defaults_exclude_target_and_sensitive_features_from_inputs():
    p = define_problem(frame(), target="y", sensitive_features=["sex"])
    assert p.task == "classification" and p.positive_label == "yes"
    assert p.feature_columns == ("x", "income")
    p2 = define_problem(frame(), target="y", sensitive_features=["sex"], include_sensitive=True)
    assert p2.feature_columns == ("sex", "x", "income")
    assert any("uses the sensitive feature(s) 'sex'" in note for note in p2.notes)


def test_task_inferred_and_overridable():
    df = frame()
    assert define_problem(df, target="income", sensitive_features=["sex"]).task == "regression"
    df["y01"] = (df["y"] == "yes").astype(int)
    p = define_problem(df, target="y01", sensitive_features=["sex"])
    assert p.task == "classification" and p.positive_label == 1
    assert define_problem(df, target="y01", sensitive_features=["sex"],
                          task="regression").task == "regression"


def test_positive_label_given_as_text_matches_numbers():
    df = frame()
    df["y01"] = (df["y"] == "yes").astype(int)
    p = define_problem(df, target="y01", sensitive_features=["sex"], positive_label="0")
    assert p.positive_label == 0 and isinstance(p.positive_label, int)
    np.testing.assert_array_equal(p.encode_target(df), (df["y01"] == 0).astype(int))


@pytest.mark.parametrize(
    ("kwargs", "match", "column"),
    [
        ({"target": "nope", "sensitive_features": ["sex"]}, "not in the data", "nope"),
        ({"target": "y", "sensitive_features": ["y"]}, "cannot also be a sensitive", "y"),
        ({"target": "y", "sensitive_features": []}, "at least one sensitive", None),
        ({"target": "y", "sensitive_features": ["sex"], "positive_label": "maybe"},
         "not a value", "y"),
        ({"target": "y", "sensitive_features": ["sex"], "feature_columns": ["y", "x"]},
         "model input", "y"),
    ],
)
def test_bad_definitions_name_the_problem(kwargs, match, column):
    with pytest.raises(InputError, match=match) as err:
        define_problem(frame(), **kwargs)
    assert err.value.column == column


def test_one_class_and_multiclass_targets():
    df = frame()
    df["one"] = "a"
    with pytest.raises(InputError, match="single class"):
        define_problem(df, target="one", sensitive_features=["sex"])
    df["three"] = ["a", "b", "c", "a"] * 10
    with pytest.raises(InputError, match="multiclass is not"):
        define_problem(df, target="three", sensitive_features=["sex"])


def test_too_many_categories_suggests_binning():
    df = frame(200)
    df["id"] = [f"id{i}" for i in range(200)]
    with pytest.raises(InputError, match="Bin it") as err:
        define_problem(df, target="y", sensitive_features=["id"])
    assert err.value.column == "id"


def test_empty_data():
    with pytest.raises(InputError, match="empty"):
        define_problem(frame().iloc[:0], target="y", sensitive_features=["sex"])


def test_missing_target_rows_are_reported_not_silently_dropped():
    df = frame()
    df.loc[[1, 5], "y"] = None
    p = define_problem(df, target="y", sensitive_features=["sex"])
    assert any("2 row(s)" in note for note in p.notes)
    assert len(p.usable_rows(df)) == len(df) - 2


def test_all_missing_sensitive_column_is_one_visible_group():
    df = frame()
    df["s"] = np.nan
    p = define_problem(df, target="y", sensitive_features=["s"])
    assert list(p.sensitive(df)["s"].cat.categories) == ["(missing)"]
    assert any("missing in every row" in note for note in p.notes)


def test_sensitive_feature_as_explicit_input_is_noted():
    p = define_problem(frame(), target="y", sensitive_features=["sex"],
                       feature_columns=["sex", "x"])
    assert any("sensitive feature(s) 'sex'" in note for note in p.notes)


def test_usable_data_is_the_rows_with_a_target_and_the_frame_itself_when_all_are():
    df = frame()
    p = define_problem(df, target="y", sensitive_features=["sex"])
    assert p.usable_data(df) is df  # every row usable: no copy
    gappy = df.copy()
    gappy.loc[[1, 5], "y"] = None
    usable = p.usable_data(gappy)
    pd.testing.assert_frame_equal(usable, gappy.loc[p.usable_rows(gappy)])
    assert 1 not in usable.index and len(usable) == len(gappy) - 2
