"""benchmarks/: one shared helper, and ``--quick`` in every benchmark (run on demand only)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted((ROOT / "benchmarks").glob("bench_*.py"))


@pytest.fixture(scope="module")
def common():
    spec = importlib.util.spec_from_file_location("_common", ROOT / "benchmarks" / "_common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_benchmark_uses_the_shared_helper_and_has_quick():
    assert BENCHMARKS

    def help_text(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(path), "--help"],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(BENCHMARKS, pool.map(help_text, BENCHMARKS), strict=True))
    for path, result in results.items():
        assert result.returncode == 0, (path.name, result.stderr)
        for flag in ("--quick", "--threads", "--out"):
            assert flag in result.stdout, (path.name, flag)
        assert "import _common" in path.read_text(), path.name


def test_timed_takes_the_median_of_the_runs(common, monkeypatch):
    # Runs of 3, 1 and 2 s wall (CPU: 0.3, 0.1, 0.2 s): medians 2 s and 0.2 s.
    wall = iter(chain.from_iterable((0.0, d) for d in (3.0, 1.0, 2.0)))
    cpu = iter(chain.from_iterable((0.0, d) for d in (0.3, 0.1, 0.2)))
    monkeypatch.setattr(common.time, "perf_counter", lambda: next(wall))
    monkeypatch.setattr(common.time, "process_time", lambda: next(cpu))
    calls = []
    timing = common.timed(lambda: calls.append(1) or len(calls), 3)
    assert timing["s"] == 2.0 and timing["cpu_s"] == pytest.approx(0.2)
    assert timing["runs_s"] == [3.0, 1.0, 2.0]
    assert timing["result"] == 3 and len(calls) == 3


def test_quick_runs_never_write_the_committed_results(common):
    parser = common.make_parser("x", quick="small")
    assert common.output_dir(parser.parse_args([])) == common.RESULTS_DIR
    quick = common.output_dir(parser.parse_args(["--quick"]))
    assert quick == common.QUICK_DIR and not quick.is_relative_to(ROOT)
    assert common.output_dir(parser.parse_args(["--quick", "--out", "/x"])) == Path("/x")


def test_write_results_writes_markdown_and_json(common, tmp_path):
    data = {"value": np.float64(0.25), "rows": 3}
    paths = common.write_results("demo", ["# Demo", "", "line"], data, out_dir=tmp_path / "new")
    assert [p.name for p in paths] == ["demo.md", "demo.json"]
    assert paths[0].read_text() == "# Demo\n\nline\n"
    assert json.loads(paths[1].read_text()) == {"value": 0.25, "rows": 3}


def test_run_record_has_machine_and_load(common):
    run = common.finish_run(common.start_run(quick=True))
    assert run["quick"] is True and run["wall_s"] >= 0
    assert len(run["load_start"]) == len(run["load_end"]) == 3
    assert run["machine"]["cores"] == os.cpu_count()
    assert run["machine"]["versions"]["numpy"] == np.__version__
    line = common.machine_line(run["machine"])
    assert f"numpy {np.__version__}" in line and f"{os.cpu_count()} cores" in line


def test_limit_threads_reads_the_command_line(common, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["bench.py", "--quick", "--threads=3"])
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    assert common.limit_threads(1) == "3"
    assert os.environ["OMP_NUM_THREADS"] == os.environ["MKL_NUM_THREADS"] == "3"
    monkeypatch.setattr(sys, "argv", ["bench.py"])
    assert common.limit_threads(2) == "2" and os.environ["OPENBLAS_NUM_THREADS"] == "2"
