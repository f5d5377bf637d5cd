"""AppTest: a server-side Parquet log opened from FAIRDASH_DATA_DIR, audited where it lives.

Data & model opens it (no upload); Explore shows the numbers of
``fairdash.engines.log_group_metrics``; What-if works from the score histograms
(exact at their edges); Report renders; pages that need rows say so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fairdash.engines import log_group_metrics
from fairdash_app.server_log import EDGES_NOTE, log_report_html
from fairdash_app.state import DEFAULT_MIN_GROUP_SIZE, SERVER

ROOT = Path(__file__).resolve().parents[2]
SENSITIVE = ["sex", "age_band"]


def page(name: str) -> str:
    return str(ROOT / "pages" / f"{name}.py")


def messy_log(n: int = 4_000, seed: int = 0) -> pd.DataFrame:
    """Ids, names, dates, free text, a column recorded after the outcome, a group of one
    person, and a target whose 1 is the bad outcome (reoffended)."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Female", "Male"], n).astype(object)
    sex[7] = "Non-binary"  # a group of one person
    band = rng.choice(["18-25", "26-40", "41+"], n)
    reoffended = (rng.random(n) < np.where(sex == "Male", 0.4, 0.25)).astype(int)
    risk = np.clip(rng.normal(np.where(reoffended == 1, 0.6, 0.4), 0.2), 0, 1)
    return pd.DataFrame({
        "person_id": np.arange(n) + 10_000,
        "name": [f"Person {i}" for i in range(n)],
        "decided_on": pd.date_range("2026-01-01", periods=n, freq="h"),
        "note": rng.choice(["ok", "late, re-check", "🙂 follow-up"], n),
        "sex": sex,
        "age_band": band,
        "reoffended": reoffended,
        # predicted label in the outcome's values: 1 = predicted to reoffend (unfavourable)
        "predicted": (risk >= 0.5).astype(int),
        "risk_low": 1 - risk,  # score of the favourable outcome
        "rearrested_later": reoffended,  # recorded after the outcome
    })


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("server-data")
    folder = root / "predictions"
    folder.mkdir()
    frame = messy_log()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[rows].to_parquet(folder / f"part-{i}.parquet", index=False)
    (root / "README.txt").write_text("not a log")
    with pytest.MonkeyPatch.context() as mp:  # for every test of this module
        mp.setenv("FAIRDASH_DATA_DIR", str(root))
        yield str(root), frame


@pytest.fixture(scope="module")
def opened(data_dir):
    """The Data & model page after opening the log: the session a user would have."""
    at = AppTest.from_file(page("data_model"), default_timeout=180)
    at.run()
    assert SERVER in at.radio(key="w:data.source").options
    at.radio(key="w:data.source").set_value(SERVER).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="w:data.log.name").options == ["predictions/"]
    at.selectbox(key="w:data.log.target").set_value("reoffended")
    at.selectbox(key="w:data.log.prediction").set_value("predicted")
    at.selectbox(key="w:data.log.score").set_value("risk_low")
    at.multiselect(key="w:data.log.sensitive").set_value(SENSITIVE).run()
    at.button(key="a:data.log.audit").click().run()
    assert not at.exception, at.exception
    # reoffending (1) is the bad outcome: not reoffending (0) is favourable
    at.selectbox(key="w:data.log.positive").set_value(0).run()
    assert not at.exception, at.exception
    log = at.session_state["log_audit"]
    assert log is not None and log.positive_label == 0 and type(log.positive_label) is int
    assert any("Audited **predictions\\/**: 4,000 rows" in s.value for s in at.success)
    return at, log


def run(name: str, log) -> AppTest:
    at = AppTest.from_file(page(name), default_timeout=180)
    at.session_state["log_audit"] = log
    at.run()
    assert not at.exception, at.exception
    return at


def test_no_server_folder_no_option(monkeypatch):
    monkeypatch.delenv("FAIRDASH_DATA_DIR", raising=False)
    at = AppTest.from_file(page("data_model"), default_timeout=180)
    at.run()
    assert SERVER not in at.radio(key="w:data.source").options


