"""Two models side by side against pandas: rates, changes, flips, and the paired bootstrap."""

import numpy as np
import pandas as pd
import pytest

from fairdash import InputError
from fairdash.metrics._comparison import COMPARED_RATES, compare_models

N_ROWS, N_BOOT, SEED = 900, 30, 11


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    # A "1" that is the bad outcome: the favourable label is 0 ("no reoffence").
    group = rng.choice(["African-American", "Caucasian", "Hispanic"], N_ROWS, p=[0.5, 0.4, 0.1])
    group[7] = "Native American"  # a group of one person
    score = rng.random(N_ROWS)
    y = np.where(rng.random(N_ROWS) < score, 1, 0)
    first = np.where(score > 0.5, 1, 0)
    second = np.where(score + 0.15 * (group == "African-American") > 0.55, 1, 0)
    return y, first, second, pd.Series(group, name="race")


def _rates(frame: pd.DataFrame, column: str) -> dict[str, float]:
    good_true = frame["y"] == 0
    good_pred = frame[column] == 0
    return {
        "selection_rate": good_pred.mean(),
        "true_positive_rate": (good_pred & good_true).sum() / max(good_true.sum(), 1),
        "false_positive_rate": (good_pred & ~good_true).sum() / max((~good_true).sum(), 1),
        "accuracy": (frame["y"] == frame[column]).mean(),
    }


def _expected(frame: pd.DataFrame) -> dict[str, float]:
    first, second = _rates(frame, "first"), _rates(frame, "second")
    out = {"count": len(frame)}
    for rate in COMPARED_RATES:
        out[f"{rate}_first"], out[f"{rate}_second"] = first[rate], second[rate]
        out[f"{rate}_change"] = second[rate] - first[rate]
    out["gained"] = ((frame["first"] == 1) & (frame["second"] == 0)).sum()
    out["lost"] = ((frame["first"] == 0) & (frame["second"] == 1)).sum()
    out["net"] = out["gained"] - out["lost"]
    return out


def test_rates_changes_and_flips_per_group_equal_pandas(data):
    y, first, second, race = data
    result = compare_models(
        y, first, second, race, pos_label=0, first_name="unmitigated", second_name="mitigated",
        n_boot=N_BOOT, random_state=SEED,
    )
    frame = pd.DataFrame({"y": y, "first": first, "second": second, "race": race})
    assert list(result.by_group.index) == sorted(race.unique())
    for name, part in frame.groupby("race"):
        expected = _expected(part)
        row = result.by_group.loc[name]
        for column, value in expected.items():
            assert row[column] == pytest.approx(value, abs=1e-12), (name, column)
        assert row["gained_share"] == pytest.approx(expected["gained"] / len(part))
    overall = _expected(frame)
    for column, value in overall.items():
        assert result.overall[column] == pytest.approx(value, abs=1e-12), column
    assert result.by_group["gained"].sum() == overall["gained"] > 0
    assert result.by_group["lost"].sum() == overall["lost"] > 0
    assert (result.first_name, result.second_name) == ("unmitigated", "mitigated")


def test_change_intervals_are_a_paired_bootstrap_of_the_same_rows(data):
    y, first, second, race = data
    result = compare_models(y, first, second, race, pos_label=0, n_boot=N_BOOT, random_state=SEED)
    rows = np.random.default_rng(SEED).integers(0, N_ROWS, size=(N_BOOT, N_ROWS), dtype=np.int32)
    frame = pd.DataFrame({"y": y, "first": first, "second": second, "race": race})
    changes = {rate: {g: [] for g in race.unique()} for rate in COMPARED_RATES}
    for sample in rows:
        resampled = frame.iloc[sample]
        for name, part in resampled.groupby("race"):
            expected = _expected(part)
            for rate in COMPARED_RATES:
                changes[rate][name].append(expected[f"{rate}_change"])
    for rate in COMPARED_RATES:
        for name in ("African-American", "Caucasian", "Hispanic"):
            low, high = np.quantile(changes[rate][name], [0.025, 0.975])
            row = result.by_group.loc[name]
            assert row[f"{rate}_change_lower"] == pytest.approx(low, abs=1e-12), (rate, name)
            assert row[f"{rate}_change_upper"] == pytest.approx(high, abs=1e-12), (rate, name)
    # The group of one person appears in few resamples; its interval skips the others.
    assert result.by_group.loc["Native American", "count"] == 1


def test_bad_input_is_an_input_error(data):
    y, first, second, race = data
    with pytest.raises(InputError, match="y_pred"):
        compare_models(y, first[:-1], second, race)
    with pytest.raises(InputError):
        compare_models(y, first, np.where(second == 1, 2, 0), race)
