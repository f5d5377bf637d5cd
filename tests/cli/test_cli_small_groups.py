"""The CLI's small-group policy: groups under --min-group-size are left out of every summary
number and gate (named in a note and in the JSON), and still listed, flagged, per group."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from fairdash.cli import audit
from tests.cli.test_cli_main import predictions, run


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    data = predictions()
    path = tmp_path_factory.mktemp("small") / "predictions.csv"
    data.to_csv(path, index=False)
    return data, path


def _json(path, *extra):
    code, out, err = run(["audit", str(path), "--target", "y", "--prediction", "pred",
                          "--sensitive", "sex", "race", "--json", "-", *extra])
    assert code in (0, 1), err
    return json.loads(out), err


def test_default_leaves_the_small_group_out_and_says_so(table):
    data, path = table
    result, err = _json(path)
    assert result["left_out_of_summaries"] == ["M × B"]
    assert any("Left out of the summary numbers" in n and "M × B (20 rows)" in n
               for n in result["notes"])
    assert "M × B" in err  # the note is shown
    kept = ~((data["sex"] == "M") & (data["race"] == "B"))
    k = data[kept]
    assert result["disparities"]["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(k["y"], k["pred"], sensitive_features=k[["sex", "race"]]),
        abs=1e-12,
    )
    assert result["disparities"]["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(k["y"], k["pred"], sensitive_features=k[["sex", "race"]]),
        abs=1e-12,
    )
    # Still in the group table, flagged.
    small = [g for g in result["groups"] if g["small_group"]]
    assert [g["label"] for g in small] == ["M × B"]


def test_zero_keeps_every_group_as_fairlearn(table):
    data, path = table
    result, _ = _json(path, "--min-group-size", "0")
    assert result["left_out_of_summaries"] == []
    assert result["disparities"]["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(
            data["y"], data["pred"], sensitive_features=data[["sex", "race"]]
        ),
        abs=1e-12,
    )


def test_gates_use_the_policy(table):
    data, path = table
    every = audit(data, target="y", prediction="pred", sensitive_features=["sex", "race"],
                  min_group_size=0)
    policy = audit(data, target="y", prediction="pred", sensitive_features=["sex", "race"])
    full = every.metrics.disparities()["demographic_parity_difference"]
    kept = policy.disparities()["demographic_parity_difference"]
    assert not np.isclose(full, kept)
    threshold = (full + kept) / 2
    gate = f"demographic_parity_difference<={threshold:.6f}"
    code_policy, _, _ = run(["audit", str(path), "--target", "y", "--prediction", "pred",
                             "--sensitive", "sex", "race", "--gate", gate])
    code_every, _, _ = run(["audit", str(path), "--target", "y", "--prediction", "pred",
                            "--sensitive", "sex", "race", "--gate", gate,
                            "--min-group-size", "0"])
    assert {code_policy, code_every} == {0, 1}
    assert code_policy == (0 if kept <= threshold else 1)


def test_json_says_whether_the_favourable_outcome_was_guessed(table):
    _, path = table
    guessed, _ = _json(path)
    given, _ = _json(path, "--positive-label", "1")
    assert guessed["problem"]["positive_label_guessed"] is True
    assert any(n.startswith("Guessed") for n in guessed["notes"])
    assert given["problem"]["positive_label_guessed"] is False
