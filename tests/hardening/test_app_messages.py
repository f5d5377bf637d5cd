"""Crashes that became messages (issue 15, items 3 and 4), in AppTest.

Configurations of the wrong shape restored on the Report page, uploads whose
groups are too many to list, and Parquet columns that cannot be groups each
give one clear message naming the problem, never Streamlit's error box; a
failed restore leaves the session exactly as it was.
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

import fairdash
from fairdash import datasets
from tests.conftest import shown_text

ROOT = Path(__file__).resolve().parents[2]


def german_config(**settings) -> dict:
    german = datasets.load("german")
    problem = fairdash.define_problem(german, target="risk", sensitive_features=["sex"])
    return {
        "fairdash_config": 1,
        "data": {"name": "german", "sha256": None, "bundled": True},
        "problem": problem.to_dict(),
        "settings": {"workflow": "train", "estimator": "logistic_regression",
                     "test_size": 0.3, "random_state": 0, **settings},
        "current_model": None,
        "thresholds": None,
    }


def _without(config: dict, section: str, key: str) -> dict:
    config = json.loads(json.dumps(config))
    del config[section][key]
    return config


def _raw(config: dict) -> bytes:
    return json.dumps(config).encode()


def _mitigate(**changes) -> dict:
    return german_config(workflow="mitigate", calibration_size=0.2,
                         methods=[{"method": "unmitigated", "params": {}}], **changes)


_GERMAN = german_config()
_BAD_CONFIGS = {
    "test_size as text": (_raw(german_config(test_size="0.3")), "settings.test_size"),
    "random_state 2**64": (_raw(german_config(random_state=2**64)), "settings.random_state"),
    "random_state as text": (_raw(german_config(random_state="0")), "settings.random_state"),
    "random_state 0.5": (_raw(german_config(random_state=0.5)), "settings.random_state"),
    "bins a list of texts": (
        _raw({**_GERMAN, "problem": {**_GERMAN["problem"], "bins": ["a", "b"]}}), "problem.bins"),
    "no sensitive_features": (_raw(_without(_GERMAN, "problem", "sensitive_features")),
                              "sensitive_features"),
    "no methods": (_raw(_without(_mitigate(), "settings", "methods")), "methods"),
    "nested 100k deep": (b"[" * 100_000, "nest"),
    "5,000-digit integer": (
        _raw(german_config()).replace(b'"random_state": 0', b'"random_state": ' + b"9" * 5000),
        "settings.random_state"),
    "not UTF-8": (b"\xff\xfe{", "UTF-8"),
}


def _restore(at: AppTest, raw: bytes) -> AppTest:
    at.switch_page("pages/report.py").run()
    at.file_uploader(key="a:report.config_upload").set_value(
        ("config.json", raw, "application/json")).run()
    at.button(key="a:report.restore").click().run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def german_session() -> AppTest:
    """A session restored from a good German credit configuration."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    _restore(at, _raw(german_config()))
    assert at.success and not at.error, [e.value for e in at.error]
    return at


def _snapshot(at: AppTest) -> dict:
    state = at.session_state
    return {
        "data": id(state["data"]), "data_name": state["data_name"],
        "rows": len(state["data"]), "models": [m.uid for m in state["models"]],
        "names": [m.name for m in state["models"]], "current": state["current_model"],
        "evaluation": id(state["evaluation"]), "target": state["evaluation"].problem.target,
        "settings": dict(state["settings"]), "thresholds": state["thresholds"],
        "sensitive": state["w:data.sensitive"], "source": state["w:data.bundled"],
    }


@pytest.mark.parametrize("raw, field", _BAD_CONFIGS.values(), ids=list(_BAD_CONFIGS))
def test_a_bad_configuration_is_one_message_and_changes_nothing(german_session, raw, field):
    at = german_session
    before = _snapshot(at)
    _restore(at, raw)
    assert len(at.error) == 1, [e.value for e in at.error]
    assert field in shown_text(at.error[0].value)
    assert _snapshot(at) == before
    assert before["data_name"] == "german" and before["target"] == "risk"


