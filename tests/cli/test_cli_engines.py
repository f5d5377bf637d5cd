"""``fairdash audit`` on prediction logs: the engine choice and equal results on every engine."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest

from fairdash.cli import main
from fairdash.cli._log import choose_engine
from tests.engines.conftest import make_log

ARGS = ["--target", "income", "--prediction", "pred", "--score", "score",
        "--sensitive", "sex", "race", "age", "--positive-label", ">50K",
        "--gate", "demographic_parity_difference<=0.5"]


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    folder = tmp_path_factory.mktemp("log")
    frame = make_log(6000, seed=3)
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[part].to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def audit_json(folder, engine, *extra):
    code, out, err = run(["audit", str(folder), *ARGS, "--engine", engine, "--json", "-", *extra])
    assert code == 0, err
    document = json.loads(out)
    document.pop("generated_at")
    return document, err


def assert_same_document(a, b, path=""):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same_document(a[key], b[key], f"{path}/{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_document(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, abs=1e-12), path
    else:
        assert a == b, path


def test_duckdb_gives_the_numpy_document(log):
    in_memory, _ = audit_json(log, "numpy")
    on_duckdb, _ = audit_json(log, "duckdb")
    # Scores have 4 decimals, finer than the 65,536 histogram bins: AUC is exact too.
    assert_same_document(in_memory, on_duckdb)
    assert in_memory["data"]["rows"] == 6000


def test_glob_and_html(log, tmp_path):
    html = tmp_path / "log.html"
    code, _, err = run(["audit", f"{log}/part-*.parquet", *ARGS, "--engine", "duckdb", "-q",
                        "--html", str(html)])
    assert code == 0, err
    text = html.read_text(encoding="utf-8")
    assert "Female" in text and "<script" in text


@pytest.mark.parametrize("engine", ["duckdb", "numpy", "auto"])
def test_a_file_named_like_a_glob_is_audited_as_named(log, tmp_path, engine):
    frame = make_log(6000, seed=3)
    named = tmp_path / "log[1].parquet"
    frame.to_parquet(named, index=False)
    frame.iloc[:100].to_parquet(tmp_path / "log1.parquet", index=False)  # what the glob matches
    document, _ = audit_json(named, engine)
    assert document["data"]["rows"] == 6000
    expected, _ = audit_json(log, "numpy")  # the same 6,000 rows in 3 parts
    for key in ("overall", "groups", "disparities", "differences", "ratios"):
        assert_same_document(document[key], expected[key])


def test_auto_engine_is_said_on_stderr(log):
    _, err = audit_json(log, "auto")
    assert "engine numpy: the data (" in err and "fits comfortably in memory" in err


def test_choose_engine_rule(log):
    size = sum(p.stat().st_size for p in log.glob("*.parquet"))
    engine, why = choose_engine(str(log), "auto", available=int(size * 10 / 0.25) + 1)
    assert engine == "numpy"
    engine, why = choose_engine(str(log), "auto", available=int(size * 10 / 0.25) - 1)
    assert engine == "duckdb" and "does not fit comfortably" in why
    assert choose_engine("-", "auto")[0] == "numpy"
    assert choose_engine(str(log), "spark")[0] == "spark"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nothing-*.parquet"], "matches no file"),
        (["LOG", "--engine", "duckdb", "--spark-master", "local[1]"],
         "--spark-master goes with --engine spark"),
        (["LOG", "--engine", "duckdb", "--sensitive", "gender"], "'gender' is not in"),
        (["book.xlsx", "--engine", "duckdb"], "needs the numpy engine"),
    ],
)
def test_errors_are_one_line(log, tmp_path, argv, message):
    argv = [str(log) if a == "LOG" else str(tmp_path / a) if a.endswith(("x", "parquet")) else a
            for a in argv]
    code, _, err = run(["audit", argv[0], *ARGS, *argv[1:]])
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_bad_part_names_the_file_and_exits_2(log, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for part in log.glob("*.parquet"):
        (folder / part.name).write_bytes(part.read_bytes())
    (folder / "part-9.parquet").write_bytes(b"PAR1 truncated")
    result = subprocess.run(
        [sys.executable, "-m", "fairdash", "audit", str(folder), *ARGS, "--engine", "duckdb"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 2
    assert "part-9.parquet" in result.stderr and "Traceback" not in result.stderr


def test_spark_gives_the_numpy_document(spark, log):
    in_memory, _ = audit_json(log, "numpy")
    on_spark, _ = audit_json(log, "spark", "--spark-master", "local[2]")
    assert_same_document(in_memory, on_spark)
