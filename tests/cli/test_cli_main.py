"""The command line in-process: gates, reference groups, labels, outputs, error handling."""

from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from fairdash import InputError
from fairdash.cli import _main as cli_main
from fairdash.cli import audit, evaluate_gates, gate_names, main, parse_gate


def predictions(n: int = 400) -> pd.DataFrame:
    """Two sexes x two races, a model that selects men more, a small group (M, B)."""
    i = np.arange(n)
    sex = np.where(i % 2 == 0, "F", "M")
    race = np.where(i % 20 < 3, "B", "A")  # F x B: 40 rows, M x B: 20 (small)
    y = ((i * 7) % 10 < 4).astype(int)
    score = ((i * 37) % 100) / 100 + np.where(sex == "M", 0.15, 0.0)
    score = np.clip(score, 0, 1)
    return pd.DataFrame(
        {
            "age": 18 + (i * 13) % 60,
            "sex": sex,
            "race": race,
            "y": y,
            "score": score,
            "pred": (score >= 0.5).astype(int),
        }
    )


def run(argv, *, capsys=None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def table(tmp_path) -> str:
    path = tmp_path / "preds.csv"
    predictions().to_csv(path, index=False)
    return str(path)


BASE = ["--target", "y", "--prediction", "pred", "--score", "score", "--sensitive", "sex", "race"]


# --- gates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "metric", "operator", "threshold"),
    [
        ("demographic_parity_difference<=0.1", "summary", "demographic_parity_difference", "<=",
         0.1),
        ("disparate_impact_ratio>=0.8", "summary", "disparate_impact_ratio", ">=", 0.8),
        (" true_positive_rate_difference <= 5e-2 ", "difference", "true_positive_rate", "<=",
         0.05),
        ("accuracy_ratio>=0.9", "ratio", "accuracy", ">=", 0.9),
        ("overall_accuracy>0.5", "overall", "accuracy", ">", 0.5),
        ("roc_auc_difference<0.1", "difference", "roc_auc", "<", 0.1),
    ],
)
def test_parse_gate(text, kind, metric, operator, threshold):
    gate = parse_gate(text)
    assert (gate.kind, gate.metric, gate.operator, gate.threshold) == (
        kind, metric, operator, threshold,
    )
    assert " " not in gate.text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dp_difference<=0.1", "unknown metric"),
        ("demographic_parity<=0.1", "Did you mean 'demographic_parity_"),
        ("accuracy_ratio=0.9", "not of the form"),
        ("accuracy_ratio==0.9", "not of the form"),
        ("accuracy_ratio>=nan", "not a number"),
        ("accuracy_ratio>=inf", "not a number"),
        ("count_difference<=3", "unknown metric"),
        ("", "not of the form"),
    ],
)
def test_parse_gate_errors(text, message):
    with pytest.raises(InputError, match=message):
        parse_gate(text)


def test_every_listed_gate_parses():
    for name in gate_names():
        assert parse_gate(f"{name}<=1").name == name


def test_gate_values_are_the_metrics():
    result = audit(
        predictions(), target="y", prediction="pred", score="score", sensitive_features=["sex"]
    )
    metrics = result.metrics
    gates = [
        parse_gate("demographic_parity_difference<=1"),
        parse_gate("equalized_odds_difference<=0"),
        parse_gate("true_positive_rate_difference<=1"),
        parse_gate("accuracy_ratio>=0"),
        parse_gate("overall_accuracy>=0"),
    ]
    values = [r.value for r in evaluate_gates(gates, result)]
    assert values == [
        metrics.disparities()["demographic_parity_difference"],
        metrics.disparities()["equalized_odds_difference"],
        metrics.difference()["true_positive_rate"],
        metrics.ratio()["accuracy"],
        metrics.overall["accuracy"],
    ]
    assert [r.passed for r in evaluate_gates(gates, result)] == [True, False, True, True, True]


def test_undefined_gate_value_fails_and_is_null_in_json(tmp_path):
    # Every woman has the favourable outcome, every man the other: no group has both
    # classes, so ROC AUC is undefined everywhere.
    data = predictions()
    data["y"] = (data["sex"] == "F").astype(int)
    path = tmp_path / "p.csv"
    data.to_csv(path, index=False)
    code, out, err = run(
        ["audit", str(path), *BASE, "--gate", "roc_auc_difference<=1", "--json", "-"]
    )
    assert code == 1
    assert "gate failed: roc_auc_difference<=1 (value undefined" in err
    document = json.loads(out, parse_constant=lambda c: pytest.fail(f"JSON has {c}"))
    assert document["gates"][0]["value"] is None and document["gates"][0]["passed"] is False
    assert document["differences"]["roc_auc"] is None