def test_after_a_failed_restore_report_and_explore_still_work(german_session):
    at = german_session
    _restore(at, _raw(german_config(test_size="0.3")))
    for page in ["report", "explore", "data_model", "compare"]:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception and not at.error, (page, [e.value for e in at.error])
        assert not any("Stale" in w.value for w in at.warning), page  # German data shown
        assert at.session_state["evaluation"].data_name == "german"
    at.switch_page("pages/report.py").run()
    assert "data german" in shown_text(" ".join(c.value for c in at.caption))
    assert at.get("download_button"), "the Report page offers its downloads"


def test_a_restore_that_does_not_fit_the_data_changes_nothing(german_session):
    at = german_session
    before = _snapshot(at)
    config = german_config()
    config["problem"]["target"] = "income"  # not a German credit column
    _restore(at, _raw(config))
    assert len(at.error) == 1 and "income" in shown_text(at.error[0].value)
    assert _snapshot(at) == before


def _data_page(name: str, content: bytes, mime: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "data_model.py"), default_timeout=180)
    at.run()
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value((name, content, mime)).run()
    assert not at.exception, at.exception
    return at


def test_three_sensitive_features_of_fifty_values_each():
    rng = np.random.default_rng(0)
    n = 3000
    # Text values (numbers with 50 values would be binned into quantiles).
    frame = pd.DataFrame({f"s{i}": np.char.add("v", rng.integers(0, 50, n).astype(str))
                          for i in range(3)})
    frame["x"] = rng.normal(size=n)
    frame["y"] = rng.integers(0, 2, n)
    at = _data_page("many.csv", frame.to_csv(index=False).encode(), "text/csv")
    at.selectbox(key="w:data.target").set_value("y").run()
    at.multiselect(key="w:data.sensitive").set_value(["s0", "s1", "s2"]).run()
    assert not at.exception, at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    assert "groups" in shown_text(at.error[0].value) and "s2" in shown_text(at.error[0].value)
    # No model section for a definition whose groups cannot be counted.
    assert "a:data.train" not in [b.key for b in at.button]
    # Two of them (2,500 possible groups) are fine: the page goes on to the model.
    at.multiselect(key="w:data.sensitive").set_value(["s0", "s1"]).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "a:data.train" in [b.key for b in at.button]


def _parquet(column: str, values: pa.Array) -> bytes:
    n = len(values)
    table = pa.table({column: values, "x": pa.array(np.linspace(0, 1, n)),
                      "y": pa.array(np.arange(n) % 2)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("column, values", [
    ("blob", pa.array([bytes([i % 3, 0xFF]) for i in range(120)], type=pa.binary())),
    ("waited", pa.array([datetime.timedelta(days=i % 4) for i in range(120)],
                        type=pa.duration("s"))),
], ids=["binary", "duration"])
def test_parquet_binary_or_duration_column_as_sensitive_feature(column, values):
    at = _data_page(f"{column}.parquet", _parquet(column, values), "application/octet-stream")
    assert not at.error, [e.value for e in at.error]  # read; only grouping by it is refused
    at.selectbox(key="w:data.target").set_value("y").run()
    at.multiselect(key="w:data.sensitive").set_value([column]).run()
    assert not at.exception, at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    message = shown_text(at.error[0].value)
    assert f"'{column}'" in message and "no readable groups" in message
    assert "a:data.train" not in [b.key for b in at.button]


@pytest.mark.parametrize("column, values", [
    ("blob", pd.Series([b"\x00\xff", b"\x01\xff", None] * 20, name="blob")),
    ("mixed", pd.Series(["a", b"\xff", "b"] * 20, name="mixed")),
    ("waited", pd.Series(pd.to_timedelta(np.arange(60) % 3, unit="D"), name="waited")),
])
def test_the_core_refuses_bytes_and_durations_as_groups(column, values):
    frame = pd.DataFrame({column: values, "x": np.arange(60.0), "y": np.arange(60) % 2})
    with pytest.raises(fairdash.InputError, match=f"'{column}' holds") as info:
        fairdash.define_problem(frame, target="y", sensitive_features=[column])
    assert info.value.column == column
    text = pd.DataFrame({column: values.map(str), "x": 0.0, "y": np.arange(60) % 2})
    fairdash.define_problem(text, target="y", sensitive_features=[column])  # as text: fine