def test_aggregated_once_per_files_and_columns(opened):
    at, log = opened
    tables = at.session_state["log_tables"]
    assert len(tables) == 1 and next(iter(tables.values())) is log.table
    at.selectbox(key="w:data.log.positive").set_value(1).run()  # no new aggregation
    assert next(iter(at.session_state["log_tables"].values())) is log.table
    at.selectbox(key="w:data.log.positive").set_value(0).run()


def test_explore_shows_the_engine_numbers(opened, data_dir):
    _, log = opened
    root, frame = data_dir
    expected = log_group_metrics(
        str(Path(root) / "predictions"), target="reoffended", prediction="predicted",
        sensitive_features=SENSITIVE, pos_label=0, score="risk_low",
        min_group_size=DEFAULT_MIN_GROUP_SIZE,  # the app's default small-group policy
    )
    at = run("explore", log)
    table = at.dataframe[0].value
    want = expected.to_frame()
    assert list(table.index) == list(want.index)
    pd.testing.assert_frame_equal(table[want.columns], want, rtol=0, atol=1e-12)
    assert table["count"].sum() == len(frame)
    # independent check of one rate: selection rate of women, by pandas
    women = frame[frame["sex"] == "Female"]
    rates = women.groupby("age_band")["predicted"].apply(lambda p: (p == 0).mean())
    for band, rate in rates.items():
        assert table.loc[("Female", band), "selection_rate"] == pytest.approx(rate, abs=1e-12)
    assert any("not available for a server-side log" in i.value for i in at.info)
    assert at.get("plotly_chart")  # selection rate, error rates, heatmap


def test_whatif_works_on_the_histogram(opened, data_dir):
    _, log = opened
    _, frame = data_dir
    at = run("whatif", log)
    assert any(EDGES_NOTE in i.value for i in at.info)
    slider = at.slider(key="w:whatif.all")
    assert (slider.min, slider.max) == log.curves.score_range
    assert slider.proto.step == 0.01  # about 100 steps across scores from 0 to 1
    slider.set_value(0.55).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    # Each group's edge in effect (its lowest occupied edge at or above the slider), and
    # thresholding every row of the group there, by pandas.
    # (the group of one person scores below: nobody selected, no threshold shown)
    assert (table["threshold"].dropna() >= 0.55).all()
    assert table["threshold"].isna().sum() <= 1
    for label, row in table.iterrows():
        sex, band = label.split(" × ")
        rows = frame[(frame["sex"] == sex) & (frame["age_band"] == band)]
        selected = rows["risk_low"] >= row["threshold"]
        assert row["count"] == len(rows)
        assert row["selection_rate"] == pytest.approx(selected.mean(), abs=1e-12)
    at.button(key="a:whatif.strategy.demographic_parity").click().run()
    assert not at.exception, at.exception
    assert at.radio(key="w:whatif.mode").value == "One threshold per group"
    assert any(m.value.startswith("**Demographic parity**") for m in [*at.success, *at.warning])
    assert not [b for b in at.button if b.key == "a:whatif.add"]


def test_report_renders(opened):
    _, log = opened
    at = run("report", log)
    buttons = {b.proto.label for b in at.get("download_button")}
    assert {"HTML report", "Group metrics (CSV)"} <= buttons
    assert at.get("plotly_chart")
    html = log_report_html(log, thresholds={"Female × 18-25": 0.5})
    assert "predictions/" in html and "4,000" in html and "What-if thresholds" in html


@pytest.mark.parametrize("name", ["mitigate", "compare", "discover"])
def test_row_level_pages_say_they_are_not_available(opened, name):
    _, log = opened
    at = run(name, log)
    assert any("not available for it" in i.value for i in at.info)