def test_exit_codes_and_failing_gates_on_stderr(table):
    code, out, err = run(["audit", table, *BASE, "--gate", "overall_accuracy>=0"])
    assert code == 0 and "gate failed" not in err
    assert "pass  overall_accuracy>=0" in out
    code, out, err = run(
        ["audit", table, *BASE, "--gate", "overall_accuracy>=0", "--gate",
         "demographic_parity_difference<=0.01", "--gate", "disparate_impact_ratio>=0.99"]
    )
    assert code == 1
    failed = [line for line in err.splitlines() if line.startswith("fairdash: gate failed: ")]
    assert len(failed) == 2
    assert "demographic_parity_difference<=0.01" in err and "disparate_impact_ratio>=0.99" in err
    assert "overall_accuracy" not in err
    assert "FAIL  demographic_parity_difference<=0.01" in out


# --- reference groups ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["F,A", "F, A", " F,A ", "F × A"])
def test_reference_by_values(text):
    result = audit(
        predictions(), target="y", prediction="pred", sensitive_features=["sex", "race"],
        reference=text,
    )
    assert result.reference == ("F", "A")
    # The small group (M, B) is left out of the summaries, as everywhere.
    policy = {"reference": ("F", "A"), "min_group_size": 30}
    assert result.differences().equals(result.metrics.difference(**policy).drop("count"))
    assert result.ratios().equals(result.metrics.ratio(**policy).drop("count"))


def test_reference_largest_and_best():
    data = predictions()
    largest = audit(data, target="y", prediction="pred", sensitive_features=["sex", "race"],
                    reference="largest")
    sizes = largest.metrics.group_sizes
    assert largest.reference == sizes.idxmax()
    best = audit(data, target="y", prediction="pred", sensitive_features=["sex", "race"],
                 reference="best")
    rates = best.metrics.by_group["selection_rate"]
    eligible = rates[~best.metrics.small_group]
    assert best.reference == eligible.idxmax()
    # The small group (20 rows) selects most often, but is not eligible as "best".
    assert best.metrics.small_group[("M", "B")] and rates.idxmax() == ("M", "B")


@pytest.mark.parametrize(("text", "message"), [("X,A", "not one of the groups"),
                                                ("F", "one value per feature")])
def test_unknown_reference(text, message):
    with pytest.raises(InputError, match=message):
        audit(predictions(), target="y", prediction="pred", sensitive_features=["sex", "race"],
              reference=text)


def test_reference_changes_difference_gates_not_summaries(table):
    code, out, _ = run(["audit", table, *BASE, "--reference", "M,A", "--json", "-"])
    document = json.loads(out)
    assert code == 0 and document["comparison"] == "to_reference"
    assert document["problem"]["reference"] == {"group": {"sex": "M", "race": "A"},
                                                "label": "M × A"}
    reference_row = next(g for g in document["groups"] if g["label"] == "M × A")
    assert set(reference_row["difference_to_reference"].values()) == {0.0}
    code, plain, _ = run(["audit", table, *BASE, "--json", "-"])
    plain = json.loads(plain)
    assert document["disparities"] == plain["disparities"]
    assert document["differences"] != plain["differences"]


# --- labels, predictions, scores -----------------------------------------------------------


def test_text_target_with_0_1_predictions():
    data = predictions()
    data["y"] = np.where(data["y"] == 1, "approved", "refused")
    result = audit(data, target="y", prediction="pred", sensitive_features=["sex"],
                   positive_label="approved")
    assert result.problem.positive_label == "approved"
    assert result.metrics.overall["selection_rate"] == pytest.approx(data["pred"].mean())


def test_predictions_in_the_targets_labels():
    data = predictions()
    data["y"] = np.where(data["y"] == 1, ">50K", "<=50K")
    data["pred"] = np.where(data["pred"] == 1, ">50K", "<=50K")
    result = audit(data, target="y", prediction="pred", sensitive_features=["sex"])
    assert result.problem.positive_label == ">50K"  # the rarer class by default
    assert result.metrics.overall["selection_rate"] == pytest.approx(
        (data["pred"] == ">50K").mean()
    )


