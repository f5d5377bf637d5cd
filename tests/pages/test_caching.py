"""AppTest: a rerun that changes neither the data nor the problem computes nothing again;
changing either recomputes once; the session keeps one compact copy of the data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import fairdash
import fairdash.io
import fairdash_app.workflows as workflows
from fairdash_app import state as app_state

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "data_model.py")


def loans(n: int = 400, *, shift: int = 0) -> pd.DataFrame:
    """Ids, a free-text note, a date, a group of one, and a "1" that is the bad outcome."""
    i = np.arange(n)
    return pd.DataFrame({
        "id": [f"L{k:05d}" for k in i + shift],
        "income": (i * 7919 + shift) % 1000 / 10,
        "group": np.where(i == 0, "solo", np.where(i % 3 == 0, "b", "a")),
        "region": np.array(["north", "south", "east"])[i % 3],
        "opened": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "note": [f"customer said {k}" for k in i],
        "default": ((i * 31 + shift) % 7 == 0).astype(int),
    })


@pytest.fixture
def calls(monkeypatch):
    """Count the expensive calls behind the Data & model page."""
    counts = {"define_problem": 0, "data_stage": 0, "read_table": 0, "digest": 0}

    def counted(name, func):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return func(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(fairdash, "define_problem", counted("define_problem",
                                                            fairdash.define_problem))
    monkeypatch.setattr(workflows, "_data_stage", counted("data_stage", workflows._data_stage))
    monkeypatch.setattr(fairdash.io, "read_table", counted("read_table", fairdash.io.read_table))
    monkeypatch.setattr(workflows, "data_digest", counted("digest", workflows.data_digest))
    return counts


def upload(at: AppTest, frame: pd.DataFrame, name: str = "loans.csv") -> None:
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value(
        (name, frame.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def define(at: AppTest, sensitive: list[str]) -> None:
    at.selectbox(key="w:data.target").set_value("default").run()
    at.selectbox(key="w:data.positive").set_value(0).run()  # 1 is the bad outcome
    at.multiselect(key="w:data.sensitive").set_value(sensitive).run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def test_reruns_reuse_the_upload_problem_and_data_stage_view(calls):
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()  # the bundled Adult data set, with its suggested definition
    frame = loans()
    upload(at, frame)
    assert (calls["read_table"], calls["digest"]) == (1, 1)
    stages = calls["data_stage"]
    define(at, ["group"])
    assert calls["data_stage"] == stages + 1
    before = dict(calls)
    # Widgets that change neither the data nor the problem: nothing is computed again.
    at.number_input(key="w:data.seed").set_value(5).run()
    at.slider(key="w:data.test_size").set_value(0.4).run()
    at.run()
    assert calls == before
    # Another definition: computed once; going back to the first reuses it.
    at.multiselect(key="w:data.sensitive").set_value(["group", "region"]).run()
    assert calls["define_problem"] == before["define_problem"] + 1
    assert calls["data_stage"] == before["data_stage"] + 1
    at.multiselect(key="w:data.sensitive").set_value(["group"]).run()
    assert calls["define_problem"] == before["define_problem"] + 1
    assert calls["data_stage"] == before["data_stage"] + 1
    problem = at.session_state["problem"]
    assert problem.sensitive_features == ("group",) and problem.positive_label == 0
    # A changed file replaces the data: read and hashed once, everything derived anew.
    upload(at, loans(shift=3), name="loans-v2.csv")
    assert (calls["read_table"], calls["digest"]) == (2, 2)
    derived = at.session_state["derived"]
    data_id = app_state.data_identity(at.session_state["data_name"],
                                      at.session_state["data_digest"])
    assert derived and all(key[1] == data_id for key in derived)


def test_the_session_keeps_one_compact_copy_with_every_value(calls):
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    frame = loans()
    upload(at, frame)
    data = at.session_state["data"]
    assert at.session_state["upload"].data is data  # one frame, not a copy per place
    assert isinstance(data["group"].dtype, pd.CategoricalDtype)
    assert isinstance(data["region"].dtype, pd.CategoricalDtype)
    assert not isinstance(data["id"].dtype, pd.CategoricalDtype)  # identifiers stay text
    assert not isinstance(data["note"].dtype, pd.CategoricalDtype)  # free text stays text
    assert data["default"].dtype == np.int8
    for column in frame.columns:
        assert data[column].astype(object).tolist() == frame[column].astype(object).tolist()
    # The compact frame trains the same model as the file read as it is.
    define(at, ["group"])
    at.button(key="a:data.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    run = at.session_state["run"]
    plain = fairdash.io.read_table(frame.to_csv(index=False).encode(), name="loans.csv")
    problem = at.session_state["problem"]  # the page's definition, on the plain frame
    assert problem.target == "default" and problem.positive_label == 0
    reference = fairdash.train_model(plain, problem, random_state=0)
    np.testing.assert_array_equal(run.test_index, reference.test_index)
    np.testing.assert_allclose(run.y_score, reference.y_score, rtol=1e-12)


def test_derived_results_are_bounded(monkeypatch):
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    monkeypatch.setattr(app_state, "MAX_DERIVED", 3)
    for target in ["income", "age", "workclass", "education", "sex"]:
        at.selectbox(key="w:data.target").set_value(target).run()
        assert not at.exception
    assert len(at.session_state["derived"]) <= 3
