"""The favourable-outcome guess and the headline readings built on it."""

from __future__ import annotations

import pandas as pd
import pytest

import fairdash
from fairdash.datasets import load
from fairdash.metrics import group_metrics
from tests._messy import MESSY


def test_a_bad_outcome_named_target_guesses_the_other_value(messy_frame):
    problem = fairdash.define_problem(
        messy_frame, target=MESSY["target"], sensitive_features=list(MESSY["sensitive"])
    )
    assert problem.positive_label == MESSY["favourable"] == 0
    assert problem.positive_label_guessed
    assert problem.favourable_outcome == "two_year_recid = 0"
    assert problem.selection_phrase == "share predicted two_year_recid = 0"
    assert any("Guessed" in n and "bad outcome" in n for n in problem.notes)


def test_a_given_label_is_not_a_guess(messy_frame):
    problem = fairdash.define_problem(
        messy_frame, target=MESSY["target"], sensitive_features=["race"], positive_label=1
    )
    assert problem.positive_label == 1 and not problem.positive_label_guessed
    assert not any("Guessed" in n for n in problem.notes)


@pytest.mark.parametrize(
    ("values", "name", "expected"),
    [
        ([0, 1, 1], "approved", 1),
        ([0, 1, 1], "loan_default", 0),
        ([True, False, False], "is_fraud", False),
        (["yes", "no", "no"], "hired", "yes"),
        (["a", "a", "b"], "y", "b"),  # no 1/yes/good: the less frequent value
        ([1, 2, 2], "churned", 1),  # not 0/1: the name alone does not flip it
    ],
)
def test_guess_positive_label(values, name, expected):
    label, reason = fairdash.guess_positive_label(pd.Series(values, name=name))
    assert label == expected and type(label) is type(expected)
    assert reason.startswith("Guessed") and "say which outcome is favourable" in reason


def test_bundled_data_keep_their_labels():
    adult = load("adult")
    german = load("german")
    assert fairdash.guess_positive_label(adult["income"])[0] == ">50K"
    assert fairdash.guess_positive_label(german["risk"])[0] == 1


def test_readings_name_the_favourable_outcome_and_the_groups_left_out(messy_frame):
    problem = fairdash.define_problem(
        messy_frame, target=MESSY["target"], sensitive_features=list(MESSY["sensitive"])
    )
    y = problem.encode_target(messy_frame)
    groups = problem.sensitive(messy_frame)
    pred = y.copy()
    tiny = (groups["race"] == "Asian") & (groups["sex"] == "Female")
    pred[tiny.to_numpy()] = 1 - pred[tiny.to_numpy()]
    metrics = group_metrics(y, pred, groups)
    readings = fairdash.summary_readings(
        metrics, min_group_size=30, favourable=problem.favourable_outcome
    )
    assert readings.disparities == metrics.disparities(min_group_size=30)
    sizes = groups.groupby(list(groups.columns), observed=True).size()
    small = [" × ".join(key) for key, n in sizes.items() if n < 30]
    assert "Asian × Female" in small
    assert readings.left_out == small
    size = int(metrics.group_sizes.loc[MESSY["tiny_cell"]])
    assert f"Asian × Female ({size} row" in readings.note and "fewer than 30 rows" in readings.note
    assert "two_year_recid = 0 predicted" in readings.cards[0]["reading"]
    # Without the policy every group counts and nothing is named.
    everyone = fairdash.summary_readings(metrics, min_group_size=None)
    assert everyone.note is None and everyone.left_out == []
    assert everyone.disparities == metrics.disparities()
    assert everyone.cards == fairdash.disparity_readings(metrics.disparities())


def test_note_when_fewer_than_two_groups_are_left():
    metrics = group_metrics([1, 0, 1, 0, 1], [1, 0, 0, 0, 1], ["a", "a", "a", "a", "b"])
    note = fairdash.small_group_note(metrics, min_group_size=5)
    assert "a (4 rows), b (1 row)" in note and "not defined" in note
    cards = fairdash.summary_readings(metrics, min_group_size=5).cards
    assert cards[0]["value"] is None and cards[0]["reading"].startswith("Not defined")