def test_positive_label_given_as_text_is_matched_and_can_be_the_other_class():
    data = predictions()
    one = audit(data, target="y", prediction="pred", sensitive_features=["sex"],
                positive_label="1")
    zero = audit(data, target="y", prediction="pred", sensitive_features=["sex"],
                 positive_label="0")
    assert one.problem.positive_label == 1 and zero.problem.positive_label == 0
    assert zero.metrics.overall["selection_rate"] == pytest.approx(
        1 - one.metrics.overall["selection_rate"]
    )


def test_boolean_target():
    data = predictions()
    data["y"] = data["y"] == 1
    result = audit(data, target="y", prediction="pred", sensitive_features=["sex"],
                   positive_label="TRUE")
    assert result.problem.positive_label is True


def test_0_1_predictions_are_ambiguous_for_a_1_2_target():
    data = predictions()
    data["y"] = data["y"] + 1
    with pytest.raises(InputError, match="must be binary") as info:
        audit(data, target="y", prediction="pred", sensitive_features=["sex"])
    assert info.value.column == "pred"


def test_raw_scores(tmp_path):
    data = predictions()
    data["score"] = data["score"] * 10 - 5
    path = tmp_path / "raw.csv"
    data.to_csv(path, index=False)
    assert run(["audit", str(path), *BASE, "-q"])[0] == 2
    assert run(["audit", str(path), *BASE, "-q", "--raw-scores"])[0] == 0


def test_rows_without_target_are_left_out_with_a_note(tmp_path):
    data = predictions()
    data.loc[:9, "y"] = np.nan
    path = tmp_path / "missing.csv"
    data.to_csv(path, index=False)
    code, out, err = run(["audit", str(path), *BASE, "--json", "-"])
    document = json.loads(out)
    assert code == 0
    assert document["data"]["rows"] == 400 and document["data"]["rows_audited"] == 390
    assert "10 row(s) have no value in the target 'y'" in err
    assert any("10 row(s)" in note for note in document["notes"])


# --- bins ----------------------------------------------------------------------------------


def test_bins_count_and_edges(table):
    code, out, _ = run(["audit", table, *BASE[:-2], "age", "--bins", "age=3", "--json", "-"])
    assert code == 0
    assert len(json.loads(out)["groups"]) == 3
    code, out, _ = run(["audit", table, *BASE[:-2], "age", "--bins", "age=30,50", "--json", "-"])
    labels = [g["label"] for g in json.loads(out)["groups"]]
    assert labels == ["< 30", "[30, 50]", "≥ 50"] or labels == ["< 30", "[30, 50)", "≥ 50"]


def test_numeric_sensitive_feature_binned_by_default_is_noted(table):
    code, _, err = run(["audit", table, *BASE[:-2], "age", "-q"])
    assert code == 0 and "'age' is numeric with many values" in err


def test_bins_caps_are_the_apps():
    from fairdash.cli._options import MAX_BINS
    from fairdash.config._schema import MAX_BINS as CONFIG_MAX_BINS

    assert MAX_BINS == CONFIG_MAX_BINS


@pytest.mark.parametrize(
    "spec",
    [
        "age", "age=", "=3", "age=1", "age=x", "age=1,b",
        "age=100000000", "age=11", "age=-3",  # the app allows 2 to 10 quantile bins
        "age=nan,40", "age=20,inf", "age=-inf,30", "age=40,20", "age=20,20",
        "age=" + ",".join(str(i) for i in range(12)),  # 12 edges: 11 bins
    ],
)
def test_bad_bins_spec(table, spec):
    code, out, err = run(["audit", table, *BASE, "--bins", spec])
    assert code == 2 and out == "" and err.startswith("fairdash: error: --bins")
    assert len(err.splitlines()) == 1 and "unexpected" not in err


# --- outputs -------------------------------------------------------------------------------


