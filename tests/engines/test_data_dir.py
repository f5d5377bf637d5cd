"""The server-side data folder lists its logs and refuses every path that leads out."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from fairdash import InputError
from fairdash.engines import describe_log, list_data_dir, resolve_in_data_dir


@pytest.fixture
def data_dir(tmp_path):
    root = tmp_path / "data"
    (root / "logs" / "2026-11").mkdir(parents=True)
    frame = pd.DataFrame({"g": ["a", "b"], "y": [0, 1], "p": [1, 1]})
    frame.to_parquet(root / "logs" / "2026-11" / "part-0.parquet")
    frame.to_parquet(root / "one.parquet")
    frame.to_csv(root / "small.csv", index=False)
    (root / "notes.txt").write_text("not a log")
    (root / "empty").mkdir()
    outside = tmp_path / "secret"
    outside.mkdir()
    frame.to_parquet(outside / "private.parquet")
    os.symlink(outside, root / "escape")
    os.symlink(outside / "private.parquet", root / "escape.parquet")
    (root / "mixed").mkdir()
    frame.to_parquet(root / "mixed" / "ok.parquet")
    os.symlink(outside / "private.parquet", root / "mixed" / "leak.parquet")
    inside_link = root / "alias"
    os.symlink(root / "logs", inside_link)
    return str(root)


def test_lists_logs_only(data_dir):
    assert list_data_dir(data_dir) == ["alias/", "logs/", "one.parquet", "small.csv"]


@pytest.mark.parametrize("name", ["logs", "logs/", "logs/2026-11", "one.parquet", "alias"])
def test_resolves_inside(data_dir, name):
    path = resolve_in_data_dir(name, data_dir=data_dir)
    assert path.startswith(os.path.realpath(data_dir) + os.sep)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../secret", r"leads out of the data folder \('\.\.' is not allowed\)"),
        ("logs/../../secret", r"'\.\.' is not allowed"),
        ("/etc/passwd", "absolute path"),
        ("~/x.parquet", "absolute path"),
        ("escape", "is a link that leads out of the data folder"),
        ("escape.parquet", "is a link that leads out of the data folder"),
        ("mixed", "'leak.parquet' in 'mixed' is a link that leads out"),
        ("missing.parquet", "There is no 'missing.parquet' in the data folder"),
        ("empty", "holds no Parquet or CSV file"),
        ("", "Choose a file or folder"),
    ],
)
def test_refuses_with_a_clear_message(data_dir, name, message):
    with pytest.raises(InputError, match=message):
        resolve_in_data_dir(name, data_dir=data_dir)


def test_missing_data_dir(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        list_data_dir(tmp_path / "nowhere")


def test_describe_log_reads_the_columns(data_dir):
    columns = describe_log(resolve_in_data_dir("logs", data_dir=data_dir))
    assert list(columns) == ["g", "y", "p"]
    assert columns["g"] == "VARCHAR" and columns["y"] == "BIGINT"
