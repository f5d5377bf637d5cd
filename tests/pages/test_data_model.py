"""AppTest tests of the Data & model page (the page run on its own, as after a direct link)."""

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import shown_text

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "data_model.py")


def run_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def figure(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "no plotly chart on the page"
    return json.loads(charts[0].proto.spec)


def values(array) -> list:
    """Plotly's JSON stores numeric arrays as base64 ``bdata``; decode them."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def test_bundled_adult_train_and_see_group_metrics():
    at = run_page()
    assert at.selectbox(key="w:data.bundled").value == "adult"
    assert at.selectbox(key="w:data.target").value == "income"
    at.multiselect(key="w:data.sensitive").set_value(["sex", "race"]).run()
    assert not at.error, [e.value for e in at.error]
    at.button(key="a:data.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    metrics = at.session_state["metrics"]
    groups = metrics.by_group[metrics.by_group["count"] > 0]
    assert len(groups) == 10  # 2 sexes x 5 races
    bars = figure(at)["data"][0]
    assert bars["type"] == "bar" and len(bars["x"]) == 10
    assert "Female × White" in bars["x"]
    # the chart shows the engine's numbers
    got = dict(zip(bars["x"], values(bars["y"]), strict=True))
    assert got["Male × White"] == pytest.approx(groups.loc[("Male", "White"), "selection_rate"])
    labels = [m.label for m in at.metric]
    assert "Demographic parity difference" in labels


def test_german_with_binned_age():
    at = run_page()
    at.selectbox(key="w:data.bundled").set_value("german").run()
    assert at.selectbox(key="w:data.target").value == "risk"
    at.multiselect(key="w:data.sensitive").set_value(["sex", "age"]).run()
    at.number_input(key="w:data.bins.age").set_value(3).run()
    at.button(key="a:data.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    idx = at.session_state["metrics"].by_group.index
    assert idx.names == ["sex", "age"] and len(idx.levels[1]) == 3


def test_uploaded_csv(tmp_path):
    rng = pd.Series(range(400))
    df = pd.DataFrame({
        "approved": (rng % 3 == 0).map({True: "yes", False: "no"}),
        "group": (rng % 4).map({0: "a", 1: "b", 2: "c", 3: "d"}),
        "score": (rng * 7919 % 101) / 100,
    })
    at = run_page()
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value(
        ("loans.csv", df.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception, at.exception
    at.selectbox(key="w:data.target").set_value("approved").run()
    at.multiselect(key="w:data.sensitive").set_value(["group"]).run()
    at.button(key="a:data.train").click().run()
    assert not at.error, [e.value for e in at.error]
    assert list(at.session_state["metrics"].by_group.index) == ["a", "b", "c", "d"]


def test_unreadable_upload_shows_a_message_not_a_traceback():
    at = run_page()
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value(
        ("broken.csv", b"\x00\xff\x00garbage", "text/csv"))
    at.run()
    assert not at.exception
    assert at.error and "broken.csv" in shown_text(at.error[0].value)


def test_multiclass_target_message():
    at = run_page()
    at.selectbox(key="w:data.target").set_value("race").run()
    at.multiselect(key="w:data.sensitive").set_value(["sex"]).run()
    assert not at.exception
    assert any("multiclass is not" in shown_text(e.value) for e in at.error)