def test_json_document(table):
    code, out, _ = run(["audit", table, *BASE, "--gate", "accuracy_ratio>=0", "--json", "-"])
    document = json.loads(out)  # only JSON on stdout
    assert code == 0
    assert set(document) >= {"data", "problem", "overall", "groups", "disparities", "gates",
                             "passed", "differences", "ratios", "notes", "generated_at"}
    group = document["groups"][0]
    assert group["group"] == {"sex": "F", "race": "A"} and group["label"] == "F × A"
    assert group["count"] > 0 and isinstance(group["small_group"], bool)
    assert set(group["intervals"]["selection_rate"]) == {"lower", "upper"}
    assert "roc_auc" in group["metrics"]
    assert document["gates"] == [
        {"gate": "accuracy_ratio>=0", "metric": "accuracy_ratio", "operator": ">=",
         "threshold": 0.0, "value": document["ratios"]["accuracy"], "passed": True}
    ]
    assert document["passed"] is True
    assert document["problem"]["positive_label"] == 1


def test_table_on_stdout(table):
    code, out, _ = run(["audit", table, *BASE, "--min-group-size", "41"])
    assert code == 0
    assert "F × B *" in out and "M × B *" in out and "small group (fewer than 41 rows)" in out
    assert "Summary disparities" in out and "four_fifths_rule_passed" in out
    assert run(["audit", table, *BASE, "-q"])[1] == ""


def test_all_outputs_at_once(table, tmp_path):
    paths = {kind: tmp_path / f"out.{kind}" for kind in ("json", "html", "csv")}
    code, _, _ = run(["audit", table, *BASE, *(f"--{k}={p}" for k, p in paths.items()), "-q"])
    assert code == 0
    assert json.loads(paths["json"].read_text())["groups"]
    html = paths["html"].read_text(encoding="utf-8")
    # Chart data is JSON: "×" is written raw by orjson, escaped by the standard json module.
    assert "F × A" in html or "F \\u00d7 A" in html
    csv_table = pd.read_csv(paths["csv"])
    assert list(csv_table.columns[:4]) == ["sex", "race", "count", "selection_rate"]
    assert len(csv_table) == 4


def test_outputs_must_be_distinct_files(table, tmp_path):
    same = str(tmp_path / "x")
    code, _, err = run(["audit", table, *BASE, "--json", same, "--csv", same])
    assert code == 2 and "different files" in err
    code, _, err = run(["audit", table, *BASE, "--html", "-"])
    assert code == 2 and "only --json" in err


@pytest.mark.parametrize("option", ["--json", "--html", "--csv"])
def test_an_output_pointing_at_the_input_is_refused(table, tmp_path, option):
    before = open(table, "rb").read()
    for spelling in (table, str(tmp_path / "." / "preds.csv")):
        code, out, err = run(["audit", table, *BASE, option, spelling])
        assert code == 2 and out == ""
        assert f"fairdash: error: {option}" in err and "is the input file" in err
    link = tmp_path / "link.csv"
    link.symlink_to(table)
    code, _, err = run(["audit", table, *BASE, option, str(link)])
    assert code == 2 and "is the input file" in err
    assert open(table, "rb").read() == before


@pytest.mark.parametrize(
    ("epoch", "words"),
    [
        ("1e9", "whole number of seconds"),
        ("-5", "whole number of seconds"),
        ("1700000000.5", "whole number of seconds"),
        ("\u0661\u0662", "whole number of seconds"),  # Arabic-Indic digits: isdigit() is True
        ("253402300800", "after the year 9999"),  # 10000-01-01T00:00:00Z
        ("9" * 5000, "after the year 9999"),
    ],
)
def test_bad_source_date_epoch_is_one_clear_message(table, tmp_path, monkeypatch, epoch, words):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    code, out, err = run(["audit", table, *BASE, "--json", str(tmp_path / "a.json")])
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert err.startswith("fairdash: error: SOURCE_DATE_EPOCH") and words in err
    assert "unexpected" not in err and not (tmp_path / "a.json").exists()


def test_source_date_epoch_fixes_the_time(table, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")  # the last second of 9999
    code, out, _ = run(["audit", table, *BASE, "--json", "-"])
    assert code == 0 and json.loads(out)["generated_at"] == "9999-12-31T23:59:59+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")  # empty: as if unset
    assert run(["audit", table, *BASE, "-q"])[0] == 0


