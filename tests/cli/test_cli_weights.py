"""``fairdash audit --sample-weight COL``: weighted rates on every engine, bad weights refused."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli.test_cli_engines import ARGS, assert_same_document, audit_json, run
from tests.engines.conftest import make_log

WEIGHTED = ("--sample-weight", "weight")
NOTE = "Every rate is weighted by the column 'weight'."


@pytest.fixture(scope="module")
def frame():
    frame = make_log(6000, seed=5)
    # Weights that move the rates: heavier where the model says yes, more so for women.
    rng = np.random.default_rng(7)
    frame["weight"] = rng.uniform(0.2, 1.0, len(frame)) * np.where(
        frame["pred"] == 1, np.where(frame["sex"] == "Female", 6.0, 2.0), 1.0
    )
    frame.loc[:9, "weight"] = 0.0  # zero weights are allowed
    return frame


@pytest.fixture(scope="module")
def log(tmp_path_factory, frame):
    folder = tmp_path_factory.mktemp("weighted")
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[part].to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


@pytest.fixture(scope="module")
def in_memory(log):
    document, err = audit_json(log, "numpy", *WEIGHTED)
    assert NOTE in err
    return document


def test_duckdb_gives_the_numpy_document(log, in_memory):
    on_duckdb, _ = audit_json(log, "duckdb", *WEIGHTED)
    assert_same_document(in_memory, on_duckdb)


def test_spark_gives_the_numpy_document(spark, log, in_memory):
    on_spark, _ = audit_json(log, "spark", "--spark-master", "local[2]", *WEIGHTED)
    assert_same_document(in_memory, on_spark)


def test_the_document_says_the_rates_are_weighted(in_memory, log):
    assert NOTE in in_memory["notes"]
    assert in_memory["problem"]["sample_weight"] == "weight"
    unweighted, _ = audit_json(log, "numpy")
    assert NOTE not in unweighted["notes"]
    assert unweighted["problem"]["sample_weight"] is None


def _by_sex(document):
    return {g["group"]["sex"]: g for g in document["groups"]}


def test_selection_rates_are_weighted_means(log, frame):
    # One sensitive feature, so the groups are pandas' groups.
    argv = ["--target", "income", "--prediction", "pred", "--sensitive", "sex",
            "--positive-label", ">50K"]
    code, out, err = run(["audit", str(log), *argv, "--json", "-", *WEIGHTED])
    assert code == 0, err
    document = json.loads(out)
    weighted = _by_sex(document)
    code, out, err = run(["audit", str(log), *argv, "--json", "-"])
    assert code == 0, err
    unweighted = _by_sex(json.loads(out))

    favourable = frame["pred"] == 1
    for sex, rows in frame.groupby("sex"):
        expected = np.average(favourable[rows.index], weights=rows["weight"])
        plain = favourable[rows.index].mean()
        got = weighted[sex]["metrics"]["selection_rate"]
        assert got == pytest.approx(expected, abs=1e-12)
        assert unweighted[sex]["metrics"]["selection_rate"] == pytest.approx(plain, abs=1e-12)
        assert abs(got - plain) > 0.05  # the weights matter here
        # Counts stay row counts, as group_metrics keeps them.
        assert weighted[sex]["count"] == len(rows)
    observed = frame["income"] == ">50K"
    assert document["overall"]["metrics"]["accuracy"] == pytest.approx(
        np.average(favourable == observed, weights=frame["weight"]), abs=1e-12
    )
    assert document["overall"]["metrics"]["base_rate"] == pytest.approx(
        np.average(observed, weights=frame["weight"]), abs=1e-12
    )


def test_html_says_the_rates_are_weighted(log, tmp_path):
    html = tmp_path / "weighted.html"
    code, _, err = run(["audit", str(log), *ARGS, "--engine", "duckdb", "-q", *WEIGHTED,
                        "--html", str(html)])
    assert code == 0, err
    text = html.read_text(encoding="utf-8")
    assert "Every rate is weighted by the column" in text and "weight" in text


def _bad_log(folder, frame, kind):
    folder.mkdir()
    bad = frame.copy()
    if kind == "text":
        bad["weight"] = np.where(np.arange(len(bad)) % 2, "heavy", "light")
    elif kind == "negative":
        bad.loc[123, "weight"] = -0.5
    elif kind == "zero":
        bad["weight"] = 0.0
    elif kind == "missing":
        bad.loc[77, "weight"] = None  # NULL in Parquet
    if kind in ("nan", "infinite"):
        # A real NaN / infinity (pandas would write NaN as NULL).
        table = pa.Table.from_pandas(bad, preserve_index=False)
        weight = bad["weight"].to_numpy().copy()
        weight[55] = np.nan if kind == "nan" else np.inf
        column = pa.array(weight, from_pandas=False)
        table = table.set_column(table.schema.get_field_index("weight"), "weight", column)
        pq.write_table(table, folder / "part-0.parquet")
    else:
        bad.to_parquet(folder / "part-0.parquet", index=False)
    return folder


@pytest.mark.parametrize("engine", ["numpy", "duckdb"])
@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("text", "numeric"),
        ("negative", "must not be negative"),
        ("zero", "sums to zero"),
        ("missing", "missing or infinite"),
        ("nan", "missing or infinite"),
        ("infinite", "missing or infinite"),
        ("no column", "is not in"),
    ],
)
def test_bad_weights_exit_2_naming_the_column(tmp_path, frame, engine, kind, message):
    folder = _bad_log(tmp_path / "bad", frame, kind)
    column = "wieght" if kind == "no column" else "weight"
    code, _, err = run(["audit", str(folder), *ARGS, "--engine", engine,
                        "--sample-weight", column])
    assert code == 2
    assert message in err and f"'{column}'" in err
    assert "sample weight" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_spark_refuses_a_negative_weight(spark, tmp_path, frame):
    folder = _bad_log(tmp_path / "bad", frame, "negative")
    code, _, err = run(["audit", str(folder), *ARGS, "--engine", "spark",
                        "--spark-master", "local[2]", *WEIGHTED])
    assert code == 2
    assert "The sample weight column 'weight'" in err and "must not be negative" in err


def test_weights_of_rows_without_a_target_are_checked_too(tmp_path, frame):
    # As the engines check a log's whole weight column, the in-memory audit does.
    bad = frame.copy()
    bad["income"] = bad["income"].astype(object)
    bad.loc[9, "income"] = None
    bad.loc[9, "weight"] = -1.0
    path = tmp_path / "rows.csv"
    bad.to_csv(path, index=False)
    for engine in ("numpy", "duckdb"):
        code, _, err = run(["audit", str(path), *ARGS, "--engine", engine, *WEIGHTED])
        assert code == 2 and "must not be negative" in err, (engine, err)


@pytest.mark.parametrize("engine", ["numpy", "duckdb"])
@pytest.mark.parametrize(("column", "role"), [("income", "the target"), ("score", "the score"),
                                              ("race", "a sensitive")])
def test_a_weight_column_with_another_role_is_refused(log, engine, column, role):
    code, _, err = run(["audit", str(log), *ARGS, "--engine", engine, "--sample-weight", column])
    assert code == 2
    assert f"'{column}' is {role} column" in err
    assert len(err.strip().splitlines()) == 1
