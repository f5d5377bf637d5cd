"""evaluate_predictions: the evaluation every page reads, from a predictions table, no training.

Its numbers must be those of ``python -m fairdash audit`` on the same file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate

import fairdash
from fairdash import InputError, evaluate_predictions
from tests._messy import MESSY

ROOT = Path(__file__).resolve().parents[1]
SENSITIVE = list(MESSY["sensitive"])


@pytest.fixture(scope="module")
def predictions_file(messy_frame, tmp_path_factory):
    """A messy analyst's own model: predictions, scores and sensitive features, as CSV."""
    screen = fairdash.screen_features(
        messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE
    )
    problem = fairdash.define_problem(
        messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE,
        feature_columns=list(screen.index[screen["verdict"] != "exclude"]),
    )
    run = fairdash.train_model(messy_frame, problem)
    rows = messy_frame.loc[run.test_index]
    table = pd.DataFrame({
        "person": rows["name"],
        "race": rows["race"],
        "sex": rows["sex"],
        "two_year_recid": rows[MESSY["target"]],
        # The model's labels in the target's own values: 0 is favourable here.
        "predicted": np.where(run.y_pred == 1, 0, 1),
        "p_no_recid": run.y_score,
    })
    path = tmp_path_factory.mktemp("predictions") / "my_model.csv"
    table.to_csv(path, index=False)
    return table, path


@pytest.fixture(scope="module")
def cli_json(predictions_file):
    _, path = predictions_file
    result = subprocess.run(
        [sys.executable, "-m", "fairdash", "audit", str(path), "--target", "two_year_recid",
         "--prediction", "predicted", "--score", "p_no_recid", "--positive-label", "0",
         "--sensitive", "race", "sex", "--json", "-"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def evaluation(predictions_file):
    table, _ = predictions_file
    return evaluate_predictions(
        table, target="two_year_recid", prediction="predicted", score="p_no_recid",
        positive_label=0, sensitive_features=SENSITIVE,
    )


def _same(from_json, value):
    """A JSON number (None for NaN) equals the engine's value."""
    if from_json is None:
        assert not np.isfinite(value)
    else:
        assert from_json == pytest.approx(float(value), abs=1e-12, rel=0)


def test_same_numbers_as_the_cli(evaluation, cli_json):
    metrics = evaluation.metrics
    for name, value in cli_json["overall"]["metrics"].items():
        _same(value, metrics.overall[name])
    groups = {tuple(g["group"].values()): g for g in cli_json["groups"]}
    for key, row in metrics.by_group.iterrows():
        if not row["count"] > 0:
            continue
        entry = groups[tuple(str(k) for k in key)]
        assert entry["count"] == int(row["count"])
        for name, value in entry["metrics"].items():
            _same(value, row[name])
    summary = metrics.disparities(min_group_size=30)
    for name, value in cli_json["disparities"].items():
        if isinstance(value, bool):
            assert value == summary[name]
        else:
            _same(value, summary[name])
    labels = list(fairdash.summary_readings(metrics, min_group_size=30).left_out)
    assert cli_json["left_out_of_summaries"] == labels and "Asian × Female" in labels


def test_against_fairlearn_and_the_file(evaluation, predictions_file):
    table, _ = predictions_file
    y = (table["two_year_recid"] == 0).to_numpy(dtype=int)
    pred = (table["predicted"] == 0).to_numpy(dtype=int)
    assert (evaluation.y_test == y).all() and (evaluation.y_pred == pred).all()
    assert evaluation.test_index.equals(table.index)
    frame = MetricFrame(metrics=selection_rate, y_true=y, y_pred=pred,
                        sensitive_features=table[SENSITIVE])
    got = evaluation.metrics.by_group["selection_rate"].dropna()
    expected = frame.by_group.dropna()
    assert np.allclose(got.to_numpy(), expected.to_numpy(), atol=1e-12)
    assert evaluation.problem.favourable_outcome == "two_year_recid = 0"
    assert not evaluation.problem.positive_label_guessed


def test_model_result_is_what_the_pages_read(evaluation):
    result = evaluation.model_result()
    assert result.name == "Your model" and result.is_unmitigated
    assert result.metrics is evaluation.metrics
    assert (result.y_pred == evaluation.y_pred).all()
    assert result.y_score is evaluation.y_score
    assert result.to_dict()["disparities"] == pytest.approx(evaluation.metrics.disparities())


def test_guessed_label_from_a_bad_outcome_name(predictions_file):
    table, _ = predictions_file
    guessed = evaluate_predictions(
        table, target="two_year_recid", prediction="predicted", sensitive_features=["race"]
    )
    assert guessed.problem.positive_label == 0 and guessed.problem.positive_label_guessed
    assert any("Guessed" in n for n in guessed.notes)


def test_bad_tables_name_the_column(predictions_file):
    table, _ = predictions_file
    with pytest.raises(InputError, match="'predicted'") as err:
        evaluate_predictions(
            table.assign(predicted=table["p_no_recid"]), target="two_year_recid",
            prediction="predicted", sensitive_features=["race"],
        )
    assert err.value.column == "predicted"
    with pytest.raises(InputError, match="single group") as err:
        evaluate_predictions(
            table.assign(race="x"), target="two_year_recid", prediction="predicted",
            sensitive_features=["race"],
        )
    assert err.value.column == "race"
    with pytest.raises(InputError, match="Did you mean 'race'"):
        evaluate_predictions(
            table, target="two_year_recid", prediction="predicted", sensitive_features=["Race "]
        )