class _Stdin:
    """Standard input that counts how much was read from it."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)

    @property
    def consumed(self) -> int:
        return self.buffer.tell()


def test_stdin_stops_reading_at_the_size_limit(monkeypatch):
    row = b"1,F,A,1,0.5,1\n"
    data = b"age,sex,race,y,score,pred\n" + row * 400_000  # 5.6 MB
    stdin = _Stdin(data)
    monkeypatch.setattr(cli_main.sys, "stdin", stdin)
    code, _, err = run(["audit", "-", *BASE, "--max-file-size", "1"])
    assert code == 2 and "over the limit" in err
    assert stdin.consumed <= 2 * 2**20 < len(data)  # the limit and one block
    stdin = _Stdin(predictions().to_csv(index=False).encode())
    monkeypatch.setattr(cli_main.sys, "stdin", stdin)
    assert run(["audit", "-", *BASE, "-q", "--max-file-size", "1"])[0] == 0


@pytest.mark.parametrize("size", ["nan", "inf", "-1", "1e300", "65537"])
def test_max_file_size_is_capped(table, size):
    code, out, err = run(["audit", table, *BASE, "--max-file-size", size])
    assert code == 2 and out == "" and err.startswith("fairdash: error: --max-file-size")


def test_repeated_header_names_are_read_with_a_note(table, tmp_path):
    text = predictions().to_csv(index=False).replace("age,", "score,", 1)  # two "score" columns
    path = tmp_path / "dup.csv"
    path.write_text(text)
    argv = ["--target", "y", "--prediction", "pred", "--sensitive", "sex", "--json", "-"]
    code, out, err = run(["audit", str(path), *argv, "--score", "score.1"])
    assert code == 0, err
    assert "fairdash: note: 'dup.csv' repeats the column name 'score'" in err
    assert "renamed 'score.1'" in err
    # score.1 is the file's second "score" column: the same audit as on the original file.
    _, reference, _ = run(["audit", table, *argv, "--score", "score"])
    groups = [g["metrics"] for g in json.loads(out)["groups"]]
    assert groups == [g["metrics"] for g in json.loads(reference)["groups"]]


def test_unwritable_output_is_an_input_error(table, tmp_path):
    code, _, err = run(["audit", table, *BASE, "--json", str(tmp_path / "no" / "x.json")])
    assert code == 2
    assert err.startswith("fairdash: error: Could not write") and len(err.splitlines()) == 1


def test_excel_sheet_by_position(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "readme"
    workbook.active.append(["just notes"])
    sheet = workbook.create_sheet("data")
    data = predictions()
    sheet.append(list(data.columns))
    for row in data.itertuples(index=False):
        sheet.append([v.item() if hasattr(v, "item") else v for v in row])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    code, _, err = run(["audit", str(path), *BASE, "--sheet", "1", "-q"])
    assert code == 0 and "error" not in err
    code, _, err = run(["audit", str(path), *BASE, "--sheet", "5", "-q"])
    assert code == 2 and "no sheet number 5" in err


# --- the command line itself ---------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["audit"],
        ["audit", "x.csv", "--prediction", "p", "--sensitive", "s"],
        ["audit", "x.csv", "--target", "y", "--prediction", "p", "--sensitive", "s", "--oops"],
        ["audit", "x.csv", "--target", "y", "--prediction", "p", "--sensitive", "s",
         "--min-group-size", "many"],
        ["audit", "x.csv", "--target", "y", "--prediction", "p", "--sensitive", "s",
         "--min-group-size", "-1"],
        ["audit", "x.csv", "--target", "y", "--prediction", "p", "--sensitive", "s",
         "--confidence-level", "95"],
        ["frobnicate"],
    ],
)
def test_usage_errors_are_one_line(argv):
    code, out, err = run(argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("fairdash: error: ")
    assert "--help" in err


def test_unexpected_errors_are_one_line(table, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something\nwent wrong")

    monkeypatch.setattr(cli_main, "audit", broken)
    code, out, err = run(["audit", table, *BASE])
    assert code == 2 and out == ""
    assert err == "fairdash: error: unexpected RuntimeError: something\\nwent wrong\n"


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "datasets" in text and "audit" in text
    assert main(["audit", "--help"]) == 0
    text = capsys.readouterr().out
    for expected in ("--gate", "METRIC_difference", "overall_METRIC",
                     "demographic_parity_difference", "true_positive_rate", "--reference",
                     "exit codes", "examples:"):
        assert expected in text
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("fairdash ")


def test_datasets_command():
    code, out, err = run(["datasets"])
    assert (code, err) == (0, "")
    assert "adult" in out and "german" in out and "income" in out
