"""``python -m fairdash slices`` in-process and as CI runs it: outputs, gate, exit codes, errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fairdash.cli import main
from fairdash.slices import find_slices
from tests.slices.conftest import PLANTED, messy_features, planted_predictions

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["sex", "race", "age", "region", "band", "flag", "charge", "degree"]


def run(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def planted_table(seed: int = 11, n: int = 6000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = messy_features(n, rng)
    y_true, y_pred = planted_predictions(data, rng)
    # Text labels; 1 in the prediction is the favourable "good".
    return data.assign(outcome=np.where(y_true == 1, "good", "bad"), pred=y_pred)


@pytest.fixture(scope="module")
def csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("slices") / "preds.csv"
    planted_table().to_csv(path, index=False)
    return path


BASE = ["--target", "outcome", "--prediction", "pred", "--columns", *COLUMNS]


def test_json_equals_the_library_on_the_same_rows(csv):
    code, out, err = run(["slices", csv, *BASE, "--metric", "error_rate", "--json", "-"])
    assert code == 0, err
    document = json.loads(out)
    data = pd.read_csv(csv)
    y_true = (data["outcome"] == "good").to_numpy(dtype=int)
    expected = find_slices(data[COLUMNS], y_true, data["pred"].to_numpy(), metric="error_rate")
    search = document["search"]
    assert search["positive_label"] == "good" and search["metric"] == "error_rate"
    assert search["n_tested"] == expected.attrs["n_tested"]
    assert search["n_significant_harmful"] == expected.attrs["n_significant_harmful"]
    assert [s["slice"] for s in document["slices"]] == list(expected["slice"])
    np.testing.assert_allclose([s["q_value"] for s in document["slices"]], expected["q_value"])
    top = document["slices"][0]
    assert [(c["column"], c["value"]) for c in top["conditions"]] == list(PLANTED)
    assert top["significant"] is True and document["data"]["rows_searched"] == 6000


def test_table_on_stdout_says_what_was_tested(csv):
    code, out, _ = run(["slices", csv, *BASE, "--metric", "error_rate", "--top", "3"])
    assert code == 0
    lines = out.splitlines()
    assert "slices tested (1 to 3 conditions, at least 30 rows" in lines[1]
    assert "significant at a false discovery rate of 0.05" in lines[1]
    assert lines[5].startswith("sex = Female & region = south & charge = misdemeanour")
    assert len([line for line in lines if " [0." in line]) == 3


def test_gate_fails_on_a_significant_harmful_slice_only(csv, tmp_path):
    code, _, err = run(["slices", csv, *BASE, "--metric", "error_rate", "--fail-on-significant"])
    assert code == 1
    # After the notes (e.g. the favourable outcome, guessed), the gate's line.
    failed = [line for line in err.splitlines() if line.startswith("fairdash: gate failed: ")]
    assert len(failed) == 1
    assert "the worst listed: sex = Female & region = south & charge = misdemeanour" in err
    # Errors unrelated to any column: nothing to find.
    rng = np.random.default_rng(0)
    fair = planted_table().assign(pred=lambda d: np.where(rng.random(len(d)) < 0.5, 1, 0))
    path = tmp_path / "fair.parquet"
    fair.to_parquet(path)
    code, out, err = run(["slices", path, *BASE, "--fail-on-significant", "--json", "-"])
    assert code == 0, err
    assert json.loads(out)["search"]["n_significant_harmful"] == 0


def test_rows_without_target_are_left_out_with_a_note(tmp_path):
    data = planted_table(n=2000)
    data.loc[:99, "outcome"] = None
    path = tmp_path / "gaps.csv"
    data.to_csv(path, index=False)
    code, out, err = run(["slices", path, *BASE, "--json", "-"])
    assert code == 0
    assert json.loads(out)["data"]["rows_searched"] == 1900
    assert "fairdash: note: 100 row(s) have no value in the target 'outcome'" in err


def test_a_one_that_is_the_bad_outcome(tmp_path):
    rng = np.random.default_rng(3)
    n = 3000
    group = rng.choice(["a", "b"], n)
    # 1 = rejected: the favourable label is 0, and group a is rejected more often.
    y = (rng.random(n) < np.where(group == "a", 0.6, 0.3)).astype(int)
    path = tmp_path / "rejections.csv"
    pd.DataFrame({"group": group, "rejected": y, "pred": y}).to_csv(path, index=False)
    argv = ["slices", path, "--target", "rejected", "--prediction", "pred", "--columns", "group",
            "--positive-label", "0", "--metric", "selection_rate", "--json", "-"]
    code, out, _ = run(argv)
    document = json.loads(out)
    assert code == 0 and document["search"]["positive_label"] == 0
    top = document["slices"][0]
    assert top["conditions"] == [{"column": "group", "value": "a"}] and top["harm"] > 0


def test_regression_metric(tmp_path):
    rng = np.random.default_rng(4)
    n = 2000
    group = rng.choice(["x", "y", "z"], n)
    salary = rng.normal(40_000, 5_000, n)
    predicted = salary + rng.normal(0, np.where(group == "z", 6_000, 1_000))
    path = tmp_path / "salaries.csv"
    table = pd.DataFrame({"group": group, "salary": salary, "predicted": predicted})
    table.to_csv(path, index=False)
    argv = ["slices", path, "--target", "salary", "--prediction", "predicted", "--columns",
            "group", "--metric", "mean_absolute_error", "--json", "-"]
    code, out, err = run(argv)
    assert code == 0, err
    top = json.loads(out)["slices"][0]
    assert top["slice"] == "group = z"
    assert top["value"] == pytest.approx(np.abs(salary - predicted)[group == "z"].mean())


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--columns", "nope"], "The searched column 'nope' is not in the data"),
        (["--columns", "outcome"], "'outcome' is the target column; it cannot also be a column"),
        (["--prediction", "grade"], "The prediction column 'grade' must be binary"),
        (["--target", "visits"], "The target 'visits' has 7 classes"),
        (["--metric", "brier_score"], "--metric brier_score needs probabilities"),
        (["--max-order", "0"], "--max-order must be 1 or more, not 0"),
        (["--bins", "1"], "--bins '1': the number of quantile bins must be 2 to 10, not 1"),
        (["--bins", "100000000"], "the number of quantile bins must be 2 to 10, not 100,000,000"),
        (["--fdr", "0"], "--fdr must be above 0 and at most 1"),
        (["--json", "{data}"], "--json would overwrite the input table"),
        (["--metric", "mean_absolute_error"], "The target 'outcome' is not numeric"),
        (["--columns", "person"], "The sensitive feature 'person' has 6,000 categories"),
    ],
)
def test_errors_are_one_line_naming_the_column(csv, tmp_path, extra, message):
    data = pd.read_csv(csv).assign(
        person=[f"p{i}" for i in range(6000)],
        grade=np.arange(6000) % 3,
        visits=np.arange(6000) % 7,
    )
    path = tmp_path / "with_ids.csv"
    data.to_csv(path, index=False)
    extra = [str(path) if e == "{data}" else e for e in extra]
    code, _, err = run(["slices", path, *BASE, *extra])
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("fairdash: error: ")
    assert message in err, err
    if message.startswith("--"):  # a command-line mistake points to the command's help
        assert "(see 'python -m fairdash slices --help')" in err


def test_bins_have_the_caps_of_audit(csv):
    """``slices --bins`` refuses what ``audit --bins`` refuses, with the same words, and
    accepts the largest number audit accepts (10 quantile bins of age)."""
    code, _, slices_err = run(["slices", csv, *BASE, "--bins", "11"])
    assert code == 2
    code, _, audit_err = run(["audit", csv, "--target", "outcome", "--prediction", "pred",
                              "--sensitive", "age", "--bins", "age=11"])
    assert code == 2
    cap = "the number of quantile bins must be 2 to 10, not 11"
    assert cap in slices_err and cap in audit_err
    code, out, err = run(["slices", csv, "--target", "outcome", "--prediction", "pred",
                          "--columns", "age", "--bins", "10", "--max-order", "1",
                          "--min-size", "1", "--no-prune", "--json", "-"])
    assert code == 0, err
    ages = {s["slice"] for s in json.loads(out)["slices"]}
    assert len(ages - {"age = (missing)"}) == 10


@pytest.fixture(scope="module")
def processes(csv) -> dict[str, subprocess.CompletedProcess]:
    commands = {
        "gate": ["slices", csv, *BASE, "--metric", "error_rate", "--fail-on-significant"],
        "json": ["slices", csv, *BASE, "--max-order", "2", "--json", "-"],
        "bad_column": ["slices", csv, *BASE, "--columns", "nope"],
        "usage": ["slices", csv, "--target", "outcome"],
    }

    def call(argv):
        return subprocess.run(
            [sys.executable, "-m", "fairdash", *map(str, argv)],
            capture_output=True,
            text=True,
            cwd=csv.parent,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(commands, pool.map(call, commands.values()), strict=True))


@pytest.mark.parametrize(("name", "code"), [("gate", 1), ("json", 0), ("bad_column", 2),
                                            ("usage", 2)])
def test_as_a_process(processes, name, code):
    result = processes[name]
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if name == "json":
        document = json.loads(result.stdout)
        assert {s["order"] for s in document["slices"]} == {1, 2}
    if name == "usage":
        assert "the following arguments are required: --prediction, --columns" in result.stderr