def _open_weighted(root: Path, *, bins_text: str) -> AppTest:
    at = AppTest.from_file(page("data_model"), default_timeout=180)
    at.run()
    at.radio(key="w:data.source").set_value(SERVER).run()
    at.selectbox(key="w:data.log.name").set_value("weighted.parquet")
    at.selectbox(key="w:data.log.target").set_value("reoffended")
    at.selectbox(key="w:data.log.prediction").set_value("predicted")
    at.selectbox(key="w:data.log.score").set_value("risk_low")
    at.multiselect(key="w:data.log.sensitive").set_value(["sex", "age"]).run()
    assert not at.exception, at.exception
    # Only numeric columns outside the groups can weigh rows (not ids' text, dates or names).
    options = at.selectbox(key="w:data.log.weight").options
    assert "weight" in options and "name" not in options and "age" not in options
    at.selectbox(key="w:data.log.weight").set_value("weight")
    at.text_input(key="w:data.log.bins.age").set_value(bins_text).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("bins_text", "bins"), [("30, 50,70", [30.0, 50.0, 70.0]), ("3", 3)])
def test_sample_weight_and_bins_of_a_numeric_feature(tmp_path, monkeypatch, bins_text, bins):
    frame = messy_log(3_000, seed=5)
    rng = np.random.default_rng(50)
    frame["age"] = rng.integers(18, 90, len(frame))
    frame["weight"] = rng.uniform(0.2, 3.0, len(frame)).round(3)
    frame.to_parquet(tmp_path / "weighted.parquet", index=False)
    monkeypatch.setenv("FAIRDASH_DATA_DIR", str(tmp_path))
    at = _open_weighted(tmp_path, bins_text=bins_text)
    at.button(key="a:data.log.audit").click().run()
    assert not at.exception, at.exception
    at.selectbox(key="w:data.log.positive").set_value(0).run()
    log = at.session_state["log_audit"]
    assert log.sample_weight == "weight"
    expected = log_group_metrics(
        str(tmp_path / "weighted.parquet"), target="reoffended", prediction="predicted",
        sensitive_features=["sex", "age"], pos_label=0, score="risk_low",
        sample_weight="weight", bins={"age": bins}, min_group_size=DEFAULT_MIN_GROUP_SIZE,
    )
    pd.testing.assert_frame_equal(log.metrics.to_frame(), expected.to_frame(), rtol=0,
                                  atol=1e-12)
    assert len(log.table.binned["age"]) - 1 == (3 if bins == 3 else 4)  # below 30 too
    # Independent check: women's weighted selection rate per age bin, by pandas.
    edges = np.asarray(log.table.binned["age"])
    women = frame[frame["sex"] == "Female"]
    band = np.clip(np.searchsorted(edges, women["age"], side="right") - 1, 0, len(edges) - 2)
    selected = (women["predicted"] == 0) * women["weight"]
    rates = selected.groupby(band).sum() / women["weight"].groupby(band).sum()
    rates = rates.reindex(range(len(edges) - 1))  # NaN: a bin without women
    got = log.metrics.by_group.loc["Female", "selection_rate"].to_numpy()
    np.testing.assert_allclose(got, rates.to_numpy(), rtol=0, atol=1e-12)
    # Unweighted, the rates differ: the weights were used.
    plain = log_group_metrics(
        str(tmp_path / "weighted.parquet"), target="reoffended", prediction="predicted",
        sensitive_features=["sex", "age"], pos_label=0, bins={"age": bins},
    )
    assert not np.allclose(plain.by_group["selection_rate"], log.metrics.by_group["selection_rate"])
    html = log_report_html(log)
    assert html.count("Every rate is weighted by the column") == 1


def test_unreadable_bins_are_said_before_any_aggregation(tmp_path, monkeypatch):
    frame = messy_log(500, seed=6)
    frame["age"] = np.arange(len(frame)) % 70 + 18
    frame["weight"] = 1.0
    frame.to_parquet(tmp_path / "weighted.parquet", index=False)
    monkeypatch.setenv("FAIRDASH_DATA_DIR", str(tmp_path))
    at = _open_weighted(tmp_path, bins_text="50,30")
    assert any("age" in e.value and "must increase" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "a:data.log.audit"]
    assert "log_tables" not in at.session_state or not at.session_state["log_tables"]
